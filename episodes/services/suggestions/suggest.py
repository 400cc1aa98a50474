"""One field's suggestion from a language model: ask, check and record it; accept it (one revision) or reject it.

The request is made outside any transaction (:func:`suggestion_make`); the answer is applied later by
:func:`suggestion_accept`, only if the field still holds what it held when the request started, and with the
episode's version checked, so a slow model never holds a lock and never overwrites what a person wrote meanwhile.
:mod:`episodes.llm` is the only module that talks to the model; this is the only module that calls it
(batches ask through :func:`suggestion_ask`, and make each answer a suggestion with :func:`suggestion_from_reply`).
"""

from __future__ import annotations

import dataclasses
import functools
import operator
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.core.signals import setting_changed
from django.db import connection, models, transaction
from django.db.models import Q
from django.dispatch import receiver
from django.template import TemplateDoesNotExist, engines
from django.utils import timezone

from ... import llm
from ...documents import database
from ...format import chapters as ch
from ...format import checks, suggesting
from ...format import frontmatter as fm
from ...format.suggesting import CHAPTERS, DESCRIPTION, INTRO, TITLE, TOPICS, Material
from ...format.topics import episode_topics
from ...models import Episode, EpisodeGuest, Job, Suggestion, TranscriptItem
from ...selectors.checks import check_limits, database_topics
from ..editing import ServiceError, editing
from ..intake import chapters_apply

ERR_OFF = (
    "Suggestions are off: set AI_BASE_URL to an OpenAI-compatible server (e.g. https://api.openai.com/v1, or "
    "http://localhost:11434/v1 for Ollama), AI_MODEL to the model to ask, and AI_API_KEY if the server needs one."
)
ERR_NO_MODEL = "AI_MODEL is not set: name the model to ask (e.g. gpt-5-mini, or llama3.1 on Ollama)."
ERR_DECIDED = "This suggestion was already {status}."
ERR_UNUSABLE = "This suggestion cannot be accepted: {error}"
ERR_FIELD_CHANGED = (
    "The {field} changed since this suggestion was made: nothing was applied. Suggest again, or edit the field."
)
ERR_EMPTY_VALUE = "The suggestion is empty: nothing was applied."
ERR_NO_PROMPT = "no prompt template {name} in the template folders (TEMPLATES)"
ERR_PROMPT_UNREADABLE = "{path}: cannot read the prompt template: {error}"
USER_MARK, TRANSCRIPT_MARK, NOTE_TOKENS = suggesting.USER_MARK, suggesting.TRANSCRIPT_MARK, suggesting.NOTE_TOKENS
SUMMARY = "{field} from suggestion #{pk} ({model}, prompt {prompt}), accepted by {who}"
MICRODOLLAR = Decimal("0.000001")  # what a cost is rounded to (the Suggestion.cost column's places)

# The editorial rules that read each field; a suggestion shows what they find in it.
FIELD_RULES = {
    TITLE: ("title-length", "title-guest", "typography"),
    DESCRIPTION: ("description-length", "description-plain", "typography"),
    INTRO: ("intro-length", "typography"),
    TOPICS: ("topics-count", "topics-curated", "typography"),
    CHAPTERS: ("chapters-count", "chapter-repeated", "chapter-times", "typography"),
}
FIELD_PATH = {CHAPTERS: "transcript"}


class SuggestError(ServiceError):
    """A suggestion that could not be made or applied; the message is for the editor."""


# -- configuration ----------------------------------------------------------------------------------------


def enabled() -> bool:
    """Tell whether suggestions are on (``AI_BASE_URL`` is set)."""
    return bool(settings.AI_BASE_URL)


def model_config() -> llm.Config:
    """Return where the model is, from the settings; raise SuggestError when suggestions are off."""
    if not enabled():
        raise SuggestError(ERR_OFF)
    if not settings.AI_MODEL:
        raise SuggestError(ERR_NO_MODEL)
    return llm.Config(
        base_url=settings.AI_BASE_URL,
        model=settings.AI_MODEL,
        api_key=settings.AI_API_KEY,
        timeout=settings.AI_TIMEOUT,
        retries=settings.AI_RETRIES,
    )


def cost_of(input_tokens: int, output_tokens: int) -> Decimal:
    """Return what so many tokens cost at the configured prices (US dollars per million tokens)."""
    price_in, price_out = (
        _token_price(settings.AI_PRICE_INPUT_PER_MTOK),
        _token_price(settings.AI_PRICE_OUTPUT_PER_MTOK),
    )
    return (input_tokens * price_in + output_tokens * price_out).quantize(MICRODOLLAR)


@functools.lru_cache(maxsize=16)
def _token_price(per_million) -> Decimal:
    """Return a price per million tokens (as the setting gives it: text or a number) as dollars per token."""
    return Decimal(str(per_million)).scaleb(-6)


# -- what the prompts are made from ---------------------------------------------------------------------------


def topic_list() -> dict[str, str]:
    """Return the curated topics (the Topic rows with their aliases, else the site's scripts/topic_list.txt),
    else the topics used across the archive."""
    curated = database_topics()
    if curated:
        return curated
    used: dict[str, str] = {}
    for extra in Episode.objects.exclude(extra="").values_list("extra", flat=True).iterator():
        for topic in episode_topics(database.parsed_extra(extra)):
            used.setdefault(topic.casefold(), topic)
    return used


def episode_materials(episodes: Sequence[Episode], *, topics: dict[str, str]) -> dict[int, Material]:
    """Read what the prompts need of each of ``episodes`` (by id): title, guests, duration, and the transcript's
    stored digest (sections and turns as the prompts give them); two queries however many episodes (four when
    a digest is missing or stale: made again then, from the episode's items)."""
    digests = database.digests_read(episodes)
    guests: dict[int, list[tuple[str, str]]] = {e.pk: [] for e in episodes}
    guest_rows = EpisodeGuest.objects.filter(episode__in=list(guests)).order_by("episode_id", "position")
    people = guest_rows.values_list("episode_id", "person__key", "person__name", "person__bio_short")
    for owner, key, name, bio in people:
        guests[owner].append((name or key, bio.strip()))
    materials = {}
    for episode in episodes:
        duration = database.episode_extra(episode).get(ch.DURATION_KEY)
        materials[episode.pk] = Material(
            title=episode.title,
            guests=guests[episode.pk],
            duration=ch.duration_seconds(duration) if isinstance(duration, str) else None,
            topic_list=topics,
            digest=digests[episode.pk],
        )
    return materials


def episode_material(episode: Episode, *, topics: dict[str, str]) -> Material:
    """Read what the prompts need of ``episode`` (2 queries)."""
    return episode_materials([episode], topics=topics)[episode.pk]


@functools.cache
def prompt_templates() -> dict[str, suggesting.PromptTemplate]:
    """Return every field's prompt template and their parts, read and compiled once per process (again when
    ``TEMPLATES`` changes); raise SuggestError for one missing or that cannot be filled.

    They are found as Django finds templates (a deployment's own template folder first), but read as plain
    text: Django's template language plays no part in a prompt.
    """
    found = {}
    try:
        for name in suggesting.FIELDS:
            found[name] = suggesting.prompt_template(*_prompt_source(name))
        for part in suggesting.PARTS.values():
            found[part] = suggesting.prompt_template(*_prompt_source(part), part=True)
    except suggesting.PromptError as exc:
        raise SuggestError(str(exc)) from None
    return found


def _prompt_source(name: str) -> tuple[str, str]:
    """Return the text and path of a prompt template (the first found in the template folders)."""
    template = suggesting.prompt_name(name)
    for backend in engines.all():
        for loader in getattr(getattr(backend, "engine", None), "template_loaders", ()):
            for origin in loader.get_template_sources(template):
                try:
                    return origin.loader.get_contents(origin), origin.name
                except TemplateDoesNotExist:
                    continue
                except (OSError, UnicodeDecodeError) as exc:
                    raise SuggestError(ERR_PROMPT_UNREADABLE.format(path=origin.name, error=exc)) from None
    raise SuggestError(ERR_NO_PROMPT.format(name=template))


@receiver(setting_changed)
def _templates_changed(*, setting, **kwargs):
    if setting == "TEMPLATES":
        prompt_templates.cache_clear()


def current_value(episode: Episode, name: str, material: Material) -> str:
    """Return a field's value as a suggestion for it is written (chapters: ``00:01:20 Title`` lines)."""
    if name == TITLE:
        return episode.title
    if name == CHAPTERS:
        return material.chapters()
    extra = database.episode_extra(episode)
    if name == TOPICS:
        return "\n".join(episode_topics(extra))
    value = extra.get(name)
    return value if isinstance(value, str) else "" if value is None else str(value)


# -- asking ---------------------------------------------------------------------------------------------------


@dataclass
class Prompt:
    field: str
    messages: list[dict]
    input_tokens: int  # estimated
    output_tokens: int  # expected
    warnings: list[str] = dataclasses.field(default_factory=list)

    @property
    def cost(self) -> Decimal:
        return cost_of(self.input_tokens, self.output_tokens)


def prompt_build(*, name: str, material: Material, limits: dict | None = None, templates: dict | None = None) -> Prompt:
    """Fill a field's prompt for ``material``, its transcript cut to fit ``AI_CONTEXT_TOKENS``."""
    rendered = suggesting.prompt_render(
        name,
        material,
        templates or prompt_templates(),
        context_tokens=settings.AI_CONTEXT_TOKENS,
        opening_minutes=settings.AI_OPENING_MINUTES,
        limits=limits or check_limits(),
    )
    return Prompt(
        field=name,
        messages=rendered.messages,
        input_tokens=rendered.input_tokens,
        output_tokens=suggesting.OUTPUT_TOKENS[name],
        warnings=rendered.warnings,
    )


def suggestion_check(
    *, episode: Episode, name: str, value: str, material: Material, limits: dict | None = None
) -> list[str]:
    """Return what the editorial rules find in ``value`` as the episode's ``name``.

    Only the field is checked, with what its rules read besides (the guests' names, the duration, the
    curated topics): the other fields' findings are not the suggestion's.
    """
    front: dict = {}
    items: list[tuple] = []
    if name == CHAPTERS:
        if material.duration is not None:
            front[ch.DURATION_KEY] = fm.seconds_to_time(material.duration)
        chapters = []
        for line in value.split("\n"):
            time, _, title = line.strip().partition(" ")
            sec = fm.time_to_seconds(time)
            if sec is not None:
                chapters.append((sec, title))
        items = _chapter_rows(material, chapters)
    else:
        front[name] = suggesting.topics_value(value) if name == TOPICS else value
    names = [n for n, _ in material.guests]
    subject = checks.Subject(front, items, names, material.topic_list or None)
    found = checks.check(subject, limits=limits or check_limits(), rules=FIELD_RULES[name])
    key = FIELD_PATH.get(name, name)
    return [f"{f.rule}: {f.message}" for f in found if f.path and f.path[0] == key]


def _chapter_rows(material: Material, chapters: list[tuple[int, str]]) -> list[tuple]:
    """Return the transcript rows the chapter rules read once ``chapters`` are its sections: each one's header,
    then the turn its section starts at (a header goes before the first timed turn at or after its time).

    The other turns tell those rules nothing, and a long transcript would be copied for each check.
    """
    secs = material.digest.secs
    rows: list[tuple] = []
    for (_, title), slot in zip(chapters, ch.header_slots(secs, [sec for sec, _ in chapters]), strict=True):
        rows.append((len(rows), checks.HEADER, title, "", None))
        if slot < len(secs):
            rows.append((len(rows), checks.TURN, "", "", secs[slot]))
    return rows


Ask = Callable[[llm.Config, list[dict]], llm.Reply]


def suggestion_make(
    *,
    episode: Episode,
    name: str,
    material: Material,
    prompt: Prompt | None = None,
    job: Job | None = None,
    ask: Ask = llm.complete,
    replace: bool = True,
    config: llm.Config | None = None,
    limits: dict | None = None,
    save: bool = True,
) -> Suggestion:
    """Ask the model for ``name`` of ``episode`` and record its answer, checked, as a pending suggestion
    (``replace``: one waiting for the same field becomes replaced; False when none is known to wait).

    Raise SuggestError (nothing recorded) when no answer comes; an answer that gives the field nothing it
    can use is recorded as rejected, with why. Call it outside any transaction: the request may be slow.
    ``config``, ``limits``: as already read for a batch. ``save`` False: return it unsaved, for the caller
    to save with others (:func:`suggestions_save`).
    """
    config = config or model_config()
    limits = limits or check_limits()
    prompt = prompt or prompt_build(name=name, material=material, limits=limits)
    asked = Asked(episode, name, material, prompt, episode.version, current_value(episode, name, material))
    asked.reply = suggestion_ask(prompt=prompt, ask=ask, config=config)
    suggestion = suggestion_from_reply(asked, job=job, limits=limits)
    if save:
        suggestions_save([suggestion], replace={(episode.pk, name): None} if replace else {})
    return suggestion


@dataclass
class Asked:
    """A request for a field's suggestion, with what it was asked from and, once it came, the answer."""

    episode: Episode
    name: str
    material: Material
    prompt: Prompt
    base_version: int  # the episode's version, and the field's value, when the request started
    current: str
    reply: llm.Reply | None = None
    cost: Decimal | None = None  # the reply's, once counted


def suggestion_ask(*, prompt: Prompt, ask: Ask = llm.complete, config: llm.Config) -> llm.Reply:
    """Return the model's answer to ``prompt``; raise SuggestError when none comes."""
    try:
        return ask(config, prompt.messages)
    except llm.ModelError as exc:
        raise SuggestError(str(exc)) from None


def suggestion_from_reply(asked: Asked, *, job: Job | None = None, limits: dict) -> Suggestion:
    """Return the unsaved suggestion an answer gives: its value parsed and checked, or, when it gives nothing
    the field can use, rejected with why."""
    reply, name, material, prompt = asked.reply, asked.name, asked.material, asked.prompt
    suggestion = _unsaved(
        episode_id=asked.episode.pk,
        field=name,
        prompt_version=suggesting.prompt_version(name),
        model=reply.model,
        input_tokens=reply.input_tokens,
        output_tokens=reply.output_tokens,
        cost=cost_of(reply.input_tokens, reply.output_tokens) if asked.cost is None else asked.cost,
        current=asked.current,
        base_version=asked.base_version,
        job_id=job.pk if job else None,
    )
    Suggestion.episode.field.set_cached_value(suggestion, asked.episode)
    if job is not None:
        Suggestion.job.field.set_cached_value(suggestion, job)
    try:
        parsed = suggesting.parse(name, reply.text, material, limits=limits)
    except suggesting.ParseError as exc:
        suggestion.value, suggestion.error = reply.text[:10_000], str(exc)
        suggestion.status = Suggestion.Status.REJECTED
        suggestion.warnings = list(prompt.warnings)
    else:
        suggestion.value = parsed.value
        checked = suggestion_check(
            episode=asked.episode, name=name, value=parsed.value, material=material, limits=limits
        )
        suggestion.warnings = [*prompt.warnings, *parsed.warnings, *checked]
    return suggestion


@functools.cache
def _columns() -> tuple[tuple[str, object, bool], ...]:
    """Return each column of a suggestion in the model's order: its attribute, its default, and whether that
    is a callable to call for each row."""
    fields = Suggestion._meta.concrete_fields
    return tuple(
        (f.attname, f.default, True) if f.has_default() and callable(f.default) else (f.attname, f.get_default(), False)
        for f in fields
    )


def _unsaved(**values) -> Suggestion:
    """Return ``Suggestion(**values)`` (attribute names: ``episode_id``, not ``episode``) made by position, as a
    row read from the database is: a third of the time, keywords being matched to the fields one by one
    (12 us a suggestion, 4 by position; a batch makes a thousand)."""
    row = [values.pop(name) if name in values else default() if call else default for name, default, call in _columns()]
    if values:
        raise TypeError(f"Suggestion has no column {', '.join(values)}")
    return Suggestion(*row)


def suggestions_save(made: Sequence[Suggestion], *, replace: Mapping[tuple[int, str], Sequence[int] | None]) -> None:
    """Save suggestions made (an insert, and an update or two for what they replace, however many); a pending
    one replaces what waits for review for the same episode and field when ``replace`` names that pair: the
    suggestions (by id) it replaces, as the batch read them when it was planned, or None for whatever waits now
    (looked up by episode and field).

    Several are saved with what they replace in one transaction. One alone (a field suggested in the editor,
    or a batch's save that found one answer in) is saved outside any: a transaction would cost it two more
    statements, and a failure between the two leaves at worst two waiting for review, never none.
    """
    if len(made) == 1:
        made[0].save()
        _replace_waiting(made, replace)
        return
    # One commit for the rows and the ones they replace (PostgreSQL writes its log at each).
    with transaction.atomic(savepoint=False):
        if connection.features.can_return_rows_from_bulk_insert:
            _insert(made)
        else:
            Suggestion.objects.bulk_create(made)
        _replace_waiting(made, replace)


def _replace_waiting(made: Sequence[Suggestion], replace: Mapping[tuple[int, str], Sequence[int] | None]) -> None:
    """Mark replaced what the pending ones of ``made`` replace (see :func:`suggestions_save`)."""
    now = timezone.now()
    pending = [s for s in made if s.status == Suggestion.Status.PENDING and (s.episode_id, s.field) in replace]
    known = [pk for s in pending for pk in replace[s.episode_id, s.field] or ()]
    if known:
        # By id: a query of one condition, where a condition for each field costs more to build than the rest.
        waiting = Suggestion.objects.pending().filter(pk__in=known)
        waiting.update(status=Suggestion.Status.REPLACED, decided_at=now)
    by_field: dict[str, list[int]] = {}
    for suggestion in pending:
        if replace[suggestion.episode_id, suggestion.field] is None:
            by_field.setdefault(suggestion.field, []).append(suggestion.episode_id)
    if by_field:
        older = Q()
        for name, episode_ids in by_field.items():
            older |= Q(field=name, episode_id__in=episode_ids)
        waiting = Suggestion.objects.pending().filter(older).exclude(pk__in=[s.pk for s in made])
        waiting.update(status=Suggestion.Status.REPLACED, decided_at=now)


# Columns whose values are given to the database as they are: text, integers and keys (str, int or None here).
_AS_THEY_ARE = (models.CharField, models.TextField, models.IntegerField, models.ForeignKey)


def _insert(made: Sequence[Suggestion]) -> None:
    """Insert suggestions as bulk_create does and give each its id, which comes back from the insert (SQLite
    3.35+, PostgreSQL): the ones replaced are told apart by them.

    Written out because bulk_create prepared each value of each row through the field, several times the
    database's own time for a batch's rows: here only the columns that need it are prepared (the cost,
    the warnings, the dates), each distinct value once.
    """
    fields = [f for f in Suggestion._meta.concrete_fields if not f.primary_key]
    now = timezone.now()
    row_of = operator.attrgetter(*(f.attname for f in fields))
    rows = []
    for suggestion in made:
        if suggestion.created_at is None:
            suggestion.created_at = now  # as auto_now_add would
        rows.append(list(row_of(suggestion)))
    for column, f in enumerate(fields):
        if isinstance(f, _AS_THEY_ARE):
            continue
        prepared = {}
        for row in rows:
            value = row[column]
            if value is not None:  # NULL, for a JSON column too (as the field saves None)
                key = (type(value), tuple(value) if isinstance(value, list) else value)
                if key not in prepared:
                    prepared[key] = f.get_db_prep_save(value, connection)
                row[column] = prepared[key]
    quote = connection.ops.quote_name
    size = connection.ops.bulk_batch_size(fields, made)
    # Only quoted table and column names (and the columns' types) go into the SQL; every value is a parameter.
    head = "INSERT INTO {} ({}) ".format(  # noqa: S608
        quote(Suggestion._meta.db_table), ", ".join(quote(f.column) for f in fields)
    )
    returning = f" RETURNING {quote(Suggestion._meta.pk.column)}"
    pk_name, alias = Suggestion._meta.pk.attname, connection.alias  # each read once: the connection is a proxy
    with transaction.atomic(savepoint=False), connection.cursor() as cursor:
        for start in range(0, len(rows), size):
            sql, params = _insert_rows(fields, rows[start : start + size])
            cursor.execute(head + sql + returning, params)
            for suggestion, (pk,) in zip(made[start : start + size], cursor.fetchall(), strict=True):
                setattr(suggestion, pk_name, pk)
                suggestion._state.adding, suggestion._state.db = False, alias


def _insert_rows(fields: Sequence[models.Field], rows: Sequence[Sequence]) -> tuple[str, list]:
    """Return the rows part of an insert of ``rows`` (each a value a field) and its parameters.

    On PostgreSQL one array a column, as Django's bulk_create does there: psycopg reads a query's placeholders
    in Python (a thousand rows of 17 columns: 40 ms of the batch's time) and the server plans a list of values
    row by row (as long again). With server-side binding (the default, see DATABASE_PREPARE_THRESHOLD) the
    arrays go in binary (``%b``), which psycopg writes without quoting each text in them: half the client's
    time of the insert; a client-side cursor writes them into the query as literals, as it does ``%s``.
    Elsewhere a list of values, a placeholder each.
    """
    if connection.vendor == "postgresql":
        # Cast to varchar[], not varchar(20)[]: a cast to a length cuts a longer text without a word, where
        # the column refuses it.
        types = [f.db_type(connection).split("(")[0] for f in fields]
        sql = "SELECT * FROM UNNEST({})".format(", ".join(f"(%b)::{db_type}[]" for db_type in types))  # noqa: S608
        return sql, [list(column) for column in zip(*rows, strict=True)]
    values = "({})".format(", ".join(["%s"] * len(fields)))
    return f"VALUES {', '.join([values] * len(rows))}", [value for row in rows for value in row]


# -- deciding -------------------------------------------------------------------------------------------------


def suggestion_accept(
    *, suggestion: Suggestion, user=None, value: str | None = None, version: int | None = None
) -> Suggestion:
    """Apply a pending suggestion (``value``: as the editor corrected it) as one revision, and mark it accepted.

    Refused when the field no longer holds what it held when the suggestion was made (a person wrote it
    meanwhile), or, given ``version``, when the episode is no longer at that version.
    """
    if suggestion.status != Suggestion.Status.PENDING:
        raise SuggestError(ERR_DECIDED.format(status=suggestion.get_status_display().lower()))
    if suggestion.error:
        raise SuggestError(ERR_UNUSABLE.format(error=suggestion.error))
    value = (suggestion.value if value is None else value).replace("\r\n", "\n").strip()
    if not value:
        raise SuggestError(ERR_EMPTY_VALUE)
    name = suggestion.field
    who = "the command line" if user is None or not user.is_authenticated else user.get_username()
    summary = SUMMARY.format(
        field=name, pk=suggestion.pk, model=suggestion.model, prompt=suggestion.prompt_version, who=who
    )
    episode = suggestion.episode
    with transaction.atomic():
        if name == CHAPTERS:
            with editing(episode=episode, version=version) as change:
                change.cancel = True  # only to lock the episode while its headers are compared
                headers = TranscriptItem.objects.filter(episode=episode, kind=TranscriptItem.Kind.HEADER)
                # Times are not compared: the sections' starts follow turns that other edits may retime.
                titles = [line.partition(" ")[2] for line in suggestion.current.split("\n") if line]
                if titles != list(headers.order_by("position").values_list("text", flat=True)):
                    raise SuggestError(ERR_FIELD_CHANGED.format(field="chapters"))
            chapters_apply(episode=episode, chapters=value, name=summary, user=user, version=version)
        else:
            with editing(episode=episode, user=user, version=version, summary=summary) as change:
                # Compared on the locked row: what a person saved meanwhile is never replaced.
                if current_value(change.episode, name, Material()) != suggestion.current:
                    raise SuggestError(ERR_FIELD_CHANGED.format(field=name))
                _set(change.episode, name, value)
            suggestion.episode = change.episode  # as saved, at its new version
        suggestion.value = value
        suggestion.status = Suggestion.Status.ACCEPTED
        suggestion.decided_by = user if user is not None and user.is_authenticated else None
        suggestion.decided_at = timezone.now()
        suggestion.save(update_fields=["value", "status", "decided_by", "decided_at"])
    return suggestion


def _set(episode: Episode, name: str, value: str) -> None:
    if name == TITLE:
        episode.title = value
        episode.save(update_fields=["title"])
        return
    extra = dict(database.episode_extra(episode))  # a copy: the parsed mapping is shared, cached per text
    extra[name] = suggesting.topics_value(value) if name == TOPICS else value
    episode.extra = database.dump_extra(extra)
    episode.save(update_fields=["extra"])


def suggestions_reject(*, suggestions: Iterable[Suggestion], user=None) -> int:
    """Mark pending suggestions rejected; return how many were."""
    pks = [s.pk for s in suggestions if s.status == Suggestion.Status.PENDING]
    return Suggestion.objects.filter(pk__in=pks, status=Suggestion.Status.PENDING).update(
        status=Suggestion.Status.REJECTED,
        decided_by=user if user is not None and user.is_authenticated else None,
        decided_at=timezone.now(),
    )
