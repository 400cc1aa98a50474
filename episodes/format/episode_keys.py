"""Rules for front matter keys the pages, the feeds and the warnings read: the title and description fallbacks,
dates and the duration. Pure: an episode here is anything with ``title``, ``short`` and ``slug``.

The keys themselves (an episode's ``extra``) are parsed once per process by
:func:`episodes.documents.database.parsed_extra`.
"""

from __future__ import annotations

import datetime

from django.utils.dateparse import parse_date, parse_duration


def public_title(episode) -> str:
    """Return what the public pages call an episode (or a row of one): its title, else its short title, else
    its slug."""
    return episode.title or episode.short or episode.slug


def episode_description(episode, extra: dict) -> str:
    """Return the markdown the pages and the feed describe an episode with: the first of its ``description``
    and ``intro`` keys, its short title and its title that is text and not blank."""
    texts = (extra.get("description"), extra.get("intro"), episode.short, episode.title)
    return next((text for text in texts if isinstance(text, str) and text.strip()), "")


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
