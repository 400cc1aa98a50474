"""What every transcript reader shares: formats, limits, messages, the result, and the rules for times and speakers."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .. import frontmatter as fm

DOCX, TEXT, VTT, SRT = "docx", "text", "vtt", "srt"
FORMAT_NAMES = {DOCX: "Word document", TEXT: "plain text", VTT: "WebVTT", SRT: "SRT subtitles"}
SPEAKER_LIMIT = 200  # the longest speaker label the transcript table holds
# The defaults of what one transcript may hold (the settings EPISODES_MAX_TRANSCRIPT_PARAGRAPHS and
# EPISODES_MAX_TRANSCRIPT_TURNS): the longest episode of the site has 251 items, a three-hour talk with a
# turn every five seconds about 2,000. At the limits an import costs about 20 MB over the process's own
# 77 MB (bench/hostile_memory.py): within the budget of 10 times the file's size + 100 MB even for a Word
# file that compresses its turns to a few bytes each.
MAX_PARAGRAPHS = 16_000
MAX_TURNS = 3_000
# The latest time a transcript may hold, as the editor takes it: a later one is a typing slip.
MAX_SECONDS = 99 * 3600 + 59 * 60 + 59

ERR_UNKNOWN = (
    "not a transcript in a known format: expected a Word .docx, WebVTT, SRT, or plain text with a time line, "
    "a speaker line and a text line for each turn"
)
ERR_NOT_NAMED = "named {ext} but not {kind}: {problem}"
ERR_OLD_WORD = "an old Word .doc file: save it as .docx (Word or Google Docs: File > Save as / Download)"
ERR_NOT_ZIP = "not a Word .docx: a .docx is a zip archive, and this file is not one ({problem})"
ERR_NOT_DOCX = "a zip archive, but not a Word .docx: it has no word/document.xml"
ERR_ZIP_BOMB = "the document would expand to {size:,} bytes, over the {limit:,}-byte limit: refused as a zip bomb"
ERR_ZIP_MEMBERS = "the document has {count:,} parts, over the {limit:,} a Word document can have: refused as a zip bomb"
ERR_BAD_DOCX = "not a readable Word document: {problem}"
ERR_TOO_MANY_PARAGRAPHS = (
    "more than {limit:,} paragraphs or lines: too long for one transcript (EPISODES_MAX_TRANSCRIPT_PARAGRAPHS)"
)
ERR_TOO_MANY_TURNS = "more than {limit:,} turns: too many for one transcript (EPISODES_MAX_TRANSCRIPT_TURNS)"
ERR_TOO_LATE = "the time {time} is past 99:59:59: is it a typing slip?"
ERR_NOT_UTF16 = "not valid UTF-16 (the file starts with its byte-order mark): {problem}"
ERR_EMPTY = "the document has no turns: expected a time, a speaker and a text for each turn"
ERR_NO_SPEAKER = "the time {time} on line {line} has no speaker line after it"
ERR_DOCX_NO_SPEAKER = "the time {time} in paragraph {line} has no speaker paragraph after it"
# What the site's own converter accepts is kept as the file gives it, with a warning at its line (the
# import's --strict refuses a file with any): the editor then sees it among the episode's warnings too.
W_BAD_TIME = "'{time}' is not a time like 0:09, 00:00 or 1:02:03: kept as text, with no seconds"
W_BACKWARDS = "the time {time} comes after {previous}: a time going backwards, kept as it is"
W_NO_TEXT = "the turn at {time} (line {line}) has a speaker line but no text line after it: kept without text"
W_LONG_SPEAKER = (
    "the speaker line after the time {time} is {length} characters long (over {limit}): kept as the speaker; "
    "is it the text?"
)
W_DOCX_NO_TEXT = "the turn at {time} (paragraph {line}) has a speaker but no text paragraph: kept without text"
ERR_DOCX_STRAY = "text before any time: expected a heading or a time paragraph like [1:48], not {text!r}"
ERR_CUE_TIMING = "'{timing}' is not a cue timing like 00:01:02.500 --> 00:01:05.000"
ERR_CUE_ENDS_EARLY = "the cue ends at {end}, before it starts at {start}"
ERR_CUE_NO_TIMING = "expected a cue timing line like 00:01:02.500 --> 00:01:05.000, not {line!r}"
NOTE_OTTER = "line {line}: Otter's 'Transcribed by' line is not part of the transcript"
NOTE_TABLES = "the document has {count} table(s): text in tables is not read"
NOTE_TITLE = "paragraph {line}: the document title {text!r} is not part of the transcript"
NOTE_EMPTY_CUE = "line {line}: a cue without text is left out"


@dataclass(frozen=True)
class Limits:
    """The most one transcript may hold: Word paragraphs or lines of text, and turns."""

    paragraphs: int = MAX_PARAGRAPHS
    turns: int = MAX_TURNS


@dataclass(frozen=True)
class FileWarning:
    """Something the file holds that the site accepts but an editor should look at, at its line."""

    line: int
    message: str


@dataclass
class RawTranscript:
    format: str
    items: list[dict]
    notes: list[str] = field(default_factory=list)
    warnings: list[FileWarning] = field(default_factory=list)  # in the order of their lines

    @property
    def turns(self) -> int:
        return sum("header" not in item for item in self.items)


def _refuse_not_text(text: str, line: int | None = None) -> None:
    """Refuse a character that XML and HTML cannot carry, at its line (or at ``line``: a Word paragraph)."""
    problem = fm.not_text(text)
    if problem is not None:
        index, message = problem
        raise fm.FormatError(message, line if line is not None else text.count("\n", 0, index) + 1)


def _count_turn(turns: int, limit: int, number: int) -> int:
    """Return ``turns`` + 1, refusing the turn at line ``number`` if it is one too many."""
    if turns >= limit:
        raise fm.FormatError(ERR_TOO_MANY_TURNS.format(limit=limit), number)
    return turns + 1


# -- times ----------------------------------------------------------------------------------------------------

# A line that is meant as a time: digits and colons (and perhaps a fraction), optionally in brackets. The
# digits are ASCII ones, as every tool writes times: a line of other digits is text (or a header).
_TIMEISH = r"[ \t]*[\[(]?[ \t]*[0-9]{1,3}(?::[0-9]{1,3}){1,2}(?:[.,][0-9]+)?[ \t]*[\])]?[ \t]*"
_TIME_STARTS = frozenset("0123456789[( \t")
_DOUBTFUL = _TIME_STARTS | {""}  # the start of a speaker or text line that may be missing (or a time)
_TIMEISH_LINE = re.compile(rf"^{_TIMEISH}$")
_TIME_LINE = re.compile(rf"^{_TIMEISH}$", re.MULTILINE)


def _time(line: str, number: int, warnings: list[FileWarning]) -> tuple[int | None, str]:
    """Return (seconds, time as the files write it) of a time line.

    A line that is not a time it can read is kept as it is written (brackets aside), with no seconds, and
    a warning at ``number``: as the ``.md`` import keeps such a time.
    """
    value = line.strip().strip("[]()").strip()
    sec = fm.time_to_seconds(value)
    if sec is None:
        warnings.append(FileWarning(number, W_BAD_TIME.format(time=value)))
        return None, value
    fm.written_times(sec // 3600 + 1)  # the next times of a long transcript are lookups
    return sec, fm.seconds_to_time(sec)


def _forward(
    sec: int | None, time: str, previous: tuple[int, str] | None, number: int, warnings: list[FileWarning]
) -> None:
    """Warn at ``number`` when ``sec`` comes before the ``previous`` (seconds, time) read."""
    if sec is not None and previous is not None and sec < previous[0]:
        warnings.append(FileWarning(number, W_BACKWARDS.format(time=time, previous=previous[1])))


def _is_otter(line: str) -> bool:
    return line.lower().startswith("transcribed by") and "otter" in line.lower()


def _speaker(who: str, time: str, number: int, warnings: list[FileWarning]) -> str:
    if len(who) > SPEAKER_LIMIT:
        warnings.append(FileWarning(number, W_LONG_SPEAKER.format(time=time, length=len(who), limit=SPEAKER_LIMIT)))
    return who
