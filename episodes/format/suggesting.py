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
prompt says what was left out.
"""

from __future__ import annotations

import bisect
import difflib
import itertools
import math
import operator
import re
import string
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

from . import chapters as ch
from . import frontmatter as fm
from .checks import DEFAULT_LIMITS

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
NOTE_WORDS = "Each turn's text was cut to its first {words} words to fit the model's context."
NOTE_LEFT_OUT = "The transcript after {time} ({count} turns) was left out to fit the model's context."
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
STAMPS_KEPT = 100_000  # turn times whose "[00:01:05] " is kept, made once for the process (about 10 MB at most)
_STAMPS: dict[int, str] = {}
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
_INSTRUCTION = re.compile(
    r"\b(?:ignore|disregard|forget)\b[^.!?\n]{0,40}\b(?:instructions?|prompts?|above|previous|rules)\b"
    r"|\bsystem prompt\b|\byou are now\b|\bnew instructions\b",
    re.I,
)
_INSTRUCTION_WORDS = ("ignore", "disregard", "forget", "system prompt", "you are now", "new instructions")
_INSTRUCTION_BYTES = tuple(word.encode() for word in _INSTRUCTION_WORDS)


def _hinted(turns: Sequence[Turn]) -> list[int]:
    """Return the indexes of the turns holding any of the words an instruction to the model starts from.

    The words are looked for in the whole transcript at once, then each place found is given its turn: the
    pattern itself is slow on long turns, and nearly every turn holds none of the words. The words are ASCII,
    so they are looked for in the UTF-8 bytes with their ASCII letters in lower case (a few times faster than
    lowering text that holds other letters): no other letter lowers to one of theirs inside a word.
    """
    texts = [turn.text for turn in turns]
    joined = "\n".join(texts)
    if joined.isascii():
        folded, words, sizes = joined.lower(), _INSTRUCTION_WORDS, map(len, texts)
    else:
        folded, words = joined.encode(errors="surrogatepass").lower(), _INSTRUCTION_BYTES
        sizes = (len(text) if text.isascii() else len(text.encode(errors="surrogatepass")) for text in texts)
    starts = list(itertools.accumulate((size + 1 for size in sizes), initial=0))
    found = set()
    for word in words:
        at = folded.find(word)
        while at != -1:
            turn = bisect.bisect_right(starts, at) - 1
            found.add(turn)
            at = folded.find(word, starts[turn + 1])  # one place a turn is enough
    return sorted(found)


def estimate_tokens(text: str) -> int:
    """Return the tokens a text is taken to hold: one per four characters, rounded up (the stated estimate)."""
    return math.ceil(len(text) / 4)


class ParseError(ValueError):
    """An answer that gives the field nothing it can use; the message is for the editor."""


class PromptError(ValueError):
    """A prompt template that cannot be filled: ``path:line: what is wrong``."""


class Turn(NamedTuple):
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
    # Made once and shared by the prompts of every field (see lines() and instructions()).
    _lines: tuple[list[str], list[int]] | None = field(default=None, repr=False, compare=False)
    _instructions: list[tuple[int, str]] | None = field(default=None, repr=False, compare=False)
    _times: list[int] | None = field(default=None, repr=False, compare=False)
    _openings: dict[int, int] = field(default_factory=dict, repr=False, compare=False)
    _chapters: str | None = field(default=None, repr=False, compare=False)

    def chapters(self) -> str:
        """Return the sections as a chapters suggestion is written (``00:01:20 Title`` lines)."""
        if self._chapters is None:
            self._chapters = ch.chapter_lines([(title, sec or 0) for title, sec in self.headers]).rstrip("\n")
        return self._chapters

    def lines(self) -> tuple[list[str], list[int]]:
        """Return each turn as the prompts give it (``[00:01:05] Jane: text``, the words between single
        spaces), and where each one's words start."""
        if self._lines is None:
            self._lines = _lines(self.turns)
        return self._lines

    def times(self) -> list[int]:
        """Return the turns' times, ascending, each once."""
        if self._times is None:
            self._times = sorted({turn.sec for turn in self.turns if turn.sec is not None})
        return self._times

    def opening(self, minutes: int) -> int:
        """Return how many of the first turns are the transcript's first ``minutes`` (see :func:`opening`)."""
        given = self._openings.get(minutes)
        if given is None:
            given = self._openings[minutes] = len(opening(self.turns, minutes))
        return given

    def instructions(self) -> list[tuple[int, str]]:
        """Return (turn index, warning) for each turn holding text that reads as an instruction to the model."""
        if self._instructions is None:
            self._instructions = []
            for number in _hinted(self.turns):
                turn = self.turns[number]
                match = _INSTRUCTION.search(turn.text)
                if match:
                    where = _clock(turn.sec) if turn.sec is not None else f"turn {number + 1}"
                    start = max(0, match.start() - 20)
                    text = turn.text[start : match.end() + 40].strip()
                    self._instructions.append((number, W_INJECTION.format(where=where, text=text)))
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


# -- the transcript as the prompts give it -----------------------------------------------------------------


def _line(turn: Turn, words: int | None = None) -> str:
    prefix, cut = _parts(turn)
    text = " ".join(cut) if words is None or len(cut) <= words else " ".join(cut[:words]) + " …"
    return prefix + text


def _parts(turn: Turn) -> tuple[str, list[str]]:
    time = f"[{_clock(turn.sec)}] " if turn.sec is not None else ""
    return f"{time}{turn.who or '?'}: ", turn.text.split()


def _lines(turns: Sequence[Turn]) -> tuple[list[str], list[int]]:
    """Return each turn's line, its words between single spaces, and the length of its time and speaker (the
    words start there)."""
    lines, heads, stamps = [], [], _STAMPS
    for sec, who, text in turns:
        if sec is None:
            prefix = f"{who or '?'}: "
        else:
            stamp = stamps.get(sec)
            if stamp is None:
                stamp = f"[{_clock(sec)}] "
                if len(stamps) < STAMPS_KEPT:
                    stamps[sec] = stamp
            prefix = f"{stamp}{who or '?'}: "
        # Nearly every text is already words between single spaces: it is kept as it is, not split. Every
        # space but " " is a character that is not printable, so printable text holds no other space.
        if not (text.isprintable() and "  " not in text and text[:1] != " " and text[-1:] != " "):
            text = " ".join(text.split())
        lines.append(prefix + text)
        heads.append(len(prefix))
    return lines, heads


def _most_words(lines: Sequence[str], heads: Sequence[int], limit: int) -> tuple[int, list[int | None]] | None:
    """Return the most words W each line may keep for all of them, cut, to take at most ``limit`` characters,
    and where each line is cut (None: kept whole); None when not even one word each fits.

    A line cut to W words keeps its time and speaker, its first W words and " …". Lines hold words between
    single spaces, so a line's word count is its count of spaces. W is found by halving; the length at a W is
    the whole lines' (a running sum from the shortest line) and the cut ones' (their heads', a running sum from
    the longest line, and the running length of each one's first words), with no text built. A line's words
    are measured once, when a W first cuts it, and only as far as the W that may still be tried.
    """
    count = len(lines)
    counts = [line.count(" ", head) + 1 if len(line) > head else 0 for line, head in zip(lines, heads, strict=True)]
    order = sorted(range(count), key=counts.__getitem__, reverse=True)  # the longest first
    ascending = [counts[i] for i in reversed(order)]
    whole = list(itertools.accumulate((len(lines[i]) for i in reversed(order)), initial=0))  # the shortest k
    cut_heads = list(itertools.accumulate((heads[i] for i in order), initial=0))  # the longest k
    ends: list[list[int]] = []  # the running length of the first words of the longest lines, in order

    def cut_length(words: int, most: int) -> tuple[int, int]:
        """Return how many lines ``words`` cuts, and the length of all the lines then (``most``: the most
        words that may still be tried)."""
        longer = count - bisect.bisect_right(ascending, words)
        while len(ends) < longer:
            i = order[len(ends)]
            ends.append(list(itertools.accumulate(map(len, lines[i][heads[i] :].split(" ", most)))))
        kept = sum(map(operator.itemgetter(words - 1), itertools.islice(ends, longer)))
        cut = cut_heads[longer] + kept + longer * (words + 1)  # each: the words, the spaces between, " …"
        return longer, cut + whole[count - longer] + max(count - 1, 0)  # and the newlines

    low, high, best = 1, counts[order[0]] if order else 0, None
    if high:
        # Were each cut line's words of its average length, the length at a W would come from running sums
        # alone: the W it gives brackets the true one closely, so only the words near it are measured.
        rates = [(len(lines[i]) - heads[i] + 1) / counts[i] if counts[i] else 0.0 for i in order]
        rate_sums = list(itertools.accumulate(rates, initial=0.0))
        guess, top = 0, high
        while low <= high:
            middle = (low + high) // 2
            longer = count - bisect.bisect_right(ascending, middle)
            rest = whole[count - longer] + max(count - 1, 0)
            if cut_heads[longer] + middle * rate_sums[longer] + longer + rest <= limit:
                guess, low = middle, middle + 1
            else:
                high = middle - 1
        low, high = max(1, guess * 7 // 8), min(top, guess * 9 // 8 + 2)
        if cut_length(high, high)[1] <= limit:  # more fit than guessed: on from there, every word measured
            ends.clear()
            low, high = high, top
        elif cut_length(low, high)[1] > limit:  # fewer
            low, high = 1, low - 1
    while low <= high:
        middle = (low + high) // 2
        if cut_length(middle, high)[1] <= limit:
            best, low = middle, middle + 1
        else:
            high = middle - 1
    if best is None:
        return None
    at: list[int | None] = [None] * count
    for j in range(cut_length(best, best)[0]):
        i = order[j]
        at[i] = heads[i] + ends[j][best - 1] + best - 1
    return best, at


def transcript_excerpt(
    turns: Sequence[Turn],
    budget: int,
    *,
    cut_words: bool = True,
    lines: Sequence[str] | None = None,
    heads: Sequence[int] | None = None,
) -> tuple[str, str]:
    """Return the transcript's lines that fit ``budget`` tokens, and a note saying what was left out ('' if none).

    The rule: every turn in full if it fits; else (``cut_words``) every turn with its time and speaker, its
    text cut to its first W words, W the most that fits; else the first turns that fit, the rest left out.
    ``lines``, ``heads``: the turns' lines and the length of each one's time and speaker, when already made
    (:meth:`Material.lines`).
    """
    if lines is None or heads is None:
        lines, heads = _lines(turns)
    if math.ceil((sum(map(len, lines)) + max(len(lines) - 1, 0)) / 4) <= budget:
        return "\n".join(lines), ""
    if cut_words:
        best = _most_words(lines, heads, budget * 4)
        if best is not None:
            cut = (line if end is None else line[:end] + " …" for line, end in zip(lines, best[1], strict=True))
            return "\n".join(cut), NOTE_WORDS.format(words=best[0])
    kept, used = [], 0
    for line in lines:
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


def prompt_turns(name: str, material: Material, opening_minutes: int) -> tuple[int, list[str]]:
    """Return how many of the transcript's first turns a field's prompt gives (chapters: all; topics: none;
    others: the opening minutes), and the notes saying what was left out."""
    if name == CHAPTERS:
        return len(material.turns), []
    if name == TOPICS:
        return 0, []
    given = material.opening(opening_minutes)
    return given, [NOTE_OPENING.format(minutes=opening_minutes)] if given < len(material.turns) else []


def injection_warnings(material: Material, name: str, opening_minutes: int) -> list[str]:
    """Return a warning for each passage of the transcript given to the model that reads as an instruction."""
    given, _ = prompt_turns(name, material, opening_minutes)
    return [warning for index, warning in material.instructions() if index < given] if given else []


# -- prompts ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PromptTemplate:
    """A prompt template compiled once, its placeholders checked (see :func:`prompt_template`)."""

    path: str
    template: string.Template
    names: frozenset[str]

    def fill(self, values: Mapping[str, str]) -> str:
        return self.template.substitute(values)


def prompt_template(text: str, path: str, *, part: bool = False) -> PromptTemplate:
    """Compile a prompt template's ``text`` (read from ``path``); raise PromptError for a placeholder it cannot
    fill. ``part``: one of :data:`PARTS`, which holds no part itself."""
    template = string.Template(text)
    known = PLACEHOLDERS - set(PARTS) if part else PLACEHOLDERS
    names = set()
    for match in template.pattern.finditer(text):
        line = text.count("\n", 0, match.start()) + 1
        if match["invalid"] is not None:
            raise PromptError(ERR_DOLLAR.format(path=path, line=line))
        name = match["named"] or match["braced"]
        if name is not None and name not in known:
            raise PromptError(ERR_PLACEHOLDER.format(path=path, line=line, name=name, known=", ".join(sorted(known))))
        if name is not None:
            names.add(name)
    return PromptTemplate(path, template, frozenset(names))


def prompt_values(
    name: str, material: Material, *, transcript: str, note: str, limits: Mapping, topic_list: bool = True
) -> dict[str, str]:
    """Return the values a field's prompt template is filled with, the transcript and its note as given
    (``topic_list``: False when no template asks for it, the list being the longest to make)."""
    guests = "".join(f"- {n}: {b}\n" if b else f"- {n}\n" for n, b in material.guests)
    headers = "" if name == CHAPTERS else "".join(f"- {title}\n" for title, _ in material.headers)
    topics = sorted(set(material.topic_list.values()), key=str.casefold) if topic_list else []
    note_block = BLOCK_NOTE.format(note=note) if note else ""
    return {
        "title": (material.title if name != TITLE else "") or NO_TITLE,  # a title is not asked from itself
        "guests": BLOCK_GUESTS.format(lines=guests) if guests else "",
        "chapters": BLOCK_CHAPTERS.format(lines=headers) if headers else "",
        "transcript": BLOCK_TRANSCRIPT.format(text=transcript, note=note_block) if transcript else "",
        "duration": _clock(material.duration) if material.duration is not None else NO_DURATION,
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
        lines, heads = material.lines()
        transcript, note = transcript_excerpt(
            material.turns[:given], max(budget, 0), cut_words=name == CHAPTERS, lines=lines[:given], heads=heads[:given]
        )
        note = " ".join([*notes, note] if note else notes)
        text = text.replace(BLOCK_NOTE.format(note=NOTE_MARK), BLOCK_NOTE.format(note=note) if note else "")
        text = text.replace(TRANSCRIPT_MARK, transcript)
    system, _, user = text.partition(USER_MARK)
    if not user:
        system, user = "", system
    messages = [{"role": "system", "content": system.strip()}] if system.strip() else []
    messages.append({"role": "user", "content": user.strip()})
    tokens = sum(estimate_tokens(m["content"]) for m in messages)
    return Rendered(messages, tokens, injection_warnings(material, name, opening_minutes))


# -- reading answers ---------------------------------------------------------------------------------------


def parse(name: str, text: str, material: Material, *, limits: Mapping) -> Parsed:
    """Return the field's value the answer ``text`` gives; raise ParseError when it gives none."""
    if name == CHAPTERS:
        return parse_chapters(
            text, material.turns, duration=material.duration, limit=limits["chapters_max"], times=material.times()
        )
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


def parse_chapters(
    text: str, turns: Sequence[Turn], *, duration: int | None, limit: int, times: Sequence[int] | None = None
) -> Parsed:
    """Return chapter lines (``00:01:20 Title``), each snapped to the nearest turn, increasing, within the
    duration, at most ``limit``; raise ParseError when no line is a chapter. ``times``: the turns' times,
    ascending, each once, when already known (:meth:`Material.times`)."""
    if not (text or "").strip():
        raise ParseError(ERR_EMPTY)
    if times is None:
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
        turn = _nearest(times, sec)
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
