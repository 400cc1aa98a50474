"""Problems an editor should look at: shown on the editor page and counted for the episode list.

The list's counts are columns, kept after every edit (:func:`list_counts`) and by the import
(:mod:`episodes.documents.database` counts the items, :func:`count_for_rows` the warnings), so that listing episodes
never reads their transcripts.

Warnings never block saving. They are computed from plain values, so the importer, the editor page and
every operation share one implementation.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from ..documents.database import ItemRow, episode_extra, item_rows
from ..format import frontmatter as fm
from ..format.chapters import CLIPS_KEY, DURATION_KEY, url_start
from ..format.episode_keys import episode_duration
from ..format.times import clock
from ..format.video import video_id_in_url
from ..models import Episode, Person, TranscriptItem
from .speakers import speaker_candidates, speaker_ties, speakers_match

W_TIME_BACKWARDS = "time goes backwards: {time} comes after {previous}"
W_NO_SPEAKER = "turn has no speaker"
W_EMPTY_TEXT = "turn has no text"
W_EMPTY_SECTION = "section '{title}' has no turn after it"
W_UNKNOWN_SPEAKER = "speaker '{label}' matches no guest or host"
W_BAD_TIME = "time '{time}' is not like 1:56 or 1:02:03"
W_TIME_SEC = "time {time} does not match sec {sec}"
W_YOUTUBE = "the YouTube id '{id}' and the YouTube link ({url}) disagree"
W_HIDDEN_CHARACTERS = "speaker '{label}' contains characters that do not show: {names}"
W_CASE_ONLY = "speakers '{label}' and '{other}' differ only in case: merge them?"
W_CLIP_NO_SECTION = "clip '{name}' matches no section header"
W_CLIP_ORDER = "clip '{name}' starts at {start}, before the clip above it ({previous})"
W_CLIP_END = "clip '{name}' ends at {end}, not where the next clip starts ({next})"
W_CLIP_LINK = "clip '{name}' links to {link}, not to its start {start}"
W_CLIP_BAD = "quotableClips item {number} is not a clip with a name, a start and an end"
W_DURATION = "duration '{value}' is not a duration like PT01H03M37S"
CLIPS = "clips"


@dataclass(frozen=True)
class EditorWarning:
    """A problem the editor should look at (not Python's ``Warning``: nothing is raised or filtered)."""

    message: str
    position: int | None = None  # the transcript item it is about, if any
    about: str = ""  # what else it is about: "clips" for the clips and the duration


def transcript_warnings(items: list[ItemRow], *, known_labels: set[str]) -> list[EditorWarning]:
    """Return warnings for the transcript's items in order."""
    warnings = []
    previous_sec = previous_time = None
    header = None  # (position, title) of a header still waiting for a turn
    seen: set[str] = set()  # labels are looked at once, at their first turn
    folded: dict[str, str] = {}  # each label's case-folded form → the first label seen with it
    for position, kind, text, who, sec, time, *_ in items:
        if kind == TranscriptItem.Kind.HEADER:
            if header is not None:
                warnings.append(EditorWarning(W_EMPTY_SECTION.format(title=header[1]), header[0]))
            header = (position, text)
            continue
        if kind != TranscriptItem.Kind.TURN:
            continue
        header = None
        if not who:
            warnings.append(EditorWarning(W_NO_SPEAKER, position))
        elif who not in seen:
            seen.add(who)
            warnings += [EditorWarning(message, position) for message in label_problems(who, known_labels, folded)]
        if not text.strip():
            warnings.append(EditorWarning(W_EMPTY_TEXT, position))
        if time:
            seconds = fm.time_to_seconds(time)
            if seconds is None:
                warnings.append(EditorWarning(W_BAD_TIME.format(time=time), position))
            elif sec is not None and seconds != sec:
                warnings.append(EditorWarning(W_TIME_SEC.format(time=time, sec=sec), position))
        if sec is not None:
            if previous_sec is not None and sec < previous_sec:
                warnings.append(
                    EditorWarning(W_TIME_BACKWARDS.format(time=time or sec, previous=previous_time), position)
                )
            previous_sec, previous_time = sec, time or sec
    if header is not None:
        warnings.append(EditorWarning(W_EMPTY_SECTION.format(title=header[1]), header[0]))
    return warnings


def label_problems(label: str, known_labels: set[str], folded: dict[str, str]) -> list[str]:
    """Return what is wrong with a speaker label met for the first time; remember its case-folded form."""
    problems = []
    if label not in known_labels:
        problems.append(W_UNKNOWN_SPEAKER.format(label=label))
    hidden = hidden_characters(label)
    if hidden:
        problems.append(W_HIDDEN_CHARACTERS.format(label=label, names=", ".join(hidden)))
    other = folded.setdefault(label.casefold(), label)
    if other != label:
        problems.append(W_CASE_ONLY.format(label=label, other=other))
    return problems


def hidden_characters(text: str) -> list[str]:
    """Return the names of the invisible characters in ``text``: zero-width, direction overrides, ... (Cf)."""
    found = dict.fromkeys(c for c in text if unicodedata.category(c) == "Cf")
    return [f"U+{ord(c):04X} {unicodedata.name(c, 'format character')}" for c in found]


def youtube_warnings(refs) -> list[EditorWarning]:
    """Warn when ids.youtube and links.youtube name different videos; ``refs`` are (mapping, platform, value)."""
    values = {(mapping, platform): value for mapping, platform, value in refs}
    video, url = values.get(("ids", "youtube")), values.get(("links", "youtube"))
    if not video or not url or video_id_in_url(url) == video:
        return []
    return [EditorWarning(W_YOUTUBE.format(id=video, url=url))]


def clip_warnings(front: dict, headers) -> list[EditorWarning]:
    """Warn where ``quotableClips`` or ``duration`` (keys of ``front``) disagree with the section ``headers``."""
    warnings = []
    if front.get(DURATION_KEY) not in (None, "") and episode_duration(front) is None:
        warnings.append(EditorWarning(W_DURATION.format(value=front[DURATION_KEY]), about=CLIPS))
    clips = front.get(CLIPS_KEY)
    if not isinstance(clips, list):
        return warnings
    titles, previous = set(headers), None
    for number, clip in enumerate(clips, 1):
        start, end = (clip.get(key) if isinstance(clip, dict) else None for key in ("startOffset", "endOffset"))
        if not isinstance(clip, dict) or not isinstance(clip.get("name"), str) or not fm.is_int(start):
            warnings.append(EditorWarning(W_CLIP_BAD.format(number=number), about=CLIPS))
            previous = None
            continue
        name = clip["name"]
        if name not in titles:
            warnings.append(EditorWarning(W_CLIP_NO_SECTION.format(name=name), about=CLIPS))
        if previous is not None and start < previous[1]:
            warnings.append(
                EditorWarning(
                    W_CLIP_ORDER.format(name=name, start=clock(start), previous=clock(previous[1])), about=CLIPS
                )
            )
        if previous is not None and fm.is_int(previous[2]) and previous[2] != start:
            end_text, next_text = clock(previous[2]), clock(start)
            warnings.append(
                EditorWarning(W_CLIP_END.format(name=previous[0], end=end_text, next=next_text), about=CLIPS)
            )
        link = url_start(clip.get("url"))
        if "url" in clip and link != start:
            shown = "no time" if link is None else clock(link)
            warnings.append(EditorWarning(W_CLIP_LINK.format(name=name, link=shown, start=clock(start)), about=CLIPS))
        previous = (name, start, end)
    return warnings


def known_labels(*, labels, candidates, ties: dict) -> set[str]:
    """Return the labels that are a guest or a host (by name), or that the editor tied to someone or nobody."""
    return set(speakers_match(labels=labels, candidates=candidates, ties=ties)) | set(ties)


def episode_warnings(
    *,
    episode: Episode,
    items: list[ItemRow] | None = None,
    refs=None,
    guests: list[Person] | None = None,
    candidates: list[Person] | None = None,
) -> list[EditorWarning]:
    """Return every warning for ``episode``, from its items, refs, guests and speaker candidates if already read."""
    if items is None:
        items = item_rows(episode, shown=True)
    if refs is None:
        refs = list(episode.platform_refs.values_list("mapping", "platform", "value"))
    labels = {row.who for row in items if row.who}
    if candidates is None:
        candidates = speaker_candidates(episode=episode, guests=guests)
    known = known_labels(labels=labels, candidates=candidates, ties=speaker_ties(episode=episode))
    return all_warnings(items=items, refs=refs, known=known, front=episode_extra(episode))


def all_warnings(
    *, items: list[ItemRow], refs: list[tuple], known: set[str], front: dict | None
) -> list[EditorWarning]:
    """Return the warnings of an episode's values: its video, its clips and duration (keys of ``front``)
    and its transcript, given the speaker labels known to be someone."""
    headers = [row.text for row in items if row.kind == TranscriptItem.Kind.HEADER]
    clips = clip_warnings(front, headers) if front else []
    return youtube_warnings(refs) + clips + transcript_warnings(items, known_labels=known)


def count_for_rows(
    *,
    items: list[ItemRow],
    refs: list[dict],
    guest_keys: list[str],
    ties: dict,
    people: dict[str, Person],
    front: dict | None = None,
) -> int:
    """Count the warnings of rows about to be imported: refs as dicts.

    ``people`` are the guests and hosts by key, as :func:`episodes.documents.database.guests_and_hosts` reads them;
    ``front`` the file's front matter, for its clips and duration.
    """
    candidates = [people[k] for k in dict.fromkeys(guest_keys) if k in people]
    candidates += [p for p in people.values() if p.is_host and p not in candidates]
    known = known_labels(labels={row.who for row in items if row.who}, candidates=candidates, ties=ties)
    ref_values = [(r["mapping"], r["platform"], r["value"]) for r in refs]
    return len(all_warnings(items=items, refs=ref_values, known=known, front=front))


def list_counts(*, warnings: list[EditorWarning], items: list[ItemRow]) -> dict[str, int]:
    """Return the counts the episode list shows, as Episode fields, of an episode's warnings and items."""
    return {"warning_count": len(warnings), "item_count": len(items)}
