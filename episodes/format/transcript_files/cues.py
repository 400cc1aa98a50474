"""Read WebVTT and SRT subtitles: each cue a turn, the speaker from its voice tag or a leading 'Name:'."""

from __future__ import annotations

import html
import re

from .. import frontmatter as fm
from .rules import (
    ERR_CUE_ENDS_EARLY,
    ERR_CUE_NO_TIMING,
    ERR_CUE_TIMING,
    ERR_EMPTY,
    ERR_TOO_LATE,
    MAX_SECONDS,
    NOTE_EMPTY_CUE,
    SRT,
    VTT,
    Limits,
    RawTranscript,
    _count_turn,
    _forward,
    _speaker,
)

_CUE_TIME = r"(?:(\d+):)?(\d{1,2}):(\d{1,2})(?:[.,](\d{1,3}))?"
_CUE_TIMING = re.compile(rf"^[ \t]*{_CUE_TIME}[ \t]+-->[ \t]+{_CUE_TIME}(?:[ \t].*)?$")
_SRT_START = re.compile(r"^(?:\d+[ \t]*\n)?[^\n]*-->")
_VOICE = re.compile(r"^<v(?:\.[^\s>]*)?(?:[ \t]+([^>]*))?>")
_TAG = re.compile(r"<[^>]*>")
_SRT_TAG = re.compile(r"</?(?:i|b|u|font)(?:[ \t][^>]*)?>", re.IGNORECASE)
# A leading "Speaker:" (a few words, no sentence inside) names the speaker of an SRT (or voiceless) cue.
_LEADING_SPEAKER = re.compile(r"^(\w[\w .'’()-]{0,59}?)[ \t]*:[ \t]+(?=\S)")


def read_vtt(text: str, *, limits: Limits | None = None) -> RawTranscript:
    """Read WebVTT: each cue a turn at its start; ``<v Speaker>`` voices (several voices: several turns)."""
    return _read_cues(text, VTT, limits or Limits())


def read_srt(text: str, *, limits: Limits | None = None) -> RawTranscript:
    """Read SRT: each cue a turn at its start; a leading ``Speaker:`` in the text is the speaker."""
    return _read_cues(text, SRT, limits or Limits())


def _read_cues(text: str, kind: str, limits: Limits) -> RawTranscript:
    result = RawTranscript(kind, [])
    turn_count = 0
    lines = text.split("\n")
    number, previous = 0, None
    speakers: set[str] = set()
    if kind == VTT:  # the WEBVTT line and its metadata, up to a blank line or the first cue timing
        number = 1
        while number < len(lines) and lines[number].strip() and "-->" not in lines[number]:
            number += 1
    while number < len(lines):
        if not lines[number].strip():
            number += 1
            continue
        block_end = _skip_block(lines, number)
        block = lines[number:block_end]
        if kind == VTT and re.match(r"^(NOTE|STYLE|REGION)(?:[ \t]|$)", block[0]):
            number = block_end
            continue
        timing = 0 if "-->" in block[0] else 1
        if timing >= len(block) or "-->" not in block[timing]:
            raise fm.FormatError(ERR_CUE_NO_TIMING.format(line=block[0][:80]), number + 1)
        start, end = _cue_timing(block[timing], number + timing + 1)
        sec = start // 1000
        time = fm.seconds_to_time(sec)
        _forward(sec, time, previous, number + timing + 1, result.warnings)
        previous = (sec, time)
        turns = _cue_turns(block[timing + 1 :], kind, speakers)
        if not turns:
            result.notes.append(NOTE_EMPTY_CUE.format(line=number + 1))
        for who, line in turns:
            turn_count = _count_turn(turn_count, limits.turns, number + timing + 2)
            item = {"line": line, "sec": sec, "time": time}
            if who:
                item["who"] = _speaker(who, time, number + timing + 2, result.warnings)
            result.items.append(item)
        number = block_end
    if not result.turns:
        raise fm.FormatError(ERR_EMPTY)
    return result


def _skip_block(lines: list[str], number: int) -> int:
    """Return the index of the first blank line at or after ``number`` (the end of a block)."""
    while number < len(lines) and lines[number].strip():
        number += 1
    return number


def _cue_timing(line: str, number: int) -> tuple[int, int]:
    """Return the start and end of a cue timing line in milliseconds."""
    match = _CUE_TIMING.match(line)
    if match is None:
        raise fm.FormatError(ERR_CUE_TIMING.format(timing=line.strip()[:80]), number)
    start, end = _millis(match.groups()[:4]), _millis(match.groups()[4:])
    if start is None or end is None:
        raise fm.FormatError(ERR_CUE_TIMING.format(timing=line.strip()[:80]), number)
    if end < start:
        raise fm.FormatError(ERR_CUE_ENDS_EARLY.format(start=_cue_clock(start), end=_cue_clock(end)), number)
    if start // 1000 > MAX_SECONDS:
        raise fm.FormatError(ERR_TOO_LATE.format(time=line.split("-->")[0].strip()[:40]), number)
    return start, end


def _millis(parts) -> int | None:
    hours, minutes, seconds, fraction = parts
    if int(minutes) > 59 or int(seconds) > 59:
        return None
    millis = int((fraction or "0").ljust(3, "0"))
    return ((int(hours or 0) * 60 + int(minutes)) * 60 + int(seconds)) * 1000 + millis


def _cue_clock(millis: int) -> str:
    return f"{fm.seconds_to_time(millis // 1000)}.{millis % 1000:03d}"


def _cue_turns(payload: list[str], kind: str, speakers: set[str]) -> list[tuple[str, str]]:
    """Return (speaker, text) of each turn of a cue's text lines.

    WebVTT: each ``<v Speaker>`` starts a turn, other lines go on with it. SRT, or a WebVTT cue without
    voices: a leading ``Speaker:`` names the speaker; in SRT a later line starting with the name of someone
    who has spoken starts another turn (the site's own SRT writes turns that start together in one cue).
    """
    voiced = kind == VTT and any(_VOICE.match(line) for line in payload)
    turns: list[list] = []
    for raw in payload:
        who = None
        if voiced:
            voice = _VOICE.match(raw)
            if voice is not None:
                who, raw = (voice[1] or "").strip(), raw[voice.end() :]
        line = html.unescape(_TAG.sub("", raw)) if kind == VTT else _SRT_TAG.sub("", raw)
        if not voiced and (not turns or kind == SRT):
            leading = _LEADING_SPEAKER.match(line)
            if leading is not None and (not turns or leading[1] in speakers):
                who, line = leading[1], line[leading.end() :]
        if who is not None or not turns:
            if who:
                speakers.add(who)
            turns.append([who or "", [line]])
        else:
            turns[-1][1].append(line)
    result = []
    for who, lines in turns:
        text = "\n".join(lines).strip()
        if text:
            result.append((who, text))
    return result
