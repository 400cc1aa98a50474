"""Raw transcripts as editors receive them: Word .docx, plain text, WebVTT and SRT; no Django.

Each reader returns the transcript list as an episode file holds it: ``{header: ...}`` section titles and
``{line, sec, time, who}`` turns, ``time`` written by :func:`episodes.format.frontmatter.seconds_to_time` (``1:56``,
``1:02:03``), ``who`` the speaker as written. The format is recognised by content; the file name's extension
only words the refusal of a file in none of them. A file that is not a transcript (no turns, binary, in no
known format, over the limits, text XML cannot carry) is refused with ``fm.FormatError`` at its line (for
.docx, its paragraph number), so that nothing half-read is kept. What the site's own converter accepts (a time
going backwards or one it cannot read, a long speaker line, a speaker without text) is kept as the file gives
it, with a :class:`FileWarning` at its line in the result's ``warnings``.

The site's layouts (plain text and Word): a time (``0:09``, ``00:00``, ``1:02:03``, optionally in brackets),
then a speaker, then the text; any other line (Word: any heading) is a section header. In Word, each text
paragraph after one time and speaker is a turn with that time and speaker, a section's heading between them
or not.

- :mod:`.detect`: :func:`read_transcript`, which recognises the format and reads it;
- :mod:`.rules`: what the readers share (formats, limits, messages, the result, times and speakers);
- :mod:`.text`, :mod:`.word`, :mod:`.cues`: the plain-text, Word, and WebVTT/SRT readers.
"""

from .cues import read_srt, read_vtt
from .detect import read_transcript
from .rules import (
    DOCX,
    ERR_BAD_DOCX,
    ERR_CUE_ENDS_EARLY,
    ERR_CUE_NO_TIMING,
    ERR_CUE_TIMING,
    ERR_DOCX_NO_SPEAKER,
    ERR_DOCX_STRAY,
    ERR_EMPTY,
    ERR_NO_SPEAKER,
    ERR_NOT_DOCX,
    ERR_NOT_NAMED,
    ERR_NOT_UTF16,
    ERR_NOT_ZIP,
    ERR_OLD_WORD,
    ERR_TOO_LATE,
    ERR_TOO_MANY_PARAGRAPHS,
    ERR_TOO_MANY_TURNS,
    ERR_UNKNOWN,
    ERR_ZIP_BOMB,
    ERR_ZIP_MEMBERS,
    FORMAT_NAMES,
    MAX_PARAGRAPHS,
    MAX_SECONDS,
    MAX_TURNS,
    NOTE_EMPTY_CUE,
    NOTE_OTTER,
    NOTE_TABLES,
    NOTE_TITLE,
    SPEAKER_LIMIT,
    SRT,
    TEXT,
    VTT,
    W_BACKWARDS,
    W_BAD_TIME,
    W_DOCX_NO_TEXT,
    W_LONG_SPEAKER,
    W_NO_TEXT,
    FileWarning,
    Limits,
    RawTranscript,
)
from .text import read_text
from .word import DOCUMENT_PART, DOCX_EXPANSION, DOCX_MAX_MEMBERS, read_docx

__all__ = [
    "DOCUMENT_PART",
    "DOCX",
    "DOCX_EXPANSION",
    "DOCX_MAX_MEMBERS",
    "ERR_BAD_DOCX",
    "ERR_CUE_ENDS_EARLY",
    "ERR_CUE_NO_TIMING",
    "ERR_CUE_TIMING",
    "ERR_DOCX_NO_SPEAKER",
    "ERR_DOCX_STRAY",
    "ERR_EMPTY",
    "ERR_NO_SPEAKER",
    "ERR_NOT_DOCX",
    "ERR_NOT_NAMED",
    "ERR_NOT_UTF16",
    "ERR_NOT_ZIP",
    "ERR_OLD_WORD",
    "ERR_TOO_LATE",
    "ERR_TOO_MANY_PARAGRAPHS",
    "ERR_TOO_MANY_TURNS",
    "ERR_UNKNOWN",
    "ERR_ZIP_BOMB",
    "ERR_ZIP_MEMBERS",
    "FORMAT_NAMES",
    "MAX_PARAGRAPHS",
    "MAX_SECONDS",
    "MAX_TURNS",
    "NOTE_EMPTY_CUE",
    "NOTE_OTTER",
    "NOTE_TABLES",
    "NOTE_TITLE",
    "SPEAKER_LIMIT",
    "SRT",
    "TEXT",
    "VTT",
    "W_BACKWARDS",
    "W_BAD_TIME",
    "W_DOCX_NO_TEXT",
    "W_LONG_SPEAKER",
    "W_NO_TEXT",
    "FileWarning",
    "Limits",
    "RawTranscript",
    "read_docx",
    "read_srt",
    "read_text",
    "read_transcript",
    "read_vtt",
]
