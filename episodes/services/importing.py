"""Import episode and person files from paths, folders, zip archives or uploads.

One code path for the ``import_episodes`` command and the admin upload: each file is read, checked and
written atomically on its own, and reported as created, updated, unchanged or refused (:mod:`.results`).
"""

from __future__ import annotations

import datetime
import os
import time
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from django.conf import settings
from django.db import DatabaseError, IntegrityError, transaction
from django.utils import timezone

from .. import search_index
from ..documents import database
from ..documents.revisions import record as record_revision
from ..format import archives
from ..format import frontmatter as fm
from ..models import Episode, Person, name_problem
from ..progress import Stop
from ..results import CREATED, REFUSED, UNCHANGED, UPDATED, FileResult, Report
from ..selectors.speakers import speaker_ties
from ..selectors.warnings import count_for_rows
from .checks import problems_refresh
from .intake import max_bytes
from .revisions import diff as text_diff

ERR_NOT_FOUND = "no such file or folder"
ERR_NOT_EPISODE_FILE = "expected an episode .md file, a folder of them, or a .zip"
ERR_BAD_ZIP = "not a readable zip archive: {problem}"
ERR_MEMBER_TOO_BIG = "unpacks to more than the {limit:,}-byte limit, whatever the archive says ({declared:,} bytes)"
ERR_ZIP_MEMBERS = (
    "the archive holds {count:,} .md files; at most {limit:,} are imported from one archive "
    "(EPISODES_MAX_ARCHIVE_MEMBERS); nothing was unpacked"
)
ERR_ZIP_SIZE = (
    "the archive's .md files unpack to {size:,} bytes; at most {limit:,} are imported from one archive "
    "(EPISODES_MAX_ARCHIVE_BYTES); nothing was unpacked"
)
ERR_EDITED = (
    "this episode was edited in the CMS{by} since it was last imported or exported; "
    "export it first, or {overwrite} to overwrite those edits"
)
ERR_CHANGED_MEANWHILE = "this changed in the CMS while it was being imported; nothing of the file was kept"
# How to overwrite, in the words of the command line; the upload page passes its own.
FORCE_HINT = "import with --force"
ERR_DUPLICATE = "the same slug as {other}, imported earlier in this run"
ERR_DATABASE = "could not be saved: {problem}"
ERR_GROUP_LOST = "the transaction of a group of files was rolled back"
WARN_NO_PROFILE = "guest '{key}' has no profile in _people yet"

PEOPLE_FOLDER = "_people"
# A report keeps, per updated file, at most this many lines of its differences (for the upload's dry run).
DIFF_LINES = 400
# How long an import run may keep files in one transaction before it commits them (and the database lock
# other writers wait for).
COMMIT_EVERY_SECONDS = 0.25


@dataclass
class Source:
    """One file to import: ``name`` is how messages call it; ``read`` returns its bytes."""

    name: str
    filename: str
    size: int
    read: Callable[[], bytes]
    is_person: bool = False
    error: str = ""
    # An episode's (added, last changed) dates from the site's git history; None keeps what the episode has.
    site_dates: tuple[datetime.datetime | None, datetime.datetime | None] = (None, None)


@dataclass(frozen=True)
class ImportOptions:
    """How a run imports its files.

    ``force`` overwrites episodes edited in the CMS; ``dry_run`` keeps nothing; ``user`` is who the revisions
    name; with ``diffs`` each updated file's result carries its differences (cut to DIFF_LINES lines);
    ``overwrite`` tells an editor how to overwrite an edited episode; ``after`` is called with each file's
    result inside that file's transaction, once it is imported (what it writes is kept or undone with it);
    ``expected`` maps a source's name to what its caller read (an episode's version, a person's
    :func:`person_state`; None: none existed), and a file whose episode or person is found otherwise once
    locked is refused with ERR_CHANGED_MEANWHILE (the caller decides again).
    """

    force: bool = False
    dry_run: bool = False
    user: object = None
    diffs: bool = False
    overwrite: str = FORCE_HINT
    after: Callable[[FileResult], None] | None = None
    expected: dict[str, int | str | None] | None = None


# -- sources ----------------------------------------------------------------------------------------


def path_sources(paths: Iterable[str], *, people: bool = False) -> Iterator[Source]:
    """Yield the files under ``paths``: .md files, folders of them (not recursive) and .zip archives."""
    for path in paths:
        if os.path.isdir(path):
            for name in sorted(os.listdir(path)):
                full = os.path.join(path, name)
                if name.endswith(".md") and os.path.isfile(full):
                    yield _file_source(full, people)
        elif not os.path.exists(path):
            yield Source(path, os.path.basename(path), 0, bytes, error=ERR_NOT_FOUND)
        elif path.lower().endswith(".zip"):
            yield from zip_sources(path, name=path, people=people)
        elif path.endswith(".md"):
            yield _file_source(path, people)
        else:
            yield Source(path, os.path.basename(path), 0, bytes, error=ERR_NOT_EPISODE_FILE)


def _file_source(path: str, people: bool) -> Source:
    def read() -> bytes:
        with open(path, "rb") as f:
            return f.read(max_bytes() + 1)

    return Source(path, os.path.basename(path), os.path.getsize(path), read, is_person=people)


def zip_sources(archive, *, name: str, people: bool = False) -> Iterator[Source]:
    """Yield the .md members of a zip archive (a path or a file); members under ``_people/`` are profiles."""
    try:
        # Left open: each source reads its member later; the archive closes when the last one is dropped.
        zf = zipfile.ZipFile(archive)
        members = [
            info
            for info in zf.infolist()
            if not info.is_dir()
            and info.filename.endswith(".md")
            and not os.path.basename(info.filename).startswith(".")
            and "__MACOSX/" not in info.filename
        ]
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError) as exc:
        yield Source(name, os.path.basename(name), 0, bytes, error=ERR_BAD_ZIP.format(problem=exc))
        return
    # Before anything is unpacked: a member never yields more than its declared size (zipfile stops there).
    problem = _archive_problem(members)
    if problem:
        yield Source(name, os.path.basename(name), 0, bytes, error=problem)
        return
    for info in members:
        is_person = people or PEOPLE_FOLDER in info.filename.split("/")[:-1]
        yield Source(
            f"{name}!{info.filename}",
            os.path.basename(info.filename),
            info.file_size,
            _zip_reader(zf, info),
            is_person=is_person,
        )


def _archive_problem(members: list[zipfile.ZipInfo]) -> str:
    """Return why an archive with these .md members is too big to import, or ''."""
    limit = settings.EPISODES_MAX_ARCHIVE_MEMBERS
    if len(members) > limit:
        return ERR_ZIP_MEMBERS.format(count=len(members), limit=limit)
    size, limit = sum(info.file_size for info in members), settings.EPISODES_MAX_ARCHIVE_BYTES
    if size > limit:
        return ERR_ZIP_SIZE.format(size=size, limit=limit)
    return ""


def _zip_reader(zf: zipfile.ZipFile, info: zipfile.ZipInfo):
    def read() -> bytes:
        # A chunk at a time, counting what comes out: a member's declared size can lie.
        limit = max_bytes()
        try:
            return archives.read_member(zf, info, archives.Budget(limit))
        except archives.TooBig:
            raise fm.FormatError(ERR_MEMBER_TOO_BIG.format(limit=limit, declared=info.file_size)) from None
        except archives.READ_ERRORS as exc:
            raise fm.FormatError(ERR_BAD_ZIP.format(problem=exc)) from None

    return read


# -- importing --------------------------------------------------------------------------------------


def slug_for(filename: str) -> str:
    """Return the episode slug or person key a file name gives: the name without '.md', as Jekyll takes it."""
    slug = filename[: -len(".md")] if filename.endswith(".md") else filename
    problem = name_problem(slug)
    if problem:
        raise fm.FormatError(problem)
    return slug


def import_sources(
    sources: Iterable[Source], *, progress: Callable[[FileResult], None] | None = None, **options
) -> Report:
    """Import every source atomically on its own, profiles first; return the per-file report.

    ``options`` are :class:`ImportOptions`. A run keeps no file's text, so its memory does not grow with
    what an archive unpacks to. ``progress`` is called with each result once it is committed; raising
    :class:`~episodes.progress.Stop` there ends the run after the files already committed are reported.
    """
    options = ImportOptions(**options)
    dry_run = options.dry_run
    report = Report()
    sources = sorted(sources, key=lambda s: not s.is_person)
    seen: dict[tuple[bool, str], Source] = {}
    # One query tells which episodes exist, and one which people, so that new ones skip their own lookup.
    stems = [s.filename[: -len(".md")] for s in sources if not s.is_person]
    existing = set(Episode.objects.filter(slug__in=stems).values_list("slug", flat=True)) if stems else set()
    keys = [s.filename[: -len(".md")] for s in sources if s.is_person]
    existing_people = set(Person.objects.filter(key__in=keys).values_list("key", flat=True)) if keys else set()

    profiled: set[str] = set()  # profiles a dry run would add: its episodes would find them

    def run(source: Source, to_index: list[int] | None = None) -> FileResult:
        result = import_source(
            source, options, seen=seen, existing=existing, existing_people=existing_people, to_index=to_index
        )
        if dry_run and result.is_person and result.status in (CREATED, UPDATED):
            profiled.add(result.key)
        elif dry_run and profiled.intersection(result.missing_guests):
            found = {WARN_NO_PROFILE.format(key=key) for key in profiled}
            result.missing_guests = [key for key in result.missing_guests if key not in profiled]
            result.warnings = [warning for warning in result.warnings if warning not in found]
        return result

    done_upto = 0
    while done_upto < len(sources):
        # Files are committed in groups, each still atomic on its own in a savepoint: a commit per file
        # cost a fifth of an import. A result is reported only once its group is committed.
        start, results, to_index = done_upto, [], []
        try:
            with transaction.atomic():
                deadline = time.monotonic() + COMMIT_EVERY_SECONDS
                while done_upto < len(sources) and (not results or time.monotonic() < deadline):
                    results.append(run(sources[done_upto], to_index))
                    done_upto += 1
                    if transaction.get_rollback():
                        # The file's error ended the whole transaction (a lost connection; SQLite's own
                        # rollback on a full disk), not just its savepoint: what the group did is gone.
                        raise DatabaseError(ERR_GROUP_LOST)
                # The group's new transcripts go into the search index together, before the commit that
                # makes them visible: one bigger index segment costs less than one per file.
                search_index.index_episodes(to_index)
        except DatabaseError:
            # Opening, indexing or committing the group failed (a locked database, a constraint checked only
            # at commit) and kept nothing: import its files, at least the next one, one per transaction, so
            # that only a file at fault is refused and the run always moves on.
            done_upto = max(done_upto, start + 1)
            results = [run(source) for source in sources[start:done_upto]]
        stop = None
        for result in results:
            report.files.append(result)
            if progress:
                try:
                    progress(result)
                except Stop as exc:
                    stop = exc  # the group is committed: every file of it is reported before stopping
        if stop is not None:
            raise stop
    if not dry_run:
        database.refresh_statistics(sum(result.status in (CREATED, UPDATED) for result in report.files))
    return report


def import_source(
    source: Source,
    options: ImportOptions | None = None,
    *,
    seen: dict | None = None,
    existing: set | None = None,
    existing_people: set | None = None,
    to_index: list[int] | None = None,
    **option_values,
) -> FileResult:
    """Import one file atomically; a refusal keeps nothing of it.

    ``options`` (or their values as keywords) are :class:`ImportOptions`. ``existing`` is the set of
    episode slugs known to exist when a run started (None: look each one up), ``existing_people`` the
    same for people's keys. Given ``to_index``, the episode's id joins it and the caller indexes its
    transcript for search before committing; otherwise it is indexed at once.
    """
    options = options or ImportOptions(**option_values)
    result = FileResult(path=source.name, status=REFUSED, is_person=source.is_person)
    try:
        if source.error:
            raise fm.FormatError(source.error)
        limit = max_bytes()
        if source.size > limit:
            raise fm.FormatError(fm.ERR_TOO_BIG.format(size=source.size, limit=limit))
        result.key = slug_for(source.filename)
        if seen is not None:
            # The source itself, not its name: a zip can hold two members of the same name.
            other = seen.setdefault((source.is_person, result.key), source)
            if other is not source:
                raise fm.FormatError(ERR_DUPLICATE.format(other=other.name))
        text, notes = fm.decode(source.read(), max_bytes=limit)
        result.warnings += notes
        warnings = len(result.warnings)
        for again in (False, True):
            saved = []
            try:
                with transaction.atomic():
                    if source.is_person:
                        may_exist = again or existing_people is None or result.key in existing_people
                        _import_person(result, text, options, may_exist=may_exist)
                    else:
                        may_exist = again or existing is None or result.key in existing
                        _import_episode(
                            result, text, options, may_exist=may_exist, saved=saved, dates=source.site_dates
                        )
                    if options.after is not None:
                        options.after(result)
                    if to_index is None:
                        search_index.index_episodes(saved)
                    if options.dry_run:
                        transaction.set_rollback(True)
                break
            except IntegrityError:
                # Another import created this episode, a guest's placeholder or this person since this one
                # looked: nothing was kept, so look again, once.
                if again:
                    raise
                del result.warnings[warnings:]
        if to_index is not None and not options.dry_run:
            to_index += saved
    except fm.FormatError as exc:
        result.status, result.line, result.message = REFUSED, exc.line, exc.message
    except DatabaseError as exc:
        result.status, result.line, result.message = REFUSED, 1, ERR_DATABASE.format(problem=exc)
    return result


def _import_episode(
    result: FileResult,
    text: str,
    options: ImportOptions,
    *,
    may_exist: bool = True,
    saved: list[int],
    dates: tuple = (None, None),
) -> None:
    """Import an episode file; an episode saved joins ``saved``, with its transcript not indexed yet.

    ``dates``: the file's (added, last changed) dates from the site's history, if known.
    """
    existing = Episode.objects.filter(slug=result.key).select_for_update().first() if may_exist else None
    if existing is not None:
        result.pk, result.version = existing.pk, existing.version
    # The caller chose to import plainly from the version it read; an edit since then is not its to overwrite.
    found = existing.version if existing is not None else None
    if options.expected is not None and options.expected.get(result.path, found) != found:
        raise fm.FormatError(ERR_CHANGED_MEANWHILE)
    if existing is not None and existing.source_text == text and not existing.edited_since_sync:
        result.status = UNCHANGED
        return
    doc = fm.parse(text)
    result.warnings += doc.notes
    fm.validate_episode(doc)
    rows = database.episode_rows(doc, slug=result.key)
    # Written with the row, not after it: updating an episode's row rewrites its long texts.
    rows.episode.site_added_at, rows.episode.site_changed_at = dates
    result.hidden = database.hidden_on_site(result.key, doc.front)
    if existing is not None:
        if existing.edited_since_sync and not options.force:
            by = f" by {existing.edited_by}" if existing.edited_by else ""
            if existing.edited_at:
                by += f" on {existing.edited_at:%Y-%m-%d %H:%M}"
            raise fm.FormatError(ERR_EDITED.format(by=by, overwrite=options.overwrite))
        if not existing.edited_since_sync and fm.same_document(database.episode_document(existing), doc):
            # Same data, other formatting: remember the new file for diffs, keep the rows.
            Episode.objects.filter(pk=existing.pk).update(source_text=text)
            result.status = UNCHANGED
            return
    rows.episode.source_text = text
    rows.episode.synced_at = timezone.now()
    ties = speaker_ties(episode=existing) if existing is not None else {}
    people = database.guests_and_hosts(rows.guest_keys)
    rows.episode.warning_count = count_for_rows(
        items=rows.items, refs=rows.refs, guest_keys=rows.guest_keys, ties=ties, people=people, front=doc.front
    )
    episode, missing = database.save_episode_rows(rows, existing=existing, people=people, index=False)
    guests = [people[key] for key in dict.fromkeys(rows.guest_keys) if key in people]
    problems_refresh(episode=episode, items=rows.items, guests=guests)
    saved.append(episode.pk)
    result.pk, result.version = episode.pk, episode.version
    result.status = CREATED if existing is None else UPDATED
    forced = " (overwriting edits made in the CMS)" if existing is not None and existing.edited_since_sync else ""
    summary = f"{result.status} from {result.path}{forced}"
    record_revision(episode=episode, summary=summary, user=options.user, source=text)
    if options.diffs and existing is not None:
        result.diff = _diff(existing.source_text, text, name=result.path)
    result.missing_guests = missing
    result.warnings += [WARN_NO_PROFILE.format(key=key) for key in missing]


def _diff(previous: str, text: str, *, name: str) -> list[str]:
    return text_diff(
        previous, text, older_name="in the CMS (as last imported or exported)", newer_name=name, max_lines=DIFF_LINES
    )


def person_state(person: Person) -> str:
    """Return what a person holds, to tell whether it changed between two reads (people have no versions)."""
    return f"{person.has_profile}\n{database.person_document(person).render()}"


def _import_person(result: FileResult, text: str, options: ImportOptions, *, may_exist: bool = True) -> None:
    existing = Person.objects.filter(key=result.key).select_for_update().first() if may_exist else None
    result.pk = existing.pk if existing is not None else None
    if options.expected is not None and result.path in options.expected:
        found = person_state(existing) if existing is not None else None
        if found != options.expected[result.path]:
            raise fm.FormatError(ERR_CHANGED_MEANWHILE)
    if existing is not None and existing.has_profile and existing.source_text == text:
        result.status = UNCHANGED
        return
    doc = fm.parse(text)
    result.warnings += doc.notes
    values = database.person_fields(doc)
    values["source_text"] = text
    if existing is None:
        result.pk = Person.objects.create(key=result.key, **values).pk
        result.status = CREATED
        return
    if existing.has_profile and fm.same_document(database.person_document(existing), doc):
        # Same data, other quoting (the CMS's own export of a profile): remember the new file, keep the row.
        Person.objects.filter(pk=existing.pk).update(source_text=text)
        result.status = UNCHANGED
        return
    if options.diffs:
        result.diff = _diff(existing.source_text, text, name=result.path)
    Person.objects.filter(pk=existing.pk).update(**values)
    result.status = UPDATED
