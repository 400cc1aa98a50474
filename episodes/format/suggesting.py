"""What a language model is asked for each field, and how its answer is read: plain functions, no Django.

For each field (``chapters``, ``title``, ``description``, ``intro``, ``topics``) there is a prompt builder
(:func:`prompt_render`: its template, read and compiled once by :func:`prompt_template`, filled with the
values :func:`prompt_values` gives), a parser (:func:`parse`: the answer made into the field's value, or
:class:`ParseError`) and the validation the parser does on the way (times snapped to turns, topics held to the
curated list), each finding a warning on the suggestion. The editorial checks (:mod:`episodes.format.checks`)
are run on the parsed value by the service.

Prompt templates are plain text with ``$name`` placeholders (``$$`` for a dollar sign), filled by
:class:`string.Template`: no template engine, so a prompt costs a few string operations, and the text given is
never read as template code. ``=== user ===`` separates the system message from the user's.

A transcript too long for the model's context is cut by one stated rule (:func:`transcript_excerpt`), and the
prompt says what was left out. The transcript comes as its digest (:mod:`episodes.format.transcript_digest`),
made when it was written.
"""

from __future__ import annotations

import bisect
import difflib
import math
import re
import string
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from . import chapters as ch
from . import frontmatter as fm
from .checks import DEFAULT_LIMITS
from .transcript_digest import Digest, clock, opening, transcript_excerpt

CHAPTERS, TITLE, DESCRIPTION, INTRO, TOPICS = "chapters", "title", "description", "intro", "topics"
FIELDS = (CHAPTERS, TITLE, DESCRIPTION, INTRO, TOPICS)
PROMPT_VERSION = 2  # 2: $placeholders (string.Template), no template engine
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
NOTE_OPENING = "Only the first {minutes} minutes of the transcript are given."

# What the prompt templates are filled with. The lists come as blocks with their heading, or as nothing.
USER_MARK = "=== user ==="
PARTS = {"rules": "_rules", "episode": "_episode"}  # $rules, $episode: these templates, filled first
PLACEHOLDERS = frozenset(
    {"title", "guests", "chapters", "transcript", "duration", "topic_list", *PARTS, *DEFAULT_LIMITS}
)
NO_TITLE = "(none yet)"
NO_DURATION = "the end of the episode"
BLOCK_GUESTS = "Guests:\n{lines}"
BLOCK_CHAPTERS = "Chapters:\n{lines}"
BLOCK_TRANSCRIPT = "<transcript>\n{text}\n</transcript>\n{note}"
BLOCK_NOTE = "Note: {note}\n"
TRANSCRIPT_MARK, NOTE_MARK = "\x00transcript\x00", "\x00note\x00"
NOTE_TOKENS = 60  # room kept for the note saying what was left out
ERR_PLACEHOLDER = "{path}:{line}: unknown placeholder ${name} (known: {known}; write $$ for a dollar sign)"
ERR_DOLLAR = "{path}:{line}: a $ that starts no placeholder (write $$ for a dollar sign)"

_FENCE = re.compile(r"^```[\w-]*\n(.*?)\n?```$", re.S)
_QUOTES = [('"', '"'), ("'", "'"), ("\u201c", "\u201d"), ("\u2018", "\u2019"), ("\u00ab", "\u00bb"), ("`", "`")]
_LABEL = re.compile(r"^(?:\*\*)?(title|description|intro|introduction|topics|chapters)(?:\*\*)?\s*:\s*", re.I)
_HEADING = re.compile(r"^#{1,6}\s+")
_EMPHASIS = re.compile(r"^(\*\*|__|\*|_)(.+)\1$", re.S)
_BULLET = re.compile(r"^\s*(?:[-*•]|\d+[.)])\s+")
_CHAPTER = re.compile(
    r"^\s*(?:[-*•]|\d+[.)])?\s*[\[(]?(?P<time>\d{1,2}(?::\d{1,2}){1,2})[\])]?\s*(?:[-–—:|]\s*)?(?P<title>.*?)\s*$"
)


def estimate_tokens(text: str) -> int:
    """Return the tokens a text is taken to hold: one per four characters, rounded up (the stated estimate)."""
    return math.ceil(len(text) / 4)


class ParseError(ValueError):
    """An answer that gives the field nothing it can use; the message is for the editor."""


class PromptError(ValueError):
    """A prompt template that cannot be filled: ``path:line: what is wrong``."""


@dataclass
class Material:
    """What the prompts are made from: the episode as it stands, its transcript as a digest."""

    title: str = ""
    guests: Sequence[tuple[str, str]] = ()  # name, one-line bio or profile
    duration: int | None = None
    topic_list: Mapping[str, str] = field(default_factory=dict)  # case-folded topic -> its name
    digest: Digest = field(default_factory=Digest)  # the turns and sections (see transcript_digest)
    # Made once and shared by the prompts of every field.
    _instructions: list[tuple[int, str]] | None = field(default=None, repr=False, compare=False)
    _times: list[int] | None = field(default=None, repr=False, compare=False)
    _openings: dict[int, int] = field(default_factory=dict, repr=False, compare=False)
    _blocks: tuple[str, str] | None = field(default=None, repr=False, compare=False)

    @property
    def headers(self) -> list[tuple[str, int | None]]:
        """Return the section headers with their start."""
        return self.digest.headers

    def blocks(self) -> tuple[str, str]:
        """Return the guests' lines (``- Name: bio``) and the sections' (``- Title``), as the prompts list them."""
        if self._blocks is None:
            guests = "".join(f"- {n}: {b}\n" if b else f"- {n}\n" for n, b in self.guests)
            self._blocks = guests, "".join(f"- {title}\n" for title, _ in self.headers)
        return self._blocks

    def chapters(self) -> str:
        """Return the sections as a chapters suggestion is written (``00:01:20 Title`` lines)."""
        return self.digest.chapters

    def times(self) -> list[int]:
        """Return the turns' times, ascending, each once."""
        if self._times is None:
            self._times = sorted({sec for sec in self.digest.secs if sec is not None})
        return self._times

    def opening(self, minutes: int) -> int:
        """Return how many of the first turns are the transcript's first ``minutes`` (see :func:`opening`)."""
        given = self._openings.get(minutes)
        if given is None:
            given = self._openings[minutes] = opening(self.digest.secs, minutes)
        return given

    def instructions(self) -> list[tuple[int, str]]:
        """Return (turn index, warning) for each turn holding text that reads as an instruction to the model."""
        if self._instructions is None:
            secs = self.digest.secs
            self._instructions = []
            for turn, text in self.digest.hints:
                where = clock(secs[turn]) if secs[turn] is not None else f"turn {turn + 1}"
                self._instructions.append((turn, W_INJECTION.format(where=where, text=text)))
        return self._instructions


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
    """Return the template a field's prompt (or one of :data:`PARTS`) is filled from; a deployment may
    override it."""
    return f"episodes/prompts/{name}.v{PROMPT_VERSION}.txt"


def prompt_version(name: str) -> str:
    return f"{name}.v{PROMPT_VERSION}"


# -- what of the transcript each prompt gives ---------------------------------------------------------------


def prompt_turns(name: str, material: Material, opening_minutes: int) -> tuple[int, list[str]]:
    """Return how many of the transcript's first turns a field's prompt gives (chapters: all; topics: none;
    others: the opening minutes), and the notes saying what was left out."""
    if name == CHAPTERS:
        return material.digest.count, []
    if name == TOPICS:
        return 0, []
    given = material.opening(opening_minutes)
    return given, [NOTE_OPENING.format(minutes=opening_minutes)] if given < material.digest.count else []


def injection_warnings(material: Material, name: str, opening_minutes: int) -> list[str]:
    """Return a warning for each passage of the transcript given to the model that reads as an instruction."""
    given, _ = prompt_turns(name, material, opening_minutes)
    return [warning for index, warning in material.instructions() if index < given] if given else []


# -- prompts ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PromptTemplate:
    """A prompt template compiled once, its placeholders checked (see :func:`prompt_template`)."""

    path: str
    layout: str  # the text for str.format_map: each placeholder a {name}, its other braces doubled
    names: frozenset[str]

    def fill(self, values: Mapping[str, str]) -> str:
        """Return the template filled with ``values``; raise KeyError for a placeholder without one."""
        return self.layout.format_map(values)


def prompt_template(text: str, path: str, *, part: bool = False) -> PromptTemplate:
    """Compile a prompt template's ``text`` (read from ``path``); raise PromptError for a placeholder it cannot
    fill. ``part``: one of :data:`PARTS`, which holds no part itself."""
    known = PLACEHOLDERS - set(PARTS) if part else PLACEHOLDERS
    names, layout, done = set(), [], 0
    # Read as string.Template reads it, then laid out for str.format_map, which fills it in one step.
    for match in string.Template.pattern.finditer(text):
        line = text.count("\n", 0, match.start()) + 1
        if match["invalid"] is not None:
            raise PromptError(ERR_DOLLAR.format(path=path, line=line))
        name = match["named"] or match["braced"]
        if name is not None and name not in known:
            raise PromptError(ERR_PLACEHOLDER.format(path=path, line=line, name=name, known=", ".join(sorted(known))))
        layout.append(_braces(text[done : match.start()]))
        if name is not None:
            names.add(name)
            layout.append(f"{{{name}}}")
        else:
            layout.append("$")  # $$
        done = match.end()
    layout.append(_braces(text[done:]))
    return PromptTemplate(path, "".join(layout), frozenset(names))


def _braces(text: str) -> str:
    return text.replace("{", "{{").replace("}", "}}")


def prompt_values(
    name: str, material: Material, *, transcript: str, note: str, limits: Mapping, topic_list: bool = True
) -> dict[str, str]:
    """Return the values a field's prompt template is filled with, the transcript and its note as given
    (``topic_list``: False when no template asks for it, the list being the longest to make)."""
    guests = material.blocks()[0]
    headers = "" if name == CHAPTERS else material.blocks()[1]
    topics = sorted(set(material.topic_list.values()), key=str.casefold) if topic_list else []
    note_block = BLOCK_NOTE.format(note=note) if note else ""
    return {
        "title": (material.title if name != TITLE else "") or NO_TITLE,  # a title is not asked from itself
        "guests": BLOCK_GUESTS.format(lines=guests) if guests else "",
        "chapters": BLOCK_CHAPTERS.format(lines=headers) if headers else "",
        "transcript": BLOCK_TRANSCRIPT.format(text=transcript, note=note_block) if transcript else "",
        "duration": clock(material.duration) if material.duration is not None else NO_DURATION,
        "topic_list": "".join(f"- {topic}\n" for topic in topics),
        **{key: str(value) for key, value in limits.items()},
        **dict.fromkeys(PARTS, ""),
    }


@dataclass
class Rendered:
    """A field's prompt as messages, its tokens (estimated) and the warnings about what it was given."""

    messages: list[dict]
    input_tokens: int
    warnings: list[str]


def prompt_render(
    name: str,
    material: Material,
    templates: Mapping[str, PromptTemplate],
    *,
    context_tokens: int,
    opening_minutes: int,
    limits: Mapping,
) -> Rendered:
    """Fill a field's prompt for ``material`` (``templates``: by field name and part name, as compiled by
    :func:`prompt_template`), its transcript cut to fit ``context_tokens`` with the rest of the prompt and the
    answer's room, and the note saying what was left out."""
    template = templates[name]
    used = [templates[PARTS[key]] for key in PARTS if key in template.names]
    wanted = template.names.union(*(part.names for part in used))
    given, notes = prompt_turns(name, material, opening_minutes)
    marks = (TRANSCRIPT_MARK, NOTE_MARK) if given else ("", "")
    values = prompt_values(
        name, material, transcript=marks[0], note=marks[1], limits=limits, topic_list="topic_list" in wanted
    )
    for key, part in zip((k for k in PARTS if k in template.names), used, strict=True):
        values[key] = part.fill(values)
    text = template.fill(values)
    if given:
        # Filled once with stand-ins: what the prompt holds besides the transcript, and the answer's room,
        # come off the budget; then the transcript cut to fit takes the stand-in's place.
        budget = context_tokens - estimate_tokens(text) - NOTE_TOKENS - OUTPUT_TOKENS[name]
        # Chapters are asked of the whole transcript, its turns cut to fit; the others of its opening.
        whole = None if name == CHAPTERS else given
        transcript, note = transcript_excerpt(material.digest, max(budget, 0), given=whole)
        note = " ".join([*notes, note] if note else notes)
        text = text.replace(BLOCK_NOTE.format(note=NOTE_MARK), BLOCK_NOTE.format(note=note) if note else "")
    system, _, user = text.partition(USER_MARK)
    if not user:
        system, user = "", system
    # Split and trimmed before the transcript goes in (it sits between tags, never at an end): each step
    # would copy it.
    system, user = system.strip(), user.strip()
    if given:
        system, user = system.replace(TRANSCRIPT_MARK, transcript), user.replace(TRANSCRIPT_MARK, transcript)
    messages = [{"role": "system", "content": system}] if system else []
    messages.append({"role": "user", "content": user})
    tokens = sum(estimate_tokens(m["content"]) for m in messages)
    return Rendered(messages, tokens, injection_warnings(material, name, opening_minutes))


# -- reading answers ---------------------------------------------------------------------------------------


def parse(name: str, text: str, material: Material, *, limits: Mapping) -> Parsed:
    """Return the field's value the answer ``text`` gives; raise ParseError when it gives none."""
    if name == CHAPTERS:
        return parse_chapters(text, material.times(), duration=material.duration, limit=limits["chapters_max"])
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
            if len(value) < 2 or not (value.startswith(opening_mark) and value.endswith(closing_mark)):
                continue  # the inside is cut out only of a value that may be wrapped: it copies the value
            inner = value[len(opening_mark) : -len(closing_mark)]
            if opening_mark not in inner and closing_mark not in inner:
                value, changed = inner.strip(), True
                warnings.append(W_QUOTES)
                break
    if not value:
        raise ParseError(ERR_EMPTY)
    return Parsed(value, list(dict.fromkeys(warnings)))


def parse_chapters(text: str, times: Sequence[int], *, duration: int | None, limit: int) -> Parsed:
    """Return chapter lines (``00:01:20 Title``), each snapped to the nearest turn, increasing, within the
    duration, at most ``limit``; raise ParseError when no line is a chapter. ``times``: the turns' times,
    ascending, each once (:meth:`Material.times`)."""
    if not (text or "").strip():
        raise ParseError(ERR_EMPTY)
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
        if duration is not None and sec > duration:
            warnings.append(W_PAST_END.format(title=title, time=clock(sec), end=clock(duration)))
            continue
        turn = _nearest(times, sec)
        if abs(turn - sec) > SNAP_NOTE_SECONDS:
            warnings.append(W_SNAPPED.format(title=title, time=clock(sec), turn=clock(turn)))
        if kept and turn <= kept[-1][0]:
            previous = clock(kept[-1][0])
            warnings.append(W_NOT_AFTER.format(title=title, time=clock(turn), previous=previous))
            continue
        kept.append((turn, title))
    if not kept:
        raise ParseError(ERR_NO_CHAPTERS)
    if len(kept) > limit:
        warnings.append(W_TOO_MANY.format(count=len(kept), limit=limit))
        kept = kept[:limit]
    return Parsed(ch.chapter_lines([(title, sec) for sec, title in kept]).rstrip("\n"), warnings)


def _nearest(times: Sequence[int], sec: int) -> int:
    """Return the time in ``times`` (ascending) nearest ``sec``, the earlier of two as near."""
    at = bisect.bisect_left(times, sec)
    near = times[max(at - 1, 0) : at + 1]
    return min(near, key=lambda t: (abs(t - sec), t))


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
