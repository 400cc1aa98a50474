"""Bulk fixes (:mod:`episodes.format.fixes`) applied to chosen episodes: previewed first, then one revision per
episode changed, each refused when the episode was saved since the preview (the others go on).

Rebuilding the clips from the sections is the intake's rule (:func:`.intake.clips_rebuild`), called as it is.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from ..documents.database import dump_extra, episode_extra
from ..format import fixes
from ..format.chapters import CLIPS_KEY
from ..format.fixes import FIXES
from ..models import Episode, TranscriptItem
from ..results import REFUSED, UNCHANGED, UPDATED
from ..selectors.checks import episode_front
from .editing import ServiceError, StaleEpisode, close_gaps, editing, items
from .intake import clips_rebuild
from .transcript import ItemEdit, apply_edits

CLIPS_REBUILD = "clips-rebuild"
# Every fix the editors choose from: the pure ones, then the rebuild of the clips.
CHOICES = {
    **{name: fix.label for name, fix in FIXES.items()},
    CLIPS_REBUILD: "Clips: rebuild from the sections (one clip per section, named as its header)",
}
ERR_NO_FIX = "Choose a fix: {known}."
MSG_FIXED = "fixed (one revision)"
MSG_STALE = "saved since the preview (by {by}): not fixed, preview again"
COLUMNS = {"title": "title", "short": "short"}
ITEM_ROW = ("pk", "position", "kind", "text", "who", "sec")


@dataclass
class FixChange:
    """One episode's change: each key with its values before and after, as lines to read; once applied, its
    status (updated, unchanged or refused) and what was done, in words."""

    episode: Episode
    values: dict = field(default_factory=dict)  # key → new value
    lines: list[tuple[str, str, str]] = field(default_factory=list)  # (key, before, after)
    items: fixes.ItemFix = field(default_factory=fixes.ItemFix)
    version: int | None = None  # the version the preview read
    status: str = ""
    message: str = ""

    def __str__(self) -> str:
        return f"{self.episode.slug}: {self.message or self.status}"


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


def _item_lines(rows: list[tuple], change: fixes.ItemFix) -> list[tuple[str, str, str]]:
    lines = []
    for _pk, position, kind, text, who, _sec in rows:
        where = "section header" if kind == TranscriptItem.Kind.HEADER else f"turn ({who or 'no speaker'})"
        if position in change.texts:
            lines.append((f"{where} at item {position + 1}", text, change.texts[position]))
        elif position in change.drop:
            lines.append((f"{where} at item {position + 1}", text, "(removed)"))
    return lines


def _rows(episode: Episode) -> list[tuple]:
    return list(items(episode).order_by("position").values_list(*ITEM_ROW))


def _change(episode: Episode, fix: str) -> FixChange | None:
    """Return what ``fix`` would change in ``episode`` (None: nothing)."""
    front = episode_front(episode)
    if fix == CLIPS_REBUILD:
        result = clips_rebuild(episode=episode, dry_run=True)
        if result.status == UNCHANGED:
            return None
        change = FixChange(episode, {CLIPS_KEY: result.clips}, version=result.seen_version)
        change.lines = _lines(CLIPS_KEY, front.get(CLIPS_KEY) or [], result.clips)
        change.lines += [("note", "", note) for note in result.notes]
        return change
    values = FIXES[fix].apply(front)
    rows = _rows(episode) if FIXES[fix].of_items else []
    item_change = FIXES[fix].items([row[1:] for row in rows])
    if not values and not item_change:
        return None
    change = FixChange(episode, values, items=item_change, version=episode.version)
    for key, value in values.items():
        change.lines += _lines(key, front.get(key), value)
    change.lines += _item_lines(rows, item_change)
    return change


def _known(fix: str) -> None:
    if fix not in CHOICES:
        raise ServiceError(ERR_NO_FIX.format(known=", ".join(CHOICES)))


def episode_fix(*, episode: Episode, fix: str, user=None, version: int | None = None) -> FixChange | None:
    """Apply ``fix`` to ``episode`` as one revision; return what changed (None: nothing to fix).

    ``version`` is the version the preview read: a different current version raises StaleEpisode.
    """
    _known(fix)
    if fix == CLIPS_REBUILD:
        result = clips_rebuild(episode=episode, user=user, version=version)
        if result.status == UNCHANGED:
            return None
        return FixChange(episode, {CLIPS_KEY: result.clips}, version=version)
    with editing(episode=episode, user=user, version=version, summary=f"fixed: {CHOICES[fix]}") as edit:
        change = _change(edit.episode, fix)
        if change is None:
            edit.cancel = True
            return None
        _write(edit.episode, change)
    return change


def _write(episode: Episode, change: FixChange) -> None:
    """Write a fix's values and item changes (inside ``editing``)."""
    values, columns = change.values, []
    for key, value in values.items():
        if key in COLUMNS:
            setattr(episode, COLUMNS[key], value)
            columns.append(COLUMNS[key])
    extra = {**episode_extra(episode), **{k: v for k, v in values.items() if k not in COLUMNS}}
    if extra != episode_extra(episode):
        episode.extra = dump_extra(extra)
        columns.append("extra")
    if columns:
        episode.save(update_fields=columns)
    if change.items.texts:
        pks = dict(items(episode).filter(position__in=list(change.items.texts)).values_list("position", "pk"))
        apply_edits(episode, {pks[position]: ItemEdit(text=text) for position, text in change.items.texts.items()})
    if change.items.drop:
        dropped = sorted(change.items.drop)
        items(episode).filter(position__in=dropped).delete()
        close_gaps(episode, dropped)


def episodes_fix(
    *,
    fix: str,
    episode_ids: Iterable[int] | None = None,
    versions: dict[int, int] | None = None,
    user=None,
    dry_run: bool = False,
    progress: Callable[[FixChange], None] | None = None,
) -> list[FixChange]:
    """Apply the fix named ``fix`` to the episodes (one revision each); with ``dry_run``, only say what it
    would change (each change with the version it read).

    ``versions`` (id → the version the preview read) chooses the episodes instead of ``episode_ids``: one saved
    since is refused and reported, the others go on. ``progress`` is told of each episode once applied.
    """
    _known(fix)
    ids = list(versions) if versions is not None else list(episode_ids or ())
    episodes = Episode.objects.filter(pk__in=ids).order_by("slug").defer("source_text")
    if dry_run:
        return [change for episode in episodes if (change := _change(episode, fix)) is not None]
    done = []
    for episode in episodes:
        version = versions.get(episode.pk) if versions is not None else None
        try:
            change = episode_fix(episode=episode, fix=fix, user=user, version=version)
        except StaleEpisode as exc:
            change = FixChange(episode, status=REFUSED)
            change.message = MSG_STALE.format(by=exc.episode.edited_by or "someone")
        except ServiceError as exc:
            change = FixChange(episode, status=REFUSED, message=f"not fixed: {exc}")
        else:
            if change is None:
                change = FixChange(episode, status=UNCHANGED, message="nothing to fix any more")
            else:
                change.status, change.message = UPDATED, MSG_FIXED
        done.append(change)
        if progress is not None:
            progress(change)
    return [change for change in done if change.status != UNCHANGED or versions is not None]
