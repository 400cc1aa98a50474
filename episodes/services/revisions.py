"""Revision history: the differences between two versions, and going back to one (the revisions themselves are
kept by :mod:`episodes.documents.revisions`, read by :mod:`episodes.selectors.revisions`)."""

from __future__ import annotations

import difflib
import itertools

from ..documents import database
from ..documents.revisions import snapshot
from ..format import frontmatter as fm
from ..models import Episode, Revision
from ..selectors.revisions import transcript_seen
from .editing import ServiceError, editing
from .transcript import ItemEdit

ERR_OTHER_EPISODE = "That revision belongs to another episode."
ERR_NO_REVISION = "There is no saved revision for version {version}."


# Beyond this a line diff is not worth reading or computing (difflib's time grows with both lengths).
DIFF_MAX_CHARS = 2_000_000
DIFF_TOO_LARGE = "(the files are too large to show their differences line by line)\n"
DIFF_CUT = "(… {more} more lines of differences not shown)\n"


def diff(older: str, newer: str, *, older_name: str, newer_name: str, max_lines: int | None = None) -> list[str]:
    """Return the unified diff lines between two file texts, at most ``max_lines`` of them (and a note)."""
    if max_lines is not None and len(older) + len(newer) > DIFF_MAX_CHARS:
        return [DIFF_TOO_LARGE]
    lines = difflib.unified_diff(
        older.splitlines(keepends=True), newer.splitlines(keepends=True), fromfile=older_name, tofile=newer_name
    )
    if max_lines is None:
        return list(lines)
    kept = list(itertools.islice(lines, max_lines))
    more = sum(1 for _ in lines)
    return kept + [DIFF_CUT.format(more=more)] if more else kept


def revision_name(revision: Revision) -> str:
    return f"version {revision.version} ({revision.summary})"


def episode_rebase(*, episode: Episode, seen_version: int, edits: dict[int, ItemEdit]) -> dict[int, ItemEdit]:
    """Return the transcript edits of a save refused as stale that are this editor's own changes.

    The page's script posts only the fields an editor changed. Without it a page posts every field, in
    page order, so the n-th item posted is the n-th editable item at the version the page showed: a value
    equal to that one is not this editor's change and must not write back over someone else's newer one.
    """
    shown = transcript_seen(episode=episode, seen_version=seen_version)
    if shown is None or len(shown) != len(edits):
        return edits  # only the changes were posted, or the page cannot be matched to a version
    mine = {}
    for (pk, edit), row in zip(edits.items(), shown, strict=True):
        kept = ItemEdit(
            **{name: value for name in ("text", "who", "time") if (value := getattr(edit, name)) != getattr(row, name)}
        )
        if kept != ItemEdit():
            mine[pk] = kept
    return mine


def episode_revert(*, episode: Episode, revision: Revision, user=None, version: int | None = None) -> None:
    """Make ``episode`` what it was at ``revision``; the revert is itself a new revision."""
    if revision.episode_id != episode.pk:
        raise ServiceError(ERR_OTHER_EPISODE)
    text = snapshot(revision)
    rows = database.episode_rows(fm.parse(text), slug=episode.slug)
    summary = f"reverted to version {revision.version} ({revision.summary})"
    with editing(episode=episode, user=user, version=version, summary=summary) as change:
        database.replace_content(rows, episode=change.episode)
