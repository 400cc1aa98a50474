"""A parsed file (:class:`Document`) and how two are compared: strictly, types, values and key order."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from .dumping import render


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


def same_document(a: Document, b: Document) -> bool:
    """Tell whether two documents hold the same data: strictly (== would take 1 for 1.0, and ignore key order)."""
    return same_data(a.front, b.front) and (a.body, a.closing) == (b.body, b.closing)


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
