"""Bulk fixes (:mod:`episodes.format.fixes`) applied to chosen episodes: previewed first, then one revision per
episode changed."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from ..documents.database import episode_extra
from ..format.chapters import CLIPS_KEY
from ..format.fixes import FIXES
from ..models import Episode
from .checks import episode_front
from .common import ServiceError
from .episode import episode_save

ERR_NO_FIX = "Choose a fix: {known}."
COLUMNS = {"title": "title", "short": "short"}


@dataclass
class FixChange:
    """One episode's change: each key with its values before and after, as lines to read."""

    episode: Episode
    values: dict = field(default_factory=dict)  # key → new value
    lines: list[tuple[str, str, str]] = field(default_factory=list)  # (key, before, after)


def _shown(key: str, value) -> list[str]:
    if key == CLIPS_KEY and isinstance(value, list):
        return [
            f"{c.get('name')} ({c.get('startOffset')}–{c.get('endOffset')})" if isinstance(c, dict) else str(c)
            for c in value
        ]
    if isinstance(value, list):
        return [str(v) for v in value]
    return [str(value)]


def _lines(key: str, before, after) -> list[tuple[str, str, str]]:
    """Return what changed under ``key``: the whole text, or each list entry that changed."""
    old, new = _shown(key, before), _shown(key, after)
    if not isinstance(before, list):
        return [(key, old[0], new[0])]
    lines = [(f"{key}[{i + 1}]", a, b) for i, (a, b) in enumerate(zip(old, new, strict=False)) if a != b]
    lines += [(f"{key}[{i + 1}]", a, "(removed)") for i, a in enumerate(old[len(new) :], len(new))]
    return lines + [(f"{key}[{i + 1}]", "(none)", b) for i, b in enumerate(new[len(old) :], len(old))]


def episodes_fix(*, episode_ids: Iterable[int], fix: str, user=None, dry_run: bool = False) -> list[FixChange]:
    """Apply the fix named ``fix`` to the episodes (one revision each); with ``dry_run``, only say what it
    would change."""
    if fix not in FIXES:
        raise ServiceError(ERR_NO_FIX.format(known=", ".join(FIXES)))
    changes = []
    for episode in Episode.objects.filter(pk__in=list(episode_ids)).order_by("slug").defer("source_text"):
        front = episode_front(episode)
        values = FIXES[fix].apply(front)
        if not values:
            continue
        change = FixChange(episode, values)
        for key, value in values.items():
            change.lines += _lines(key, front.get(key), value)
        changes.append(change)
        if not dry_run:
            fields = {COLUMNS[k]: v for k, v in values.items() if k in COLUMNS}
            extra = {**episode_extra(episode), **{k: v for k, v in values.items() if k not in COLUMNS}}
            episode_save(episode=episode, fields=fields, extra=extra, user=user)
    return changes
