"""The site's episodes rebuilt as the raw transcripts editors receive, and run through intake with their chapter
lists: what ``bench/transcript_intake.py --corpus`` counts and ``test_intake_corpus`` asserts.

Each episode of the corpus that has a transcript is written out in the layout the raw files use (the corpus's
README): plain text (a time line, a speaker line, a text line per turn; a section header on a line of its own)
where that layout can carry the transcript, else Word (headings for headers; a time, a speaker and text
paragraphs, a further text paragraph being a turn the file gave no time and speaker of its own, as the site's
Word documents have them). The episode's other keys are imported without its transcript and clips; intake
then reads the raw file with the episode's chapter list (``corpus/chapters/<slug>.txt``, when there is one)
and builds the clips, which are compared with the site's own.
"""

from __future__ import annotations

import io
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from episodes import services
from episodes.format import chapters as ch
from episodes.format import frontmatter as fm
from episodes.format import transcript_files as tf
from episodes.tests.support.factories import import_text

# What intake keeps with a warning, by the messages that say it.
WARNING_KINDS = {
    "a time going backwards": (tf.W_BACKWARDS,),
    "a time that cannot be read": (tf.W_BAD_TIME,),
    "a long speaker line": (tf.W_LONG_SPEAKER,),
    "a speaker line without text": (tf.W_NO_TEXT, tf.W_DOCX_NO_TEXT),
}
_KIND_PATTERNS = [
    (kind, re.compile(".*".join(re.escape(part) for part in re.split(r"\{[^}]*\}", message)) + "$"))
    for kind, messages in WARNING_KINDS.items()
    for message in messages
]


def warning_kind(line: str) -> str:
    """Return what a ``NAME:LINE: what`` warning of intake is about (a key of WARNING_KINDS)."""
    message = line.split(": ", 1)[-1]
    return next((kind for kind, pattern in _KIND_PATTERNS if pattern.match(message)), "other")


@dataclass
class Rebuilt:
    """One episode through intake: its raw file's name, the turns, warnings and clips, and how its clips compare."""

    slug: str
    name: str = ""
    refused: str = ""  # the refusal's message, when intake refused the file
    turns: int = 0
    warnings: list[str] = field(default_factory=list)
    clips_equal: int = 0  # the site's clips that intake built exactly (name, offsets, url)
    clips_site: int = 0  # the site's clips


def corpus_episodes(corpus: Path) -> list[tuple[Path, dict]]:
    """Return (path, front matter) of each corpus episode that has a transcript list."""
    found = []
    for path in sorted((corpus / "episodes").glob("*.md")):
        try:
            front = fm.parse(path.read_bytes()).front
        except fm.FormatError:
            continue  # not an episode (a template, a file without front matter): nothing to rebuild
        if isinstance(front.get("transcript"), list) and front["transcript"]:
            found.append((path, front))
    return found


def _time_line(item: dict) -> str:
    """Return a turn's time as a raw file writes it: its ``time`` on one line, else its seconds."""
    time = "".join(str(item.get("time", "")).split())  # a time is one line in every layout
    if not time and fm.is_int(item.get("sec")):
        time = fm.seconds_to_time(item["sec"])
    return time


def _plain_text_carries(items: list) -> bool:
    """Tell whether the plain-text layout can carry ``items``: each turn with its time and speaker, each text
    one line that does not read as a time."""
    for item in items:
        if not isinstance(item, dict):
            return False
        text = item.get("header", item.get("line"))
        if not isinstance(text, str) or "\n" in text.strip() or not text.strip():
            return False
        if "header" not in item and (not _time_line(item) or not str(item.get("who", "")).strip()):
            return False
    return True


def raw_file(slug: str, items: list) -> tuple[str, bytes]:
    """Return the name and bytes of the raw transcript an editor would receive for ``items``."""
    if _plain_text_carries(items):
        blocks = [
            item["header"] if "header" in item else f"{_time_line(item)}\n{item['who']}\n{item['line']}"
            for item in items
        ]
        return f"{slug}.txt", ("\n\n".join(blocks) + "\n").encode("utf-8")
    import docx  # noqa: PLC0415 - python-docx only where a Word file is written

    document = docx.Document()
    for item in items:
        if not isinstance(item, dict):
            continue
        if "header" in item:
            document.add_heading(str(item["header"]), level=2)
            continue
        time = _time_line(item)
        if time:  # a turn without a time of its own goes on as a further text paragraph
            document.add_paragraph(f"[{time}]")
            document.add_paragraph(str(item.get("who", "")))
        document.add_paragraph(str(item.get("line", "")))
    out = io.BytesIO()
    document.save(out)
    return f"{slug}.docx", out.getvalue()


def _matching(site: list, built: list) -> int:
    """Return how many of the site's clips intake built exactly (each built clip matched once)."""
    left = Counter(fm.dump_checked(clip) for clip in built if isinstance(clip, dict))
    equal = 0
    for clip in site:
        key = fm.dump_checked(clip) if isinstance(clip, dict) else None
        if key is not None and left[key]:
            left[key] -= 1
            equal += 1
    return equal


def rebuild(path: Path, front: dict, corpus: Path) -> Rebuilt:
    """Import the episode at ``path`` without its transcript and clips, then its rebuilt raw transcript with
    its chapter list through intake; return what came of it."""
    slug = path.stem
    site_clips = front.get(ch.CLIPS_KEY) if isinstance(front.get(ch.CLIPS_KEY), list) else []
    rest = {k: v for k, v in front.items() if k not in ("transcript", ch.CLIPS_KEY)}
    import_text(fm.render(rest, ""), slug=slug)
    name, data = raw_file(slug, front["transcript"])
    chapters = corpus / "chapters" / f"{slug}.txt"
    done = Rebuilt(slug, name=name, clips_site=len(site_clips))
    try:
        result = services.transcript_import(
            slug=slug,
            name=name,
            data=data,
            chapters=chapters.read_bytes() if chapters.is_file() else None,
            chapters_name=chapters.name,
            replace=True,
        )
    except services.ServiceError as exc:
        done.refused = str(exc)
        return done
    done.turns, done.warnings = result.turns, result.file_warnings
    done.clips_equal = _matching(site_clips, result.clips)
    return done
