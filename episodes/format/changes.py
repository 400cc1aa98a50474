"""Compare two versions of an episode or person file the way an editor reads them: field by field, turn by turn.

Pure (no Django): it works on what :mod:`episodes.format.frontmatter` parses, a front matter mapping and a body.
:func:`compare` returns typed :class:`Change` objects, each able to say itself in words ("turn 12 at 2:49:
speaker Alexey → Will Russell"), and the alignment of the two transcripts; :func:`align` pairs the items of
two lists, which the three-way merge of :mod:`episodes.format.merge` builds on.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Any

from . import frontmatter as fm

FIELD, TURN, SECTION, ITEM, LINK, BODY = "field", "turn", "section", "item", "link", "body"
ADDED, REMOVED, CHANGED, MOVED, RENAMED, REORDERED = "added", "removed", "changed", "moved", "renamed", "reordered"
TRANSCRIPT = "transcript"
TURN_PARTS = {"who": "speaker", "time": "time", "sec": "seconds", "line": "text"}
SHORT = 60  # characters of a value shown in a description
CONTEXT = 20  # characters shown before the first difference of a changed text


def _shown(value: Any) -> str:
    """Return a value whole on one line: strings quoted, lists of strings bracketed, others as YAML writes them."""
    if isinstance(value, str):
        return repr(value.replace("\n", "⏎ "))
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return "[" + ", ".join(value) + "]" if value else "[]"
    return " ".join(line.strip() for line in fm.dump(value).removesuffix("...\n").strip().splitlines())


def _quote(value: Any, limit: int = SHORT) -> str:
    """Return a value as a change list shows it: strings quoted and cut, other values as YAML writes them."""
    if isinstance(value, str):
        text = value.replace("\n", "⏎ ")
        return repr(text if len(text) <= limit else text[: limit - 1] + "…")
    text = _shown(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def window(old: str, new: str, width: int = SHORT) -> tuple[str, str]:
    """Return both sides of a text change cut to a window around where they differ ('…' where cut).

    Texts that both fit in ``width`` characters are whole. Otherwise each side starts a little before the
    first difference (at a word's start when one is near) and runs to a little after the last, at most
    ``width`` characters: the part that differs is always shown, on both sides.
    """
    if len(old) <= width and len(new) <= width:
        return old, new
    shorter = min(len(old), len(new))
    first = next((i for i in range(shorter) if old[i] != new[i]), shorter)
    same_end = 0
    while same_end < shorter - first and old[-1 - same_end] == new[-1 - same_end]:
        same_end += 1
    start = max(0, first - CONTEXT)
    if start:
        space = old.find(" ", start, first)
        start = space + 1 if space != -1 else start

    def cut(text: str) -> str:
        differs_to = max(len(text) - same_end, first)
        end = min(len(text), differs_to + CONTEXT, start + width)
        if end < len(text):
            space = text.rfind(" ", differs_to, end)
            end = space if space > differs_to else end
        return ("…" if start else "") + text[start:end] + ("…" if end < len(text) else "")

    return cut(old), cut(new)


def quoted_pair(old: str, new: str) -> tuple[str, str]:
    """Return both texts quoted as a change list shows them, cut to the window around where they differ."""
    before, after = window(old.replace("\n", "⏎ "), new.replace("\n", "⏎ "))
    return repr(before), repr(after)


def text_change(old: str, new: str) -> str:
    """Return "'old' → 'new'", both cut to the window around where they differ (:func:`window`)."""
    return " → ".join(quoted_pair(old, new))


def value_change(old: Any, new: Any) -> str:
    """Return "old → new" for any two values, each shown whole or cut to the window around where they differ."""
    if isinstance(old, str) and isinstance(new, str):
        return text_change(old, new)
    # Cut both sides around where their words differ: cut from the start, two long lists of clips or links
    # that differ in one url would read the same on both sides.
    return " → ".join(window(_shown(old), _shown(new)))


@dataclass(frozen=True)
class Change:
    """One difference between two versions of a file.

    ``kind`` is what changed (FIELD, TURN, SECTION, ITEM, LINK, BODY), ``action`` how (ADDED, REMOVED,
    CHANGED, MOVED, RENAMED, REORDERED); ``path`` points into the newer data (the older for removals),
    e.g. ``("ids", "youtube")`` or ``("transcript", 11)``; ``where`` names the place for an editor
    ("turn 12 at 2:49"); a changed turn lists its changed keys in ``parts`` as (key, old, new).
    """

    kind: str
    action: str
    path: tuple = ()
    old: Any = None
    new: Any = None
    where: str = ""
    parts: tuple = ()

    def describe(self) -> str:
        """Return the change in an editor's words."""
        if self.kind == TURN and self.action == CHANGED:
            said = []
            for key, old, new in self.parts:
                label = TURN_PARTS.get(key, str(key))
                if key == "line" and isinstance(old, str) and isinstance(new, str):
                    said.append(f"text {text_change(old, new)}")
                elif old is _MISSING:
                    said.append(f"{label} {_quote(new)} added")
                elif new is _MISSING:
                    said.append(f"{label} {_quote(old)} removed")
                elif isinstance(old, str) and isinstance(new, str) and key in ("who", "time"):
                    said.append(f"{label} {old or '–'} → {new or '–'}")
                else:
                    said.append(f"{label} {value_change(old, new)}")
            return f"{self.where}: " + "; ".join(said)
        if self.kind == TURN:
            item = self.new if self.action == ADDED else self.old
            return f"{self.where} {self.action}: {_turn_words(item)}"
        if self.kind == SECTION:
            if self.action == RENAMED:
                old, new = quoted_pair(self.old, self.new)
                return f"section {old} renamed to {new}"
            if self.action == MOVED:
                return f"section {_quote(self.new)} moved from {self.parts[0]} to {self.parts[1]}"
            return (
                f"section {_quote(self.new if self.action == ADDED else self.old)} {self.action} {self.where}".strip()
            )
        if self.kind == ITEM:
            return f"{self.where} {self.action}"
        if self.kind == LINK:
            if self.action == CHANGED:
                return f"link {self.where}: " + "; ".join(f"{k} {value_change(o, n)}" for k, o, n in self.parts)
            link = self.new if self.action == ADDED else self.old
            return f"link {self.action}: {_link_words(link)}"
        if self.kind == BODY:
            return f"{self.where or 'body text'} changed" + (f" ({self.parts[0]})" if self.parts else "")
        name = fm.path_text(self.path) if self.path else self.where
        if self.action == ADDED:
            return f"{name} added: {_quote(self.new)}"
        if self.action == REMOVED:
            return f"{name} removed (was {_quote(self.old)})"
        if self.action == REORDERED:
            return f"{name} reordered"
        return f"{name}: {value_change(self.old, self.new)}"

    __str__ = describe


def _turn_words(item) -> str:
    if isinstance(item, dict):
        who = item.get("who")
        text = item.get("line", "")
        return (f"{who}: " if isinstance(who, str) and who else "") + _quote(text if isinstance(text, str) else "")
    return _quote(item)


def _link_words(link: dict) -> str:
    return f"{_quote(link['text'])} <{link['url']}>" if link.get("text") else f"<{link['url']}>"


class _Missing:
    def __repr__(self) -> str:
        return "(none)"


_MISSING = _Missing()


@dataclass
class Comparison:
    """What changed between two versions: the changes in file order, and the transcripts' alignment.

    ``alignment`` pairs transcript item indexes (old, new): (i, j) for an item kept or changed,
    (i, None) for one removed, (None, j) for one added.
    """

    changes: list[Change]
    alignment: list[tuple[int | None, int | None]]

    def describe(self) -> list[str]:
        return [change.describe() for change in self.changes]

    def __bool__(self) -> bool:
        return bool(self.changes)


# -- aligning lists ---------------------------------------------------------------------------------


def hashable(value) -> Any:
    """Return a hashable stand-in for YAML data: equal data gives equal stand-ins (types included)."""
    kind = type(value)
    if kind is str:
        return value
    if kind is dict:
        return ("{", tuple((hashable(k), hashable(v)) for k, v in value.items()))
    if kind in (list, tuple):
        return ("[", tuple(hashable(v) for v in value))
    if kind is float:
        return ("f", repr(value))
    try:
        hash(value)
    except TypeError:
        return (kind.__name__, repr(value))
    return (kind.__name__, value)


def item_keys(item) -> tuple:
    """Return the keys :func:`align` tries for a transcript item, from exact to loose.

    Exact data; then the words (a turn whose speaker or time changed); then the kind and time (a turn
    whose words changed); then the kind alone. The turns place the sections: a header is matched only
    among the items left between matched turns (by its title, then as any header, a renamed one), so
    that a header moved past a turn reads as a section moved, not as that turn removed and added again.
    """
    if not isinstance(item, dict):
        return (hashable(item), ("raw", hashable(item)), ("raw",), ("raw",))
    if "header" in item:
        alone = object()  # equal to nothing: no match before the turns are matched
        return (alone, alone, ("header", hashable(item["header"])), ("header",))
    line = item.get("line")
    when = item.get("sec", item.get("time"))
    return (hashable(item), ("turn", hashable(line)), ("turn", hashable(when)), ("turn",))


def line_keys(line) -> tuple:
    return (line, ("line",))


def link_keys(link: dict) -> tuple:
    return (hashable(link), ("url", link["url"]), ("text", link["text"]), ("link",))


def align(old: list, new: list, keys=item_keys) -> list[tuple[int | None, int | None]]:
    """Pair the items of ``old`` and ``new``: (i, j) kept or changed, (i, None) removed, (None, j) added.

    Items equal under ``keys(item)[0]`` are matched first (longest common subsequence); in the stretches
    left between matches, the next, looser key is tried, and so on. Stretches still unmatched pair their
    items in order while they are of one kind, the first item of the loosest key (a turn whose words and
    time both changed).
    """
    old_keys = [keys(item) for item in old]
    new_keys = [keys(item) for item in new]
    levels = len(old_keys[0]) if old_keys else len(new_keys[0]) if new_keys else 0
    pairs: list[tuple[int | None, int | None]] = []

    def walk(i1: int, i2: int, j1: int, j2: int, level: int) -> None:
        if i1 == i2 or j1 == j2:
            pairs.extend((i, None) for i in range(i1, i2))
            pairs.extend((None, j) for j in range(j1, j2))
            return
        if level == levels:
            _pair_in_order(i1, i2, j1, j2)
            return
        a = [k[level] for k in old_keys[i1:i2]]
        b = [k[level] for k in new_keys[j1:j2]]
        matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
        for tag, a1, a2, b1, b2 in matcher.get_opcodes():
            if tag == "equal":
                pairs.extend(zip(range(i1 + a1, i1 + a2), range(j1 + b1, j1 + b2), strict=True))
            else:
                walk(i1 + a1, i1 + a2, j1 + b1, j1 + b2, level + 1)

    def _pair_in_order(i1, i2, j1, j2):
        i, j = i1, j1
        while i < i2 and j < j2 and old_keys[i][-1][0] == new_keys[j][-1][0]:
            pairs.append((i, j))
            i, j = i + 1, j + 1
        pairs.extend((k, None) for k in range(i, i2))
        pairs.extend((None, k) for k in range(j, j2))

    walk(0, len(old), 0, len(new), 0)
    return pairs


# -- comparing documents ----------------------------------------------------------------------------


def compare(old: fm.Document, new: fm.Document) -> Comparison:
    """Return the changes from ``old`` to ``new``: front matter keys, transcript, links, body text."""
    changes: list[Change] = []
    old_items = old.front.get(TRANSCRIPT)
    new_items = new.front.get(TRANSCRIPT)
    transcripts = isinstance(old_items, list) and isinstance(new_items, list)
    changes += compare_mappings(old.front, new.front, skip={TRANSCRIPT} if transcripts else set())
    alignment: list = []
    if transcripts:
        alignment = align(old_items, new_items)
        changes += transcript_changes(old_items, new_items, alignment)
    changes += body_changes(old.body, new.body)
    if old.closing != new.closing:
        changes.append(Change(FIELD, CHANGED, old=old.closing, new=new.closing, where="closing '---' line"))
    return Comparison(changes, alignment)


def compare_mappings(old: dict, new: dict, *, path: tuple = (), skip=frozenset()) -> list[Change]:
    """Return the changes of keys between two mappings; nested mappings are compared key by key."""
    changes = []
    for key in [*new, *(k for k in old if k not in new)]:
        if key in skip:
            continue
        here = (*path, key)
        if key not in old:
            changes.append(Change(FIELD, ADDED, here, new=new[key]))
        elif key not in new:
            changes.append(Change(FIELD, REMOVED, here, old=old[key]))
        elif type(old[key]) is dict and type(new[key]) is dict:
            changes += compare_mappings(old[key], new[key], path=here)
        elif not fm.same_data(old[key], new[key]):
            changes.append(Change(FIELD, CHANGED, here, old=old[key], new=new[key]))
    common_old = [k for k in old if k in new]
    common_new = [k for k in new if k in old]
    if common_old != common_new:
        changes.append(Change(FIELD, REORDERED, path, where="front matter keys" if not path else ""))
    return changes


def _is_header(item) -> bool:
    return isinstance(item, dict) and "header" in item


def _is_turn(item) -> bool:
    return isinstance(item, dict) and "header" not in item


def turn_place(items: list, index: int) -> str:
    """Return "turn 12 at 2:49" for the item at ``index`` (numbered as the editor numbers its rows)."""
    item = items[index]
    time = item.get("time") if isinstance(item, dict) else None
    return f"turn {index + 1}" + (f" at {time}" if isinstance(time, str) and time else "")


def header_place(items: list, index: int) -> str:
    """Return where a header at ``index`` stands: "before turn 5 at 0:40", or "at the end"."""
    for after in range(index + 1, len(items)):
        if _is_turn(items[after]):
            return "before " + turn_place(items, after)
    return "at the end"


def transcript_changes(old: list, new: list, alignment: list) -> list[Change]:
    """Return per-turn and per-section changes along ``alignment``; a header removed and added again moved."""
    changes = []
    removed_headers = {}
    added_headers = {}
    for i, j in alignment:
        if i is not None and j is not None:
            a, b = old[i], new[j]
            if fm.same_data(a, b):
                continue
            if _is_header(a) and _is_header(b) and set(a) == set(b) == {"header"}:
                changes.append(Change(SECTION, RENAMED, (TRANSCRIPT, j), a["header"], b["header"]))
            elif _is_turn(a) and _is_turn(b):
                parts = tuple(
                    (key, a.get(key, _MISSING), b.get(key, _MISSING))
                    for key in [*b, *(k for k in a if k not in b)]
                    if key not in a or key not in b or not fm.same_data(a[key], b[key])
                )
                if parts:
                    changes.append(Change(TURN, CHANGED, (TRANSCRIPT, j), a, b, turn_place(new, j), parts))
                else:  # only the keys' order
                    changes.append(Change(ITEM, CHANGED, (TRANSCRIPT, j), a, b, turn_place(new, j)))
            else:
                changes.append(Change(ITEM, CHANGED, (TRANSCRIPT, j), a, b, f"item {j + 1}"))
        elif j is not None:
            item = new[j]
            if _is_header(item):
                added_headers.setdefault(hashable(item), []).append((j, len(changes)))
                changes.append(Change(SECTION, ADDED, (TRANSCRIPT, j), new=item["header"], where=header_place(new, j)))
            elif _is_turn(item):
                changes.append(Change(TURN, ADDED, (TRANSCRIPT, j), new=item, where=turn_place(new, j)))
            else:
                changes.append(Change(ITEM, ADDED, (TRANSCRIPT, j), new=item, where=f"item {j + 1}"))
        else:
            item = old[i]
            if _is_header(item):
                removed_headers.setdefault(hashable(item), []).append((i, len(changes)))
                changes.append(Change(SECTION, REMOVED, (TRANSCRIPT, i), old=item["header"]))
            elif _is_turn(item):
                changes.append(Change(TURN, REMOVED, (TRANSCRIPT, i), old=item, where=turn_place(old, i)))
            else:
                changes.append(Change(ITEM, REMOVED, (TRANSCRIPT, i), old=item, where=f"item {i + 1}"))
    # A header removed in one place and added in another is a section that moved.
    dropped = set()
    for key, removals in removed_headers.items():
        for (i, at_removed), (j, at_added) in zip(removals, added_headers.get(key, []), strict=False):
            title = old[i]["header"]
            changes[at_added] = Change(
                SECTION, MOVED, (TRANSCRIPT, j), title, title, parts=(header_place(old, i), header_place(new, j))
            )
            dropped.add(at_removed)
    return [change for n, change in enumerate(changes) if n not in dropped]


def link_dicts(body: fm.Body) -> list[dict]:
    return [{"text": k.text, "url": k.url, "marker": k.marker, "new_tab": k.new_tab} for k in body.links]


def body_changes(old: str, new: str) -> list[Change]:
    """Return the changes of the body: its links one by one, and its free text."""
    if old == new:
        return []
    a, b = fm.split_body(old), fm.split_body(new)
    if not (a.has_list and b.has_list):
        return [Change(BODY, CHANGED, ("body",), old, new, "body text", (_line_counts(old, new),))]
    changes = []
    if a.before != b.before:
        changes.append(Change(BODY, CHANGED, ("body",), a.before, b.before, "text before the links"))
    old_links, new_links = link_dicts(a), link_dicts(b)
    for i, j in align(old_links, new_links, link_keys):
        if i is None:
            changes.append(Change(LINK, ADDED, ("links", j), new=new_links[j]))
        elif j is None:
            changes.append(Change(LINK, REMOVED, ("links", i), old=old_links[i]))
        elif old_links[i] != new_links[j]:
            x, y = old_links[i], new_links[j]
            parts = tuple((k, x[k], y[k]) for k in x if x[k] != y[k])
            where = _quote(y["text"]) if y["text"] else f"<{y['url']}>"
            changes.append(Change(LINK, CHANGED, ("links", j), x, y, where, parts))
    if a.after != b.after:
        changes.append(Change(BODY, CHANGED, ("body",), a.after, b.after, "text after the links"))
    return changes


def _line_counts(old: str, new: str) -> str:
    matcher = difflib.SequenceMatcher(None, old.splitlines(), new.splitlines(), autojunk=False)
    added = removed = 0
    for tag, a1, a2, b1, b2 in matcher.get_opcodes():
        if tag != "equal":
            removed, added = removed + a2 - a1, added + b2 - b1
    return f"+{added} −{removed} lines"
