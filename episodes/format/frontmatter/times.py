"""Times as the files write them ('1:56', '1:02:03') and as chapter lists and captions pad them ('01:02:03')."""

from __future__ import annotations

import re

# Where a time like 1:56 or 1:02:03 is expected: at most 99:59:59 (a longer one is a typing slip, and
# would stretch a caption over every later turn).
# Its groups (hours, minutes, seconds) are what time_to_seconds reads, for every turn of every transcript.
TIME_RE = re.compile(r"^(?:(\d{1,2}):)?([0-5]?\d):([0-5]\d)$")


def time_to_seconds(time: str) -> int | None:
    """Return the seconds of a time like '1:56' or '1:02:03', or None if it is not one."""
    match = TIME_RE.match(time)
    if match is None:
        return None
    hours, minutes, seconds = match.groups()
    return int(minutes) * 60 + int(seconds) + (int(hours) * 3600 if hours else 0)


# Every time as seconds_to_time writes it ('0:09', '1:02:03'), to its seconds, for the hours asked so far: a
# raw transcript's thousands of times are read by one lookup each instead of a parse and a format. It grows
# an hour (3,600 entries, about 0.4 MB) at a time as longer transcripts come, up to WRITTEN_TIMES_HOURS.
_WRITTEN_TIMES: dict[str, int] = {}
_written_hours = 0
WRITTEN_TIMES_HOURS = 10


def written_times(hours: int = 2) -> dict[str, int]:
    """Return {time as seconds_to_time writes it: its seconds} holding at least every time under ``hours`` hours.

    The same dict every call, kept for the process and grown in place (never past WRITTEN_TIMES_HOURS); a time
    it lacks is not one as the files write it, or a later one: :func:`time_to_seconds` reads any time.
    """
    global _written_hours  # noqa: PLW0603 - one table for the process, like a compiled pattern
    hours = min(hours, WRITTEN_TIMES_HOURS)
    if hours > _written_hours:
        start = _written_hours * 3600
        _WRITTEN_TIMES.update({seconds_to_time(s): s for s in range(start, hours * 3600)})
        _written_hours = hours
    return _WRITTEN_TIMES


def padded_time(seconds: int, *, hours: bool = True) -> str:
    """Return '01:02:03' (or '02:03' without ``hours``): the zero-padded form of chapter lists and captions."""
    h, rest = divmod(seconds, 3600)
    m, s = divmod(rest, 60)
    return f"{h:02d}:{m:02d}:{s:02d}" if hours else f"{m:02d}:{s:02d}"


def seconds_to_time(seconds: int) -> str:
    """Return '1:56' or '1:02:03' for a number of seconds."""
    if 0 <= seconds < 3600:
        return f"{seconds // 60}:{seconds % 60:02d}"
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"
