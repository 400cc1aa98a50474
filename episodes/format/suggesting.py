"""What a language model is asked for each field, and how its answer is read: plain functions, no Django.

For each field (``chapters``, ``title``, ``description``, ``intro``, ``topics``) there is a prompt builder
(:func:`prompt_context`: the values its prompt template is rendered with), a parser (:func:`parse`: the answer
made into the field's value, or :class:`ParseError`) and the validation the parser does on the way (times
snapped to turns, topics held to the curated list), each finding a warning on the suggestion. The editorial
checks (:mod:`episodes.format.checks`) are run on the parsed value by the service.

A transcript too long for the model's context is cut by one stated rule (:func:`transcript_excerpt`), and the
prompt says what was left out.
"""

from __future__ import annotations

import difflib
import itertools
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from . import chapters as ch
from . import frontmatter as fm

CHAPTERS, TITLE, DESCRIPTION, INTRO, TOPICS = "chapters", "title", "description", "intro", "topics"
FIELDS = (CHAPTERS, TITLE, DESCRIPTION, INTRO, TOPICS)
PROMPT_VERSION = 1
# Tokens an answer is expected to take, for the estimate made before any request (chapters: ~25 lines).
OUTPUT_TOKENS = {CHAPTERS: 400, TITLE: 30, DESCRIPTION: 60, INTRO: 300, TOPICS: 30}
SNAP_NOTE_SECONDS = 5  # a chapter moved further than this to reach a turn is pointed out

ERR_EMPTY = "the model answered with no text"
ERR_NO_CHAPTERS = "the answer holds no chapter lines like '00:01:20 Career Journey'"
ERR_NO_TURNS = "the transcript has no times, so chapters cannot be placed"
ERR_NO_TOPICS = "the answer names no topics"
ERR_UNKNOWN_FIELD = "no field {name!r}; fields: {known}"

W_QUOTES = "quotes around the answer were removed"
W_MARKUP = "markdown around the answer ({what}) was removed"
W_LABEL = "the label {label!r} before the answer was removed"
W_LINES = "the answer had {count} lines: only the first is used"
W_NOT_CHAPTER = "{count} line(s) of the answer are not chapters and were left out, e.g. {line!r}"
W_SNAPPED = "chapter {title!r} at {time} is not at a turn: moved to the turn at {turn}"
W_PAST_END = "chapter {title!r} at {time} is after the episode's end ({end}): left out"
W_NOT_AFTER = "chapter {title!r} at {time} does not come after the chapter before it ({previous}): left out"
W_TOO_MANY = "the answer had {count} chapters: only the first {limit} are kept"
W_PROPOSED = "proposed topic {topic!r} is not on the curated list: not added (add it yourself if it belongs)"
W_INJECTION = (
    "the transcript holds text that reads as an instruction to the model (at {where}: {text!r}): "
    "check that the suggestion follows the episode, not that text"
)
NOTE_WORDS = "Each turn's text was cut to its first {words} words to fit the model's context."
NOTE_LEFT_OUT = "The transcript after {time} ({count} turns) was left out to fit the model's context."
NOTE_OPENING = "Only the first {minutes} minutes of the transcript are given."

_FENCE = re.compile(r"^```[\w-]*\n(.*?)\n?```$", re.S)
_QUOTES = [('"', '"'), ("'", "'"), ("\u201c", "\u201d"), ("\u2018", "\u2019"), ("\u00ab", "\u00bb"), ("`", "`")]
_LABEL = re.compile(r"^(?:\*\*)?(title|description|intro|introduction|topics|chapters)(?:\*\*)?\s*:\s*", re.I)
_HEADING = re.compile(r"^#{1,6}\s+")
_EMPHASIS = re.compile(r"^(\*\*|__|\*|_)(.+)\1$", re.S)
_BULLET = re.compile(r"^\s*(?:[-*•]|\d+[.)])\s+")
_CHAPTER = re.compile(
    r"^\s*(?:[-*•]|\d+[.)])?\s*[\[(]?(?P<time>\d{1,2}(?::\d{1,2}){1,2})[\])]?\s*(?:[-–—:|]\s*)?(?P<title>.*?)\s*$"
)
_INSTRUCTION = re.compile(
    r"\b(?:ignore|disregard|forget)\b[^.!?\n]{0,40}\b(?:instructions?|prompts?|above|previous|rules)\b"
    r"|\bsystem prompt\b|\byou are now\b|\bnew instructions\b",
    re.I,
)
_INSTRUCTION_WORDS = ("ignore", "disregard", "forget", "system prompt", "you are now", "new instructions")


def estimate_tokens(text: str) -> int:
    """Return the tokens a text is taken to hold: one per four characters, rounded up (the stated estimate)."""
    return math.ceil(len(text) / 4)


class ParseError(ValueError):
    """An answer that gives the field nothing it can use; the message is for the editor."""


@dataclass(frozen=True)
class Turn:
    sec: int | None  # its own start time, None when it has none
    who: str
    text: str


@dataclass
class Material:
    """What the prompts are made from: the episode as it stands."""

    title: str = ""
    headers: Sequence[tuple[str, int | None]] = ()  # section headers with their start
    guests: Sequence[tuple[str, str]] = ()  # name, one-line bio or profile
    turns: Sequence[Turn] = ()
    duration: int | None = None
    topic_list: Mapping[str, str] = field(default_factory=dict)  # case-folded topic -> its name


@dataclass
class Parsed:
    """A field's value as the answer gives it, and what the reading found."""

    value: str
    warnings: list[str] = field(default_factory=list)


def field_names(text: str | Sequence[str] | None) -> list[str]:
    """Return the fields named (comma-separated text or a list), in the given order; all of them for none."""
    names = [n.strip() for n in (text.split(",") if isinstance(text, str) else text or ()) if n.strip()]
    for name in names:
        if name not in FIELDS:
            raise ValueError(ERR_UNKNOWN_FIELD.format(name=name, known=",".join(FIELDS)))
    return list(dict.fromkeys(names)) or list(FIELDS)


def prompt_name(name: str) -> str:
    """Return the template a field's prompt is rendered from (a deployment may override it)."""
    return f"episodes/prompts/{name}.v{PROMPT_VERSION}.txt"


def prompt_version(name: str) -> str:
    return f"{name}.v{PROMPT_VERSION}"


# -- the transcript as the prompts give it -----------------------------------------------------------------


def _line(turn: Turn, words: int | None = None) -> str:
    prefix, cut = _parts(turn)
    text = " ".join(cut) if words is None or len(cut) <= words else " ".join(cut[:words]) + " …"
    return prefix + text


def _parts(turn: Turn) -> tuple[str, list[str]]:
    time = f"[{_clock(turn.sec)}] " if turn.sec is not None else ""
    return f"{time}{turn.who or '?'}: ", turn.text.split()


def transcript_excerpt(turns: Sequence[Turn], budget: int, *, cut_words: bool = True) -> tuple[str, str]:
    """Return the transcript's lines that fit ``budget`` tokens, and a note saying what was left out ('' if none).

    The rule: every turn in full if it fits; else (``cut_words``) every turn with its time and speaker, its
    text cut to its first W words, W the most that fits; else the first turns that fit, the rest left out.
    """
    parts = [_parts(t) for t in turns]
    # A line's length for any W is known from its words' lengths: the search builds no text.
    sizes = [(len(prefix), list(itertools.accumulate((len(w) for w in words), initial=0))) for prefix, words in parts]

    def length(words: int | None) -> int:
        total = max(len(sizes) - 1, 0)  # the newlines
        for prefix, cumulative in sizes:
            count = len(cumulative) - 1
            kept = count if words is None or count <= words else words
            total += prefix + cumulative[kept] + max(kept - 1, 0) + (2 if kept < count else 0)  # 2: " …"
        return total

    if math.ceil(length(None) / 4) <= budget:
        return "\n".join(_line(t) for t in turns), ""
    if cut_words:
        low, high, best = 1, max((len(c) - 1 for _, c in sizes), default=0), None
        while low <= high:
            middle = (low + high) // 2
            if math.ceil(length(middle) / 4) <= budget:
                best, low = middle, middle + 1
            else:
                high = middle - 1
        if best is not None:
            return "\n".join(_line(t, best) for t in turns), NOTE_WORDS.format(words=best)
    kept, used = [], 0
    for turn in turns:
        line = _line(turn)
        used += estimate_tokens(line + "\n")
        if used > budget:
            break
        kept.append(line)
    rest = turns[len(kept) :]
    time = next((_clock(t.sec) for t in reversed(turns[: len(kept)]) if t.sec is not None), "the start")
    return "\n".join(kept), NOTE_LEFT_OUT.format(time=time, count=len(rest))


def _clock(sec: int) -> str:
    return fm.padded_time(sec, hours=True)


def opening(turns: Sequence[Turn], minutes: int) -> list[Turn]:
    """Return the turns of the transcript's first ``minutes`` (untimed turns go with the turn before)."""
    end, kept, inside = minutes * 60, [], True
    for turn in turns:
        if turn.sec is not None:
            inside = turn.sec < end
        if not inside:
            break
        kept.append(turn)
    return kept


def prompt_turns(name: str, material: Material, opening_minutes: int) -> tuple[list[Turn], list[str]]:
    """Return the turns a field's prompt gives (chapters: all; topics: none; others: the opening minutes),
    and the notes saying what was left out."""
    if name == CHAPTERS:
        return list(material.turns), []
    if name == TOPICS:
        return [], []
    turns = opening(material.turns, opening_minutes)
    return turns, [NOTE_OPENING.format(minutes=opening_minutes)] if len(turns) < len(material.turns) else []


def prompt_values(name: str, material: Material, *, transcript: str, note: str, limits: Mapping) -> dict:
    """Return the values a field's prompt template is rendered with, the transcript and its note as given."""
    return {
        "field": name,
        "title": material.title,
        "headers": [title for title, _ in material.headers],
        "guests": [{"name": n, "bio": b} for n, b in material.guests],
        "transcript": transcript,
        "transcript_note": note,
        "duration": _clock(material.duration) if material.duration is not None else "",
        "topic_list": sorted(set(material.topic_list.values()), key=str.casefold),
        "limits": dict(limits),
    }


def prompt_context(name: str, material: Material, *, budget: int, opening_minutes: int, limits: Mapping) -> dict:
    """Return the values a field's prompt template is rendered with; the transcript fits ``budget`` tokens."""
    turns, notes = prompt_turns(name, material, opening_minutes)
    transcript, note = transcript_excerpt(turns, max(budget, 0), cut_words=name == CHAPTERS)
    note = " ".join([*notes, note] if note else notes)
    return prompt_values(name, material, transcript=transcript, note=note, limits=limits)


def injection_warnings(material: Material, name: str, opening_minutes: int) -> list[str]:
    """Return a warning for each passage of the transcript given to the model that reads as an instruction."""
    turns = material.turns if name == CHAPTERS else [] if name == TOPICS else opening(material.turns, opening_minutes)
    found = []
    for number, turn in enumerate(turns, 1):
        # The words first: the pattern is slow on the long turns that hold none of them (nearly all).
        folded = turn.text.casefold()
        if not any(word in folded for word in _INSTRUCTION_WORDS):
            continue
        match = _INSTRUCTION.search(turn.text)
        if match:
            where = _clock(turn.sec) if turn.sec is not None else f"turn {number}"
            start = max(0, match.start() - 20)
            found.append(W_INJECTION.format(where=where, text=turn.text[start : match.end() + 40].strip()))
    return found


# -- reading answers ---------------------------------------------------------------------------------------


def parse(name: str, text: str, material: Material, *, limits: Mapping) -> Parsed:
    """Return the field's value the answer ``text`` gives; raise ParseError when it gives none."""
    if name == CHAPTERS:
        return parse_chapters(text, material.turns, duration=material.duration, limit=limits["chapters_max"])
    if name == TOPICS:
        return parse_topics(text, material.topic_list)
    parsed = unwrap(text)
    if name == TITLE:
        lines = [line for line in parsed.value.split("\n") if line.strip()]
        if len(lines) > 1:
            parsed.warnings.append(W_LINES.format(count=len(lines)))
            again = unwrap(lines[0])
            parsed.value, parsed.warnings = again.value, parsed.warnings + again.warnings
    return parsed


def unwrap(text: str) -> Parsed:
    """Return the answer without what models put around a value: code fences, a label, quotes, markdown."""
    value = (text or "").strip()
    if not value:
        raise ParseError(ERR_EMPTY)
    warnings = []
    changed = True
    while changed and value:
        changed = False
        fence = _FENCE.match(value)
        if fence:
            value, changed = fence.group(1).strip(), True
            warnings.append(W_MARKUP.format(what="a code block"))
        label = _LABEL.match(value)
        if label:
            value, changed = value[label.end() :].strip(), True
            warnings.append(W_LABEL.format(label=label.group(1)))
        heading = _HEADING.match(value)
        if heading and "\n" not in value:
            value, changed = value[heading.end() :].strip(), True
            warnings.append(W_MARKUP.format(what="a heading"))
        emphasis = _EMPHASIS.match(value)
        if emphasis and emphasis.group(1) not in emphasis.group(2):
            value, changed = emphasis.group(2).strip(), True
            warnings.append(W_MARKUP.format(what=emphasis.group(1)))
        for opening_mark, closing_mark in _QUOTES:
            inner = value[len(opening_mark) : -len(closing_mark)]
            wrapped = len(value) > 1 and value.startswith(opening_mark) and value.endswith(closing_mark)
            if wrapped and opening_mark not in inner and closing_mark not in inner:
                value, changed = inner.strip(), True
                warnings.append(W_QUOTES)
                break
    if not value:
        raise ParseError(ERR_EMPTY)
    return Parsed(value, list(dict.fromkeys(warnings)))


def parse_chapters(text: str, turns: Sequence[Turn], *, duration: int | None, limit: int) -> Parsed:
    """Return chapter lines (``00:01:20 Title``), each snapped to the nearest turn, increasing, within the
    duration, at most ``limit``; raise ParseError when no line is a chapter."""
    if not (text or "").strip():
        raise ParseError(ERR_EMPTY)
    times = sorted({t.sec for t in turns if t.sec is not None})
    if not times:
        raise ParseError(ERR_NO_TURNS)
    found, others, warnings = [], [], []
    body = _FENCE.match(text.strip())
    for raw in (body.group(1) if body else text).split("\n"):
        if not raw.strip():
            continue
        match = _CHAPTER.match(raw.replace("**", ""))
        sec = fm.time_to_seconds(match["time"]) if match else None
        title = unwrap(match["title"]).value if match and match["title"].strip() else ""
        if sec is None or not title:
            others.append(raw.strip())
            continue
        found.append((sec, title))
    if others:
        warnings.append(W_NOT_CHAPTER.format(count=len(others), line=others[0][:80]))
    if not found:
        raise ParseError(ERR_NO_CHAPTERS)
    kept: list[tuple[int, str]] = []
    for sec, title in found:
        clock = _clock(sec)
        if duration is not None and sec > duration:
            warnings.append(W_PAST_END.format(title=title, time=clock, end=_clock(duration)))
            continue
        turn = min(times, key=lambda t: (abs(t - sec), t))
        if abs(turn - sec) > SNAP_NOTE_SECONDS:
            warnings.append(W_SNAPPED.format(title=title, time=clock, turn=_clock(turn)))
        if kept and turn <= kept[-1][0]:
            previous = _clock(kept[-1][0])
            warnings.append(W_NOT_AFTER.format(title=title, time=_clock(turn), previous=previous))
            continue
        kept.append((turn, title))
    if not kept:
        raise ParseError(ERR_NO_CHAPTERS)
    if len(kept) > limit:
        warnings.append(W_TOO_MANY.format(count=len(kept), limit=limit))
        kept = kept[:limit]
    return Parsed(ch.chapter_lines([(title, sec) for sec, title in kept]).rstrip("\n"), warnings)


def parse_topics(text: str, topic_list: Mapping[str, str]) -> Parsed:
    """Return the answer's topics that are on the curated list, one a line; the others become proposals."""
    parsed = unwrap(text)
    names = []
    for line in parsed.value.split("\n"):
        for part in line.split(","):
            name = _BULLET.sub("", part).strip().strip("\"'`*").strip()
            if name:
                names.append(name)
    if not names:
        raise ParseError(ERR_NO_TOPICS)
    chosen, warnings = [], [w for w in parsed.warnings if w != W_QUOTES]
    for name in dict.fromkeys(names):
        curated = topic_list.get(name.casefold())
        if curated is None:
            warnings.append(W_PROPOSED.format(topic=name))
        elif curated not in chosen:
            chosen.append(curated)
    return Parsed("\n".join(chosen), warnings)


def topics_value(value: str) -> list[str]:
    """Return a topics suggestion's value (one topic a line) as the front matter's list."""
    return [line.strip() for line in value.split("\n") if line.strip()]


def word_diff(old: str, new: str) -> list[tuple[str, str]]:
    """Return the words of ``old`` and ``new`` as ("same" | "removed" | "added", text) runs, in reading order."""
    a, b = old.split(), new.split()
    runs: list[tuple[str, str]] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op == "equal":
            runs.append(("same", " ".join(a[i1:i2])))
            continue
        if i2 > i1:
            runs.append(("removed", " ".join(a[i1:i2])))
        if j2 > j1:
            runs.append(("added", " ".join(b[j1:j2])))
    return runs
