"""Status: where the CMS stands with the site's repository, and settling the conflicts a pull left."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from ...documents import git
from ...format import frontmatter as fm
from ...format import merge
from ...models import SiteFile, SiteState
from .pending import Pending, deleted_here_notes, pending_changes
from .pictures import changed_pictures, replaced_pictures
from .recording import interrupted_settle
from .repository import SyncError, cms_document, dirty_note, is_template, open_site, parse_text
from .sitefile import PUSH_CLEARED, apply_document, pushed_arrived
from .upstream import changed_between

KEEP_CMS, KEEP_SITE = "cms", "site"
ERR_NO_CONFLICT = "{path} is not in conflict"
ERR_KEEP = "keep must be 'cms' or 'site'"
ERR_GONE = "{path} has no episode or person in the CMS any more"
SUMMARY_RESOLVED = "settled the conflict with the site's {path}: {kept} kept where both changed"


@dataclass
class StatusReport:
    """Where the CMS stands with the repository: a summary of what a pull and a push would do, and what waits
    to be settled. No file is done here, so it holds no :mod:`episodes.results` result."""

    repo: str
    branch: str | None
    head: str | None
    pulled: str
    pulled_at: object
    upstream: list[git.FileChange] = field(default_factory=list)
    upstream_unknown: bool = False
    pending: list[Pending] = field(default_factory=list)
    pictures: list[str] = field(default_factory=list)  # replaced under the same name: a push commits them too
    demo: list[str] = field(default_factory=list)
    conflicts: list[SiteFile] = field(default_factory=list)
    refused: list[SiteFile] = field(default_factory=list)
    waiting: list[SiteFile] = field(default_factory=list)
    pushed_branch: str = ""
    notes: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        """Return the status as the command prints it."""
        on = f"branch {self.branch}" if self.branch else "a detached HEAD"
        out = [f"Repository {self.repo}: {on} at {(self.head or 'no commit')[:7]}"]
        if not self.pulled:
            out.append("Nothing pulled yet.")
        elif self.upstream_unknown:
            out.append(f"Last pulled {self.pulled[:7]}, which is not in this repository: a pull compares every file.")
        elif self.upstream:
            out.append(f"Changed on the site since the last pull ({self.pulled[:7]}), a pull would import:")
            out += [f"  {_change_line(change)}" for change in self.upstream]
        else:
            out.append(f"Up to date with the site (pulled {self.pulled[:7]}).")
        if self.pending:
            out.append(f"A push would write {len(self.pending)} file(s):")
            for item in self.pending:
                out.append(f"  {item.path}:")
                out += [f"    {line}" for line in item.describe()]
        elif not self.pictures:
            out.append("Nothing to push: the CMS holds the same data as the site's files.")
        if self.pictures:
            out.append(f"A push would write {len(self.pictures)} picture(s) replaced under the same name:")
            out += [f"  {path}" for path in self.pictures]
        if self.demo:
            out.append("Demo data, never pushed:")
            out += [f"  {path}: demo, not published" for path in self.demo]
        if self.conflicts:
            out.append(f"Conflicts ({len(self.conflicts)}), the CMS's edits kept:")
            for site_file in self.conflicts:
                out.append(f"  {site_file.path}:")
                out += [f"    {conflict_line(c)}" for c in site_file.conflicts]
        if self.refused:
            out.append("Refused at the last pull:")
            out += [f"  {site_file.path}:{site_file.problem}" for site_file in self.refused]
        if self.waiting:
            out.append(f"Pushed ({self.pushed_branch or 'a branch'}), not yet on the pulled branch:")
            out += [f"  {site_file.path}" for site_file in self.waiting]
        out += [f"Note: {note}" for note in self.notes]
        return out


def conflict_line(conflict: dict) -> str:
    """Return a conflict kept by a pull (:meth:`merge.Conflict.as_yaml`) in words, showing where the sides differ."""
    base = conflict["base"].strip() if conflict["base"] else merge.MISSING
    return merge.conflict_words(conflict["where"], base, conflict["ours"].strip(), conflict["theirs"].strip())


def _change_line(change: git.FileChange) -> str:
    if is_template(change.path) and change.status != "D":
        return f"template, skipped: {change.path}"
    if change.status == "R":
        return f"renamed: {change.old_path} → {change.path}"
    return {"A": "added", "D": "deleted"}.get(change.status, "changed") + f": {change.path}"


def site_status(*, repo: str | None = None) -> StatusReport:
    """Return what a pull would import, what a push would write, and the conflicts and refusals to settle."""
    site = open_site(repo)
    state = SiteState.load()
    try:
        head, branch = site.head(), site.branch()
        report = StatusReport(site.root, branch, head, state.commit, state.pulled_at, pushed_branch=state.pushed_branch)
        report.notes = interrupted_settle(site, state, dry_run=True) + dirty_note(site)
        if state.commit and head and state.commit != head:
            if site.has_commit(state.commit):
                report.upstream = changed_between(site, state.commit, head)
            else:
                report.upstream_unknown = True
        if state.commit and site.has_commit(state.commit):
            report.pictures = sorted(
                changed_pictures(site, _push_parent(site, state), replaced_pictures(site), write=False)
            )
    except git.GitError as exc:
        raise SyncError(str(exc)) from None
    pending = pending_changes()
    report.pending = pending.files
    report.demo = pending.demo
    report.notes += pending.notes + deleted_here_notes()
    report.conflicts = list(SiteFile.objects.in_conflict().defer("text", "conflict_text"))
    report.refused = list(SiteFile.objects.refused().defer("text", "conflict_text"))
    report.waiting = list(SiteFile.objects.waiting().defer("text", "conflict_text"))
    return report


def _push_parent(site: git.Repo, state: SiteState) -> str:
    """Return the commit a push would build on: the branch of the last push while it grows, else the pulled one."""
    growing = state.pushed_branch and state.pushed_from == state.commit
    if growing and site.resolve(f"refs/heads/{state.pushed_branch}") == state.pushed_commit:
        return state.pushed_commit
    return state.commit


def conflict_resolve(*, path: str, keep: str, user=None) -> list[str]:
    """Settle the conflict of ``path``: merge again, taking the CMS's (``keep='cms'``) or the site's values
    where both changed; everything else merges as before. Return the settled conflicts in words.

    Keeping the CMS's values leaves them to the next push; the site's version becomes the file's base.
    """
    if keep not in (KEEP_CMS, KEEP_SITE):
        raise SyncError(ERR_KEEP)
    with transaction.atomic():
        site_file = SiteFile.objects.select_for_update().filter(path=path).exclude(conflict_blob="").first()
        if site_file is None:
            raise SyncError(ERR_NO_CONFLICT.format(path=path))
        obj = site_file.episode or site_file.person
        if obj is None:
            raise SyncError(ERR_GONE.format(path=path))
        theirs = fm.parse(site_file.conflict_text)
        ours = cms_document(obj)
        base = parse_text(site_file.text) if site_file.text else None
        merged = merge.merge(base, ours, theirs, prefer=merge.OURS if keep == KEEP_CMS else merge.THEIRS)
        kept = "the CMS's values" if keep == KEEP_CMS else "the site's values"
        if not fm.same_document(merged.doc, ours):
            apply_document(obj, merged.doc, summary=SUMMARY_RESOLVED.format(path=path, kept=kept), user=user)
        in_step = fm.same_document(merged.doc, theirs)
        if in_step or (site_file.pushed_text and pushed_arrived(site_file, site_file.conflict_text)):
            for name, value in PUSH_CLEARED.items():
                setattr(site_file, name, value)
        site_file.text, site_file.blob = site_file.conflict_text, site_file.conflict_blob
        site_file.upstream_blob = site_file.conflict_blob
        site_file.conflicts, site_file.conflict_text, site_file.conflict_blob = [], "", ""
        if in_step:
            site_file.version = getattr(obj, "version", None)
            site_file.synced_at = timezone.now()
        site_file.save()
    return [conflict.describe() for conflict in merged.conflicts]
