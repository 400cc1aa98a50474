"""Podcasting 2.0 transcript (JSON, WebVTT, SRT) and chapter files, built from a timeline."""

from __future__ import annotations

from dataclasses import dataclass

from ..format import frontmatter as fm
from ..format.timeline import Section

# Spoken English runs at about 150 words a minute: how long the last turn lasts when nothing says.
WORDS_PER_SECOND = 2.5


# -- transcript and chapter formats (Podcasting 2.0) ---------------------------------------------------


@dataclass(frozen=True)
class Segment:
    speaker: str
    start: int
    end: int
    body: str


def segments(sections: list[Section], *, names: dict[str, str], duration: int | None = None) -> list[Segment]:
    """Return one segment per spoken turn; each ends where the next starts, the last one with the episode.

    ``names`` maps speaker labels to the names to show; without a ``duration`` the last turn lasts as long
    as saying its words takes.
    """
    turns = [t for s in sections for t in s.turns if t.text.strip()]
    result = []
    for i, turn in enumerate(turns):
        if i + 1 < len(turns):
            end = turns[i + 1].start
        else:
            spoken = turn.start + max(1, round(len(turn.text.split()) / WORDS_PER_SECOND))
            end = duration if duration is not None and duration > turn.start else spoken
        result.append(Segment(names.get(turn.who, turn.who), turn.start, end, " ".join(turn.text.split())))
    return result


def transcript_json(items: list[Segment]) -> dict:
    segs = [{"speaker": s.speaker, "startTime": s.start, "endTime": s.end, "body": s.body} for s in items]
    return {"version": "1.0.0", "segments": segs}


def chapters_json(sections: list[Section]) -> dict:
    chapters = [{"startTime": s.start, "title": s.title} for s in sections if s.is_header]
    return {"version": "1.2.0", "chapters": chapters}


def _cues(items: list[Segment]) -> list[tuple[int, int, list[Segment]]]:
    """Merge segments that start together into one cue, so that no cue is empty in time."""
    cues: list[tuple[int, int, list[Segment]]] = []
    for seg in items:
        if cues and cues[-1][0] == seg.start:
            start, _, members = cues[-1]
            cues[-1] = (start, max(seg.end, start + 1), [*members, seg])
        else:
            cues.append((seg.start, max(seg.end, seg.start + 1), [seg]))
    return cues


def _timestamp(sec: int, separator: str) -> str:
    return f"{fm.padded_time(sec)}{separator}000"


def _vtt_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def transcript_vtt(items: list[Segment]) -> str:
    """Return a WebVTT file: one cue per start time, each turn in it a ``<v Speaker>`` voice."""
    blocks = ["WEBVTT\n"]
    for n, (start, end, members) in enumerate(_cues(items), 1):
        lines = [
            f"<v {_vtt_escape(s.speaker)}>{_vtt_escape(s.body)}" if s.speaker else _vtt_escape(s.body) for s in members
        ]
        timing = f"{_timestamp(start, '.')} --> {_timestamp(end, '.')}"
        blocks.append(f"{n}\n{timing}\n" + "\n".join(lines) + "\n")
    return "\n".join(blocks)


def transcript_srt(items: list[Segment]) -> str:
    """Return a SubRip file: one cue per start time, each turn a line "Speaker: words"."""
    blocks = []
    for n, (start, end, members) in enumerate(_cues(items), 1):
        lines = [f"{s.speaker}: {s.body}" if s.speaker else s.body for s in members]
        timing = f"{_timestamp(start, ',')} --> {_timestamp(end, ',')}"
        blocks.append(f"{n}\n{timing}\n" + "\n".join(lines) + "\n")
    return "\n".join(blocks)
