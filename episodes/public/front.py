"""The front matter keys without a column (an episode's ``extra``) as the public pages read them.

Parsing an episode's extra keys (description, intro, clips, ...) costs milliseconds, and the page's ETag
needs its topics on every request: each text is parsed once per process.
"""

from __future__ import annotations

import datetime
import functools

from django.utils.dateparse import parse_date, parse_duration

from .. import sync


@functools.lru_cache(maxsize=256)
def parsed_extra(text: str) -> dict:
    """Return an episode's ``extra`` YAML as data, the same object for the same text: callers must not change it."""
    return sync.load_extra(text)


def episode_topics(extra: dict) -> list[str]:
    """Return the ``topics`` front matter key: its non-empty strings, in order, each once."""
    topics = extra.get("topics")
    if not isinstance(topics, list):
        return []
    return list(dict.fromkeys(t.strip() for t in topics if isinstance(t, str) and t.strip()))


def front_date(value) -> datetime.date | None:
    """Return a front matter date: a YAML date, or a string in ISO form; None for anything else."""
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    try:
        return parse_date(value) if isinstance(value, str) else None
    except ValueError:
        return None


def episode_duration(extra: dict) -> int | None:
    """Return the ``duration`` front matter key (ISO 8601, e.g. PT01H24M57S) in seconds, if it is one."""
    value = extra.get("duration")
    delta = parse_duration(value) if isinstance(value, str) else None
    return int(delta.total_seconds()) if delta else None
