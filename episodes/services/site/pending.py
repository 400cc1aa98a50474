"""What changed in the CMS since the last pull or push: the files a push would write.

"Changed" means the CMS's data differs from the file the push would replace: the file as last pushed while
the push grows that branch (the pulled commit is still the one it grew from), else the file as last pulled.
An episode whose version is the one recorded with that file is unchanged without reading it; any other is
read and compared. People have no versions and are compared every time (their files are a few lines).
Demo data (``setup_demo``) is never written.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from functools import cached_property

from django.contrib.admin.models import LogEntry
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType

from ...documents import database
from ...format import changes
from ...format import frontmatter as fm
from ...models import Episode, Person, Revision, SiteFile, SiteState
from .repository import EPISODE, PERSON, parse_text, path_for

NOTE_CONFLICT = "{path} is not written: it is in conflict with the site since the last pull (resolve it first)"
NOTE_DRAFT_ON_SITE = "{path} is live on the site but a draft in the CMS: not written (delete the file to unpublish)"
NOTE_DEMO = "{path}: demo, not published"
NOTE_DELETED_HERE = "{path} was deleted in the CMS but is still on the site: delete the file there to remove it"


@dataclass(eq=False)
class Pending:
    """An episode or person whose CMS data differs from its file (or that has no file yet)."""

    kind: str
    obj: Episode | Person
    doc: fm.Document
    site_file: SiteFile | None
    version: int | None = None  # the episode's version ``doc`` was read at
    authors: list = field(default_factory=list)
    base_text: str = ""  # the file the push replaces ('' for a new file)
    base_blob: str = ""
    base_version: int | None = None  # the episode's version that held exactly ``base_text``

    @property
    def key(self) -> str:
        return self.obj.slug if self.kind == EPISODE else self.obj.key

    @property
    def path(self) -> str:
        return path_for(self.kind, self.key)

    @property
    def old_path(self) -> str:
        """The file's path before the CMS renamed it ('' when not renamed)."""
        if self.site_file is not None and self.site_file.path != self.path:
            return self.site_file.path
        return ""

    @cached_property
    def base(self) -> fm.Document | None:
        return parse_text(self.base_text) if self.base_text else None

    @cached_property
    def comparison(self) -> changes.Comparison | None:
        """The changes from the file the push replaces (None for a new file)."""
        return changes.compare(self.base, self.doc) if self.base is not None else None

    def replaces(self, text: str | None, blob: str = "") -> None:
        """Compare with ``text`` from now on: the file a push actually replaces (None: there is none)."""
        self.base_text, self.base_blob = text or "", blob
        for name in ("base", "comparison"):
            self.__dict__.pop(name, None)

    def describe(self) -> list[str]:
        """Return what changed, in words: one line per change."""
        lines = []
        if self.old_path:
            lines.append(f"renamed from {self.old_path}")
        if self.comparison is None:
            lines.append(f"new {self.kind} file")
        else:
            lines += self.comparison.describe()
        return lines

    def __str__(self) -> str:
        if self.kind == EPISODE:
            return self.obj.title or self.obj.slug
        return str(self.obj)


@dataclass
class PendingChanges:
    """What a push would write, and why it leaves some files out: work to do, so no :mod:`episodes.results`
    result (a push reports what it wrote with those)."""

    files: list[Pending]
    notes: list[str]
    demo: list[str] = field(default_factory=list)  # paths of demo data, never written

    def demo_notes(self) -> list[str]:
        return [NOTE_DEMO.format(path=path) for path in self.demo]


def pending_changes(*, growing: bool | None = None) -> PendingChanges:
    """Return the episodes and people a push would write, and notes on those it leaves out.

    ``growing``: the push adds to the branch of the last push (None: it does if no pull came since).
    """
    if growing is None:
        state = SiteState.load()
        growing = bool(state.pushed_branch) and state.pushed_from == state.commit
        pulled = state.commit
    else:
        pulled = SiteState.load().commit
    since_push = pulled if growing else None
    notes: list[str] = []
    demo: list[str] = []
    files = _episodes(notes, demo, since_push) + _people(notes, demo, since_push)
    _add_authors(files)
    return PendingChanges(files, notes, demo)


def _base(site_file, since_push: str | None) -> tuple[str, str, int | None]:
    """Return (text, blob, version) of the file a push replaces: as last pushed on the growing branch, or pulled."""
    if site_file is None:
        return "", "", None
    if since_push and site_file.pushed_blob and site_file.pushed_from == since_push:
        return site_file.pushed_text, site_file.pushed_blob, site_file.pushed_version
    return site_file.text, site_file.blob, site_file.version


def _episodes(notes: list[str], demo: list[str], since_push: str | None) -> list[Pending]:
    tracked = {
        row["episode"]: row
        for row in SiteFile.objects.filter(episode__isnull=False).values(
            "pk", "episode", "path", "version", "conflict_blob", "pushed_blob", "pushed_from", "pushed_version"
        )
    }
    renamed_guests = set()
    for person_id, path, key in SiteFile.objects.filter(person__isnull=False).values_list(
        "person", "path", "person__key"
    ):
        if path != path_for(PERSON, key):
            renamed_guests.add(person_id)
    with_renamed_guests = (
        set(Episode.objects.filter(guest_rows__person__in=renamed_guests).values_list("pk", flat=True))
        if renamed_guests
        else set()
    )
    candidates = []
    # A draft whose file the site hides is written like any episode (under its own name, still hidden).
    drafts = Episode.objects.exclude(status=Episode.Status.PUBLISHED).only("slug", "extra")
    hidden = {episode.pk for episode in drafts if database.episode_hidden(episode)}
    rows = Episode.objects.values_list("pk", "slug", "version", "status", "demo")
    for pk, slug, version, status, is_demo in rows:
        row = tracked.get(pk)
        if is_demo:
            demo.append(row["path"] if row is not None else path_for(EPISODE, slug))
            continue
        if status != Episode.Status.PUBLISHED and pk not in hidden:
            if row is not None:
                notes.append(NOTE_DRAFT_ON_SITE.format(path=row["path"]))
            continue
        if row is not None and row["conflict_blob"]:
            notes.append(NOTE_CONFLICT.format(path=row["path"]))
            continue
        moved = row is None or row["path"] != path_for(EPISODE, slug) or pk in with_renamed_guests
        pushed_here = since_push and row is not None and row["pushed_blob"] and row["pushed_from"] == since_push
        if moved or (row["pushed_version"] if pushed_here else row["version"]) != version:
            candidates.append(pk)
    if not candidates:
        return []
    files = {sf.episode_id: sf for sf in SiteFile.objects.filter(episode__in=candidates)}
    found = []
    for episode, doc in database.episode_documents(Episode.objects.filter(pk__in=candidates).order_by("slug")):
        site_file = files.get(episode.pk)
        text, blob, base_version = _base(site_file, since_push)
        pending = Pending(EPISODE, episode, doc, site_file, version=episode.version, base_version=base_version)
        pending.replaces(text, blob)
        if _differs(pending):
            found.append(pending)
    return found


def _people(notes: list[str], demo: list[str], since_push: str | None) -> list[Pending]:
    files = {sf.person_id: sf for sf in SiteFile.objects.filter(person__isnull=False)}
    found = []
    for person in Person.objects.with_profile().order_by("key"):
        site_file = files.get(person.pk)
        if person.demo:
            demo.append(site_file.path if site_file is not None else path_for(PERSON, person.key))
            continue
        if site_file is not None and site_file.conflict_blob:
            notes.append(NOTE_CONFLICT.format(path=site_file.path))
            continue
        pending = Pending(PERSON, person, database.person_document(person), site_file)
        pending.replaces(*_base(site_file, since_push)[:2])
        if _differs(pending):
            found.append(pending)
    return found


def _differs(pending: Pending) -> bool:
    if pending.site_file is None or pending.old_path:
        return True
    base = pending.base
    return base is None or not fm.same_document(base, pending.doc)


def deleted_here_notes() -> list[str]:
    """Return a note for each file whose episode or person was deleted in the CMS."""
    orphans = SiteFile.objects.filter(episode__isnull=True, person__isnull=True).exclude(text="")
    return [NOTE_DELETED_HERE.format(path=path) for path in orphans.values_list("path", flat=True)]


def _add_authors(files: list[Pending]) -> None:
    """Give each pending file the editors whose changes it carries, most active first.

    Episodes: the users of the revisions since the version last in step with the file (pulls record none).
    People: the admin's log of changes since the file was last in step.
    """
    # One query for the episodes' revisions and one for the people's log entries, however many files.
    users = {}
    episodes = [p for p in files if p.kind == EPISODE]
    edits: dict[int, list[tuple[int, int]]] = {}
    if episodes:
        revisions = Revision.objects.filter(episode__in=[p.obj for p in episodes], user__isnull=False)
        for episode_id, version, user_id in revisions.values_list("episode", "version", "user"):
            edits.setdefault(episode_id, []).append((version, user_id))
    for pending in episodes:
        since = pending.base_version or 0
        made = [user_id for version, user_id in edits.get(pending.obj.pk, []) if version > since]
        pending.authors = list(Counter(made).elements())
    people = [p for p in files if p.kind == PERSON]
    logged: dict[str, list[tuple]] = {}
    if people:
        entries = LogEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(Person), object_id__in=[str(p.obj.pk) for p in people]
        )
        for object_id, when, user_id in entries.values_list("object_id", "action_time", "user"):
            logged.setdefault(object_id, []).append((when, user_id))
    for pending in people:
        since = pending.site_file.synced_at if pending.site_file is not None else None
        pending.authors = [user for when, user in logged.get(str(pending.obj.pk), []) if since is None or when > since]
    ids = {user_id for p in files for user_id in p.authors}
    if ids:
        users = get_user_model().objects.in_bulk(ids)
    for pending in files:
        pending.authors = [users[user_id] for user_id in pending.authors if user_id in users]


def authors(files: list[Pending]) -> list:
    """Return the editors of all ``files``, the one with the most changes first."""
    counts = Counter(user for pending in files for user in pending.authors)
    return [user for user, _ in counts.most_common()]
