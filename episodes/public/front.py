"""The front matter keys without a column (an episode's ``extra``) as the public pages read them.

The keys themselves are parsed once per process by :func:`episodes.sync.parsed_extra`.
"""

from __future__ import annotations

import datetime

from django.utils.dateparse import parse_date, parse_duration


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
