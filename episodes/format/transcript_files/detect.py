"""Recognise a raw transcript's format by its content and read it with that format's reader."""

from __future__ import annotations

from .. import frontmatter as fm
from .cues import _SRT_START, read_srt, read_vtt
from .rules import (
    _TIME_LINE,
    ERR_EMPTY,
    ERR_NOT_NAMED,
    ERR_NOT_UTF16,
    ERR_NOT_ZIP,
    ERR_OLD_WORD,
    ERR_TOO_MANY_PARAGRAPHS,
    ERR_UNKNOWN,
    Limits,
    RawTranscript,
    _refuse_not_text,
)
from .text import read_text
from .word import read_docx


def read_transcript(raw: bytes, *, name: str, max_bytes: int, limits: Limits | None = None) -> RawTranscript:
    """Read a raw transcript file in any supported format; raise fm.FormatError(message, line) if it is not one.

    ``limits`` bound the paragraphs (or lines) and turns read, so that memory and time stay those of a
    transcript whatever the file holds.
    """
    limits = limits or Limits()
    if len(raw) > max_bytes:
        raise fm.FormatError(fm.ERR_TOO_BIG.format(size=len(raw), limit=max_bytes))
    ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if raw[:4] in (b"PK\x03\x04", b"PK\x05\x06"):
        return read_docx(raw, max_bytes=max_bytes, limits=limits)
    if raw.startswith(b"\xd0\xcf\x11\xe0"):
        raise fm.FormatError(ERR_OLD_WORD)
    if ext == "docx":
        raise fm.FormatError(ERR_NOT_ZIP.format(problem="it does not start as a zip archive does"))
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raw = _from_utf16(raw)  # Windows Notepad's "Unicode"
    text, _ = fm.decode(raw, max_bytes=max_bytes)
    text = text.removeprefix("\ufeff")
    lines = text.count("\n") + 1
    if lines > limits.paragraphs:
        raise fm.FormatError(ERR_TOO_MANY_PARAGRAPHS.format(limit=limits.paragraphs), limits.paragraphs + 1)
    _refuse_not_text(text)
    start = text.lstrip()
    if start.startswith("WEBVTT"):
        return read_vtt(text, limits=limits)
    if _SRT_START.match(start):
        return read_srt(text, limits=limits)
    if ext == "vtt":
        raise fm.FormatError(ERR_NOT_NAMED.format(ext=".vtt", kind="WebVTT", problem="it does not start with WEBVTT"))
    if ext == "srt":
        raise fm.FormatError(ERR_NOT_NAMED.format(ext=".srt", kind="SRT", problem="it does not start with a cue"))
    if _TIME_LINE.search(text):
        return read_text(text, limits=limits)
    if not text.strip():
        raise fm.FormatError(ERR_EMPTY)
    raise fm.FormatError(ERR_UNKNOWN)


def _from_utf16(raw: bytes) -> bytes:
    """Return UTF-16 text (with its byte-order mark) as UTF-8; refuse it, at its line, if it is not UTF-16."""
    try:
        return raw.decode("utf-16").encode("utf-8")
    except UnicodeError as exc:
        good = raw[: exc.start - exc.start % 2].decode("utf-16", errors="replace")
        raise fm.FormatError(ERR_NOT_UTF16.format(problem=exc.reason), good.count("\n") + 1) from None
