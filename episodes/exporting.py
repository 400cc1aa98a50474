"""Export episodes and people to their canonical files: to a folder, or as one download."""

from __future__ import annotations

import contextlib
import io
import os
import tempfile
import zipfile
from dataclasses import dataclass

from django.db import DatabaseError
from django.db.models import F
from django.utils import timezone

from . import sync
from .models import Episode, Person

WRITTEN, UNCHANGED, WOULD_CHANGE, FAILED = "written", "unchanged", "would change", "not written"
ERR_WRITE = "could not be written: {problem}"
ERR_RECORD = "the files were written, but recording that they are in sync failed: {problem}"


@dataclass
class ExportedFile:
    path: str
    status: str
    message: str = ""

    @property
    def ok(self) -> bool:
        return self.status != FAILED


class ExportError(Exception):
    """The files are written but the database could not record it (a full disk, a lost connection)."""


def episode_texts(episodes) -> list[tuple[Episode, str]]:
    """Return (episode, canonical file text) for each episode of a queryset, in its order."""
    return [(episode, doc.render()) for episode, doc in sync.episode_documents(episodes)]


def mark_synced(pairs: list[tuple[Episode, str]]) -> None:
    """Record that these texts are now the episodes' files, unless an edit came in meanwhile."""
    now = timezone.now()
    for episode, text in pairs:
        if episode.source_text != text or episode.edited_since_sync:
            Episode.objects.filter(pk=episode.pk, version=episode.version).update(
                source_text=text, synced_version=F("version"), synced_at=now
            )


def write_files(
    outdir: str, named_texts: list[tuple[str, str]], *, check: bool = False, progress=None
) -> list[ExportedFile]:
    """Write each (file name, text) into ``outdir`` where the file's text differs; report in name order.

    ``progress`` is called with each file's result as it is done.
    """
    results = []
    if not check:
        os.makedirs(outdir, exist_ok=True)
    # Code-point order, as a folder listing: the database's order depends on its collation.
    for name, text in sorted(named_texts, key=lambda pair: pair[0]):
        path = os.path.join(outdir, name)
        try:
            with open(path, encoding="utf-8", newline="") as f:
                same = f.read() == text
        except (OSError, UnicodeDecodeError):
            same = False
        if same:
            results.append(ExportedFile(path, UNCHANGED))
        elif check:
            results.append(ExportedFile(path, WOULD_CHANGE))
        else:
            try:
                _write_whole(outdir, path, text)
            except OSError as exc:  # a full disk, a read-only folder: report it, go on with the others
                results.append(ExportedFile(path, FAILED, ERR_WRITE.format(problem=exc.strerror or exc)))
            else:
                results.append(ExportedFile(path, WRITTEN))
        if progress:
            progress(results[-1])
    return results


def _write_whole(outdir: str, path: str, text: str) -> None:
    """Write ``text`` to ``path`` through a temporary file renamed over it, so a reader never sees half a file.

    The temporary name is short: ``path`` itself may already be as long as the file system allows.
    """
    fd, partial = tempfile.mkstemp(dir=outdir, prefix=".export-", suffix=".partial")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as f:
            f.write(text)
        os.replace(partial, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(partial)
        raise


def export_episodes(outdir: str, episodes, *, check: bool = False, progress=None) -> list[ExportedFile]:
    """Write ``<slug>.md`` for each episode whose file text changed; with ``check`` write nothing."""
    pairs = episode_texts(episodes)
    results = write_files(outdir, [(f"{e.slug}.md", text) for e, text in pairs], check=check, progress=progress)
    if not check:
        # Results are in name order; only files now on disk are in sync.
        written = {result.path for result in results if result.ok}
        done = [(e, text) for e, text in pairs if os.path.join(outdir, f"{e.slug}.md") in written]
        try:
            mark_synced(done)
        except DatabaseError as exc:
            raise ExportError(ERR_RECORD.format(problem=exc)) from exc
    return results


def person_text(person: Person) -> str:
    return sync.person_document(person).render()


def export_people(outdir: str, people, *, check: bool = False, progress=None) -> list[ExportedFile]:
    """Write ``<key>.md`` for each person with a profile."""
    named = [(f"{p.key}.md", person_text(p)) for p in people.with_profile()]
    return write_files(outdir, named, check=check, progress=progress)


def download(episodes) -> tuple[str, bytes, str]:
    """Return (file name, content, content type): one .md, or a .zip of several, as export_episodes writes."""
    pairs = episode_texts(episodes)
    mark_synced(pairs)
    if len(pairs) == 1:
        episode, text = pairs[0]
        return f"{episode.slug}.md", text.encode("utf-8"), "text/markdown; charset=utf-8"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        for episode, text in pairs:
            zf.writestr(f"{episode.slug}.md", text.encode("utf-8"))
    return "episodes.zip", buffer.getvalue(), "application/zip"
