"""The order a site writes its keys in, for files new to it: from its ``_template.md``, else from its files.

Pure (no Django). A site's template is not YAML (``{{ title }}`` placeholders), and its hundreds of files only
need their keys' order, so both are read line by line: a top-level key is a line ``key:`` at column 0, a list
item's keys are ``- key:`` and the lines ``  key:`` after it. The files' usual order is the one most of them
agree with, pair by pair.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from itertools import combinations

from . import frontmatter as fm

_TOP_KEY = re.compile(r"([A-Za-z_][\w-]*):(?:[ \t]|$)")
_ITEM_KEY = re.compile(r"(- |  )([A-Za-z_][\w-]*):(?:[ \t]|$)")


def front_lines(text: str) -> list[str]:
    """Return the lines between a file's opening '---' line and the next '---' line (all lines without one)."""
    lines = text.replace("\r\n", "\n").removeprefix("\ufeff").split("\n")
    if not lines or lines[0].rstrip() != "---":
        return []
    for end, line in enumerate(lines[1:], start=1):
        if line.rstrip() == "---":
            return lines[1:end]
    return lines[1:]


def file_keys(text: str) -> tuple[list[str], dict[str, list[list[str]]]]:
    """Return a file's top-level keys in order and, by key, the keys of each item of its lists of mappings."""
    keys: list[str] = []
    items: dict[str, list[list[str]]] = {}
    current = None
    for line in front_lines(text):
        match = _TOP_KEY.match(line)
        if match:
            keys.append(match.group(1))
            current = items.setdefault(match.group(1), [])
            continue
        match = _ITEM_KEY.match(line)
        if match and current is not None:
            if match.group(1) == "- ":
                current.append([match.group(2)])
            elif current:
                current[-1].append(match.group(2))
    return keys, {key: lists for key, lists in items.items() if lists}


def usual_order(orders: Iterable[list[str]]) -> list[str]:
    """Return every key of ``orders`` in the order most of them agree with, pair by pair.

    A key goes before another when more lists put it first than after (a key ahead of more keys comes
    earlier); keys no list decides between keep the order they were first met in.
    """
    ahead: Counter = Counter()
    seen: dict[str, int] = {}
    for order in orders:
        position = {}
        for key in order:
            position.setdefault(key, len(position))
            seen.setdefault(key, len(seen))
        for a, b in combinations(position, 2):
            ahead[a, b] += 1
    wins = Counter()
    for a, b in combinations(seen, 2):
        if ahead[a, b] > ahead[b, a]:
            wins[a] += 1
        elif ahead[b, a] > ahead[a, b]:
            wins[b] += 1
    return sorted(seen, key=lambda key: (-wins[key], seen[key]))


@dataclass
class SiteStyle:
    """How a site orders the keys of its files: the top level, and the items of each list of mappings."""

    keys: list[str] = field(default_factory=list)
    item_keys: dict[str, list[str]] = field(default_factory=dict)

    @classmethod
    def read(cls, template: str | None, files: Iterable[str]) -> SiteStyle:
        """Return the style of a site from its template's text (None: it has none) and its files' texts."""
        orders, item_orders = [], {}
        for text in files:
            keys, items = file_keys(text)
            orders.append(keys)
            for key, lists in items.items():
                item_orders.setdefault(key, []).extend(lists)
        usual = usual_order(orders)
        first = file_keys(template)[0] if template else []
        keys = list(dict.fromkeys(first + usual))
        return cls(keys=keys, item_keys={key: usual_order(lists) for key, lists in item_orders.items()})

    def arrange(self, doc: fm.Document) -> fm.Document:
        """Return ``doc`` with its keys in this order (keys the site never wrote after them, as they were)."""
        front = _ordered(doc.front, self.keys)
        for key, order in self.item_keys.items():
            value = front.get(key)
            if isinstance(value, list):
                front[key] = [_ordered(item, order) if isinstance(item, dict) else item for item in value]
        return fm.Document(front=front, body=doc.body, closing=doc.closing)

    def text(self, doc: fm.Document) -> str:
        """Return the canonical text of ``doc`` with the keys in this order."""
        return self.arrange(doc).render()


def _ordered(mapping: dict, order: list[str]) -> dict:
    rank = {key: index for index, key in enumerate(order)}
    last = len(rank)
    keys = sorted(mapping, key=lambda key: rank.get(key, last) if isinstance(key, str) else last)
    return {key: mapping[key] for key in keys}
