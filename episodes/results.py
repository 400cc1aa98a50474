"""One result vocabulary for work done file by file: import, pull, push, export, intake and the jobs that run them.

As django-import-export's ``results.py`` serves all its imports: one status set, one per-file result
(:class:`FileResult`) and one run report (:class:`Report`), so that the commands, the admin pages and a job's
report read any of them the same way. What each prints is its own (the commands' lines are parsed by editors'
scripts); what it reads is this.

Pure, as :mod:`episodes.progress` is, and beside it: the documents layer's export reports with it too.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .format import merge

CREATED = "created"
UPDATED = "updated"
UNCHANGED = "unchanged"
MERGED = "merged"  # a pull: the site's changes merged with the CMS's edits
RENAMED = "renamed"
DELETED = "deleted"
CONFLICT = "conflict"  # a pull: both sides changed the same value; the CMS's edits are kept
REFUSED = "refused"  # nothing of the file was kept (or, for an export, written): ``message`` says why
SKIPPED = "skipped"
# A file written out (an export into a folder, a push into a commit): what the other side had is not read,
# so whether it was created or updated there is not told.
WRITTEN = "written"
# An export's --check, which writes nothing, tells the files whose text would change.
WOULD_CHANGE = "would change"
STATUSES = (CREATED, UPDATED, MERGED, UNCHANGED, RENAMED, DELETED, SKIPPED, CONFLICT, REFUSED, WRITTEN, WOULD_CHANGE)
# What an import run counts, in the order its summary gives them.
IMPORT_STATUSES = (CREATED, UPDATED, UNCHANGED, REFUSED)


@dataclass
class FileResult:
    """What a run did, or in a dry run would do, with one file.

    ``path`` is how messages name the file (a path, a repository path, an archive's member, an upload);
    ``key`` the slug of its episode or the key of its person, ``pk`` and ``version`` that row's once written;
    ``message`` says why a file was refused, or what was done, in words; ``line`` where a refused file's
    problem is. ``counts`` are what an intake read (turns, sections, clips).
    """

    path: str
    status: str
    message: str = ""
    line: int = 1
    key: str = ""
    is_person: bool = False
    pk: int | None = None
    version: int | None = None
    # An episode whose file the site hides (a draft, see database.hidden_on_site), once imported.
    hidden: bool = False
    old_path: str = ""  # a renamed file's earlier path
    warnings: list[str] = field(default_factory=list)
    missing_guests: list[str] = field(default_factory=list)
    # The differences from what was there, when asked for: a run keeps no file's text, only this.
    diff: list[str] = field(default_factory=list)
    changes: list[str] = field(default_factory=list)  # what changed, in words (one line per change)
    conflicts: list[merge.Conflict] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        """Tell whether the file went through (neither refused nor left in conflict)."""
        return self.status not in (REFUSED, CONFLICT)

    def __str__(self) -> str:
        if self.status == REFUSED:
            return f"{self.path}:{self.line}: {self.message}"
        if self.status == CONFLICT:
            said = "; ".join(conflict.describe() for conflict in self.conflicts)
            return f"{self.path}: conflict, not imported (the CMS's edits are kept): {said}"
        if self.status == RENAMED:
            return f"{self.old_path} → {self.path}: renamed ({self.message})"
        if self.status == SKIPPED:
            return f"{self.path}: {self.message}, skipped"
        detail = ", ".join(part for part in (self.key, self.message) if part)
        return f"{self.path}: {self.status}" + (f" ({detail})" if detail else "")


@dataclass
class Report:
    """The files of one run, in the order they were done, and its notes.

    A pull and a push extend it with the commits they read and wrote (:mod:`.site`).
    """

    files: list[FileResult] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def counts(self, statuses: tuple[str, ...] = STATUSES) -> dict[str, int]:
        return {status: sum(f.status == status for f in self.files) for status in statuses}

    @property
    def refused(self) -> list[FileResult]:
        return [f for f in self.files if f.status == REFUSED]

    @property
    def problems(self) -> list[FileResult]:
        """The files refused or left in conflict."""
        return [f for f in self.files if not f.ok]

    @property
    def missing_guests(self) -> list[str]:
        return sorted({key for f in self.files for key in f.missing_guests})

    def summary(self) -> str:
        """Return an import's totals: ``N files: a created, b updated, c unchanged, d refused``."""
        counts = self.counts(IMPORT_STATUSES)
        return f"{len(self.files)} files: " + ", ".join(f"{counts[s]} {s}" for s in IMPORT_STATUSES)
