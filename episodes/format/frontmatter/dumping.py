"""Write front matter: the canonical YAML text (long lists cut into remembered items), the whole file, fragments."""

from __future__ import annotations

import datetime

import yaml

from .codec import _MAP, _SEQ, Dumper

OPENING = "---\n"


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


def render(front: dict, body: str, closing: str = "---") -> str:
    """Return the whole file text for ``front`` and ``body``.

    A parsed body is empty or starts with the closing line's line break; a body typed without one would
    run into the closing ``---`` and leave the front matter unclosed, so it starts on a line of its own.
    """
    if body and not body.startswith("\n"):
        body = "\n" + body
    return OPENING + dump(front) + closing + body


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
