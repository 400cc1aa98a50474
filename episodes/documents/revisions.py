"""An episode's revisions as stored: every change keeps the file text it exports to, compressed."""

from __future__ import annotations

import zlib

from ..format import frontmatter as fm
from ..models import Episode, Revision
from . import database

# Level 1 keeps a transcript at about 40% of its size in a third of level 6's time: for edits, one at a
# time. An import stores its files as they are (level 0, the size of the file): compressing them took a
# seventh of the import's time, for each file of a run.
EDIT_LEVEL, SOURCE_LEVEL = 1, 0


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
