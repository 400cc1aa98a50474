"""Export episodes and people to their files: to a folder, or as one download.

Files are written canonically; with ``keep_style`` each is written as a push writes it, changing only the
lines of the values that differ from the file as last pulled or imported, in that file's style.
"""

from __future__ import annotations

import contextlib
import io
import os
import tempfile
import zipfile

from django.db import DatabaseError
from django.db.models import F
from django.utils import timezone

from ..format import linewise
from ..models import Episode, Person, SiteFile
from ..results import REFUSED, UNCHANGED, WOULD_CHANGE, WRITTEN, FileResult
from . import database

ERR_WRITE = "could not be written: {problem}"
ERR_RECORD = "the files were written, but recording that they are in sync failed: {problem}"


class ExportError(Exception):
    """The files are written but the database could not record it (a full disk, a lost connection)."""


def episode_texts(episodes, *, keep_style: bool = False) -> list[tuple[Episode, str]]:
    """Return (episode, file text) for each episode of a queryset, in its order: canonical, or in its file's style."""
    pairs = list(database.episode_documents(episodes))
    if not keep_style:
        return [(episode, doc.render()) for episode, doc in pairs]
    originals = last_texts([episode for episode, _ in pairs], "episode")
    return [(episode, styled(originals.get(episode.pk) or episode.source_text, doc)) for episode, doc in pairs]


def last_texts(objs: list, field: str) -> dict[int, str]:
    """Return, by primary key, the text of each object's file as last pulled or pushed (where there is one)."""
    rows = SiteFile.objects.filter(**{f"{field}__in": [obj.pk for obj in objs]}).exclude(text="")
    return dict(rows.values_list(field, "text"))


def styled(original: str, doc) -> str:
    """Return ``doc``'s file text changed from ``original`` line by line in its style (canonical without one)."""
    return linewise.rewrite(original, doc) if original else doc.render()


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
) -> list[FileResult]:
    """Write each (file name, text) into ``outdir`` where the file's text differs; report in name order.

    Each file is WRITTEN, UNCHANGED, WOULD_CHANGE (``check``) or REFUSED (it could not be written: ``message``).

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
            results.append(FileResult(path, UNCHANGED))
        elif check:
            results.append(FileResult(path, WOULD_CHANGE))
        else:
            try:
                _write_whole(outdir, path, text)
            except OSError as exc:  # a full disk, a read-only folder: report it, go on with the others
                results.append(FileResult(path, REFUSED, ERR_WRITE.format(problem=exc.strerror or exc)))
            else:
                results.append(FileResult(path, WRITTEN))
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


def export_episodes(
    outdir: str, episodes, *, check: bool = False, keep_style: bool = False, progress=None
) -> list[FileResult]:
    """Write ``<slug>.md`` for each episode whose file text changed; with ``check`` write nothing."""
    pairs = episode_texts(episodes, keep_style=keep_style)
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
    return database.person_document(person).render()


def export_people(
    outdir: str, people, *, check: bool = False, keep_style: bool = False, progress=None
) -> list[FileResult]:
    """Write ``<key>.md`` for each person with a profile."""
    people = list(people.with_profile())
    if keep_style:
        originals = last_texts(people, "person")
        texts = [styled(originals.get(p.pk) or p.source_text, database.person_document(p)) for p in people]
    else:
        texts = [person_text(p) for p in people]
    named = [(f"{p.key}.md", text) for p, text in zip(people, texts, strict=True)]
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
