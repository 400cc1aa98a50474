"""What the episode editor page shows besides its forms: speakers, warnings, sections, clips and the transcript.

Read in five queries whatever the transcript's length (items, platform refs, guests and hosts, speaker ties);
the admin's change page and its operations' answers render it (:mod:`episodes.admin.editor.page`).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field

from ..documents import database
from ..format import frontmatter as fm
from ..format.chapters import CLIPS_KEY, DURATION_KEY, youtube_chapters
from ..format.episode_keys import episode_duration
from ..format.timeline import timeline
from ..format.video import youtube_id
from ..models import Episode
from .checks import episode_findings, findings_as_warnings
from .speakers import SpeakerSummary, speaker_candidates, speaker_summaries, speaker_ties
from .warnings import CLIPS, EditorWarning, all_warnings, known_labels

SPEAKER_KEYS = 9  # speakers 1-9 can be given turns with the number keys


EDITED_FIELDS = ("pk", "position", "kind", "text", "who", "sec", "time", "keys")


def edited_items(*, episode: Episode, pks) -> dict[int, dict]:
    """Return the values an in-place edit of the transcript items ``pks`` reads, by id (those of ``episode``)."""
    return {row["pk"]: row for row in episode.items.filter(pk__in=list(pks)).values(*EDITED_FIELDS)}


@dataclass
class Section:
    """A line of the jump list: a header's position, title and time as printed ('' when nothing is timed).

    Not :class:`episodes.format.timeline.Section` (a header with its turns), which it is read from.
    """

    position: int
    title: str
    time: str


@dataclass
class Clip:
    number: int
    name: str
    start: str
    end: str
    url: str


@dataclass
class EditorContext:
    episode: Episode
    items: list[database.ItemRow]
    ids: list[int]
    speakers: list[SpeakerSummary]
    candidates: list
    warnings: list[EditorWarning]
    labels: list[str] = field(default_factory=list)
    video_id: str = ""

    @property
    def warnings_by_position(self) -> dict[int, list[str]]:
        found: dict[int, list[str]] = {}
        for warning in self.warnings:
            if warning.position is not None:
                found.setdefault(warning.position, []).append(warning.message)
        return found

    @property
    def episode_warnings(self) -> list[str]:
        return [w.message for w in self.warnings if w.position is None]

    @functools.cached_property
    def timeline(self) -> list:
        """The transcript as sections with their start times, as the public pages and the chapters resolve them."""
        return timeline(self.items)

    @property
    def sections(self) -> list[Section]:
        """The section headers with their start times (as the chapters give them), for the jump list."""
        timed = any(turn.sec is not None for section in self.timeline for turn in section.turns)
        return [
            Section(s.position, s.title, fm.seconds_to_time(s.start) if timed else "")
            for s in self.timeline
            if s.is_header
        ]

    @property
    def clips(self) -> list[Clip] | None:
        """The ``quotableClips`` as a list to read (None when the episode has none, or not as a list)."""
        clips = database.episode_extra(self.episode).get(CLIPS_KEY)
        if not isinstance(clips, list):
            return None
        shown = []
        for number, clip in enumerate(clips, 1):
            clip = clip if isinstance(clip, dict) else {}
            start, end = (clip.get(key) for key in ("startOffset", "endOffset"))
            url = clip.get("url")
            shown.append(
                Clip(
                    number,
                    str(clip.get("name", "")),
                    fm.seconds_to_time(start) if fm.is_int(start) and start >= 0 else str(start or "–"),
                    fm.seconds_to_time(end) if fm.is_int(end) and end >= 0 else str(end or "–"),
                    url if isinstance(url, str) and url.startswith(("https://", "http://")) else "",
                )
            )
        return shown

    @property
    def field_warnings(self) -> dict[str, list[str]]:
        """The warnings about one front matter field (title, description, ...), by its key."""
        found: dict[str, list[str]] = {}
        for warning in self.warnings:
            if warning.position is None and warning.about not in ("", CLIPS):
                found.setdefault(warning.about, []).append(warning.message)
        return found

    @property
    def clip_warnings(self) -> list[str]:
        return [w.message for w in self.warnings if w.about == CLIPS]

    @property
    def duration(self) -> str:
        """The ``duration`` key as a time (1:03:37), or as written when it is not an ISO 8601 duration."""
        extra = database.episode_extra(self.episode)
        seconds = episode_duration(extra)
        value = extra.get(DURATION_KEY)
        if seconds is None:
            return "" if value in (None, "") else str(value)
        return f"{fm.seconds_to_time(seconds)} ({value})"

    @property
    def youtube_chapters(self) -> str:
        return youtube_chapters([(s.title, s.start) for s in self.timeline if s.is_header])

    @property
    def numbered_speakers(self) -> list[tuple[int | None, SpeakerSummary]]:
        """Each speaker with the number key that gives it turns (the first nine)."""
        return [(i + 1 if i < SPEAKER_KEYS else None, s) for i, s in enumerate(self.speakers)]


def editor_context(episode: Episode) -> EditorContext:
    """Read what the editor shows, in five queries whatever the transcript length."""
    rows = list(episode.items.values_list("pk", *database.SHOWN))  # not the items' own keys and YAML
    ids = [row[0] for row in rows]
    items = [database.ItemRow(*row[1:]) for row in rows]
    refs = list(episode.platform_refs.values_list("mapping", "platform", "value"))
    candidates = speaker_candidates(episode=episode)
    ties = speaker_ties(episode=episode)
    speakers = speaker_summaries(episode=episode, items=items, candidates=candidates, ties=ties)
    known = known_labels(labels={s.label for s in speakers}, candidates=candidates, ties=ties)
    warnings = all_warnings(items=items, refs=refs, known=known, front=database.episode_extra(episode))
    guests = [person for person in candidates if not person.is_host]
    warnings += findings_as_warnings(episode_findings(episode=episode, items=items, guests=guests))
    labels = sorted({s.label for s in speakers} | {p.name.split()[0] for p in candidates if p.name})
    video = youtube_id(refs)
    return EditorContext(episode, items, ids, speakers, candidates, warnings, labels, video)
