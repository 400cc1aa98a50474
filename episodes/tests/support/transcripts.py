"""Write a transcript list out as the raw files editors receive: Word, plain text, WebVTT, SRT, a chapter list.

Shared by the intake tests and ``bench/transcript_intake.py``. WebVTT and SRT are written by the site's own
feed writers (one cue per start time, a voice per turn), so that what the site publishes reads back in.
"""

from __future__ import annotations

import io
import struct
import zipfile
import zlib

from episodes.documents import database
from episodes.format import chapters as ch
from episodes.format.timeline import timeline
from episodes.public.formats import Segment, transcript_srt, transcript_vtt

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
    rows = [database.item_row(i, item) for i, item in enumerate(items)]
    return ch.chapter_lines([(s.title, s.start) for s in timeline(rows) if s.is_header])


def lying_zip(members: dict[str, bytes], *, lie: dict[str, int], crc_of_prefix: bool = False) -> bytes:
    """Return a real deflated zip whose local and central headers understate the sizes in ``lie``.

    With ``crc_of_prefix`` the stated CRC is that of the stated prefix, so that a reader that stops at the
    stated size finds nothing wrong: only one that inflates everything pays for the lie.
    """
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    raw = bytearray(out.getvalue())
    for name, size in lie.items():
        understate(raw, name, size, crc=zlib.crc32(members[name][:size]) if crc_of_prefix else None)
    return bytes(raw)


def understate(raw: bytearray, name: str, size: int, *, crc: int | None = None) -> None:
    """Make the local and central headers of member ``name`` of zip ``raw`` state ``size`` (and ``crc``)."""
    encoded = name.encode("utf-8")
    # Local header: CRC at 14, uncompressed size at 22, name at 30; central: CRC at 16, size at 24, name at 46.
    for signature, crc_at, size_at, name_at in ((b"PK\x03\x04", 14, 22, 30), (b"PK\x01\x02", 16, 24, 46)):
        start = raw.find(signature)
        while raw[start + name_at : start + name_at + len(encoded)] != encoded:
            start = raw.find(signature, start + 1)
            assert start >= 0, name
        struct.pack_into("<I", raw, start + size_at, size)
        if crc is not None:
            struct.pack_into("<I", raw, start + crc_at, crc)


def docx_with_document(xml: bytes) -> dict[str, bytes]:
    """Return the parts of a real Word document (python-docx's template) with ``xml`` as word/document.xml."""
    with zipfile.ZipFile(io.BytesIO(docx_bytes(TALK))) as archive:
        parts = {info.filename: archive.read(info) for info in archive.infolist()}
    parts["word/document.xml"] = xml
    return parts
