"""Addresses the old Jekyll site gave episodes, and which episode each now leads to."""

from __future__ import annotations

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

    One query. Renamed episodes (their earlier slugs) are looked up here too once slugs can change.
    """
    if not slugs:
        return None
    found = set(Episode.objects.published().filter(slug__in=slugs).values_list("slug", flat=True))
    return next((slug for slug in slugs if slug in found), None)
