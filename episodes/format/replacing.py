"""Find and replace in an episode's texts: plain text or a regular expression, whole words or not, case or not;
no Django.

The engine is the ``regex`` package, not Python's ``re``: a match in ``re`` cannot be interrupted, so one
pattern that backtracks without end (``(a+)+$`` on a long turn) would hold a worker for ever. ``regex`` takes a
``timeout`` that it checks inside its matching loop and raises ``TimeoutError``, which becomes a message here.
Its syntax (VERSION0) is ``re``'s, so what editors know works, backreferences and lookarounds included (RE2
would be linear in time, but refuses both, and editors' replacements use them).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass, field

import regex

FIELDS = {
    "title": "Title",
    "short": "Short title",
    "description": "Description",
    "intro": "Intro",
    "topics": "Topics",
    "headers": "Section headers",
    "clips": "Clip names",
    "turns": "Turns' text",
    "speakers": "Speaker labels",
}
CONTEXT = 40  # characters shown on each side of a match in the preview

ERR_EMPTY = "Type the text to find."
ERR_NO_FIELDS = "Choose at least one field to search in."
ERR_UNKNOWN_FIELD = "There is no field {name!r} to search in: choose among {known}."
ERR_PATTERN = "The regular expression is not valid: {error}."
ERR_REPLACEMENT = "The replacement is not valid for this regular expression: {error}."
ERR_TOO_SLOW = (
    "The search took more than {seconds:g} s on {where}: it was stopped. Make the regular expression simpler."
)


class SearchError(ValueError):
    """A search that cannot be run as asked; the message is for the editor."""


class TooSlow(SearchError):
    """The search ran past its time limit (the regular expression backtracks too much)."""


@dataclass(frozen=True)
class Search:
    """What to find, what to put instead, and where."""

    find: str
    replace: str = ""
    regex: bool = False
    whole_words: bool = False
    case_sensitive: bool = False
    fields: tuple[str, ...] = tuple(FIELDS)

    def as_dict(self) -> dict:
        """Return the search as plain values (a job's arguments)."""
        return {
            "find": self.find,
            "replace": self.replace,
            "regex": self.regex,
            "whole_words": self.whole_words,
            "case_sensitive": self.case_sensitive,
            "fields": list(self.fields),
        }

    @classmethod
    def from_dict(cls, values: dict) -> Search:
        return cls(**{**values, "fields": tuple(values.get("fields", FIELDS))})

    def describe(self, limit: int = 60) -> str:
        """Return the search as a revision's summary names it: ``"old" → "new"``."""
        return f"{_short(self.find, limit)} → {_short(self.replace, limit)}"


def _short(text: str, limit: int) -> str:
    return '"' + (text if len(text) <= limit else text[: limit - 1] + "…") + '"'


@dataclass(frozen=True)
class Text:
    """One text of an episode to search: its field, where it is (for the editor), and a key for the caller."""

    field: str
    where: str
    text: str
    key: Hashable = None


@dataclass(frozen=True)
class Hit:
    """One match in context: the text before it, what matched, what replaces it, the text after it."""

    before: str
    found: str
    replaced: str
    after: str


@dataclass
class Replaced:
    """A text that the search changes: its new value and each match."""

    text: Text
    new: str
    hits: list[Hit] = field(default_factory=list)


@dataclass(frozen=True)
class Matcher:
    """A search made ready to run (see :func:`compile_search`)."""

    search: Search
    pattern: regex.Pattern

    def replaced(self, text: Text, *, timeout: float) -> Replaced | None:
        """Return ``text`` with every match replaced, or None when nothing changes; raise TimeoutError."""
        hits: list[Hit] = []
        source = text.text

        def substitute(match) -> str:
            try:
                new = match.expand(self.search.replace) if self.search.regex else self.search.replace
            except (regex.error, IndexError) as exc:
                raise SearchError(ERR_REPLACEMENT.format(error=exc)) from None
            start, end = match.span()
            hits.append(Hit(source[max(0, start - CONTEXT) : start], match.group(), new, source[end : end + CONTEXT]))
            return new

        new = self.pattern.sub(substitute, source, timeout=timeout)
        return Replaced(text, new, hits) if new != source else None


def compile_search(search: Search) -> Matcher:
    """Return the matcher for ``search``; raise SearchError when it cannot run (no text, a bad pattern)."""
    if not search.find:
        raise SearchError(ERR_EMPTY)
    if not search.fields:
        raise SearchError(ERR_NO_FIELDS)
    for name in search.fields:
        if name not in FIELDS:
            raise SearchError(ERR_UNKNOWN_FIELD.format(name=name, known=", ".join(FIELDS)))
    pattern = search.find if search.regex else regex.escape(search.find)
    if search.whole_words:
        # An end of the match that is a word character has none beside it; an end that is not ("-based") needs
        # nothing (\b there would ask for a letter beside it).
        pattern = rf"(?:(?<!\w)(?=\w)|(?!\w))(?:{pattern})(?:(?<=\w)(?!\w)|(?<!\w))"
    flags = regex.VERSION0 | (0 if search.case_sensitive else regex.IGNORECASE)
    try:
        return Matcher(search, regex.compile(pattern, flags))
    except (regex.error, OverflowError, RecursionError) as exc:
        raise SearchError(ERR_PATTERN.format(error=exc)) from None


def replace_texts(
    texts: Iterable[Text],
    matcher: Matcher,
    *,
    seconds: float,
    what: str = "this episode",
    clock: Callable[[], float] = time.monotonic,
) -> list[Replaced]:
    """Return each of ``texts`` (in the search's fields) that the search changes, all within ``seconds``.

    Raise TooSlow, naming ``what``, when the matching runs past the time limit: the engine stops itself.
    """
    fields = set(matcher.search.fields)
    deadline = clock() + seconds
    changed = []
    for text in texts:
        if text.field not in fields:
            continue
        remaining = deadline - clock()
        try:
            if remaining <= 0:
                raise TimeoutError
            result = matcher.replaced(text, timeout=remaining)
        except TimeoutError:
            raise TooSlow(ERR_TOO_SLOW.format(seconds=seconds, where=f"{what} ({text.where})")) from None
        if result is not None:
            changed.append(result)
    return changed
