"""Bulk fixes of the editorial rules' findings, one small pure function per fix; no Django.

Each fix takes an episode's front matter values and returns only the keys it changes, with their new
values (nothing when there is nothing to fix), so that a preview can show them and an edit apply them.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from . import frontmatter as fm
from .chapters import CLIPS_KEY, DURATION_KEY, duration_seconds

# What the site's editors replaced each character with, by hand.
_PLAIN = str.maketrans({"\u2011": "-", "\u00a0": " ", "\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"'})
_SPACES = re.compile(r"(?<=\S)  +(?=\S)")
_TRAILING = re.compile(r"[ \t]+(?=\n|$)")
TEXT_KEYS = ("title", "short", "description", "intro")


@dataclass(frozen=True)
class Fix:
    name: str
    label: str  # what the fix does, for the editors' choice
    apply: Callable[[Mapping], dict]


FIXES: dict[str, Fix] = {}


def fix(name: str, label: str):
    """Register a fix under ``name``."""

    def register(function):
        FIXES[name] = Fix(name, label, function)
        return function

    return register


def plain_typography(text: str) -> str:
    """Return ``text`` with plain hyphens, spaces and straight quotes, no double spaces between words and no
    trailing spaces (the typography rule)."""
    return _TRAILING.sub("", _SPACES.sub(" ", text.translate(_PLAIN)))


@fix("typography", "Typography: plain hyphens and spaces, straight quotes, no double or trailing spaces")
def typography(front: Mapping) -> dict:
    changed = {}
    for key in TEXT_KEYS:
        if isinstance(front.get(key), str) and plain_typography(front[key]) != front[key]:
            changed[key] = plain_typography(front[key])
    topics = front.get("topics")
    if isinstance(topics, list):
        fixed = [plain_typography(t) if isinstance(t, str) else t for t in topics]
        if fixed != topics:
            changed["topics"] = fixed
    clips = front.get(CLIPS_KEY)
    if isinstance(clips, list):
        fixed = [
            {**c, "name": plain_typography(c["name"])} if isinstance(c, dict) and isinstance(c.get("name"), str) else c
            for c in clips
        ]
        if fixed != clips:
            changed[CLIPS_KEY] = fixed
    return changed


@fix("description-period", "Descriptions: drop the trailing period")
def description_period(front: Mapping) -> dict:
    text = front.get("description")
    if isinstance(text, str) and text.rstrip().endswith(".") and not text.rstrip().endswith(".."):
        return {"description": text.rstrip()[:-1]}
    return {}


@fix("clips-to-duration", "Clips: end them by the episode's end (duration); drop those starting after it")
def clips_to_duration(front: Mapping) -> dict:
    clips, value = front.get(CLIPS_KEY), front.get(DURATION_KEY)
    duration = duration_seconds(value) if isinstance(value, str) else None
    if duration is None or not isinstance(clips, list):
        return {}
    fixed = []
    for clip in clips:
        start, end = (clip.get(k) if isinstance(clip, dict) else None for k in ("startOffset", "endOffset"))
        if fm.is_int(start) and start >= duration:
            continue
        if fm.is_int(end) and end > duration:
            clip = {**clip, "endOffset": duration}
        fixed.append(clip)
    return {CLIPS_KEY: fixed} if fixed != clips else {}
