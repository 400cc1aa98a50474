"""One field's suggestion from a language model: ask, check and record it; accept it (one revision) or reject it.

The request is made outside any transaction (:func:`suggestion_make`); the answer is applied later by
:func:`suggestion_accept`, only if the field still holds what it held when the request started, and with the
episode's version checked, so a slow model never holds a lock and never overwrites what a person wrote meanwhile.
:mod:`episodes.llm` is the only module that talks to the model; this is the only module that calls it
(batches ask through :func:`suggestion_make`).
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from ... import llm
from ...documents import database
from ...format import chapters as ch
from ...format import checks, suggesting
from ...format import frontmatter as fm
from ...format.suggesting import CHAPTERS, DESCRIPTION, INTRO, TITLE, TOPICS, Material, Turn
from ...format.topics import episode_topics
from ...models import Episode, EpisodeGuest, Job, Suggestion, TranscriptItem
from ...selectors.checks import check_limits, database_topics, episode_front
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
USER_MARK = "=== user ==="
TRANSCRIPT_MARK, NOTE_MARK = "\x00transcript\x00", "\x00note\x00"
NOTE_TOKENS = 60  # room kept for the note saying what was left out
SUMMARY = "{field} from suggestion #{pk} ({model}, prompt {prompt}), accepted by {who}"

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
    price_in = Decimal(str(settings.AI_PRICE_INPUT_PER_MTOK))
    price_out = Decimal(str(settings.AI_PRICE_OUTPUT_PER_MTOK))
    return ((input_tokens * price_in + output_tokens * price_out) / 1_000_000).quantize(Decimal("0.000001"))


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


def episode_material(episode: Episode, *, topics: dict[str, str]) -> Material:
    """Read what the prompts need of ``episode``: title, sections, guests, timed turns, duration (2 queries)."""
    turns, headers, waiting = [], [], []
    rows = TranscriptItem.objects.filter(episode=episode).order_by("position")
    for kind, text, who, sec, time in rows.values_list("kind", "text", "who", "sec", "time"):
        if kind == TranscriptItem.Kind.HEADER:
            headers.append([text, None])
            waiting.append(headers[-1])
        elif kind == TranscriptItem.Kind.TURN:
            own = sec if sec is not None and sec >= 0 else (fm.time_to_seconds(time) if time else None)
            turns.append(Turn(own, who, text))
            if own is not None:
                for header in waiting:
                    header[1] = own
                waiting = []
    guests = EpisodeGuest.objects.filter(episode=episode).select_related("person").order_by("position")
    people = [(row.person.name or row.person.key, row.person.bio_short.strip()) for row in guests]
    duration = database.episode_extra(episode).get(ch.DURATION_KEY)
    return Material(
        title=episode.title,
        headers=[(title, sec) for title, sec in headers],
        guests=people,
        turns=turns,
        duration=ch.duration_seconds(duration) if isinstance(duration, str) else None,
        topic_list=topics,
    )


def current_value(episode: Episode, name: str, material: Material) -> str:
    """Return a field's value as a suggestion for it is written (chapters: ``00:01:20 Title`` lines)."""
    if name == TITLE:
        return episode.title
    if name == CHAPTERS:
        return ch.chapter_lines([(t, sec or 0) for t, sec in material.headers]).rstrip("\n")
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


def prompt_build(*, name: str, material: Material, limits: dict | None = None) -> Prompt:
    """Render a field's prompt for ``material``, its transcript cut to fit ``AI_CONTEXT_TOKENS``."""
    limits = limits or check_limits()
    template = suggesting.prompt_name(name)
    turns, notes = suggesting.prompt_turns(name, material, settings.AI_OPENING_MINUTES)
    if not turns:
        values = suggesting.prompt_values(name, material, transcript="", note="", limits=limits)
        text = render_to_string(template, values)
    else:
        # Rendered once with stand-ins: what the prompt holds besides the transcript, and the answer's
        # room, come off the budget; then the transcript cut to fit takes the stand-in's place.
        values = suggesting.prompt_values(name, material, transcript=TRANSCRIPT_MARK, note=NOTE_MARK, limits=limits)
        text = render_to_string(template, values)
        overhead = suggesting.estimate_tokens(text) + NOTE_TOKENS
        budget = settings.AI_CONTEXT_TOKENS - overhead - suggesting.OUTPUT_TOKENS[name]
        transcript, note = suggesting.transcript_excerpt(turns, max(budget, 0), cut_words=name == CHAPTERS)
        note = " ".join([*notes, note] if note else notes)
        text = text.replace(TRANSCRIPT_MARK, transcript)
        text = text.replace(NOTE_MARK, note) if note else re.sub(f"[^\n]*{NOTE_MARK}\n?", "", text)
    system, _, user = text.partition(USER_MARK)
    if not user:
        system, user = "", system
    messages = [{"role": "system", "content": system.strip()}] if system.strip() else []
    messages.append({"role": "user", "content": user.strip()})
    return Prompt(
        field=name,
        messages=messages,
        input_tokens=sum(suggesting.estimate_tokens(m["content"]) for m in messages),
        output_tokens=suggesting.OUTPUT_TOKENS[name],
        warnings=suggesting.injection_warnings(material, name, settings.AI_OPENING_MINUTES),
    )


def suggestion_check(*, episode: Episode, name: str, value: str, material: Material) -> list[str]:
    """Return what the editorial rules find in ``value`` as the episode's ``name`` (the other fields as they are)."""
    front = episode_front(episode)
    turns = [(i, checks.TURN, t.text, t.who, t.sec) for i, t in enumerate(material.turns)]
    if name == CHAPTERS:
        chapters = []
        for line in value.split("\n"):
            time, _, title = line.strip().partition(" ")
            sec = fm.time_to_seconds(time)
            if sec is not None:
                chapters.append((sec, title))
        items = _with_headers(turns, chapters)
    else:
        front[name] = suggesting.topics_value(value) if name == TOPICS else value
        items = []
    names = [n for n, _ in material.guests]
    subject = checks.Subject(front, items, names, material.topic_list or None)
    found = checks.check(subject, limits=check_limits(), rules=FIELD_RULES[name])
    key = FIELD_PATH.get(name, name)
    return [f"{f.rule}: {f.message}" for f in found if f.path and f.path[0] == key]


def _with_headers(turns: list[tuple], chapters: list[tuple[int, str]]) -> list[tuple]:
    """Return turn rows with a header row before the first turn at or after each chapter's time."""
    secs = [row[4] for row in turns]
    slots = ch.header_slots(secs, [sec for sec, _ in chapters])
    rows, done = [], 0
    for (_, title), slot in zip(chapters, slots, strict=True):
        rows += turns[done:slot]
        done = slot
        rows.append((0, checks.HEADER, title, "", None))
    rows += turns[done:]
    return [(i, *row[1:]) for i, row in enumerate(rows)]


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
) -> Suggestion:
    """Ask the model for ``name`` of ``episode`` and record its answer, checked, as a pending suggestion
    (``replace``: one waiting for the same field becomes replaced; False when none is known to wait).

    Raise SuggestError (nothing recorded) when no answer comes; an answer that gives the field nothing it
    can use is recorded as rejected, with why. Call it outside any transaction: the request may be slow.
    """
    config = model_config()
    prompt = prompt or prompt_build(name=name, material=material)
    base_version, current = episode.version, current_value(episode, name, material)
    try:
        reply = ask(config, prompt.messages)
    except llm.ModelError as exc:
        raise SuggestError(str(exc)) from None
    suggestion = Suggestion(
        episode=episode,
        field=name,
        prompt_version=suggesting.prompt_version(name),
        model=reply.model,
        input_tokens=reply.input_tokens,
        output_tokens=reply.output_tokens,
        cost=cost_of(reply.input_tokens, reply.output_tokens),
        current=current,
        base_version=base_version,
        job=job,
    )
    try:
        parsed = suggesting.parse(name, reply.text, material, limits=check_limits())
    except suggesting.ParseError as exc:
        suggestion.value, suggestion.error = reply.text[:10_000], str(exc)
        suggestion.status = Suggestion.Status.REJECTED
        suggestion.warnings = list(prompt.warnings)
    else:
        suggestion.value = parsed.value
        checked = suggestion_check(episode=episode, name=name, value=parsed.value, material=material)
        suggestion.warnings = [*prompt.warnings, *parsed.warnings, *checked]
    suggestion.save()
    if replace and suggestion.status == Suggestion.Status.PENDING:
        # After the save, outside a transaction: at worst two wait for review, never none.
        older = Suggestion.objects.pending().filter(episode=episode, field=name).exclude(pk=suggestion.pk)
        older.update(status=Suggestion.Status.REPLACED, decided_at=timezone.now())
    return suggestion


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
