"""Read a file: decode, split front matter from body, load the YAML (refusing anchors), find a value's line."""

from __future__ import annotations

import gc

import yaml

from .codec import FileOrderSet, Loader
from .document import Document
from .dumping import OPENING
from .errors import (
    ERR_ALIAS,
    ERR_NO_OPENING,
    ERR_NOT_CLOSED,
    ERR_NOT_MAPPING,
    ERR_NOT_UTF8,
    ERR_NUL,
    ERR_TOO_BIG,
    ERR_YAML,
    NOTE_REPEATED,
    FormatError,
    path_text,
)
from .text import ERR_NOT_TEXT_VALUE, char_words, not_text

MAX_BYTES = 10 * 1024 * 1024


def decode(raw: bytes, *, max_bytes: int = MAX_BYTES) -> tuple[str, list[str]]:
    """Return the text of ``raw`` with line endings normalised, and notes on what was normalised."""
    if len(raw) > max_bytes:
        raise FormatError(ERR_TOO_BIG.format(size=len(raw), limit=max_bytes))
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        raise FormatError(ERR_NOT_UTF8.format(byte=raw[exc.start]), line) from None
    notes = []
    if text.startswith("\ufeff"):
        text = text[1:]
        notes.append("removed the byte-order mark")
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
        notes.append("converted CRLF line endings to LF")
    return text, notes


def _refuse_nul(text: str) -> None:
    """Raise at the first NUL: YAML forbids it, markdown drops it, and PostgreSQL text cannot store it."""
    index = text.find("\x00")
    if index >= 0:
        line_start = text.rfind("\n", 0, index) + 1
        raise FormatError(ERR_NUL.format(column=index - line_start + 1), text.count("\n", 0, index) + 1)


def split(text: str) -> tuple[str, str, str]:
    """Return (front matter text, closing line, body) of ``text``."""
    if not text.startswith(OPENING):
        raise FormatError(ERR_NO_OPENING.format(first=text.split("\n", 1)[0][:40]))
    # The first line that is '---' and spaces or tabs; str.find, as a multi-line regular expression tries
    # every position of a long transcript.
    start = text.find("\n---", len(OPENING) - 1)
    while start >= 0:
        end = text.find("\n", start + 4)
        end = len(text) if end < 0 else end
        if not text[start + 4 : end].strip(" \t"):
            return text[len(OPENING) : start + 1], text[start + 1 : end], text[end:]
        start = text.find("\n---", start + 1)
    raise FormatError(ERR_NOT_CLOSED)


def parse(raw: bytes | str, *, max_bytes: int = MAX_BYTES) -> Document:
    """Parse a whole file into a :class:`Document`; raise :class:`FormatError` if it cannot be kept."""
    notes: list[str] = []
    if isinstance(raw, bytes):
        text, notes = decode(raw, max_bytes=max_bytes)
    else:
        text = raw
    _refuse_nul(text)
    _refuse_not_text(text)
    front_text, closing, body = split(text)
    front = load_mapping(front_text, first_line=2, notes=notes)
    if "\\" in front_text:  # only a double-quoted escape can make such a character
        check_text_values(front, front_text, first_line=2)
    return Document(front=front, body=body, closing=closing, front_text=front_text, notes=notes)


def _refuse_not_text(text: str) -> None:
    """Raise at the first character that XML and HTML cannot carry (a NUL is refused before, in its words)."""
    problem = not_text(text)
    if problem is not None:
        raise FormatError(problem[1], text.count("\n", 0, problem[0]) + 1)


def check_text_values(data, text: str, *, first_line: int = 1, path: tuple = ()) -> None:
    """Raise at the first key or string value of YAML ``text`` (loaded as ``data``) holding a character XML
    and HTML cannot carry (only an escape can write one)."""
    if type(data) is dict or type(data) is FileOrderSet:
        pairs = data.items() if type(data) is dict else ((key, None) for key in data)
    elif type(data) is list:
        pairs = enumerate(data)
    else:
        pairs = ()
    for key, value in pairs:
        for string, where in ((key, f"a key of '{path_text(path)}'" if path else "a key"), (value, None)):
            if isinstance(string, str) and (problem := not_text(string)) is not None:
                char = string[problem[0]]
                where = where or f"'{path_text((*path, key))}'"
                named, hint = char_words(char)
                message = ERR_NOT_TEXT_VALUE.format(where=where, char=named, hint=hint)
                raise FormatError(message, locate(text, (*path, key), first_line=first_line))
        check_text_values(value, text, first_line=first_line, path=(*path, key))


def load_mapping(text: str, *, first_line: int = 1, notes: list[str] | None = None) -> dict:
    """Load YAML that must be a mapping; ``first_line`` is the file line where ``text`` starts."""
    data = load(text, first_line=first_line, notes=notes)
    if not isinstance(data, dict):
        kind = "empty" if data is None else f"a {type(data).__name__}"
        raise FormatError(ERR_NOT_MAPPING.format(kind=kind), first_line)
    return data


def load(text: str, *, first_line: int = 1, notes: list[str] | None = None):
    """Load one YAML value with the safe C loader, refusing anchors and aliases.

    ``notes`` gets a line for each repeated key, whose last value is kept.
    """
    return _load(text, first_line, notes)[0]


def parse_with_node(text: str) -> tuple[Document, yaml.Node]:
    """Parse a whole file like :func:`parse`, also returning its front matter's YAML node tree.

    The nodes' marks are positions in the document's ``front_text``: where each value stands in the file.
    """
    _refuse_nul(text)
    front_text, closing, body = split(text)
    front, node = _load(front_text, 2, None)
    if not isinstance(front, dict):
        kind = "empty" if front is None else f"a {type(front).__name__}"
        raise FormatError(ERR_NOT_MAPPING.format(kind=kind), 2)
    return Document(front=front, body=body, closing=closing, front_text=front_text), node


def _load(text: str, first_line: int, notes: list[str] | None):
    """Return (data, node) of one YAML value; ``node`` is None for an empty text."""
    _refuse_anchors(text, first_line)
    loader = Loader(text)
    # A transcript makes a node and a value for each of its tens of thousands of scalars, none of them in a
    # cycle: the garbage collector's passes over them (and over the whole heap) took a fifth of an import.
    collecting = gc.isenabled()
    gc.disable()
    try:
        node = loader.get_single_node()
        data = None if node is None else loader.construct_document(node)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = exc.problem or str(exc)
        if exc.problem_mark:
            problem += f" at column {_column(text, exc.problem_mark)}"
        if exc.context and exc.context_mark:
            problem += f" ({exc.context} from line {_line(text, exc.context_mark, first_line)})"
        line = _line(text, mark, first_line) if mark else first_line
        raise FormatError(ERR_YAML.format(problem=problem), line) from None
    except (yaml.YAMLError, ValueError, OverflowError, RecursionError) as exc:
        raise FormatError(ERR_YAML.format(problem=exc), first_line) from None
    finally:
        if collecting:
            gc.enable()
        loader.dispose()
    if notes is not None:
        notes += [NOTE_REPEATED.format(key=k, line=_line(text, mark, first_line)) for k, mark in loader.repeated_keys]
    return data, node


def _line(text: str, mark, first_line: int) -> int:
    """Return the file line of a YAML mark in ``text``.

    Not ``mark.line``: YAML also breaks lines at U+0085, U+2028 and U+2029, which the file's lines do not.
    """
    return first_line + text.count("\n", 0, mark.index)


def _column(text: str, mark) -> int:
    return mark.index - text.rfind("\n", 0, mark.index)


def _refuse_anchors(text: str, first_line: int) -> None:
    """Raise if ``text`` has an anchor or alias; cheap unless a '&' or '*' could start a node."""
    if _may_have_anchor(text):
        try:
            for event in yaml.parse(text, Loader=Loader):
                if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
                    token = ("*" if isinstance(event, yaml.AliasEvent) else "&") + event.anchor
                    raise FormatError(ERR_ALIAS.format(token=token), _line(text, event.start_mark, first_line))
        except yaml.YAMLError:
            return  # the loader reports the syntax error with its position


def _may_have_anchor(text: str) -> bool:
    """Tell whether some '&' or '*' stands where a YAML node may start (a superset of real ones)."""
    for indicator in "&*":
        # str.find runs at memory speed; a regular expression over the whole text took ten times longer.
        end = text.find(indicator)
        while end >= 0:
            # An anchor or alias name follows its indicator at once: "& PhD" is text.
            after = text[end + 1 : end + 2]
            if after and not after.isspace() and after not in ",[]{}" and _may_start_node(text, end):
                return True
            end = text.find(indicator, end + 1)
    return False


def _may_start_node(text: str, end: int) -> bool:
    start = end
    while start and text[start - 1] in " \t":
        start -= 1
    if not start or text[start - 1] in _NODE_STARTS:
        return True
    # After a tag, as in `!!str &a value`.
    return start < end and text[text.rfind(" ", 0, start) + 1 : start].lstrip("\t\n").startswith("!")


# What may stand before a node: a line break (YAML also breaks at U+0085, U+2028, U+2029) or an indicator.
_NODE_STARTS = "\n\x85\u2028\u2029-?:,[{"


def locate(text: str, path: tuple, *, first_line: int = 1) -> int:
    """Return the file line of the value at ``path`` (keys and list indexes) in YAML ``text``."""
    return locator(text, first_line=first_line)(path)


def locator(text: str, *, first_line: int = 1):
    """Return a function giving the file line of the value at a path in YAML ``text``, which it reads once."""
    try:
        root = yaml.compose(text, Loader=Loader)
    except yaml.YAMLError:
        root = None

    def line(path: tuple) -> int:
        if root is None:
            return first_line
        node, mark = root, root.start_mark
        for step in path:
            child = None
            if isinstance(node, yaml.MappingNode):
                child = next((v for k, v in node.value if k.value == step), None)
            elif isinstance(node, yaml.SequenceNode) and isinstance(step, int) and step < len(node.value):
                child = node.value[step]
            if child is None:
                break
            node, mark = child, child.start_mark
        return _line(text, mark, first_line)

    return line
