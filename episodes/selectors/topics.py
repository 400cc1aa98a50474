"""Reads of the curated topics: what the editor's topics field suggests."""

from __future__ import annotations

from ..models import Topic
from .checks import curated_topics


def topic_choices() -> list[tuple[str, list[str]]]:
    """Return the curated topics to suggest, each with its aliases: the Topic rows, else the site checkout's
    list (the same list the ``topics-curated`` rule checks against); none without either."""
    rows = list(Topic.objects.order_by("name").values_list("name", "aliases"))
    if rows:
        return [(name, list(aliases)) for name, aliases in rows]
    return [(name, []) for name in sorted(set((curated_topics() or {}).values()), key=str.casefold)]
