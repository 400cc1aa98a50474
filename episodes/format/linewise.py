"""Write changed data back into an existing file, changing only the lines of the values that changed.

Pure (no Django); the YAML work is :mod:`episodes.format.frontmatter`'s. Made for files people format by hand as
much as for canonical ones: a changed value is written where it stood, in the layout its old value had
(plain or quoted, on one line or wrapped as PyYAML wraps, a flow ``[a, b]`` list, ASCII escapes); a changed
list item or mapping key is rewritten alone, in the list or mapping it belongs to (a transcript turn's
``text`` line, not the turn); a removed key or item loses its lines, an added one goes after the one before
it. Everything else keeps its bytes, line endings, blank lines and comments included.

Every piece written is read back on its own and must give the new value, and its lines must sit inside the
lines it replaces (indented past its key), so the file reads as the new data; a value that cannot be written
in its line's style is written canonically, and a file that cannot be edited this way (keys reordered,
keys that are not plain strings, not readable) is written canonically as a whole.
"""

from __future__ import annotations

import difflib
import re
from bisect import bisect_right
from dataclasses import dataclass

import yaml

from . import frontmatter as fm

# Line breaks YAML counts that the file's lines do not; with one in the text a mark's line is recounted.
_YAML_ONLY_BREAKS = ("\r", "\x85", "\u2028", "\u2029")
_EXACT = (str, int, bool, type(None))
_ESCAPE = re.compile(r"\\[xuUN_LP]")  # how PyYAML escapes characters beyond ASCII in double quotes


def rewrite(original: str, doc: fm.Document) -> str:
    """Return ``original`` (a whole file) holding ``doc``'s data, with as few lines changed as possible."""
    crlf = "\r\n" in original and original.count("\r\n") == original.count("\n")
    bom = original.startswith("\ufeff")
    text = original.removeprefix("\ufeff").replace("\r\n", "\n") if crlf or bom else original
    written = _rewrite(text, doc)
    if written is None or (len(written) <= VERIFY_WHOLE_CHARS and not _reads_as(written, doc)):
        return doc.render()
    if crlf:
        written = written.replace("\n", "\r\n")
    return ("\ufeff" if bom else "") + written


# Each piece written is read back where it goes (see _Writer._checked); a file up to this size is also read
# back whole, as a second check: a few milliseconds for a site's file, where a long transcript's would cost as
# much as writing it again.
VERIFY_WHOLE_CHARS = 256 * 1024


def _reads_as(text: str, doc: fm.Document) -> bool:
    try:
        return fm.same_document(fm.parse(text), doc)
    except fm.FormatError:
        return False


def _rewrite(text: str, doc: fm.Document) -> str | None:
    try:
        old, node = fm.parse_with_node(text)
    except fm.FormatError:
        return None
    if not doc.front:
        return None
    front = old.front_text
    edits: list[_Edit] = []
    if not _Writer(front, node, old.front).mapping(node, old.front, doc.front, edits):
        return None
    if edits:
        front = _apply(front, edits)
        if front and not front.endswith("\n"):
            front += "\n"
    return fm.OPENING + front + doc.closing + doc.body


@dataclass
class _Edit:
    """Lines ``start`` to ``end`` (excluded, 0-based) of the front matter replaced by ``text``."""

    start: int
    end: int
    text: str


def _apply(front: str, edits: list[_Edit]) -> str:
    lines = _lines(front)
    out, at = [], 0
    # Stable: an insertion before a line comes before an edit of that line, as the edits were found.
    for edit in sorted(edits, key=lambda e: e.start):
        out += lines[at : edit.start]
        out.append(edit.text)
        at = max(at, edit.end)
    out += lines[at:]
    return "".join(out)


class _Writer:
    """Find the edits that turn the front matter ``text`` (its YAML nodes) into new data."""

    def __init__(self, text: str, root, data: dict):
        self.text = text
        self.root, self.data = root, data
        self._canonical: bool | None = None
        self.recount = any(c in text for c in _YAML_ONLY_BREAKS)
        self.starts: list[int] = []
        if self.recount:
            self.starts = [0] + [i + 1 for i, c in enumerate(text) if c == "\n"]
        # A file written in ASCII with escapes ("\u2019", PyYAML's default) keeps writing them.
        self.unicode = not (text.isascii() and _ESCAPE.search(text))
        self._lines: list[str] | None = None

    @property
    def lines(self) -> list[str]:
        if self._lines is None:
            self._lines = _lines(self.text)
        return self._lines

    @property
    def canonical(self) -> bool:
        """Tell whether the file writes its top-level values as the canonical dump does (wrapped at 80).

        Where it does not (quotes PyYAML would not write, long values kept on one line), a value on one line
        stays on one line however long it grows.
        """
        if self._canonical is None:
            self._canonical = all(
                not isinstance(value_node, yaml.ScalarNode)
                or "".join(self.lines[self.line(key_node.start_mark) : self.last_line(value_node) + 1])
                == fm.dump_fragment(self.data[key_node.value], key=key_node.value)
                for key_node, value_node in self.root.value
            )
        return self._canonical

    def line(self, mark) -> int:
        if not self.recount:
            return mark.line
        return bisect_right(self.starts, mark.index) - 1

    def last_line(self, node) -> int:
        """Return the last line holding ``node``'s text (a block collection's end mark is on the next line)."""
        while isinstance(node, yaml.MappingNode | yaml.SequenceNode) and not node.flow_style and node.value:
            node = node.value[-1][1] if isinstance(node, yaml.MappingNode) else node.value[-1]
        end = node.end_mark
        if end.index and self.text[end.index - 1] == "\n":
            return self.line(end) - 1 if not self.recount else bisect_right(self.starts, end.index - 1) - 1
        return self.line(end)

    def column(self, mark) -> int:
        return mark.index - self.text.rfind("\n", 0, mark.index) - 1

    # Mappings and lists are edited entry by entry.

    def mapping(self, node, old: dict, new: dict, edits: list[_Edit]) -> bool:
        """Add the edits that make block mapping ``node`` (holding ``old``) hold ``new``; False if it cannot."""
        if not isinstance(node, yaml.MappingNode) or node.flow_style or node.tag != fm._MAP or not new:
            return False
        pairs = node.value
        keys = []
        for key_node, _ in pairs:
            if not isinstance(key_node, yaml.ScalarNode) or key_node.tag != fm._STR or key_node.style:
                return False
            keys.append(key_node.value)
        if keys != list(old) or [k for k in old if k in new] != [k for k in new if k in old]:
            return False  # repeated keys, or reordered: no line-by-line edit says that
        column = self.column(pairs[0][0].start_mark)
        first_line = self.line(pairs[0][0].start_mark)
        # What stands before the first key on its line, such as a list item's "- ".
        lead = self.lines[first_line][:column] if first_line < len(self.lines) else ""
        spans = {}
        for index, (key_node, value_node) in enumerate(pairs):
            key = key_node.value
            first, last = self.line(key_node.start_mark), self.last_line(value_node)
            spans[key] = last
            if self.column(key_node.start_mark) != column:
                return False
            if key not in new:
                if index == 0 and lead.strip():
                    return False  # its line starts the item: the next key would have to take the "- "
                edits.append(_Edit(first, last + 1, ""))
                continue
            before, after = old[key], new[key]
            if _same(before, after):
                continue
            if isinstance(value_node, yaml.MappingNode) and type(before) is dict and type(after) is dict:
                nested: list[_Edit] = []
                if self.mapping(value_node, before, after, nested):
                    edits += nested
                    continue
            if isinstance(value_node, yaml.SequenceNode) and type(before) is list and type(after) is list:
                nested = []
                if self.sequence(value_node, before, after, nested):
                    edits += nested
                    continue
            written = self.pair(key, value_node, before, after, first, last, column, lead if index == 0 else "")
            if written is None:
                return False
            edits.append(_Edit(first, last + 1, written))
        previous = None
        for key, value in new.items():
            if key in spans:
                previous = key
                continue
            if not isinstance(key, str):
                return False
            if previous is None and lead.strip():
                return False  # before the first key of a list item: the "- " would have to move
            text = self.fresh(value, key=key, column=column)
            if text is None:
                return False
            at = spans[previous] + 1 if previous is not None else first_line
            edits.append(_Edit(at, at, text))
        return True

    def sequence(self, node, old: list, new: list, edits: list[_Edit]) -> bool:
        """Add the edits that make block list ``node`` (holding ``old``) hold ``new``; False if it cannot."""
        if not isinstance(node, yaml.SequenceNode) or node.flow_style or node.tag != fm._SEQ or not new:
            return False
        items = node.value
        dash = None
        firsts = []
        for item in items:
            first = self.line(item.start_mark)
            column = self.column(item.start_mark)
            lead = self.lines[first][:column]
            # An item starts its line: indentation, "-", spaces (a "-" alone on its line is not handled).
            if not lead.rstrip(" ").endswith("-") or lead.rstrip(" ")[:-1].strip(" "):
                return False
            here = len(lead.rstrip(" ")) - 1
            if dash is not None and here != dash:
                return False
            dash = here
            firsts.append(first)
        start, old_end, new_end = 0, len(old), len(new)
        while start < min(old_end, new_end) and _same(old[start], new[start]):
            start += 1
        while old_end > start and new_end > start and _same(old[old_end - 1], new[new_end - 1]):
            old_end, new_end = old_end - 1, new_end - 1
        if start == old_end and start == new_end:
            return True
        middle_old, middle_new = old[start:old_end], new[start:new_end]
        if len(middle_old) == len(middle_new):
            opcodes = [("replace", start, old_end, start, new_end)]
        else:
            matcher = difflib.SequenceMatcher(None, [_frozen(v) for v in middle_old], [_frozen(v) for v in middle_new])
            opcodes = [
                (tag, i1 + start, i2 + start, j1 + start, j2 + start) for tag, i1, i2, j1, j2 in matcher.get_opcodes()
            ]
        for tag, i1, i2, j1, j2 in opcodes:
            if tag == "equal":
                continue
            paired = min(i2 - i1, j2 - j1)
            for offset in range(paired):
                i, j = i1 + offset, j1 + offset
                if _same(old[i], new[j]):
                    continue
                if type(old[i]) is dict and type(new[j]) is dict:
                    nested: list[_Edit] = []
                    if self.mapping(items[i], old[i], new[j], nested):
                        edits += nested
                        continue
                written = self.item(items[i], old[i], new[j], firsts[i], self.last_line(items[i]), dash)
                if written is None:
                    return False
                edits.append(_Edit(firsts[i], self.last_line(items[i]) + 1, written))
            for i in range(i1 + paired, i2):
                edits.append(_Edit(firsts[i], self.last_line(items[i]) + 1, ""))
            if j2 - j1 > paired:
                at = self.last_line(items[i1 + paired - 1]) + 1 if paired else firsts[i1] if i1 < len(items) else None
                if at is None:
                    at = self.last_line(items[-1]) + 1
                texts = [self.fresh(value, column=dash) for value in new[j1 + paired : j2]]
                if any(text is None for text in texts):
                    return False
                edits.append(_Edit(at, at, "".join(texts)))
        return True

    # One value written in the style of the value it replaces.

    def pair(self, key, node, before, after, first: int, last: int, column: int, lead: str) -> str | None:
        """Return the new lines of ``key: after`` where ``key: before`` stood (lines first to last)."""
        old_text = "".join(self.lines[first : last + 1])
        suffix = ""
        if isinstance(node, yaml.ScalarNode) and node.style in ("", None, "'", '"') or _is_flow(node):
            # What follows the value on its last line, such as a comment, stays after it.
            end = node.end_mark.index
            line_end = self.text.find("\n", end)
            suffix = self.text[end : len(self.text) if line_end < 0 else line_end]
            old_text = old_text[: len(old_text) - len(suffix) - 1] + "\n" if old_text.endswith("\n") else old_text
        for options in self._styles(node, first == last, after):
            if self._writes(before, key, options, column, lead) != old_text:
                continue
            text = self._checked(after, key, options, column, lead)
            if text is not None:
                return _with_suffix(text, suffix, column)
        return self.fresh(after, key=key, column=column, lead=lead)

    def item(self, node, before, after, first: int, last: int, dash: int) -> str | None:
        """Return the new lines of a list item, in the style of the item it replaces."""
        lead = self.lines[first][:dash]
        old_text = "".join(self.lines[first : last + 1])
        for options in self._styles(node, first == last, after):
            if self._writes(before, None, options, dash, lead) != old_text:
                continue
            text = self._checked(after, None, options, dash, lead)
            if text is not None:
                return text
        return self.fresh(after, column=dash, lead=lead)

    def fresh(self, value, *, key=None, column: int, lead: str = "") -> str | None:
        """Return ``value`` (a ``key: value`` pair, or an item without a key) written canonically at ``column``."""
        return self._checked(value, key, _Options(None, False, None, self.unicode), column, lead)

    def _styles(self, node, one_line: bool, after):
        """Yield the ways of writing that the old value may have been written in, most canonical first."""
        style = node.style if isinstance(node, yaml.ScalarNode) and node.style in ("'", '"') else None
        flow = _is_flow(node)
        unicodes = (True,) if self.unicode else (False, True)
        if not one_line or self.canonical:
            widths = [None]
        elif type(after) is str and "\n" in after:
            widths = []  # on one line it would need quotes and escapes: written canonically
        else:
            widths = [-1]
        for width in widths:
            for quote in dict.fromkeys((None, style)):
                for unicode in unicodes:
                    yield _Options(quote, flow, width, unicode)

    def _writes(self, value, key, options: _Options, column: int, lead: str) -> str | None:
        try:
            text = fm.dump_fragment(value, key=key, **options.at(column))
        except yaml.YAMLError:
            return None
        return _indent(text, column, lead)

    def _checked(self, value, key, options: _Options, column: int, lead: str) -> str | None:
        """Return ``value`` written with ``options`` at ``column`` if it reads back as itself there, else None."""
        try:
            text = fm.dump_fragment(value, key=key, **options.at(column))
            back = fm.load(text)
        except (yaml.YAMLError, fm.FormatError):
            return None
        if not fm.same_data(back, [value] if key is None else {key: value}):
            return None
        # Every line after the first must be indented past the key, blank, or an item of a list at the key's
        # column (what PyYAML writes under a key): a line like "...", "---" or "other:" would end the value
        # there, or the front matter.
        if any(line.strip() and not line.startswith((" ", "- ")) and line != "-" for line in text.split("\n")[1:]):
            return None
        return _indent(text, column, lead)


@dataclass(frozen=True)
class _Options:
    style: str | None
    flow: bool
    width: int | None
    unicode: bool

    def at(self, column: int) -> dict:
        width = _width(column) if self.width is None else self.width
        return {"style": self.style, "flow": self.flow, "width": width, "unicode": self.unicode}


def _lines(text: str) -> list[str]:
    """Return the lines of ``text`` with their line breaks: only "\\n" ends a line (str.splitlines knows more)."""
    lines = [line + "\n" for line in text.split("\n")]
    lines[-1] = lines[-1][:-1]
    return lines if lines[-1] else lines[:-1]


def _width(column: int) -> int | None:
    """Return the width that wraps a value written at ``column`` where the canonical dump wraps it (80)."""
    return None if column == 0 else max(80 - column, 20)


def _indent(text: str, column: int, lead: str) -> str:
    """Return ``text`` (written at column 0) moved to ``column``, its first line starting with ``lead``."""
    if not column:
        return text
    pad = " " * column
    lines = text.split("\n")
    moved = [(lead.ljust(column) if i == 0 else pad) + line if line else line for i, line in enumerate(lines)]
    return "\n".join(moved)


def _with_suffix(text: str, suffix: str, column: int) -> str:
    if not suffix.strip():
        return text
    if text.count("\n") == 1:
        return text[:-1] + suffix + "\n"
    return " " * column + suffix.strip() + "\n" + text  # a comment after a value now on several lines


def _is_flow(node) -> bool:
    return isinstance(node, yaml.MappingNode | yaml.SequenceNode) and bool(node.flow_style)


def _same(a, b) -> bool:
    """Tell whether two values are the same data (fm.same_data), quickly for flat mappings of plain values."""
    kind = type(a)
    if kind is not type(b):
        return False
    if kind is dict:
        if a != b or list(a) != list(b):
            return False
        types = list(map(type, a.values()))
        if types == list(map(type, b.values())) and all(map(_EXACT.__contains__, types)):
            return True
    elif kind is list:
        return len(a) == len(b) and all(map(_same, a, b))
    return fm.same_data(a, b)


def _frozen(value):
    """Return a hashable stand-in for ``value`` that tells apart what same_data tells apart."""
    kind = type(value)
    if kind is dict:
        return (dict, tuple((_frozen(k), _frozen(v)) for k, v in value.items()))
    if kind in (list, tuple):
        return (kind, tuple(_frozen(v) for v in value))
    if kind is float:
        return (float, repr(value))
    try:
        hash(value)
    except TypeError:
        return (kind, repr(value))
    return (kind, value)
