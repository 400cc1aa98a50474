"""Read a plain-text transcript: a time line, a speaker line, then the text; any other line is a section header."""

from __future__ import annotations

from operator import length_hint

from .. import frontmatter as fm
from .rules import (
    _DOUBTFUL,
    _TIME_STARTS,
    _TIMEISH_LINE,
    ERR_EMPTY,
    ERR_NO_SPEAKER,
    NOTE_OTTER,
    TEXT,
    W_NO_TEXT,
    FileWarning,
    Limits,
    RawTranscript,
    _count_turn,
    _forward,
    _is_otter,
    _speaker,
    _time,
)


def read_text(text: str, *, limits: Limits | None = None) -> RawTranscript:
    """Read the site's plain-text layout: a time line, a speaker line and a text line per turn.

    Any other line is a section header; blank lines and Otter's "Transcribed by" line are left out. A time
    going backwards, an unreadable time, a long speaker line and a speaker line with no text after it are
    kept as the file gives them, each with a warning at its line.
    """
    result = RawTranscript(TEXT, [])
    items, warnings = result.items, result.warnings
    append = items.append
    max_turns, turns = (limits or Limits()).turns, 0
    lines = text.split("\n")
    lines += ("", "")  # a time on the last line still has a (blank) speaker and text line to read
    count, rest = len(lines), iter(lines)
    following = rest.__next__
    # A time as the files write it is one lookup; any other time-like line (in brackets, zero-padded, later
    # than the table holds, or not a time at all) goes through the time parser, which also grows the table.
    lookup, starts, timeish = fm.written_times().get, _TIME_STARTS, _TIMEISH_LINE.match
    speakers: dict[str, str] = {}  # each speaker line as written, once checked, to its speaker
    previous_sec = -1  # the last readable time of a turn

    def checked_turns(sec: int | None, time: str, said: str, spoken: str) -> None:
        """Read the turn (and any that follows where its text should be) with every check, warning as it goes."""
        nonlocal turns, previous_sec
        while True:
            number = count - length_hint(rest) - 2
            if sec is not None and sec < previous_sec:  # going back: from the last turn with a time
                _forward(sec, time, _last_turn(items), number, warnings)
            who = said.strip()
            if _check_speaker(time, who, number, warnings):
                speakers[said] = who  # a long one is warned about wherever it comes
            next_time = None
            if not spoken or timeish(spoken):
                warnings.append(FileWarning(number + 2, W_NO_TEXT.format(time=time, line=number)))
                next_time, spoken = spoken, ""
            turns += 1
            if turns > max_turns:
                _count_turn(max_turns, max_turns, number)
            if sec is None:
                append({"line": spoken, "time": time, "who": who})
            else:
                append({"line": spoken, "sec": sec, "time": time, "who": who})
                previous_sec = sec
            if not next_time:
                return
            # The text line was the next turn's time: read that turn.
            sec = lookup(next_time)
            if sec is not None:
                time = next_time
            else:
                sec, time = _time(next_time, count - length_hint(rest), warnings)
            said, spoken = following(), following().strip()

    for line in rest:  # the line after the one just read is number count - length_hint(rest) + 1
        if not line:
            continue
        sec = lookup(line)
        if sec is not None:
            time = line
        elif line[0] in starts and timeish(line):
            sec, time = _time(line, count - length_hint(rest), warnings)
        else:
            stripped = line.strip()
            if stripped and _is_otter(stripped):
                result.notes.append(NOTE_OTTER.format(line=count - length_hint(rest)))
            elif stripped:
                append({"header": stripped})
            continue
        said, spoken = following(), following().strip()
        who = speakers.get(said)
        # A new speaker line, a time going back or unreadable, or a text line that may be missing (empty,
        # or perhaps a time) goes through the full checks, which say what is wrong and where.
        if who is None or sec is None or sec < previous_sec or spoken[:1] in _DOUBTFUL:
            checked_turns(sec, time, said, spoken)
            continue
        turns += 1
        if turns > max_turns:
            _count_turn(max_turns, max_turns, count - length_hint(rest) - 2)
        append({"line": spoken, "sec": sec, "time": time, "who": who})
        previous_sec = sec
    if not turns:
        raise fm.FormatError(ERR_EMPTY)
    return result


def _last_turn(items: list[dict]) -> tuple[int, str] | None:
    """Return (seconds, time) of the last turn read so far with readable seconds, if any."""
    for item in reversed(items):
        if "sec" in item:
            return item["sec"], item["time"]
    return None


def _check_speaker(time: str, who: str, number: int, warnings: list) -> bool:
    """Refuse the turn whose time is on line ``number`` if its speaker line is missing (or a time); tell
    whether the speaker is one without a warning."""
    if not who or _TIMEISH_LINE.match(who):
        raise fm.FormatError(ERR_NO_SPEAKER.format(time=time, line=number), number + 1)
    count = len(warnings)
    _speaker(who, time, number + 1, warnings)
    return len(warnings) == count
