"""Read and write Jekyll-style files: a YAML front matter between ``---`` lines, then a markdown body.

This module owns the file format and knows nothing of Django. Everything that reads or writes an
episode or person file goes through it, and nothing else in the project calls ``yaml`` directly.

"Canonical" front matter is exactly what :func:`dump` writes for its data, keys in the file's order:
PyYAML's C emitter, block style, default width, ``allow_unicode=True``.
"""

from __future__ import annotations

import datetime
import gc
import re
from dataclasses import dataclass, field

import yaml

_MAP, _SEQ, _STR = "tag:yaml.org,2002:map", "tag:yaml.org,2002:seq", "tag:yaml.org,2002:str"
_MERGE = "tag:yaml.org,2002:merge"
_INT, _SET = "tag:yaml.org,2002:int", "tag:yaml.org,2002:set"
_SCALAR_NODE, _SEQUENCE_NODE = yaml.ScalarNode, yaml.SequenceNode


class _QuickResolver:
    """Resolve scalar tags as Resolver.resolve does, without its regular expressions where possible.

    Resolver.resolve tries the expressions registered for a plain scalar's first character; the C parser
    and emitter call it once or twice per scalar. Quoted scalars and plain ones whose first character
    starts no implicit type are strings, digits alone (not led by 0, which YAML 1.1 reads as octal) are
    an int, and the answer for any other short plain scalar is remembered: keys like ``time`` recur
    thousands of times.
    """

    def resolve(self, kind, value, implicit):
        if self.yaml_path_resolvers:
            return super().resolve(kind, value, implicit)
        if kind is not _SCALAR_NODE:
            return _SEQ if kind is _SEQUENCE_NODE else _MAP
        if not implicit[0] or value[:1] not in _RESOLVER_STARTS:
            return _STR
        if value.isdigit() and value.isascii() and value[0] != "0":
            return _INT
        tag = _RESOLVED.get(value)
        if tag is None:
            tag = super().resolve(kind, value, implicit)
            if len(value) <= _RESOLVED_LENGTH and len(_RESOLVED) < _RESOLVED_MAX:
                _RESOLVED[value] = tag
        return tag


_RESOLVER_STARTS = frozenset(yaml.resolver.Resolver.yaml_implicit_resolvers)
assert None not in _RESOLVER_STARTS  # a wildcard resolver would apply to every scalar
# Tags of plain scalars already resolved; the same for every loader and dumper, as neither adds resolvers.
_RESOLVED: dict[str, str] = {}
_RESOLVED_MAX, _RESOLVED_LENGTH = 20_000, 40  # keys and short values recur; lines of text do not


class Loader(_QuickResolver, yaml.CSafeLoader):
    """PyYAML's C safe loader, building plain maps, lists and strings without the generic machinery.

    SafeConstructor builds every collection through generators that exist to support aliases, which this
    format refuses; building maps, lists and strings directly makes a transcript load about a third faster.
    A !!set becomes a :class:`FileOrderSet`. Everything else (numbers, dates, merge keys, !!omap, ...) goes
    through SafeConstructor as before, so the data is the same as ``yaml.load(text, Loader=yaml.CSafeLoader)``
    gives. Where PyYAML silently keeps the last value of a repeated key, this loader also lists the key in
    ``repeated_keys``.
    """

    def __init__(self, stream):
        super().__init__(stream)
        self.repeated_keys = []  # (key, mark) of each key met again in its mapping

    def construct_document(self, node):
        return self._build(node, 1)

    def _build(self, node, level):
        """Build ``node``, a collection at nesting ``level`` (the front matter itself is level 1)."""
        tag = node.tag
        kind = type(node)
        if kind is yaml.ScalarNode:
            if tag == _STR:
                return node.value
            value = node.value
            if tag == _INT and len(value) <= 18 and value.isdigit() and value.isascii() and value[0] != "0":
                return int(value)  # what construct_yaml_int gives digits not led by 0
            return self._construct(node, level)
        if level > MAX_DEPTH:
            raise _too_deep(node)
        if tag == _MAP and kind is yaml.MappingNode:
            data = {}
            for key_node, value_node in node.value:
                if key_node.tag == _MERGE:
                    return self._construct(node, level)
                key = self._build(key_node, level + 1)
                try:
                    repeated = key in data
                except TypeError:
                    raise yaml.constructor.ConstructorError(
                        "while constructing a mapping", node.start_mark, "found unhashable key", key_node.start_mark
                    ) from None
                if repeated:
                    # A repeated key (or 1 after true: equal in Python) replaces the value before, keeping its
                    # place, as PyYAML and Jekyll read it; the caller is told, to warn the editor.
                    self.repeated_keys.append((key, key_node.start_mark))
                data[key] = self._build(value_node, level + 1)
            return data
        if tag == _SEQ and kind is yaml.SequenceNode:
            return [self._build(child, level + 1) for child in node.value]
        if tag == _SET and kind is yaml.MappingNode and all(key.tag != _MERGE for key, _ in node.value):
            # As SafeConstructor builds a !!set (the values, null as a rule, are read and dropped), but in
            # the file's order.
            members = []
            for key_node, value_node in node.value:
                member = self._build(key_node, level + 1)
                self._build(value_node, level + 1)
                try:
                    hash(member)
                except TypeError:
                    raise yaml.constructor.ConstructorError(
                        "while constructing a mapping", node.start_mark, "found unhashable key", key_node.start_mark
                    ) from None
                members.append(member)
            return FileOrderSet(members)
        return self._construct(node, level)

    def _construct(self, node, level):
        """Build a node with SafeConstructor; a value it cannot build is a YAML error at the node's line."""
        try:
            data = self.construct_object(node, deep=True)
        except yaml.YAMLError:
            raise
        except (ValueError, TypeError, KeyError, AttributeError, OverflowError) as exc:
            # SafeConstructor raises these for tagged values it cannot read: "!!bool x" a KeyError,
            # "!!timestamp x" an AttributeError, the date 2023-02-30 a ValueError.
            tag = node.tag.replace("tag:yaml.org,2002:", "!!")
            value = repr(node.value[:40]) if isinstance(node.value, str) else "this value"
            why = f": {exc}" if isinstance(exc, ValueError | OverflowError) else ""
            problem = f"cannot read {value} as {tag}{why}"
            raise yaml.constructor.ConstructorError(None, None, problem, node.start_mark) from None
        # Merge keys, !!set, !!omap, ...: SafeConstructor built the whole value, so measure it afterwards.
        if type(node) is not yaml.ScalarNode and level - 1 + _depth(data) > MAX_DEPTH:
            raise _too_deep(node)
        return data


# Real front matter nests three or four levels; deeper data would take Python's recursion limit near
# when it is written back (the dumper recurses), so it is refused when read.
MAX_DEPTH = 50


def _too_deep(node) -> yaml.YAMLError:
    problem = f"values nested more than {MAX_DEPTH} levels deep are not allowed"
    return yaml.constructor.ConstructorError(None, None, problem, node.start_mark)


def _depth(data) -> int:
    """Return how many levels of collections ``data`` nests (0 for a scalar, 1 for a flat list)."""
    deepest, stack = 0, [(data, 1)]
    while stack:  # a loop, not recursion: the point is to stay clear of the recursion limit
        value, level = stack.pop()
        if isinstance(value, dict):
            stack += [(item, level + 1) for pair in value.items() for item in pair]
        elif isinstance(value, list | tuple | set):
            stack += [(item, level + 1) for item in value]
        else:
            continue
        deepest = max(deepest, level)
    return deepest


class FileOrderSet(set):
    """A YAML !!set that goes through its members in the order the file lists them.

    A plain set of strings goes through them in an order that changes with each process's hash seed, so
    writing it back would change the file from run to run; this one is written back as it was read.
    """

    def __init__(self, members=()):
        order = dict.fromkeys(members)  # the first of equal members, as set() keeps
        super().__init__(order)
        self._order = list(order)

    def __iter__(self):
        members = [member for member in self._order if member in self]
        if len(members) < len(self):  # members added since: after the file's, in the set's order
            listed = set(members)
            members += [member for member in super().__iter__() if member not in listed]
        return iter(members)


class Dumper(_QuickResolver, yaml.CSafeDumper):
    """PyYAML's C safe dumper, representing plain maps, lists and strings directly.

    Writes exactly what CSafeDumper writes with ``default_flow_style=False`` and ``sort_keys=False`` for
    data without shared references (data loaded without aliases has none).
    """

    def represent(self, data):
        self.serialize(self._node(data))
        self.represented_objects = {}
        self.object_keeper = []
        self.alias_key = None

    def _node(self, data):
        kind = type(data)
        if kind is str:
            return yaml.ScalarNode(_STR, data)
        if kind is dict:
            pairs = [(self._node(k), self._node(v)) for k, v in data.items()]
            return yaml.MappingNode(_MAP, pairs, flow_style=False)
        if kind is list:
            return yaml.SequenceNode(_SEQ, [self._node(item) for item in data], flow_style=False)
        return self.represent_data(data)


Dumper.add_representer(FileOrderSet, yaml.representer.SafeRepresenter.represent_set)


MAX_BYTES = 10 * 1024 * 1024
OPENING = "---\n"
# Where a time like 1:56 or 1:02:03 is expected: at most 99:59:59 (a longer one is a typing slip, and
# would stretch a caption over every later turn).
# Its groups (hours, minutes, seconds) are what time_to_seconds reads, for every turn of every transcript.
TIME_RE = re.compile(r"^(?:(\d{1,2}):)?([0-5]?\d):([0-5]\d)$")


def time_to_seconds(time: str) -> int | None:
    """Return the seconds of a time like '1:56' or '1:02:03', or None if it is not one."""
    match = TIME_RE.match(time)
    if match is None:
        return None
    hours, minutes, seconds = match.groups()
    return int(minutes) * 60 + int(seconds) + (int(hours) * 3600 if hours else 0)


# Every time as seconds_to_time writes it ('0:09', '1:02:03'), to its seconds, for the hours asked so far: a
# raw transcript's thousands of times are read by one lookup each instead of a parse and a format. It grows
# an hour (3,600 entries, about 0.4 MB) at a time as longer transcripts come, up to WRITTEN_TIMES_HOURS.
_WRITTEN_TIMES: dict[str, int] = {}
_written_hours = 0
WRITTEN_TIMES_HOURS = 10


def written_times(hours: int = 2) -> dict[str, int]:
    """Return {time as seconds_to_time writes it: its seconds} holding at least every time under ``hours`` hours.

    The same dict every call, kept for the process and grown in place (never past WRITTEN_TIMES_HOURS); a time
    it lacks is not one as the files write it, or a later one: :func:`time_to_seconds` reads any time.
    """
    global _written_hours  # noqa: PLW0603 - one table for the process, like a compiled pattern
    hours = min(hours, WRITTEN_TIMES_HOURS)
    if hours > _written_hours:
        start = _written_hours * 3600
        _WRITTEN_TIMES.update({seconds_to_time(s): s for s in range(start, hours * 3600)})
        _written_hours = hours
    return _WRITTEN_TIMES


def padded_time(seconds: int, *, hours: bool = True) -> str:
    """Return '01:02:03' (or '02:03' without ``hours``): the zero-padded form of chapter lists and captions."""
    h, rest = divmod(seconds, 3600)
    m, s = divmod(rest, 60)
    return f"{h:02d}:{m:02d}:{s:02d}" if hours else f"{m:02d}:{s:02d}"


def seconds_to_time(seconds: int) -> str:
    """Return '1:56' or '1:02:03' for a number of seconds."""
    if 0 <= seconds < 3600:
        return f"{seconds // 60}:{seconds % 60:02d}"
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


ERR_TOO_BIG = "file is {size:,} bytes, over the {limit:,}-byte limit"
ERR_NOT_UTF8 = "not valid UTF-8: byte 0x{byte:02x} cannot be decoded"
ERR_NUL = "a NUL character (U+0000) at column {column}: an episode file is text and cannot contain one"
ERR_NO_OPENING = "the file must start with a '---' line opening the front matter, not {first!r}"
ERR_NOT_CLOSED = "the front matter opened on line 1 is never closed by a '---' line"
ERR_YAML = "YAML error: {problem}"
ERR_ALIAS = "YAML anchors and aliases ({token}) are not allowed in an episode file"
NOTE_REPEATED = "line {line}: the key {key!r} comes again in its mapping; its last value is kept, as Jekyll reads it"
ERR_NOT_MAPPING = "the front matter is {kind}, expected a mapping of keys to values"
ERR_CANNOT_WRITE = "a value cannot be written back as YAML: {problem}"
ERR_NOT_KEPT = "a value would not be written back as it was read: a {read} would become a {back}"
ERR_TYPE = "'{path}' must be {expected}, not {kind} {value!r}"


class FormatError(ValueError):
    """A file that cannot be read losslessly; ``line`` is 1-based, in the whole file."""

    def __init__(self, message: str, line: int = 1):
        super().__init__(message)
        self.message = message
        self.line = line

    def __str__(self) -> str:
        return f"{self.line}: {self.message}"


@dataclass
class Document:
    """A parsed file: its front matter data, the text after the closing line, and that line itself."""

    front: dict
    body: str = "\n"
    closing: str = "---"
    front_text: str = ""
    notes: list[str] = field(default_factory=list)

    def render(self) -> str:
        return render(self.front, self.body, self.closing)


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


# What XML 1.0 cannot carry, and so neither a feed nor an HTML page: the C0 controls other than tab, line
# feed and carriage return (U+000B is what Word's Shift+Enter pastes), lone surrogates, U+FFFE and U+FFFF.
_NOT_TEXT = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
ERR_NOT_TEXT = "the character {char} at column {column} is not allowed in text: remove it{hint}"
ERR_NOT_TEXT_VALUE = "{where} holds the character {char}, which is not allowed in text: remove it{hint}"
_HINTS = {"\x0b": " (Word's Shift+Enter pastes it: use Enter)", "\x00": " (a NUL character)"}


_C0_BYTES = bytes(c for c in range(32) if c not in (9, 10, 13))
# In UTF-8 (surrogates passed through): U+FFFE, U+FFFF, and the lead byte of every surrogate (and of some
# Hangul, which the precise search then clears).
_SUSPECT_BYTES = (b"\xef\xbf\xbe", b"\xef\xbf\xbf", b"\xed")


def not_text(text: str) -> tuple[int, str] | None:
    """Return (index, what is wrong) of the first character XML and HTML cannot carry, or None."""
    # Bytes first: deleting bytes runs at memory speed, a search of a character class over a str ten times
    # slower, and nearly every text has none.
    raw = text.encode("utf-8", "surrogatepass")
    if len(raw.translate(None, _C0_BYTES)) == len(raw) and not any(b in raw for b in _SUSPECT_BYTES):
        return None
    match = _NOT_TEXT.search(text)
    if match is None:
        return None
    index, char = match.start(), match.group()
    column = index - text.rfind("\n", 0, index)
    return index, ERR_NOT_TEXT.format(char=f"U+{ord(char):04X}", column=column, hint=_HINTS.get(char, ""))


def not_text_char(value) -> str:
    """Return the first character XML and HTML cannot carry in a string (or in strings nested in lists and
    mappings, keys included), or ''."""
    if isinstance(value, str):
        problem = not_text(value)
        return "" if problem is None else value[problem[0]]
    if isinstance(value, dict):
        value = [part for pair in value.items() for part in pair]
    if isinstance(value, list | tuple | set):
        return next((found for part in value if (found := not_text_char(part))), "")
    return ""


def as_text(text: str, replacement: str = " ") -> str:
    """Return ``text`` with each character XML and HTML cannot carry replaced (for text already stored)."""
    return text if not_text(text) is None else _NOT_TEXT.sub(replacement, text)


def char_words(char: str) -> tuple[str, str]:
    """Return how messages name a character that is not text ("U+000B") and a hint on it (or '')."""
    return f"U+{ord(char):04X}", _HINTS.get(char, "")


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
                message = ERR_NOT_TEXT_VALUE.format(where=where, char=f"U+{ord(char):04X}", hint=_HINTS.get(char, ""))
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


def same_document(a: Document, b: Document) -> bool:
    """Tell whether two documents hold the same data: strictly (== would take 1 for 1.0, and ignore key order)."""
    return same_data(a.front, b.front) and (a.body, a.closing) == (b.body, b.closing)


def dump(data) -> str:
    """Return the canonical YAML text of ``data``, keys in their insertion order.

    A long list of mappings at the top (a transcript) is written as a whole and cut into its items, each
    item's text remembered: a block sequence's items are written independently of each other, at the same
    columns as a one-item list at the top, so the text is the same and the next dump of the list after an
    edit writes only the items it changed.
    """
    if type(data) is not dict or not any(_is_long_list(value) for value in data.values()):
        return _dump(data)
    parts, plain = [], {}
    for key, value in data.items():
        if not _is_long_list(value):
            plain[key] = value
            continue
        if plain:
            parts.append(_dump(plain))
            plain = {}
        parts += _list_parts(key, value)
    if plain:
        parts.append(_dump(plain))
    return "".join(parts)


def _list_parts(key, value: list) -> list[str]:
    """Return the text of ``key: value`` for a long list: its first line(s), then each item's text."""
    keys = [_item_key(item) for item in value]
    texts = [None if k is None else _ITEM_TEXTS.get(k) for k in keys]
    missing = texts.count(None)
    if missing > len(value) // 8:
        # Mostly unseen (an export, a first render): one dump call for the whole list, cut at its items.
        whole = _dump({key: value})
        cuts = _item_starts(whole)
        if len(cuts) == len(value):
            cuts.append(len(whole))
            texts = [whole[a:b] for a, b in zip(cuts, cuts[1:], strict=False)]
            _remember(keys, texts)
            return [whole[: cuts[0]], *texts]
    texts = [_item_text(item, k) if text is None else text for item, k, text in zip(value, keys, texts, strict=True)]
    whole = _dump({key: value[:1]})
    if not whole.endswith(texts[0]):  # never seen; the plain way is always right
        return [_dump({key: value})]
    return [whole[: -len(texts[0])], *texts]


def _item_starts(text: str) -> list[int]:
    """Return where each item of the top-level block sequence in ``text`` (one ``key:`` and its list) starts.

    Every item starts a line with "- "; any other line of an item is indented or empty, so counting these
    lines and finding one per item proves they are the items' starts.
    """
    starts = []
    at = text.find("\n- ")
    while at >= 0:
        starts.append(at + 1)
        at = text.find("\n- ", at + 3)
    return starts


def _dump(data) -> str:
    return yaml.dump(data, Dumper=Dumper, allow_unicode=True, sort_keys=False, default_flow_style=False)


LONG_LIST = 32
_HASHABLE = (str, int, float, bool, type(None), datetime.date)
# Texts of flat items as one entry of a top-level list, by _item_key: a few MB for the busiest episodes.
_ITEM_TEXTS: dict[tuple, str] = {}
ITEM_TEXTS_MAX = 16384


def _is_long_list(value) -> bool:
    return type(value) is list and len(value) >= LONG_LIST


def _item_key(item) -> tuple | None:
    """Return the key of a flat mapping's remembered text, or None for any other item."""
    if type(item) is dict and all(type(k) is str and type(v) in _HASHABLE for k, v in item.items()):
        # The type is part of the key: 1, 1.0 and True are equal, and hash alike, but are written differently.
        return tuple((k, type(v), v) for k, v in item.items())
    return None


def _remember(keys: list, texts: list[str]) -> None:
    for key, text in zip(keys, texts, strict=True):
        if key is not None:
            if len(_ITEM_TEXTS) >= ITEM_TEXTS_MAX:
                # Oldest first: dicts keep insertion order, and the next episode's items are what come next.
                del _ITEM_TEXTS[next(iter(_ITEM_TEXTS))]
            _ITEM_TEXTS[key] = text


def _item_text(item, key: tuple | None = None) -> str:
    """Return the text of ``item`` as one entry of a top-level block sequence, remembered for flat mappings."""
    text = _dump([item])
    if key is not None:
        _remember([key], [text])
    return text


def dump_checked(data) -> str:
    """Like :func:`dump`, but raise :class:`FormatError` for values it would not write back as they are."""
    try:
        text = dump(data)
    except yaml.YAMLError as exc:
        raise FormatError(ERR_CANNOT_WRITE.format(problem=exc)) from None
    if _plain(data):
        return text  # strings, numbers, dates, lists and maps always read back as they were
    try:
        change = first_change(data, load(text))
    except FormatError:
        change = (data, None)
    if change is not None:
        # !!omap and !!pairs load as lists of tuples, which are written back as lists of lists.
        read, back = (type(value).__name__ for value in change)
        raise FormatError(ERR_NOT_KEPT.format(read=read, back=back))
    return text


_PLAIN_SCALARS = (str, int, float, bool, type(None), datetime.date)


def _plain(value) -> bool:
    """Tell whether ``value`` holds only types the dumper and the loader map one to one."""
    kind = type(value)
    if kind is dict:
        return all(_plain(k) and _plain(v) for k, v in value.items())
    if kind is list:
        return all(_plain(item) for item in value)
    # Offsets of aware datetimes are checked by reading back, as are tuples, sets and bytes.
    return kind in _PLAIN_SCALARS or (kind is datetime.datetime and value.tzinfo is None)


def first_change(a, b):
    """Return the first pair of values where ``b`` differs from ``a`` in type, value or key order, or None.

    NaN equals NaN here, and datetimes must have the same UTC offset.
    """
    if type(a) is not type(b):
        return a, b
    if isinstance(a, dict):
        if len(a) != len(b):
            return a, b
        for (key_a, value_a), (key_b, value_b) in zip(a.items(), b.items(), strict=True):
            change = first_change(key_a, key_b) or first_change(value_a, value_b)
            if change:
                return change
        return None
    if isinstance(a, list | tuple):
        if len(a) != len(b):
            return a, b
        return next(filter(None, (first_change(x, y) for x, y in zip(a, b, strict=True))), None)
    if isinstance(a, float):
        return None if repr(a) == repr(b) else (a, b)
    if isinstance(a, datetime.datetime) and a.utcoffset() != b.utcoffset():
        return a, b
    return None if a == b else (a, b)


def same_data(a, b) -> bool:
    """Tell whether ``a`` and ``b`` are the same YAML data: types, values and key order."""
    return first_change(a, b) is None


def render(front: dict, body: str, closing: str = "---") -> str:
    """Return the whole file text for ``front`` and ``body``.

    A parsed body is empty or starts with the closing line's line break; a body typed without one would
    run into the closing ``---`` and leave the front matter unclosed, so it starts on a line of its own.
    """
    if body and not body.startswith("\n"):
        body = "\n" + body
    return OPENING + dump(front) + closing + body


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


def dump_fragment(
    value, *, key=None, style: str | None = None, flow: bool = False, width: int | None = None, unicode: bool = True
) -> str:
    """Return ``key: value`` (or the list item ``- value`` without a key) as YAML lines starting at column 0.

    ``style`` quotes a string value ("'" or '"') where YAML allows it, ``flow`` writes a list or mapping on
    one line as ``[a, b]``, ``width`` is where lines wrap (80 when None, -1 never) and ``unicode=False``
    escapes characters beyond ASCII, as PyYAML does by default.
    """
    dumper = Dumper(None)
    value_node = _flow_node(dumper, value) if flow else dumper._node(value)
    if style in ("'", '"') and type(value) is str:
        value_node.style = style
    if key is None:
        node = yaml.SequenceNode(_SEQ, [value_node], flow_style=False)
    else:
        node = yaml.MappingNode(_MAP, [(dumper._node(key), value_node)], flow_style=False)
    return yaml.serialize(node, Dumper=Dumper, allow_unicode=unicode, width=width)


def _flow_node(dumper: Dumper, value):
    kind = type(value)
    if kind is dict:
        pairs = [(dumper._node(k), _flow_node(dumper, v)) for k, v in value.items()]
        return yaml.MappingNode(_MAP, pairs, flow_style=True)
    if kind is list:
        return yaml.SequenceNode(_SEQ, [_flow_node(dumper, item) for item in value], flow_style=True)
    return dumper._node(value)


def is_int(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def validate_episode(doc: Document, *, first_line: int = 2) -> None:
    """Raise :class:`FormatError` where a known episode field has the wrong YAML type."""
    front = doc.front
    for key in ("season", "episode"):
        if key in front and not is_int(front[key]):
            _type_error(doc, (key,), "an integer", front[key], first_line)
    transcript = front.get("transcript")
    if not isinstance(transcript, list):
        return
    for index, item in enumerate(transcript):
        if not isinstance(item, dict):
            continue
        if "sec" in item and not is_int(item["sec"]):
            _type_error(doc, ("transcript", index, "sec"), "an integer", item["sec"], first_line)
        if "time" in item and not isinstance(item["time"], str):
            _type_error(doc, ("transcript", index, "time"), "a quoted string like '1:56'", item["time"], first_line)


def _type_error(doc: Document, path: tuple, expected: str, value, first_line: int):
    kind = "a date" if isinstance(value, datetime.date) else type(value).__name__
    line = locate(doc.front_text, path, first_line=first_line)
    raise FormatError(ERR_TYPE.format(path=path_text(path), expected=expected, kind=kind, value=value), line)


def path_text(path: tuple) -> str:
    """Return ``path`` as editors read it: ``transcript[4].sec``."""
    return "".join(str(p) if not i else f"[{p}]" if isinstance(p, int) else f".{p}" for i, p in enumerate(path))


def error_at(doc: Document, path: tuple, message: str, *, first_line: int = 2) -> FormatError:
    """Return a :class:`FormatError` naming the value at ``path`` of the front matter, at its line."""
    return FormatError(f"'{path_text(path)}': {message}", locate(doc.front_text, path, first_line=first_line))


# The body's link list: a "Links:" line, blank lines, then one markdown link per line.
_LINKS_HEADER = re.compile(r"^Links:[ \t]*\n(?:[ \t]*\n)*", re.MULTILINE)
_LINK_LINE = re.compile(r"^([*-]) (?:\[(.*?)\]\((\S*)\)|<(\S+)>)(\{:target=\"_blank\"\})?$")
NEW_TAB = '{:target="_blank"}'


@dataclass
class Link:
    """One item of the body's link list; an empty ``text`` is written as an autolink ``<url>``."""

    text: str
    url: str
    marker: str = "*"
    new_tab: bool = True

    def line(self) -> str:
        target = f"<{self.url}>" if not self.text else f"[{self.text}]({self.url})"
        return f"{self.marker} {target}{NEW_TAB if self.new_tab else ''}"


@dataclass
class Body:
    """A body split around its link list: ``before`` ends where the first link line starts."""

    before: str
    links: list[Link] = field(default_factory=list)
    after: str = ""
    has_list: bool = False

    def render(self) -> str:
        return self.before + "\n".join(link.line() for link in self.links) + self.after


_HEADER_AT_END = re.compile(r"(?:\A|\n)Links:[ \t]*\n(?:[ \t]*\n)*\Z")


def with_links_header(before: str) -> str:
    """Return the text before a link list, ending with a "Links:" header ready for the first link line."""
    if _HEADER_AT_END.search(before):
        return before
    return before.rstrip("\n") + "\n\nLinks:\n\n"


def split_body(body: str) -> Body:
    """Split ``body`` around its ``Links:`` list; a body of any other form stays whole in ``before``."""
    for header in _LINKS_HEADER.finditer(body):
        start = header.end()
        end = body.find("\n\n", start)
        block = body[start : len(body) if end < 0 else end]
        # The block may end with one newline before the end of the body or a blank line.
        lines = block.rstrip("\n").split("\n") if block.strip() else []
        links = []
        for text in lines:
            match = _LINK_LINE.match(text)
            if match is None:
                break
            marker, label, url, auto, new_tab = match.groups()
            links.append(
                Link(text=label or "", url=url if auto is None else auto, marker=marker, new_tab=bool(new_tab))
            )
        else:
            length = sum(len(text) for text in lines) + max(len(lines) - 1, 0)
            parsed = Body(before=body[:start], links=links, after=body[start + length :], has_list=True)
            # Keep the rows only when they write back the same text ("[](url)" would not).
            if parsed.render() == body:
                return parsed
    return Body(before=body)
