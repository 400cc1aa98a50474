"""Merge three versions of an episode or person file by field, not by line. Pure (no Django).

``base`` is the file as last pulled, ``ours`` what the CMS would write now, ``theirs`` the file upstream.
Each front matter key merges on its own (mappings such as ``ids`` key by key), the transcript item by item
and each item field by field (along :func:`episodes.format.changes.align`), the body's links link by link, and the
free body text line by line. A change on one side only is taken; the same change on both sides once; two
different changes to the same thing are a :class:`Conflict`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from . import changes
from . import frontmatter as fm

OURS, THEIRS = "ours", "theirs"
MISSING = changes._MISSING


def _same(a, b) -> bool:
    if a is MISSING or b is MISSING:
        return a is b
    return fm.same_data(a, b)


def _shown(value) -> str:
    if value is MISSING:
        return "nothing"
    if isinstance(value, list) and value and not all(isinstance(v, str) for v in value):
        return (
            f"{len(value)} item{'s' if len(value) != 1 else ''}: "
            + "; ".join(changes._turn_words(v) if isinstance(v, dict) else changes._quote(v) for v in value[:3])
            + ("; …" if len(value) > 3 else "")
        )
    if isinstance(value, dict) and ("line" in value or "header" in value):
        return changes._turn_words(value) if "line" in value else f"section {changes._quote(value['header'])}"
    return changes._quote(value)


def conflict_words(where: str, base, ours, theirs) -> str:
    """Return a conflict in words, two texts cut to the window around where they differ (the base likewise)."""
    if isinstance(ours, str) and isinstance(theirs, str):
        shown_ours, shown_theirs = changes.quoted_pair(ours, theirs)
    else:
        shown_ours, shown_theirs = _shown(ours), _shown(theirs)
    if base is MISSING:
        was = ""
    elif isinstance(base, str) and isinstance(ours, str) and len(base) > changes.SHORT:
        was = f" (was {changes.quoted_pair(base, ours)[0]})"
    else:
        was = f" (was {_shown(base)})"
    return f"{where}: the CMS has {shown_ours}, the site has {shown_theirs}{was}"


@dataclass(frozen=True)
class Conflict:
    """The same thing changed differently on both sides: where, and its three values (MISSING: absent)."""

    path: tuple
    where: str
    base: Any
    ours: Any
    theirs: Any

    def describe(self) -> str:
        return conflict_words(self.where, self.base, self.ours, self.theirs)

    __str__ = describe

    def as_yaml(self) -> dict:
        """Return where, and the three values as YAML text, for keeping and showing side by side ('' for absent)."""
        values = {"base": self.base, "ours": self.ours, "theirs": self.theirs}
        return {"where": self.where, **{name: yaml_text(value) for name, value in values.items()}}


def yaml_text(value) -> str:
    """Return a value as YAML text to show ('' for absent): a string as it is, anything else as YAML writes it."""
    if value is MISSING:
        return ""
    if isinstance(value, str):
        return value
    return fm.dump(value).removesuffix("...\n")


@dataclass
class Merged:
    """The merged file, with each conflict settled for the preferred side, and the conflicts found."""

    doc: fm.Document
    conflicts: list[Conflict]


def merge(base: fm.Document | None, ours: fm.Document, theirs: fm.Document, *, prefer: str = OURS) -> Merged:
    """Merge ``ours`` and ``theirs`` from ``base`` (None when unknown: every difference is a conflict)."""
    merger = _Merger(prefer)
    base = base or fm.Document(front={}, body="", closing=MISSING)
    front = merger.mapping(base.front, ours.front, theirs.front, (), top=True)
    body = merger.body(base.body, ours.body, theirs.body)
    closing = merger.value(base.closing, ours.closing, theirs.closing, ("closing",), "the closing '---' line")
    return Merged(fm.Document(front=front, body=body, closing=closing), merger.conflicts)


def key_order(base: list, ours: list, theirs: list, present) -> list:
    """Return the merged keys' order: the side that reordered wins (ours if both), additions after their neighbour."""
    if [k for k in base if k in ours] == [k for k in ours if k in base]:
        primary, secondary = theirs, ours
    else:
        primary, secondary = ours, theirs
    order = [k for k in primary if k in present]
    placed = set(order)
    for n, key in enumerate(secondary):
        if key in present and key not in placed:
            at = next((order.index(prev) + 1 for prev in reversed(secondary[:n]) if prev in placed), 0)
            order.insert(at, key)
            placed.add(key)
    return order + [k for k in present if k not in placed]


class _Merger:
    def __init__(self, prefer: str):
        self.prefer = prefer
        self.conflicts: list[Conflict] = []

    def conflict(self, path, where, base, ours, theirs):
        self.conflicts.append(Conflict(path, where, base, ours, theirs))
        return ours if self.prefer == OURS else theirs

    def value(self, b, o, t, path: tuple, where: str = ""):
        """Merge one value; two mappings merge key by key."""
        if _same(o, t):
            return o
        if _same(b, o):
            return t
        if _same(b, t):
            return o
        if type(o) is dict and type(t) is dict and (b is MISSING or type(b) is dict):
            return self.mapping({} if b is MISSING else b, o, t, path, where=where)
        return self.conflict(path, where or fm.path_text(path), b, o, t)

    def mapping(self, b: dict, o: dict, t: dict, path: tuple, *, top: bool = False, where: str = "") -> dict:
        merged = {}
        for key in dict.fromkeys([*o, *t, *b]):
            here = (*path, key)
            values = b.get(key, MISSING), o.get(key, MISSING), t.get(key, MISSING)
            if top and key == changes.TRANSCRIPT and all(v is MISSING or type(v) is list for v in values):
                value = self.transcript(*(([] if v is MISSING else v) for v in values))
            else:
                label = f"{where} ({changes.TURN_PARTS.get(key, key)})" if where else ""
                value = self.value(*values, here, label)
            if value is not MISSING:
                merged[key] = value
        return {key: merged[key] for key in key_order(list(b), list(o), list(t), merged)}

    def items(self, b: list, o: list, t: list, *, path: tuple, keys, place, item) -> list:
        """Merge lists along their alignments with ``b``; ``item`` merges one element changed on both sides."""
        o_of, o_added = _index(changes.align(b, o, keys))
        t_of, t_added = _index(changes.align(b, t, keys))
        out: list = []

        def gap(after: int) -> None:
            mine, theirs = [o[j] for j in o_added.get(after, ())], [t[j] for j in t_added.get(after, ())]
            if not mine or _same(mine, theirs):
                out.extend(theirs)
            elif not theirs:
                out.extend(mine)
            else:
                where = f"added after {place(b, after)}" if after >= 0 else "added at the start"
                out.extend(self.conflict((*path, len(out)), where, MISSING, mine, theirs))

        gap(-1)
        for i, base_item in enumerate(b):
            j, k = o_of[i], t_of[i]
            if j is None and k is not None and not _same(base_item, t[k]):
                kept = self.conflict((*path, len(out)), place(b, i) + " (deleted in the CMS)", base_item, MISSING, t[k])
                out.extend([] if kept is MISSING else [kept])
            elif k is None and j is not None and not _same(base_item, o[j]):
                kept = self.conflict(
                    (*path, len(out)), place(b, i) + " (deleted on the site)", base_item, o[j], MISSING
                )
                out.extend([] if kept is MISSING else [kept])
            elif j is not None and k is not None:
                out.append(item(base_item, o[j], t[k], (*path, len(out)), place(o, j)))
            gap(i)
        return out

    def transcript(self, b: list, o: list, t: list) -> list:
        # An item on both sides merges as any value does: field by field when all three are mappings.
        return self.items(
            b, o, t, path=(changes.TRANSCRIPT,), keys=changes.item_keys, place=item_place, item=self.value
        )

    def body(self, b: str, o: str, t: str) -> str:
        if o == t or b == t:
            return o
        if b == o:
            return t
        parts = [fm.split_body(text) for text in (b, o, t)]
        if not all(part.has_list for part in parts):
            return self.text(b, o, t, "body text")
        before = self.text(*(p.before for p in parts), "text before the links")
        after = self.text(*(p.after for p in parts), "text after the links")
        links = self.items(
            *(changes.link_dicts(p) for p in parts),
            path=("links",),
            keys=changes.link_keys,
            place=lambda links, i: f"link {changes._link_words(links[i])}",
            item=lambda base, ours, theirs, path, where: self.mapping(base, ours, theirs, path, where=where),
        )
        if links:
            before = fm.with_links_header(before)
        return fm.Body(before, [fm.Link(**link) for link in links], after, True).render()

    def text(self, b: str, o: str, t: str, where: str) -> str:
        """Merge free text line by line (a change to the same line on both sides is a conflict)."""
        if o == t or b == t:
            return o
        if b == o:
            return t
        lines = self.items(
            *(text.splitlines(keepends=True) for text in (b, o, t)),
            path=("body",),
            keys=changes.line_keys,
            place=lambda lines, i: f"{where}, line {i + 1}",
            item=lambda base, ours, theirs, path, at: self.value(base, ours, theirs, path, at),
        )
        return "".join(lines)


def item_place(items: list, index: int) -> str:
    item = items[index]
    if isinstance(item, dict) and "header" in item:
        return f"section {changes._quote(item['header'])}"
    if isinstance(item, dict):
        return changes.turn_place(items, index)
    return f"item {index + 1}"


def _index(alignment) -> tuple[dict[int, int | None], dict[int, list[int]]]:
    """Return {base index: other index or None} and {base index before a gap: other indexes added there}."""
    matched: dict[int, int | None] = {}
    added: dict[int, list[int]] = {}
    last = -1
    for i, j in alignment:
        if i is None:
            added.setdefault(last, []).append(j)
        else:
            matched[i] = j
            last = i
    return matched, added
