"""Pull: import the site's episode and people files of the checked-out commit into the CMS.

The first pull imports every file; later ones only the files changed since the last pulled commit
(``git diff --name-status``). A renamed file renames its episode or person (old address redirected), a
deleted one makes its episode a draft, and a file changed on the site *and* in the CMS is merged by field
(:mod:`episodes.format.merge`); a real conflict is refused for that file, keeping the CMS's edits. Each file is
imported and its sync state recorded in one transaction, and the pulled commit is recorded last, so a pull
stopped anywhere leaves both sides consistent and the next pull simply does the rest. The history of the
pulled commits (:mod:`.history`) gives every earlier name of an episode's file a redirect, and the episode
its commit dates. A file the site hides is a draft; the site's ``_template.md`` files are skipped.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass

from django.db import DatabaseError, transaction
from django.utils import timezone

from ...documents import database, git
from ...format import changes, merge
from ...format import frontmatter as fm
from ...models import Episode, EpisodeRedirect, Person, PersonRedirect, SiteFile, SiteState
from ...results import (
    CONFLICT,
    CREATED,
    DELETED,
    MERGED,
    REFUSED,
    RENAMED,
    SKIPPED,
    UNCHANGED,
    UPDATED,
    FileResult,
    Report,
)
from .. import importing
from ..checks import health_snapshot_take
from ..editing import editing
from ..intake import max_bytes
from ..topics import site_topics_load
from .history import NOTE_REDIRECTS, history_record, history_walk
from .repository import (
    EPISODE,
    ERR_DETACHED,
    ERR_NO_COMMITS,
    FOLDERS,
    PERSON,
    SyncError,
    Target,
    cms_document,
    dirty_note,
    is_template,
    key_of,
    kind_of,
    open_site,
    parse_text,
    targets,
)
from .sitefile import (
    PUSH_CLEARED,
    apply_document,
    as_pushed,
    cms_source_text,
    file_text,
    in_step_version,
    links,
    pushed_arrived,
    record_in_step,
    record_problem,
    same_text,
    save_site_file,
)
from .upstream import changed_between, compare_all, unreadable

# What a pull counts, in the order its summary gives them.
STATUSES = (CREATED, UPDATED, MERGED, UNCHANGED, RENAMED, DELETED, SKIPPED, CONFLICT, REFUSED)

NOTE_REWRITTEN = (
    "the last pulled commit {commit} is not in this repository (history rewritten, or another repository): "
    "every file was compared with the CMS's copy"
)
ERR_RENAME_TAKEN = "renamed from {old} on the site, but the CMS already has {what} '{key}'"
MSG_MERGED = "kept the CMS's edits; from the site: {what}"
SUMMARY_MERGED = "merged the site's changes to {path} (commit {commit}) with the CMS's edits"
SUMMARY_RENAMED = "renamed on the site: {old} → {new} (the old address redirects)"
SUMMARY_DELETED = "deleted on the site ({path}): made a draft"
DETAIL_TEMPLATE = "template"
DETAIL_DRAFT = "a draft: the site hides this file"


@dataclass
class PullReport(Report):
    """A pull's files and notes, and the commits it went from (``previous``) and to."""

    repo: str = ""
    branch: str = ""
    commit: str = ""
    previous: str = ""

    def summary(self) -> str:
        if self.previous == self.commit and not self.files:
            return f"Up to date with {self.branch} at {self.commit[:7]}."
        counts = self.counts(STATUSES)
        listed = ", ".join(f"{counts[s]} {s}" for s in STATUSES if counts[s] or s in (CREATED, UPDATED, UNCHANGED))
        return f"Pulled {self.branch} at {self.commit[:7]}: {len(self.files)} files: {listed}"


def site_pull(
    *,
    repo: str | None = None,
    progress: Callable[[FileResult], None] | None = None,
    started: Callable[[int], None] | None = None,
) -> PullReport:
    """Import what changed on the site since the last pull; return the per-file report.

    ``started`` is told how many files the pull will look at, once known; ``progress`` gets each file's line
    once that file is committed, and may raise :class:`~episodes.progress.Stop` to end the pull there (the
    next pull does the rest). Raise SyncError when the repository cannot be pulled (not a working tree,
    detached HEAD, no commits).
    """
    site = open_site(repo)
    try:
        with site.lock():
            return _pull(site, progress, started)
    except git.GitError as exc:
        raise SyncError(str(exc)) from None


def _pull(site: git.Repo, progress, started=None) -> PullReport:
    head = site.head()
    if head is None:
        raise SyncError(ERR_NO_COMMITS.format(path=site.root))
    branch = site.branch()
    if branch is None:
        raise SyncError(ERR_DETACHED.format(commit=head[:7]))
    state = SiteState.load()
    report = PullReport(repo=site.root, branch=branch, commit=head, previous=state.commit, notes=dirty_note(site))
    puller = _Puller(site, head, report, progress)
    file_changes = puller.upstream_changes(state)
    if started:
        started(len(file_changes))
    histories = puller.histories = history_walk(site, head=head, since=state.commit)
    if file_changes:
        puller.apply(file_changes)
    redirects = history_record(histories)
    if redirects:
        report.notes.append(NOTE_REDIRECTS.format(count=redirects))
    moved = state.commit != head
    state.repo, state.branch, state.commit, state.pulled_at = site.root, branch, head, timezone.now()
    state.save()
    if moved:
        # The curated topics come with the checkout; the archive health page's trend is measured from the
        # last pull that brought a commit.
        site_topics_load(root=site.root)
        health_snapshot_take(commit=head)
    return report


class _Puller:
    def __init__(self, site: git.Repo, head: str, report: PullReport, progress):
        self.site, self.head, self.report, self.progress = site, head, report, progress
        # Each episode file's history since the last pull: its dates go in with its import.
        self.histories: dict[str, git.FileHistory] = {}
        self._files: dict[str, tuple[str, str, int]] | None = None

    def files(self) -> dict[str, tuple[str, str, int]]:
        if self._files is None:
            self._files = self.site.files(self.head, FOLDERS)
        return self._files

    def done(self, line: FileResult) -> None:
        self.report.files.append(line)
        if self.progress:
            self.progress(line)

    # -- what changed upstream ------------------------------------------------------------------------

    def upstream_changes(self, state: SiteState) -> list[git.FileChange]:
        if state.commit and state.commit == self.head:
            found = []
        elif state.commit and self.site.has_commit(state.commit):
            found = changed_between(self.site, state.commit, self.head)
        else:
            if state.commit:
                self.report.notes.append(NOTE_REWRITTEN.format(commit=state.commit[:7]))
            found = compare_all(self.files())
        # Files left in conflict are merged again: the CMS side may have changed since. (A refused file is
        # tried again when it changes on the site.)
        listed = {c.path for c in found}
        stuck = [path for path in SiteFile.objects.in_conflict().values_list("path", flat=True) if path not in listed]
        found += [git.FileChange("M", path) for path in stuck if path in self.files()]
        return found

    # -- applying ------------------------------------------------------------------------------------

    def apply(self, file_changes: list[git.FileChange]) -> None:
        renames = [c for c in file_changes if c.status == "R"]
        deletions = [c for c in file_changes if c.status == "D"]
        upserts = [c for c in file_changes if c.status not in "RD"]
        for change in renames:
            renamed = self.rename(change)
            if renamed is None:
                deletions.append(git.FileChange("D", change.old_path))  # the new name is refused
            elif renamed:
                upserts.append(git.FileChange("M", change.path))
            else:
                deletions.append(git.FileChange("D", change.old_path))
                upserts.append(git.FileChange("A", change.path))
        for change in [c for c in upserts if is_template(c.path)]:
            upserts.remove(change)
            self.done(FileResult(change.path, SKIPPED, DETAIL_TEMPLATE))
        # Profiles first, so that episodes find their guests.
        upserts.sort(key=lambda c: (kind_of(c.path) != PERSON, c.path))
        self.upsert([c.path for c in upserts])
        for change in deletions:
            self.delete(change.path)

    def rename(self, change: git.FileChange) -> bool | None:
        """Give the episode or person of ``old_path`` its new name.

        Return False when the rename must be a deletion and an addition, None when the new name is refused.
        """
        kind, old, new = kind_of(change.path), key_of(change.old_path), key_of(change.path)
        target = targets([change.old_path])[change.old_path]
        obj = target.obj
        if obj is None:
            moved = SiteFile.objects.filter(path=change.path).exists()
            return moved  # renamed by an earlier, interrupted pull: only the content is left to check
        try:
            importing.slug_for(os.path.basename(change.path))
        except fm.FormatError as exc:
            self.done(FileResult(change.path, REFUSED, exc.message, exc.line))
            return None
        model = Episode if kind == EPISODE else Person
        field_name = "slug" if kind == EPISODE else "key"
        if model.objects.filter(**{field_name: new}).exclude(pk=obj.pk).exists():
            what = "an episode" if kind == EPISODE else "a person"
            self.report.notes.append(
                f"{change.path}: " + ERR_RENAME_TAKEN.format(old=change.old_path, what=what, key=new)
            )
            return False
        with transaction.atomic():
            if kind == EPISODE:
                summary = SUMMARY_RENAMED.format(old=old, new=new)
                in_step = target.site_file is not None and target.site_file.version == obj.version
                with editing(episode=obj, summary=summary) as edit:
                    was_hidden = database.episode_hidden(edit.episode)
                    edit.episode.slug = new
                    edit.episode.status = database.status_from_site(
                        current=edit.episode.status, was_hidden=was_hidden, hidden=database.episode_hidden(edit.episode)
                    )
                    edit.episode.save(update_fields=["slug", "status"])
                EpisodeRedirect.objects.filter(old=new).delete()
                EpisodeRedirect.objects.update_or_create(old=old, defaults={"target": obj})
                if in_step:
                    target.site_file.version = obj.version
            else:
                Person.objects.filter(pk=obj.pk).update(key=new)
                PersonRedirect.objects.filter(old=new).delete()
                PersonRedirect.objects.update_or_create(old=old, defaults={"target": obj})
            if target.site_file is not None:
                SiteFile.objects.filter(path=change.path).exclude(pk=target.site_file.pk).delete()
                target.site_file.path = change.path
                target.site_file.save()
        redirects = "the old address redirects to the new one"
        self.done(FileResult(change.path, RENAMED, redirects, old_path=change.old_path))
        return True

    def delete(self, path: str) -> None:
        target = targets([path])[path]
        obj = target.obj
        if obj is None and target.site_file is None:
            return  # never in the CMS (a file refused, or renamed before it was pulled)
        with transaction.atomic():
            if isinstance(obj, Episode):
                if obj.status == Episode.Status.PUBLISHED:
                    with editing(episode=obj, summary=SUMMARY_DELETED.format(path=path)) as edit:
                        edit.episode.status = Episode.Status.DRAFT
                        edit.episode.save(update_fields=["status"])
                    detail = "the episode is now a draft"
                else:
                    detail = "the episode was a draft already"
            elif isinstance(obj, Person):
                Person.objects.filter(pk=obj.pk).update(has_profile=False)
                detail = "the person is kept, without a profile"
            else:
                detail = "nothing of it was in the CMS"
            if target.site_file is not None:
                target.site_file.delete()
        self.done(FileResult(path, DELETED, detail))

    def upsert(self, paths: list[str]) -> None:
        """Import new and changed files: plainly where the CMS has no edits, else by a three-way merge.

        Which way a file goes is first guessed from what was read before any lock; the plain import then
        checks, with the episode locked, that it is still at the version read, and a file edited meanwhile
        is merged instead (its fate decided again inside the merge's own locked transaction).

        Each file is sized from the tree before it is read, and read only when its turn comes: a pull holds
        one file at a time, whatever the number and size of the files that changed.
        """
        files = self.files()
        found = targets(paths)
        limit = max_bytes()
        plain, forced, merging = [], [], []
        with self.site.blobs() as read:
            for path in paths:
                target = found[path]
                mode, blob, size = files[path]
                site_file = target.site_file
                if site_file is not None and site_file.upstream_blob == blob and not site_file.conflict_blob:
                    continue  # done by an earlier, interrupted pull (or refused as it is)
                refusal = unreadable(mode, size, limit)
                if refusal:
                    record_problem(target, blob, f"1: {refusal}")
                    self.done(FileResult(path, REFUSED, refusal))
                    continue
                if as_pushed(site_file, size) and same_text(read(blob), site_file.pushed_text):
                    # The file as the CMS last pushed it, now on the site (its pull request was merged): the
                    # CMS's data stays as it is, edits made since included, and the pushed file is the new base.
                    values = {"text": site_file.pushed_text, "blob": blob, "upstream_blob": blob, **PUSH_CLEARED}
                    if site_file.pushed_version is not None:
                        values["version"] = site_file.pushed_version
                    save_site_file(path, values)
                    self.done(FileResult(path, UNCHANGED, "as pushed from the CMS"))
                    continue
                if self.cms_edited(target) is None:
                    (forced if _edited_flag(target) else plain).append((path, blob, size))
                else:
                    merging.append((path, blob))
            raced = self.import_plain(plain, found, read, force=False)
            raced += self.import_plain(forced, found, read, force=True)
            for path, blob in merging + raced:
                self.merge(path, blob, read(blob))
        if self.report.files:
            # A file pulled from the site is the site's, not demo data any more.
            Episode.objects.filter(demo=True, site_file__isnull=False).update(demo=False)
            Person.objects.filter(demo=True, site_file__isnull=False).update(demo=False)

    def cms_edited(self, target: Target) -> tuple[fm.Document | None, fm.Document] | None:
        """Return (base, ours) when the CMS has data the file as last pulled lacks; None when it has not.

        Edits pushed to a branch that the pulled commit does not have yet are edits like any other: the base
        is always the file as last pulled.
        """
        obj, site_file = target.obj, target.site_file
        if obj is None or (isinstance(obj, Person) and not obj.has_profile):
            return None
        if isinstance(obj, Episode):
            if site_file is not None and site_file.version == obj.version:
                return None
            if site_file is None and not obj.edited_since_sync:
                return None  # the rows are the file last imported or exported
        base_text = site_file.text if site_file is not None and site_file.text else obj.source_text
        base = parse_text(base_text) if base_text else None
        ours = cms_document(obj)
        if base is not None and fm.same_document(base, ours):
            return None
        return base, ours

    def import_plain(
        self, entries: list[tuple[str, str, int]], found: dict[str, Target], read, *, force: bool
    ) -> list[tuple[str, str]]:
        """Import files the CMS has not edited; return those edited meanwhile (path, blob), to be merged instead."""
        if not entries:
            return []
        blobs = {path: blob for path, blob, _ in entries}
        expected = {path: _state(found[path].obj) for path in blobs}
        current: dict[str, bytes] = {}  # the one file being imported, for its sync state

        def source(path: str, blob: str, size: int) -> importing.Source:
            def load() -> bytes:
                current.clear()
                current[path] = read(blob)
                return current[path]

            history = self.histories.get(path)
            dates = (history.added, history.changed) if history is not None else (None, None)
            person = kind_of(path) == PERSON
            return importing.Source(path, os.path.basename(path), size, load, is_person=person, site_dates=dates)

        def after(result: FileResult) -> None:
            record_in_step(found[result.path], blobs[result.path], current[result.path], imported=result)

        raced = []

        def reported(result: FileResult) -> None:
            # Called once the file's group is committed: the pull's report fills in as the import goes.
            if result.status == REFUSED and result.message == importing.ERR_CHANGED_MEANWHILE:
                raced.append((result.path, blobs[result.path]))
            elif result.status == REFUSED:
                record_problem(found[result.path], blobs[result.path], f"{result.line}: {result.message}")
                self.done(FileResult(result.path, REFUSED, result.message, result.line))
            else:
                result.message = DETAIL_DRAFT if result.hidden else ""
                self.done(result)

        sources = [source(path, blob, size) for path, blob, size in entries]
        try:
            importing.import_sources(sources, force=force, after=after, expected=expected, progress=reported)
        finally:
            current.clear()
        return raced

    def merge(self, path: str, blob: str, raw: bytes) -> None:
        """Merge the site's file with the CMS's data, read with the episode or person locked."""
        try:
            theirs = fm.parse(raw)
            if kind_of(path) == EPISODE:
                fm.validate_episode(theirs)
        except fm.FormatError as exc:
            record_problem(targets([path])[path], blob, f"{exc.line}: {exc.message}")
            self.done(FileResult(path, REFUSED, exc.message, exc.line))
            return
        try:
            with transaction.atomic():
                line = self.merge_locked(_locked_target(path), blob, raw, theirs)
        except fm.FormatError as exc:
            line = FileResult(path, REFUSED, exc.message, exc.line)
        except DatabaseError as exc:
            line = FileResult(path, REFUSED, importing.ERR_DATABASE.format(problem=exc))
        self.done(line)

    def merge_locked(self, target: Target, blob: str, raw: bytes, theirs: fm.Document) -> FileResult:
        path, obj = target.path, target.obj
        site_file = target.site_file
        base_text = site_file.text if site_file is not None and site_file.text else getattr(obj, "source_text", "")
        base = parse_text(base_text) if base_text else None
        ours = cms_document(obj) if obj is not None else None
        arrived = (
            {} if site_file is None or not site_file.pushed_text or not pushed_arrived(site_file, raw) else PUSH_CLEARED
        )
        if ours is None or fm.same_document(ours, theirs):
            if obj is None:
                return self.import_locked(target, blob, raw)
            record_in_step(target, blob, raw)
            return FileResult(path, UNCHANGED, "the CMS has the same")
        merged = merge.merge(base, ours, theirs)
        if merged.conflicts:
            values = {
                "conflicts": [conflict.as_yaml() for conflict in merged.conflicts],
                "conflict_text": file_text(raw),
                "conflict_blob": blob,
                "upstream_blob": blob,
                "problem": "",
            }
            if site_file is None:
                values.update(links(target), text=cms_source_text(target), version=in_step_version(target))
            save_site_file(path, values, clear=False)
            return FileResult(path, CONFLICT, conflicts=merged.conflicts)
        from_site = "; ".join(changes.compare(ours, merged.doc).describe()) or "nothing new"
        apply_document(obj, merged.doc, summary=SUMMARY_MERGED.format(path=path, commit=self.head[:7]))
        values = dict(links(target), text=file_text(raw), blob=blob, upstream_blob=blob, **arrived)
        if fm.same_document(merged.doc, theirs):  # both sides made the same changes
            values.update(version=getattr(obj, "version", None), synced_at=timezone.now(), **PUSH_CLEARED)
        else:
            values["version"] = in_step_version(target)
        save_site_file(path, values)
        return FileResult(path, MERGED, MSG_MERGED.format(what=from_site))

    def import_locked(self, target: Target, blob: str, raw: bytes) -> FileResult:
        """Import a file whose episode or person went away meanwhile, as a new one."""
        source = importing.Source(
            target.path, os.path.basename(target.path), len(raw), lambda: raw, is_person=target.kind == PERSON
        )
        result = importing.import_source(source, after=lambda imported: record_in_step(target, blob, raw, imported))
        if result.status == REFUSED:
            return FileResult(target.path, REFUSED, result.message, result.line)
        return result


def _locked_target(path: str) -> Target:
    """Return the target of ``path`` read again with its sync state and its episode or person locked."""
    target = targets([path])[path]
    if target.site_file is not None:
        target.site_file = SiteFile.objects.select_for_update().get(pk=target.site_file.pk)
    if target.obj is not None:
        target.obj = type(target.obj).objects.select_for_update().get(pk=target.obj.pk)
    return target


def _state(obj: Episode | Person | None) -> int | str | None:
    """Return what the plain import checks again with the row locked: an episode's version, a person's state."""
    if obj is None:
        return None
    return obj.version if isinstance(obj, Episode) else importing.person_state(obj)


def _edited_flag(target: Target) -> bool:
    """Tell whether an import would take the episode for edited (its data being the same as the file's)."""
    return isinstance(target.obj, Episode) and target.obj.edited_since_sync
