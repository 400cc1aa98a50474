"""Chapter lists, section placement, quotable clips and durations, as the site's scripts make them; no Django.

A chapter list has one ``HH:MM:SS Title`` (or ``M:SS Title``) line per chapter, as in YouTube descriptions.
Each chapter puts a section header before the first turn at or after its time. The site's ``quotableClips``
follow one rule (see the corpus README): one clip per chapter, ``startOffset`` the chapter's seconds,
``endOffset`` the next chapter's start (the last one the episode's duration, or its own start without one),
``url`` the YouTube link with ``t=<start>``. A clip that would not end after it starts is left out, as every
chapter list of the site shows (a last chapter at or past the episode's end has no clip).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

from . import frontmatter as fm

CLIPS_KEY, DURATION_KEY = "quotableClips", "duration"
CLIP_KEYS = ("name", "startOffset", "url", "endOffset")  # the site's order

ERR_EMPTY = "no chapters: expected lines like '00:01:20 Career Journey'"
ERR_NOT_CHAPTER = "expected a chapter line like '00:01:20 Career Journey', not {line!r}"
ERR_CHAPTER_TIME = "'{time}' is not a time like 00:01:20 or 1:20"
ERR_NO_TITLE = "the chapter at {time} has no title"
ERR_CHAPTER_BACKWARDS = "the chapter at {time} comes after one at {previous}: chapters must be in time order"

# A time, optionally in brackets, then an optional dash, colon or bar, then the title.
_CHAPTER_LINE = re.compile(r"^[\[(]?(?P<time>\d[\d:]*)[\])]?(?:[ \t]+[-–—:|])?(?:[ \t]+(?P<title>.*))?$")


# YouTube descriptions carry a non-breaking hyphen (U+2011) and space (U+00A0) where the site's headers and clips
# have a plain hyphen and space: read as those, the clips built from a chapter list equal the site's.
_AS_THE_SITE_WRITES = str.maketrans({"\u2011": "-", "\u00a0": " "})


@dataclass(frozen=True)
class Chapter:
    sec: int
    title: str
    line: int = 0  # where it came from in the chapter list, from 1


def read_chapters(text: str) -> list[Chapter]:
    """Return the chapters of a chapter list, refusing any other line; raise fm.FormatError with its line."""
    chapters: list[Chapter] = []
    for number, line in enumerate(text.split("\n"), 1):
        line = line.strip()
        if not line:
            continue
        match = _CHAPTER_LINE.match(line)
        if match is None:
            raise fm.FormatError(ERR_NOT_CHAPTER.format(line=line[:80]), number)
        sec = fm.time_to_seconds(match["time"])
        if sec is None:
            raise fm.FormatError(ERR_CHAPTER_TIME.format(time=match["time"]), number)
        title = (match["title"] or "").translate(_AS_THE_SITE_WRITES).strip()
        if not title:
            raise fm.FormatError(ERR_NO_TITLE.format(time=match["time"]), number)
        if chapters and sec < chapters[-1].sec:
            previous = fm.seconds_to_time(chapters[-1].sec)
            raise fm.FormatError(ERR_CHAPTER_BACKWARDS.format(time=match["time"], previous=previous), number)
        chapters.append(Chapter(sec, title, number))
    if not chapters:
        raise fm.FormatError(ERR_EMPTY)
    return chapters


def header_slots(secs: list[int | None], times: list[int]) -> list[int]:
    """Return, for each chapter time (ascending), the index in ``secs`` its header goes before.

    ``secs`` are the start seconds of the transcript's items other than headers, None where an item has no
    time (it stays with the turn before). A header goes before the first timed item at or after its time;
    ``len(secs)`` means after the last item. Headers never go before an earlier chapter's header.
    """
    slots, index = [], 0
    for time in times:
        while index < len(secs) and (secs[index] is None or secs[index] < time):
            index += 1
        slots.append(index)
    return slots


def chapter_lines(sections: list[tuple[str, int]]) -> str:
    """Return sections given as (title, start seconds) as the site's chapter list: ``00:01:20 Title`` lines."""
    return "".join(f"{fm.padded_time(sec, hours=True)} {title}\n" for title, sec in sections)


def youtube_chapters(sections: list[tuple[str, int]]) -> str:
    """Return sections as chapters for a YouTube description: ``00:00 Title`` lines, the first at 00:00.

    YouTube takes chapters only when the first starts at 00:00: the first section starts there, whatever
    comes before it (an opening before the first header).
    """
    lines = []
    for i, (title, sec) in enumerate(sections):
        lines.append(f"{fm.padded_time(0 if i == 0 else sec, hours=sec >= 3600)} {title}\n")
    return "".join(lines)


# -- clips --------------------------------------------------------------------------------------------------


def clip_url(youtube: str, start: int) -> str:
    """Return the YouTube link that starts at ``start`` seconds ('' without a link)."""
    if not youtube:
        return ""
    base = re.sub(r"([?&])t=[^&#]*&?", r"\1", youtube).rstrip("?&")
    return f"{base}{'&' if '?' in base else '?'}t={start}"


def url_start(url) -> int | None:
    """Return the ``t=`` of a YouTube link in seconds (``t=90``, ``t=90s``, ``t=1m30s``), None if it has none."""
    if not isinstance(url, str):
        return None
    values = parse_qs(urlsplit(url).query).get("t")
    match = re.fullmatch(r"(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s?)?", values[-1]) if values else None
    if match is None or not any(match.groups()):
        return None
    h, m, s = (int(part or 0) for part in match.groups())
    return h * 3600 + m * 60 + s


def clips_by_rule(chapters: list[tuple[str, int]], *, duration: int | None, youtube: str) -> list[dict]:
    """Return the clips the site's rule gives for chapters as (title, start seconds), in order."""
    clips = []
    for i, (name, start) in enumerate(chapters):
        last_end = duration if duration is not None else start
        end = chapters[i + 1][1] if i + 1 < len(chapters) else last_end
        if end <= start:
            continue
        values = {"name": name, "startOffset": start, "url": clip_url(youtube, start), "endOffset": end}
        clips.append({k: v for k, v in values.items() if k != "url" or v})
    return clips


def merge_clips(old, new: list[dict]) -> list[dict]:
    """Return ``new`` clips, keeping each old clip of the same name (the n-th of that name) as it was.

    An unchanged clip is the old mapping itself, so the file keeps it byte for byte; a changed one keeps its
    key order and any other keys, with the new values.
    """
    by_name: dict = {}
    for clip in old if isinstance(old, list) else []:
        if isinstance(clip, dict):
            by_name.setdefault(clip.get("name"), []).append(clip)
    merged = []
    for clip in new:
        previous = by_name.get(clip["name"])
        if not previous:
            merged.append(clip)
            continue
        kept = previous.pop(0)
        if all(kept.get(k, ...) == v for k, v in clip.items()) and all(k in clip for k in CLIP_KEYS if k in kept):
            merged.append(kept)
        else:
            updated = {k: v for k, v in kept.items() if k in clip or k not in CLIP_KEYS}
            updated.update(clip)
            merged.append(updated)
    return merged


def renamed_clips(clips, renames: list[tuple[str, str, int]]) -> list | None:
    """Return ``clips`` with the clip of each renamed section renamed, or None when none matched.

    ``renames`` are (old title, new title, n) for the n-th header (from 0) of that old title: it goes with
    the n-th clip of that name.
    """
    if not isinstance(clips, list) or not renames:
        return None
    result, changed = list(clips), False
    for old, new, n in renames:
        named = [i for i, clip in enumerate(result) if isinstance(clip, dict) and clip.get("name") == old]
        if n < len(named):
            result[named[n]] = {**result[named[n]], "name": new}
            changed = True
    return result if changed else None


# -- durations ----------------------------------------------------------------------------------------------


def duration_text(sec: int) -> str:
    """Return a duration as the site writes it: PT01H03M37S; zero minutes or seconds are left out (PT01H48S)."""
    h, rest = divmod(sec, 3600)
    m, s = divmod(rest, 60)
    return f"PT{h:02d}H" + (f"{m:02d}M" if m else "") + (f"{s:02d}S" if s else "")


_ISO_DURATION = re.compile(r"P(?:(\d+)D)?(?:T(?=\d)(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)(?:\.\d+)?S)?)?")


def duration_seconds(value: str) -> int | None:
    """Return a ``duration`` as whole seconds: ISO 8601 (PT01H03M37S, as the site writes it) or 1:03:37."""
    match = _ISO_DURATION.fullmatch(value.strip())
    if match is None or value.strip() == "P":
        return fm.time_to_seconds(value.strip())
    days, hours, minutes, seconds = (int(part or 0) for part in match.groups())
    return ((days * 24 + hours) * 60 + minutes) * 60 + seconds
