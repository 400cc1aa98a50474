"""Times of turns and clips as the pages, the feeds, the warnings and the intake read them: no Django."""

from __future__ import annotations

from . import frontmatter as fm


def to_seconds(sec: int | None, time: str) -> int | None:
    """Return a turn's start in seconds: its ``sec``, else its shown time when that is a clock time."""
    if sec is not None:
        return sec if sec >= 0 else None
    return fm.time_to_seconds(time) if time else None


def clock(sec: int) -> str:
    """Return ``sec`` as a clock time like 1:56; a negative number (a slip in a file) as written."""
    return fm.seconds_to_time(sec) if sec >= 0 else str(sec)
