"""The transcript as the suggestion prompts give it, made once when it is written: plain functions, no Django.

A prompt gives each turn as a line, ``[00:01:05] Jane: text`` (its words between single spaces), and a
transcript too long for the model's context is cut by one stated rule (:func:`transcript_excerpt`). What the
prompts take of a transcript is its :class:`Digest`: those lines as one text, where each starts, the length of
its time and speaker, its words, each turn's time, the sections with their starts (and as chapter lines), the
places that read as an instruction to the model, and the transcript's length at every cut. It is made in one
pass over the items (:func:`digest_make`, :func:`digest_of_rows`) when they are written, and kept with the
episode (:func:`digest_dump`, :func:`digest_load`): a batch over the archive reads it, where it made every
line, searched every turn and measured every word again for each batch.
"""

from __future__ import annotations

import array
import base64
import bisect
import itertools
import json
import math
import operator
import re
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

from . import chapters as ch
from . import frontmatter as fm

# What a stored digest was made by. Bump it when what a digest holds, or how it is made, changes (the lines'
# layout, the instruction pattern, the rule of the cut): every stored one is then made again when next read.
DIGEST_FORMAT = 1
HEADER, TURN = "header", "turn"  # the transcript items' kinds (TranscriptItem.Kind)
NOTE_WORDS = "Each turn's text was cut to its first {words} words to fit the model's context."
NOTE_LEFT_OUT = "The transcript after {time} ({count} turns) was left out to fit the model's context."
NO_TIME = -1  # a turn without a time, in a stored digest (a time is never negative)
ERR_DIGEST = "not a transcript digest of format {format}: {problem}"
STAMPS_KEPT = 100_000  # turn times whose "[00:01:05] " is kept, made once for the process (about 10 MB at most)
_STAMPS: dict[int, str] = {}

_INSTRUCTION = re.compile(
    r"\b(?:ignore|disregard|forget)\b[^.!?\n]{0,40}\b(?:instructions?|prompts?|above|previous|rules)\b"
    r"|\bsystem prompt\b|\byou are now\b|\bnew instructions\b",
    re.I,
)
_INSTRUCTION_WORDS = ("ignore", "disregard", "forget", "system prompt", "you are now", "new instructions")
_INSTRUCTION_BYTES = tuple(word.encode() for word in _INSTRUCTION_WORDS)


class Turn(NamedTuple):
    sec: int | None  # its own start time, None when it has none
    who: str
    text: str


@dataclass
class Digest:
    """A transcript as the prompts take it (see the module's docstring); empty by default."""

    text: str = ""  # the turns' lines, joined by newlines
    starts: list[int] = field(default_factory=lambda: [0])  # where each line starts in text, then len(text) + 1
    heads: list[int] = field(default_factory=list)  # the length of each line's time and speaker
    words: list[int] = field(default_factory=list)  # each line's words
    secs: list[int | None] = field(default_factory=list)  # each turn's time
    headers: list[tuple[str, int | None]] = field(default_factory=list)  # sections, with their first turn's time
    chapters: str = ""  # the sections as chapter lines, ``00:01:20 Title`` (a suggestion's current value)
    hints: list[tuple[int, str]] = field(default_factory=list)  # (turn, its text that reads as an instruction)
    # The transcript's length, newlines included, with every line of more than W words cut to its first W words
    # and " …", at W = 1, 2, … up to the most words of a line less one: ascending, so the most W that fits is
    # found by bisection.
    cuts: list[int] = field(default_factory=list)

    @property
    def count(self) -> int:
        """Return how many turns the transcript has."""
        return len(self.secs)


def turns_of_rows(rows: Iterable[Sequence]) -> tuple[list[Turn], list[tuple[str, int | None]]]:
    """Return the turns and the section headers (each with the time of the first timed turn after it) of
    transcript items given as (kind, text, who, sec, time) rows, in order."""
    turns: list[Turn] = []
    headers: list[list] = []
    waiting: list[list] = []  # the headers before the next timed turn, which starts their section
    for kind, text, who, sec, time in rows:
        if kind == TURN:
            own = sec if sec is not None and sec >= 0 else (fm.time_to_seconds(time) if time else None)
            turns.append(Turn(own, who, text))
            if own is not None and waiting:
                for header in waiting:
                    header[1] = own
                waiting = []
        elif kind == HEADER:
            headers.append([text, None])
            waiting.append(headers[-1])
    return turns, [(title, sec) for title, sec in headers]


def digest_of_rows(rows: Iterable[Sequence]) -> Digest:
    """Return the digest of transcript items given as (kind, text, who, sec, time) rows, in order."""
    return digest_make(*turns_of_rows(rows))


def digest_make(turns: Sequence[Turn], headers: Sequence[tuple[str, int | None]] = ()) -> Digest:
    """Return the digest of a transcript's ``turns`` and its section ``headers`` (title, start)."""
    lines, heads = _lines(turns)
    words = [line.count(" ", head) + 1 if len(line) > head else 0 for line, head in zip(lines, heads, strict=True)]
    text = "\n".join(lines)
    return Digest(
        text=text,
        starts=list(itertools.accumulate((len(line) + 1 for line in lines), initial=0)),
        heads=heads,
        words=words,
        secs=[turn.sec for turn in turns],
        headers=[(title, sec) for title, sec in headers],
        chapters=ch.chapter_lines([(title, sec or 0) for title, sec in headers]).rstrip("\n"),
        hints=_hints(turns),
        cuts=_cuts(lines, heads, words),
    )


def digest_dump(digest: Digest) -> tuple[str, str]:
    """Return a digest as two texts to store: its lines, and the rest as JSON, the numbers packed in it.

    The numbers (five for each turn, one for each cut) go as 32-bit integers, little-endian, in base64: read
    back in one step, where JSON reads them one by one (most of a batch's reading, as JSON).
    """
    numbers = array.array("i", digest.starts)
    numbers.extend(digest.heads)
    numbers.extend(digest.words)
    numbers.extend(NO_TIME if sec is None else sec for sec in digest.secs)
    numbers.extend(digest.cuts)
    if sys.byteorder == "big":
        numbers.byteswap()
    rest = {
        "format": DIGEST_FORMAT,
        "turns": digest.count,
        "numbers": base64.b64encode(numbers.tobytes()).decode("ascii"),
        "headers": digest.headers,
        "chapters": digest.chapters,
        "hints": digest.hints,
    }
    return digest.text, json.dumps(rest, ensure_ascii=False, separators=(",", ":"))


def digest_load(text: str, data: str) -> Digest:
    """Return the digest stored as ``text`` and ``data`` (see :func:`digest_dump`); raise ValueError for one made
    by another format, or that does not hold together."""
    try:
        rest = json.loads(data)
        if rest.get("format") != DIGEST_FORMAT:
            raise ValueError(f"made by format {rest.get('format')!r}")
        numbers = array.array("i")
        numbers.frombytes(base64.b64decode(rest["numbers"], validate=True))
        if sys.byteorder == "big":
            numbers.byteswap()
        count = rest["turns"]
        at = [0, count + 1, 2 * count + 1, 3 * count + 1, 4 * count + 1]
        digest = Digest(
            text=text,
            starts=numbers[: at[1]].tolist(),
            heads=numbers[at[1] : at[2]].tolist(),
            words=numbers[at[2] : at[3]].tolist(),
            secs=[None if sec == NO_TIME else sec for sec in numbers[at[3] : at[4]]],
            headers=[(title, sec) for title, sec in rest["headers"]],
            chapters=rest["chapters"],
            hints=[(turn, found) for turn, found in rest["hints"]],
            cuts=numbers[at[4] :].tolist(),
        )
        if not (
            isinstance(count, int)
            and len(digest.starts) == count + 1
            and len(digest.heads) == len(digest.words) == digest.count == count
            and digest.starts[-1] == (len(text) + 1 if count else 0)
            and len(digest.cuts) == max(max(digest.words, default=0) - 1, 0)
        ):
            raise ValueError("its parts do not hold together")
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise ValueError(ERR_DIGEST.format(format=DIGEST_FORMAT, problem=exc)) from None
    return digest


def clock(sec: int) -> str:
    """Return a time as the prompts write it: ``00:01:05``."""
    return fm.padded_time(sec, hours=True)


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
                stamp = f"[{clock(sec)}] "
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


def _cuts(lines: Sequence[str], heads: Sequence[int], words: Sequence[int]) -> list[int]:
    """Return the transcript's length with every line of more than W words cut to its first W
    words and " …", for W from 1 to the most words of a line less one.

    A line cut to W words keeps its time and speaker, its first W words with the spaces between, and " …".
    From W - 1 words to W, a line still cut grows by its W-th word and a space, and a line of exactly W words,
    whole again, by its W-th word less a space; so the lengths come from the words' lengths summed by their
    place in the line (one pass over the words) and the count of lines of each length.
    """
    top = max(words, default=0)
    by_place = [0] * top  # the lengths of the lines' first words, summed; then of their second words...
    exactly = [0] * (top + 1)  # how many lines have 0, 1, 2... words
    at_zero = max(len(lines) - 1, 0)  # the length were every line of words cut to none: its head and " …"
    for line, head, count in zip(lines, heads, words, strict=True):
        exactly[count] += 1
        if count:
            by_place[:count] = map(operator.add, by_place, map(len, line[head:].split(" ")))
            at_zero += head + 1
        else:
            at_zero += len(line)
    cuts, cut, longer = [], at_zero, len(lines) - exactly[0]
    for place in range(1, top):
        longer -= exactly[place]  # the lines still cut at this many words
        cut += by_place[place - 1] + longer - exactly[place]
        cuts.append(cut)
    return cuts


def _hints(turns: Sequence[Turn]) -> list[tuple[int, str]]:
    """Return (turn index, the passage) for each turn holding text that reads as an instruction to the model."""
    found = []
    for number in _hinted(turns):
        text = turns[number].text
        match = _INSTRUCTION.search(text)
        if match:
            start = max(0, match.start() - 20)
            found.append((number, text[start : match.end() + 40].strip()))
    return found


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


def transcript_excerpt(digest: Digest, budget: int, *, given: int | None = None) -> tuple[str, str]:
    """Return the transcript's lines that fit ``budget`` tokens, and a note saying what was left out ('' if none).

    The rule: every turn in full if it fits; else (all turns, ``given`` None) every turn with its time and
    speaker, its text cut to its first W words, W the most that fits; else (or for the first ``given`` turns)
    the first turns that fit, the rest left out.
    """
    count = digest.count if given is None else given
    length = max(digest.starts[count] - 1, 0)
    if math.ceil(length / 4) <= budget:
        return digest.text[:length], ""
    if given is None:
        words = bisect.bisect_right(digest.cuts, budget * 4)
        if words:
            return _cut(digest, words), NOTE_WORDS.format(words=words)
    starts, kept, used = digest.starts, 0, 0
    while kept < count:
        used += math.ceil((starts[kept + 1] - starts[kept]) / 4)  # the line and its newline
        if used > budget:
            break
        kept += 1
    time = next((clock(sec) for sec in reversed(digest.secs[:kept]) if sec is not None), "the start")
    return digest.text[: max(starts[kept] - 1, 0)], NOTE_LEFT_OUT.format(time=time, count=count - kept)


def _cut(digest: Digest, words: int) -> str:
    """Return the transcript with every line of more than ``words`` words cut to its first ``words`` and " …".

    A line's cut is its ``words``-th space, looked for from where it would be were its words of one length:
    the spaces before there are counted at once, and the few between there and the one wanted are stepped
    over one by one.
    """
    text, starts, heads, counts = digest.text, digest.starts, digest.heads, digest.words
    parts, done = [], 0
    for line in itertools.compress(range(len(counts)), map(words.__lt__, counts)):
        start, end = starts[line] + heads[line], starts[line + 1] - 1
        at = start + (end - start) * words // counts[line]
        seen = text.count(" ", start, at)
        if seen < words:
            while seen < words:
                at = text.find(" ", at, end) + 1
                seen += 1
            at -= 1
        else:
            while seen >= words:
                at = text.rfind(" ", start, at)
                seen -= 1
        parts += (text[done:at], " …")
        done = end
    parts.append(text[done:])
    return "".join(parts)


def opening(secs: Sequence[int | None], minutes: int) -> int:
    """Return how many of the first turns (their times ``secs``) are the transcript's first ``minutes``
    (untimed turns go with the turn before)."""
    end, kept, inside = minutes * 60, 0, True
    for sec in secs:
        if sec is not None:
            inside = sec < end
        if not inside:
            break
        kept += 1
    return kept
