"""Addresses the old Jekyll site gave episodes, and which episode each now leads to."""

from __future__ import annotations

from django.db.models import Q

from ..models import Episode

OLD_SUFFIX = ".html"


def old_episode_slugs(tail: str) -> list[str]:
    """Return the slugs an old address's tail after ``/podcast/`` may name, most likely first.

    The site served ``<slug>.html``, and ``<slug>`` and ``<slug>/`` reached the same page; a slug may
    itself end in ".html" (``/podcast/v1.html.html``), so the tail as it is comes second.
    """
    tail = tail.removesuffix("/")
    if not tail or "/" in tail:
        return []
    stripped = tail.removesuffix(OLD_SUFFIX)
    return list(dict.fromkeys(slug for slug in (stripped, tail) if slug))


def episode_at_old_address(slugs: list[str]) -> str | None:
    """Return the slug of the published episode the old site knew by the first of ``slugs`` that names one.

    An episode named so today comes first; else one renamed from it (its ``EpisodeRedirect``). One query.
    """
    if not slugs:
        return None
    known = Q(slug__in=slugs) | Q(old_slugs__old__in=slugs)
    rows = Episode.objects.published().filter(known).values_list("slug", "old_slugs__old")
    current, renamed = set(), {}
    for slug, old in rows:
        current.add(slug)
        if old:
            renamed[old] = slug
    for wanted in slugs:
        if wanted in current:
            return wanted
        if wanted in renamed:
            return renamed[wanted]
    return None
