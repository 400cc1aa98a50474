"""The transcript as listeners meet it: sections of turns with resolved start times and deep links."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from django.utils.text import slugify

from ..format import frontmatter as fm
from ..format import markup
from ..models import Person, TranscriptItem
from ..services.warnings import video_id_in_url

YOUTUBE_ID = re.compile(r"^[A-Za-z0-9_-]{11}$")
# Ids the page uses for itself; a section title never takes one of them as its anchor.
PAGE_ANCHORS = frozenset({"main", "top", "contents", "video", "guests", "about", "transcript", "links", "search"})

# -- times --------------------------------------------------------------------------------------------


def to_seconds(sec: int | None, time: str) -> int | None:
    """Return a turn's start in seconds: its ``sec``, else its shown time when that is a clock time."""
    if sec is not None:
        return sec if sec >= 0 else None
    return fm.time_to_seconds(time) if time else None


def youtube_link(video_id: str, sec: int) -> str:
    return f"https://www.youtube.com/watch?v={video_id}&t={sec}" if video_id else ""


def youtube_id(refs: list[tuple[str, str, str]]) -> str:
    """Return the episode's YouTube video id from its ``ids``, else from its YouTube link; '' if none is valid."""
    values = {(mapping, platform): value for mapping, platform, value in refs}
    candidate = values.get(("ids", "youtube"), "")
    if YOUTUBE_ID.match(candidate):
        return candidate
    found = video_id_in_url(markup.safe_url(values.get(("links", "youtube"), ""))) or ""
    return found if YOUTUBE_ID.match(found) else ""


# -- the transcript timeline ----------------------------------------------------------------------------


@dataclass(slots=True)
class Turn:
    position: int
    who: str
    text: str
    sec: int | None  # its own start as written, None when the turn has no time
    time: str  # its own start as shown, '' when untimed
    start: int  # where the feeds start it: its own time, else the turn before's, never before the turn before
    href: str = ""  # deep link into the video at its own time
    show_time: bool = False  # whether the page prints its time (not when the turn above shows the same)


@dataclass
class Group:
    """Consecutive turns of one speaker."""

    who: str
    person: Person | None
    color: int
    turns: list[Turn]


@dataclass
class Section:
    """The turns under one header; the opening turns before the first header make a section without one."""

    title: str
    anchor: str
    is_header: bool
    turns: list[Turn] = field(default_factory=list)
    start: int = 0
    href: str = ""
    groups: list[Group] = field(default_factory=list)
    position: int | None = None  # the header's item position

    @property
    def time(self) -> str:
        return fm.seconds_to_time(int(self.start))


def _anchor(title: str, taken: set[str], number: int) -> str:
    base = slugify(title, allow_unicode=True)[:60].strip("-") or f"section-{number}"
    anchor, n = base, 1
    while anchor in taken:
        n += 1
        anchor = f"{base}-{n}"
    taken.add(anchor)
    return anchor


def timeline(rows, *, video_id: str = "") -> list[Section]:
    """Return the transcript ``rows`` (:class:`~episodes.documents.database.ItemRow`) as sections of turns.

    Start times are resolved: a turn without a time belongs to the turn before and starts with it. A time
    earlier than the turn before's (a typing slip in a file) is kept for the page's own links, but the feeds
    start that turn with the one before, so that they always run forward. A section starts at the first timed
    turn after its header, or, if none follows, with the last turn before it.
    """
    sections = [Section(title="", anchor="", is_header=False)]
    taken = set(PAGE_ANCHORS)
    last = 0
    for row in rows:
        if row.kind == TranscriptItem.Kind.HEADER:
            anchor = _anchor(row.text, taken, len(sections))
            sections.append(Section(title=row.text, anchor=anchor, is_header=True, position=row.position))
        elif row.kind == TranscriptItem.Kind.TURN:
            own = to_seconds(row.sec, row.time)
            last = last if own is None else max(own, last)
            turn = Turn(
                row.position, row.who, row.text, own, "" if own is None else row.time or fm.seconds_to_time(own), last
            )
            turn.href = "" if own is None else youtube_link(video_id, own)
            sections[-1].turns.append(turn)
    following = None
    for section in reversed(sections):
        first = next((t.start for t in section.turns if t.sec is not None), None)
        following = first if first is not None else following
        section.start = following if following is not None else last
        section.href = youtube_link(video_id, section.start)
    return [s for s in sections if s.is_header or s.turns]


def speaker_groups(turns: list[Turn], people: dict[str, Person], colors: dict[str, int]) -> list[Group]:
    """Group consecutive turns of the same speaker; a turn shows its time unless the one above shows it."""
    groups: list[Group] = []
    for turn in turns:
        if not groups or groups[-1].who != turn.who:
            color = colors.setdefault(turn.who, len(colors) % 4)
            groups.append(Group(turn.who, people.get(turn.who), color, []))
            shown = None
        turn.show_time = turn.sec is not None and turn.sec != shown
        shown = turn.sec if turn.sec is not None else shown
        groups[-1].turns.append(turn)
    return groups
