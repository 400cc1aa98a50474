"""Bulk fixes of the editorial rules' findings, one small pure function per fix; no Django.

A fix takes an episode's front matter values and returns only the keys it changes, with their new values
(nothing when there is nothing to fix), so that a preview can show them and an edit apply them. A fix of the
transcript also takes its items, as (position, kind, text, who, sec) rows (:func:`.checks.file_items`), and
returns an :class:`ItemFix`: the new texts and the items dropped, by position.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from . import frontmatter as fm
from .chapters import CLIPS_KEY, DURATION_KEY, duration_seconds
from .checks import HEADER, TURN

# What the site's editors replaced each character with, by hand.
_PLAIN = str.maketrans({"\u2011": "-", "\u00a0": " ", "\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"'})
_SPACES = re.compile(r"(?<=\S)  +(?=\S)")
_TRAILING = re.compile(r"[ \t]+(?=\n|$)")
TEXT_KEYS = ("title", "short", "description", "intro")


@dataclass(frozen=True)
class ItemFix:
    """What a fix changes in a transcript: new texts and the items dropped, by position."""

    texts: dict[int, str] = field(default_factory=dict)
    drop: tuple[int, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.texts or self.drop)


def _no_front(front: Mapping) -> dict:
    return {}


def _no_items(items: Sequence[Sequence]) -> ItemFix:
    return ItemFix()


@dataclass(frozen=True)
class Fix:
    name: str
    label: str  # what the fix does, for the editors' choice
    apply: Callable[[Mapping], dict] = _no_front
    items: Callable[[Sequence[Sequence]], ItemFix] = _no_items

    @property
    def of_items(self) -> bool:
        """Tell whether the fix reads the transcript's items (the others need not be read)."""
        return self.items is not _no_items


FIXES: dict[str, Fix] = {}


def fix(name: str, label: str):
    """Register a fix of the front matter under ``name``."""

    def register(function):
        FIXES[name] = Fix(name, label, function, FIXES[name].items if name in FIXES else _no_items)
        return function

    return register


def item_fix(name: str, label: str):
    """Register a fix of the transcript's items under ``name`` (beside its front matter fix, if any)."""

    def register(function):
        FIXES[name] = Fix(name, label, FIXES[name].apply if name in FIXES else _no_front, function)
        return function

    return register


def fixed_items(items: Sequence[Sequence], change: ItemFix) -> list[tuple]:
    """Return the rows ``change`` leaves of ``items``: new texts in, dropped rows out, positions renumbered."""
    kept = [row for row in items if row[0] not in change.drop]
    return [(position, row[1], change.texts.get(row[0], row[2]), *row[3:]) for position, row in enumerate(kept)]


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


@item_fix("typography", "Typography: plain hyphens and spaces, straight quotes, no double or trailing spaces")
def typography_headers(items: Sequence[Sequence]) -> ItemFix:
    """Plain typography in the section headers (turns' text is what was said, and is left as written)."""
    texts = {}
    for position, kind, text, *_ in items:
        if kind == HEADER and plain_typography(text) != text:
            texts[position] = plain_typography(text)
    return ItemFix(texts)


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


@item_fix("turns-repeated", "Transcript: drop turns repeating the turn before, keeping the one with its speaker")
def turns_repeated(items: Sequence[Sequence]) -> ItemFix:
    """Drop the turns that repeat their neighbour's text (a converter wrote each paragraph twice, once without
    its speaker): of each run of turns with one text, keep one turn per speaker, the first one that has a speaker
    rather than one without (two speakers saying the same words both stay)."""
    runs: list[list[Sequence]] = []
    previous = None
    for row in items:
        if row[1] != TURN:
            continue
        text = row[2].strip()
        if text and text == previous:
            runs[-1].append(row)
        else:
            runs.append([row])
        previous = text
    drop = []
    for run in runs:
        speakers = {row[3] for row in run if row[3]}
        kept = set()
        for row in run:
            who = row[3]
            if who in kept or (not who and speakers):
                drop.append(row[0])
            else:
                kept.add(who)
    return ItemFix(drop=tuple(drop))
