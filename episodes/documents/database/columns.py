"""Which front matter keys have a column (a value goes there only when it fits), the other keys kept as YAML.

A key or value without a column is kept with its YAML type in the row's ``extra`` text; ``front_keys`` keeps
the file's key order, so the export writes the keys back where they were.
"""

from __future__ import annotations

import functools

from django.db import models

from ...format import frontmatter as fm
from ...models import Episode, TranscriptItem

EPISODE_COLUMNS = {"title": "title", "short": "short", "season": "season", "episode": "number", "image": "image"}
PERSON_COLUMNS = {
    "short": "short",
    "title": "name",
    "picture": "picture",
    "github": "github",
    "twitter": "twitter",
    "linkedin": "linkedin",
    "web": "web",
    "bio_short": "bio_short",
}
PLATFORM_MAPPINGS = ("ids", "links")
ITEM_TEXT_KEY = {TranscriptItem.Kind.HEADER: "header", TranscriptItem.Kind.TURN: "line"}
ITEM_COLUMNS = ("who", "sec", "time")
_INT_RANGE = range(-(2**31), 2**31)


@functools.cache
def _column_accepts(model: type[models.Model], attr: str):
    """Return a predicate telling whether a YAML value can live in ``model.attr`` unchanged."""
    column = model._meta.get_field(attr)
    if isinstance(column, models.IntegerField):
        return lambda value: fm.is_int(value) and value in _INT_RANGE
    limit = column.max_length
    # PostgreSQL text cannot hold NUL characters.
    return lambda value: isinstance(value, str) and "\x00" not in value and (limit is None or len(value) <= limit)


def fits(model: type[models.Model], attr: str, value) -> bool:
    return _column_accepts(model, attr)(value)


def _is_json_key(key) -> bool:
    # PostgreSQL's jsonb refuses the NUL character even escaped, as \u0000.
    return type(key) is str and "\x00" not in key


def encode_key(key):
    """Return ``key`` as JSON can hold it: strings as they are, other YAML keys as YAML text."""
    return key if _is_json_key(key) else {"yaml": fm.dump(key)}


def decode_key(key):
    return key if isinstance(key, str) else fm.load(key["yaml"])


def dump_extra(extra: dict, doc: fm.Document | None = None) -> str:
    """Return the YAML text of ``extra``; a value it cannot keep is refused at its key's line in ``doc``."""
    try:
        return fm.dump_checked(extra) if extra else ""
    except fm.FormatError as exc:
        if doc is None:
            raise
        # Only on refusal: find which key it was, to point the editor at it.
        key = next(k for k, v in extra.items() if _refused({k: v}))
        raise fm.error_at(doc, (key,), exc.message) from None


def _refused(data) -> bool:
    try:
        fm.dump_checked(data)
    except fm.FormatError:
        return True
    return False


def load_extra(text: str) -> dict:
    return fm.load(text) if text else {}


def parsed_extra(text: str) -> dict:
    """Return an ``extra`` YAML text as data, parsed once per process: the same object for the same text.

    Treat it as read-only (copy it to change it): the editor, every edit and the public pages' ETags read
    an episode's other keys on each request, and parsing them costs milliseconds.
    """
    data = _PARSED_EXTRA.pop(text, None)
    if data is None:
        data = load_extra(text)
    _remember_extra(text, data)
    return data


# Most recently used last, at most PARSED_EXTRA_MAX texts.
_PARSED_EXTRA: dict[str, dict] = {}
PARSED_EXTRA_MAX = 256


def _remember_extra(text: str, data: dict) -> None:
    _PARSED_EXTRA[text] = data
    if len(_PARSED_EXTRA) > PARSED_EXTRA_MAX:
        del _PARSED_EXTRA[next(iter(_PARSED_EXTRA))]


def episode_extra(episode: Episode) -> dict:
    """Return the episode's other keys (read-only: see :func:`parsed_extra`)."""
    return parsed_extra(episode.extra)


def _ordered(front_keys: list, present: dict, extra: dict) -> dict:
    """Return the front matter: the stored key order, then keys filled in since, in a sorted place if sorted."""
    keys = [decode_key(k) for k in front_keys]
    known = set(keys)
    added = [k for k in present if k not in known]
    # Other keys added since the file was read (a duration, clips): before the transcript, as the site has them.
    new_extra = [k for k in extra if k not in known and k not in present]
    if added or new_extra:
        if all(isinstance(k, str) for k in [*keys, *added, *new_extra]) and keys == sorted(keys):
            keys = sorted(keys + added + new_extra)
        else:
            at = keys.index("transcript") if "transcript" in known else len(keys)
            keys = keys[:at] + new_extra + keys[at:] + added
    data = {}
    for key in keys:
        if key in extra:
            data[key] = extra[key]
        elif key in present:
            data[key] = present[key]
    return data
