"""Revision history: every change to an episode keeps the file text it exports to; diff and revert."""

from __future__ import annotations

import difflib
import itertools
import zlib

from ..documents import database
from ..format import frontmatter as fm
from ..models import Episode, Revision, TranscriptItem
from .common import ServiceError, editing
from .transcript import ItemEdit

# Level 1 keeps a transcript at about 40% of its size in a third of level 6's time: for edits, one at a
# time. An import stores its files as they are (level 0, the size of the file): compressing them took a
# seventh of the import's time, for each file of a run.
EDIT_LEVEL, SOURCE_LEVEL = 1, 0

ERR_OTHER_EPISODE = "That revision belongs to another episode."
ERR_NO_REVISION = "There is no saved revision for version {version}."


def record(
    *, episode: Episode, summary: str, user=None, text: str | None = None, source: str | None = None
) -> Revision:
    """Keep a revision of ``episode`` at its current version: its export ``text``, or the imported ``source``."""
    if text is None and source is None:
        text = database.export_text(episode)
    kept = source if source is not None else text
    return Revision.objects.create(
        episode=episode,
        version=episode.version,
        user=user if user is not None and user.is_authenticated else None,
        summary=summary[:500],
        compressed_text=zlib.compress(kept.encode("utf-8"), SOURCE_LEVEL if source is not None else EDIT_LEVEL),
        is_source=source is not None,
    )


def snapshot(revision: Revision) -> str:
    """Return the canonical file text of ``revision``."""
    text = zlib.decompress(bytes(revision.compressed_text)).decode("utf-8")
    # An import keeps the file as it came; written back canonically it is what its rows exported to.
    return fm.parse(text).render() if revision.is_source else text


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


def original_import(*, episode: Episode) -> Revision | None:
    """Return the revision of the file as first imported, if the episode came from a file."""
    return episode.revisions.filter(is_source=True).order_by("version", "pk").first()


def stale_revisions(*, episode: Episode, seen_version: int) -> tuple[Revision, Revision] | None:
    """Return the revisions of the version an editor's page showed and of the current one (None if unknown)."""
    seen = episode.revisions.filter(version__lte=seen_version).order_by("-version", "-pk").first()
    current = episode.revisions.order_by("-version", "-pk").first()
    if seen is None or current is None or seen.pk == current.pk:
        return None
    return seen, current


def transcript_seen(*, episode: Episode, seen_version: int) -> list[database.ItemRow] | None:
    """Return the transcript items the editor's page shows, as at ``seen_version``.

    Items the page cannot edit (raw YAML entries) are left out; None when no revision has that version.
    """
    revision = episode.revisions.filter(version=seen_version).order_by("-pk").first()
    if revision is None:
        return None
    rows = database.episode_rows(fm.parse(snapshot(revision)), slug=episode.slug).items
    return [row for row in rows if row.kind != TranscriptItem.Kind.RAW]


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
