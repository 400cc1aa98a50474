"""Find and replace across the archive (:mod:`episodes.format.replacing`): previewed first, then one revision per
episode changed, each refused when the episode changed since the preview."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.conf import settings

from ..documents import database
from ..format import replacing
from ..format.chapters import CLIPS_KEY
from ..models import Episode, Revision, Speaker, TranscriptItem
from ..results import REFUSED, UNCHANGED, UPDATED, FileResult
from .editing import ServiceError, StaleEpisode, editing
from .transcript import ItemEdit, apply_edits

HEADER, TURN = TranscriptItem.Kind.HEADER, TranscriptItem.Kind.TURN
COLUMNS = ("title", "short")
ITEM_FIELDS = {"headers": HEADER, "turns": TURN, "speakers": TURN}
BATCH = 200  # episodes whose transcripts are read in one query
ERR_TOO_LONG = "{where} would be {length} characters long, over the {limit} it can hold."
MSG_STALE = "changed since the preview (by {by}): not replaced, preview again"


class SearchFailed(ServiceError):
    """The search itself cannot run: an invalid regular expression or replacement, or one too slow."""


@dataclass
class EpisodeReplace:
    """What the search changes (or changed) in one episode."""

    episode: Episode
    version: int
    changes: list[replacing.Replaced] = field(default_factory=list)

    @property
    def count(self) -> int:
        return sum(len(change.hits) for change in self.changes)

    def counts(self) -> dict[str, int]:
        """Return the number of matches per field, in the fields' order."""
        found = Counter()
        for change in self.changes:
            found[change.text.field] += len(change.hits)
        return {name: found[name] for name in replacing.FIELDS if found[name]}

    def summary(self, search: replacing.Search) -> str:
        return f"replaced {search.describe()}: {self.where()}"

    def where(self) -> str:
        """Return the matches per field as words: ``3 in intro, 12 in turns' text``."""
        return ", ".join(f"{n} in {replacing.FIELDS[name].lower()}" for name, n in self.counts().items())


def time_limit() -> float:
    return settings.REPLACE_SECONDS


def matcher_for(search: replacing.Search) -> replacing.Matcher:
    """Return the search ready to run; raise ServiceError with the editor's message when it cannot."""
    try:
        return replacing.compile_search(search)
    except replacing.SearchError as exc:
        raise SearchFailed(str(exc)) from None


def episode_texts(episode: Episode, items: Iterable[tuple]) -> list[replacing.Text]:
    """Return the texts of ``episode`` that a search reads; ``items`` are (pk, position, kind, text, who)."""
    extra = database.episode_extra(episode)
    texts = [replacing.Text(name, name, getattr(episode, name), name) for name in COLUMNS if getattr(episode, name)]
    texts += [
        replacing.Text(name, name, extra[name], name)
        for name in ("description", "intro")
        if isinstance(extra.get(name), str)
    ]
    topics = extra.get("topics")
    if isinstance(topics, list):
        texts += [
            replacing.Text("topics", f"topics[{i + 1}]", topic, ("topics", i))
            for i, topic in enumerate(topics)
            if isinstance(topic, str)
        ]
    clips = extra.get(CLIPS_KEY)
    if isinstance(clips, list):
        texts += [
            replacing.Text("clips", f"clip {i + 1}", clip["name"], ("clips", i))
            for i, clip in enumerate(clips)
            if isinstance(clip, dict) and isinstance(clip.get("name"), str)
        ]
    labels: dict[str, list[int]] = {}
    for pk, position, kind, text, who in items:
        if kind == HEADER:
            texts.append(replacing.Text("headers", f"section header at item {position + 1}", text, ("item", pk)))
        elif kind == TURN:
            texts.append(replacing.Text("turns", f"turn {position + 1} ({who or 'no speaker'})", text, ("item", pk)))
            if who:
                labels.setdefault(who, []).append(pk)
    texts += [
        replacing.Text("speakers", f"speaker label of {len(pks)} turn(s)", who, ("speaker", tuple(pks)))
        for who, pks in labels.items()
    ]
    return texts


def _item_rows(episode_ids: list[int], fields: Iterable[str]) -> dict[int, list[tuple]]:
    kinds = {ITEM_FIELDS[name] for name in fields if name in ITEM_FIELDS}
    rows: dict[int, list[tuple]] = {pk: [] for pk in episode_ids}
    if not kinds:
        return rows
    queryset = TranscriptItem.objects.filter(episode_id__in=episode_ids, kind__in=kinds).order_by(
        "episode_id", "position"
    )
    for episode_id, *row in queryset.values_list("episode_id", "pk", "position", "kind", "text", "who"):
        rows[episode_id].append(tuple(row))
    return rows


def _matches(episode: Episode, items, matcher: replacing.Matcher) -> EpisodeReplace:
    try:
        changes = replacing.replace_texts(
            episode_texts(episode, items), matcher, seconds=time_limit(), what=f"episode {episode.slug}"
        )
    except replacing.SearchError as exc:
        raise SearchFailed(str(exc)) from None
    return EpisodeReplace(episode, episode.version, changes)


def replace_preview(*, search: replacing.Search, episode_ids: Iterable[int] | None = None) -> list[EpisodeReplace]:
    """Return every episode the search would change (all episodes, or those of ``episode_ids``), in slug order,
    with each match in context; nothing is written. Raise ServiceError for a bad or too slow search."""
    matcher = matcher_for(search)
    episodes = Episode.objects.order_by("slug").only("pk", "slug", "title", "short", "extra", "version")
    if episode_ids is not None:
        episodes = episodes.filter(pk__in=list(episode_ids))
    episodes = list(episodes)
    found = []
    for start in range(0, len(episodes), BATCH):
        batch = episodes[start : start + BATCH]
        rows = _item_rows([episode.pk for episode in batch], search.fields)
        for episode in batch:
            result = _matches(episode, rows[episode.pk], matcher)
            if result.changes:
                found.append(result)
    return found


def episode_replace(
    *, episode: Episode, search: replacing.Search, user=None, version: int | None = None
) -> EpisodeReplace:
    """Replace in ``episode`` as one revision (none when nothing matches); return what changed.

    ``version`` is the version the preview read: a different current version raises StaleEpisode.
    """
    matcher = matcher_for(search)
    with editing(episode=episode, user=user, version=version) as change:
        locked = change.episode
        rows = _item_rows([locked.pk], search.fields)[locked.pk]
        result = _matches(locked, rows, matcher)
        if not result.changes:
            change.cancel = True
            return result
        _write(locked, result.changes)
        change.summary = result.summary(search)[: _summary_limit()]
    result.version = locked.version
    return result


def _summary_limit() -> int:
    return Revision._meta.get_field("summary").max_length


def _write(episode: Episode, changes: list[replacing.Replaced]) -> None:
    """Write the replaced texts of ``episode`` (inside ``editing``)."""
    columns, extra, edits, labels = [], database.episode_extra(episode), {}, {}
    new_extra = dict(extra)
    for change in changes:
        key, new = change.text.key, change.new
        if key in COLUMNS:
            limit = Episode._meta.get_field(key).max_length
            if len(new) > limit:
                raise ServiceError(ERR_TOO_LONG.format(where=key, length=len(new), limit=limit))
            setattr(episode, key, new)
            columns.append(key)
        elif key in ("description", "intro"):
            new_extra[key] = new
        elif key[0] == "topics":
            new_extra["topics"] = list(new_extra["topics"])
            new_extra["topics"][key[1]] = new
        elif key[0] == "clips":
            new_extra[CLIPS_KEY] = list(new_extra[CLIPS_KEY])
            new_extra[CLIPS_KEY][key[1]] = {**new_extra[CLIPS_KEY][key[1]], "name": new}
        elif key[0] == "item":
            edits.setdefault(key[1], ItemEdit()).text = new
        else:  # a speaker label: every turn of it
            labels[change.text.text] = new
            for pk in key[1]:
                edits.setdefault(pk, ItemEdit()).who = new
    if isinstance(new_extra.get("topics"), list):
        # A topic replaced by nothing is dropped rather than kept empty.
        new_extra["topics"] = [topic for topic in new_extra["topics"] if topic != ""]
    if new_extra != extra:
        episode.extra = database.dump_extra(new_extra)
        columns.append("extra")
    if columns:
        episode.save(update_fields=columns)
    if edits:
        apply_edits(episode, edits)
    if labels:
        _move_ties(episode, labels)


def _move_ties(episode: Episode, labels: dict[str, str]) -> None:
    """Keep who each renamed label is: its tie moves to the new label, unless that label is tied already."""
    ties = list(Speaker.objects.filter(episode=episode, label__in=list(labels)))
    if not ties:
        return
    kept = set(Speaker.objects.filter(episode=episode).exclude(label__in=list(labels)).values_list("label", flat=True))
    Speaker.objects.filter(pk__in=[tie.pk for tie in ties]).delete()
    moved, seen = [], set(kept)
    for tie in ties:
        label = labels[tie.label].strip()
        if label and label not in seen:
            seen.add(label)
            moved.append(Speaker(episode=episode, label=label, person_id=tie.person_id))
    Speaker.objects.bulk_create(moved)


def episodes_replace(
    *,
    search: replacing.Search,
    versions: dict[int, int],
    user=None,
    progress: Callable[[FileResult], None] | None = None,
) -> list[FileResult]:
    """Replace in each episode of ``versions`` (id → the version the preview read), one revision each.

    Each episode's outcome is a :class:`~episodes.results.FileResult` named by its slug: updated, unchanged or
    refused, with what was done (or why not) as its message.

    An episode changed since the preview, or whose replaced text it cannot keep, is refused and reported; the
    others go on. A search too slow on an episode stops the run with SearchFailed (what was replaced stays:
    each episode is its own edit).
    """
    matcher_for(search)
    lines = []
    for episode in Episode.objects.filter(pk__in=list(versions)).order_by("slug").only("pk", "slug", "version"):
        try:
            result = episode_replace(episode=episode, search=search, user=user, version=versions[episode.pk])
        except StaleEpisode as exc:
            by = exc.episode.edited_by or "someone"
            line = _outcome(episode, REFUSED, MSG_STALE.format(by=by))
        except SearchFailed:
            raise
        except ServiceError as exc:
            line = _outcome(episode, REFUSED, f"not replaced: {exc}")
        else:
            if result.changes:
                line = _outcome(episode, UPDATED, f"{result.count} replaced ({result.where()})")
            else:
                line = _outcome(episode, UNCHANGED, "nothing to replace any more")
        lines.append(line)
        if progress is not None:
            progress(line)
    return lines


def _outcome(episode: Episode, status: str, message: str) -> FileResult:
    return FileResult(path=episode.slug, key=episode.slug, pk=episode.pk, status=status, message=message)


def outcome_line(result: FileResult) -> str:
    """Return how a report names one episode's outcome: ``slug: what was done``."""
    return f"{result.path}: {result.message}"
