"""Keeping the counts the episode list shows up to date (the warnings themselves are read by
:mod:`episodes.selectors.warnings`)."""

from __future__ import annotations

from ..documents.database import item_rows
from ..models import Episode
from ..selectors.warnings import episode_warnings, list_counts


def refresh_counts(*, episode: Episode, items=None, refs=None, guests=None) -> None:
    """Store the counts the episode list shows; pass rows already read to save the queries."""
    items = item_rows(episode, shown=True) if items is None else items
    warnings = episode_warnings(episode=episode, items=items, refs=refs, guests=guests)
    counts = list_counts(warnings=warnings, items=items)
    Episode.objects.filter(pk=episode.pk).update(**counts)
    for name, value in counts.items():
        setattr(episode, name, value)
