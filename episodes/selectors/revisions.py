"""Reading an episode's revision history: the file as first imported, and the versions an editor's page showed."""

from __future__ import annotations

from ..documents import database
from ..documents.revisions import snapshot
from ..format import frontmatter as fm
from ..models import Episode, Revision, TranscriptItem


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


def document_at(*, episode: Episode, version: int) -> fm.Document | None:
    """Return the episode file as it was at ``version`` (None when no revision has that version)."""
    revision = episode.revisions.filter(version=version).order_by("-pk").first()
    return None if revision is None else fm.parse(snapshot(revision))


def revisions_at(*, episode: Episode, versions: list[int]) -> dict[int, Revision]:
    """Return the revisions of ``versions`` by version (the last one kept of each), in one query."""
    return {revision.version: revision for revision in episode.revisions.filter(version__in=versions).order_by("pk")}
