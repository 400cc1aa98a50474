"""The transcript as listeners meet it: sections of turns with resolved start times and deep links.

Computed from the transcript's rows alone (anything with ``position``, ``kind``, ``text``, ``who``, ``sec`` and
``time``, as :class:`~episodes.documents.database.ItemRow`), so the public pages, the feeds, the editor's jump
list and the intake's clips all resolve start times the same way.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.text import slugify

from . import frontmatter as fm
from .times import to_seconds
from .video import youtube_link

HEADER, TURN = "header", "turn"  # the transcript items' kinds (TranscriptItem.Kind)
# Ids the page uses for itself; a section title never takes one of them as its anchor.
PAGE_ANCHORS = frozenset({"main", "top", "contents", "video", "guests", "about", "transcript", "links", "search"})


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
    person: object | None  # the Person the label names, if any (the floor does not import the models)
    color: int
    turns: list[Turn]


@dataclass
class Section:
    """The turns under one header; the opening turns before the first header make a section without one.

    The one section type of the pages, the feeds and the intake's clips and chapters (the editor's jump list
    shows only a header's position, title and time as it prints it).
    """

    title: str
    anchor: str
    is_header: bool
    turns: list[Turn] = field(default_factory=list)
    start: int = 0
    href: str = ""
    groups: list[Group] = field(default_factory=list)
    position: int | None = None  # the header's item position
    after: int | None = None  # the own time of the last timed turn before its header
    followed: bool = False  # whether a timed turn comes after its header (else it starts with the last turn)

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
    last, after = 0, None
    for row in rows:
        if row.kind == HEADER:
            anchor = _anchor(row.text, taken, len(sections))
            sections.append(Section(row.text, anchor, True, position=row.position, after=after))
        elif row.kind == TURN:
            own = to_seconds(row.sec, row.time)
            last = last if own is None else max(own, last)
            after = after if own is None else own
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
        section.followed = following is not None
        section.href = youtube_link(video_id, section.start)
    return [s for s in sections if s.is_header or s.turns]


def speaker_groups(turns: list[Turn], people: dict, colors: dict[str, int]) -> list[Group]:
    """Group consecutive turns of the same speaker; a turn shows its time unless the one above shows it.

    ``people`` maps a label to the Person it names.
    """
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
