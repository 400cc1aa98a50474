"""Write a transcript list out as the raw files editors receive: Word, plain text, WebVTT, SRT, a chapter list.

Shared by the intake tests and ``bench/transcript_intake.py``. WebVTT and SRT are written by the site's own
feed writers (one cue per start time, a voice per turn), so that what the site publishes reads back in.
"""

from __future__ import annotations

import io

from episodes import chapters as ch
from episodes import sync
from episodes.public.formats import Segment, transcript_srt, transcript_vtt
from episodes.public.timeline import timeline

# A small talk: sections, two turns that start together, markup characters, a time past the hour.
TALK = [
    {"header": "Welcome"},
    {"line": "Hello and welcome.", "sec": 0, "time": "0:00", "who": "Alexey"},
    {"line": "Thanks for having me.", "sec": 9, "time": "0:09", "who": "Jane"},
    {"header": "Career"},
    {"line": "Tell us about your career: <all> of it & more.", "sec": 75, "time": "1:15", "who": "Alexey"},
    {"line": "It started with physics.", "sec": 75, "time": "1:15", "who": "Jane"},
    {"line": "And then?", "sec": 3723, "time": "1:02:03", "who": "Alexey"},
]


def turns(items: list[dict]) -> list[dict]:
    return [item for item in items if "header" not in item]


def docx_bytes(items: list[dict], *, brackets: bool = True) -> bytes:
    """Return a Word document in the site's layout: headings, then a time, a speaker and a text per turn."""
    import docx  # noqa: PLC0415

    document = docx.Document()
    for item in items:
        if "header" in item:
            document.add_heading(item["header"], level=2)
            continue
        document.add_paragraph(f"[{item['time']}]" if brackets else item["time"])
        document.add_paragraph(item["who"])
        document.add_paragraph(item["line"])
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def plain_text(items: list[dict]) -> str:
    """Return the site's plain-text layout: a time line, a speaker line and a text line per turn."""
    blocks = [
        item["header"] if "header" in item else f"{item['time']}\n{item['who']}\n{item['line']}" for item in items
    ]
    return "\n\n".join(blocks) + "\n"


def _segments(items: list[dict]) -> list[Segment]:
    spoken = turns(items)
    ends = [t["sec"] for t in spoken[1:]] + [spoken[-1]["sec"] + 5] if spoken else []
    return [Segment(t.get("who", ""), t["sec"], end, t["line"]) for t, end in zip(spoken, ends, strict=True)]


def webvtt(items: list[dict]) -> str:
    return transcript_vtt(_segments(items))


def srt(items: list[dict]) -> str:
    return transcript_srt(_segments(items))


def chapter_list(items: list[dict]) -> str:
    """Return the section headers of ``items`` as the site's chapter list, each at its section's start."""
    rows = [sync.item_row(i, item) for i, item in enumerate(items)]
    return ch.chapter_lines([(s.title, s.start) for s in timeline(rows) if s.is_header])
