"""What pull, push and status share: the repository's folders, opening it, and the files' documents."""

from __future__ import annotations

import posixpath
from dataclasses import dataclass

from django.conf import settings

from ...documents import database, git
from ...format import frontmatter as fm
from ...models import Episode, Person, SiteFile

EPISODES_FOLDER, PEOPLE_FOLDER = "_podcast", "_people"
FOLDERS = [EPISODES_FOLDER, PEOPLE_FOLDER]
EPISODE, PERSON = "episode", "person"
FOLDER_KIND = {EPISODES_FOLDER: EPISODE, PEOPLE_FOLDER: PERSON}
KIND_FOLDER = {kind: folder for folder, kind in FOLDER_KIND.items()}
TEMPLATE_NAME = "_template.md"

ERR_NO_REPO = "no site repository: give --repo PATH or set SITE_REPO"
ERR_DETACHED = (
    "HEAD is detached at {commit} (no branch is checked out): check out the site's branch "
    "(git switch main) and pull again"
)
ERR_NO_COMMITS = "{path} has no commits yet"
NOTE_DIRTY = (
    "the working tree has {count} uncommitted change(s) ({paths}); pull reads the commit, push writes a branch "
    "of its own: neither touches them"
)


class SyncError(Exception):
    """A pull, push or status that cannot go on; the message says why, and nothing was changed."""


def repo_path(path: str | None) -> str:
    """Return ``path``, or the configured SITE_REPO; raise SyncError when there is neither."""
    path = path or getattr(settings, "SITE_REPO", "")
    if not path:
        raise SyncError(ERR_NO_REPO)
    return path


def open_site(path: str | None) -> git.Repo:
    """Return the site's working tree at ``path`` (or SITE_REPO), or raise SyncError saying what is wrong."""
    try:
        return git.Repo.open(repo_path(path))
    except git.GitError as exc:
        raise SyncError(str(exc)) from None


def dirty_note(repo: git.Repo) -> list[str]:
    """Return a note when the working tree has uncommitted changes (empty otherwise)."""
    paths = repo.dirty()
    if not paths:
        return []
    shown = ", ".join(paths[:3]) + (", …" if len(paths) > 3 else "")
    return [NOTE_DIRTY.format(count=len(paths), paths=shown)]


def path_for(kind: str, key: str) -> str:
    return f"{KIND_FOLDER[kind]}/{key}.md"


def kind_of(path: str) -> str | None:
    """Return EPISODE or PERSON for a ``.md`` file directly in ``_podcast`` or ``_people``, else None."""
    folder, name = posixpath.split(path)
    if folder not in FOLDER_KIND or not name.endswith(".md") or name.startswith("."):
        return None
    return FOLDER_KIND[folder]


def is_template(path: str) -> bool:
    """Tell whether ``path`` is the site's template of new episode or people files (not a file of its own)."""
    return kind_of(path) is not None and posixpath.basename(path) == TEMPLATE_NAME


def key_of(path: str) -> str:
    return posixpath.basename(path)[: -len(".md")]


def parse_text(text: str) -> fm.Document | None:
    """Return the document of a stored file text, or None if it cannot be read."""
    try:
        return fm.parse(text)
    except fm.FormatError:
        return None


def cms_document(obj: Episode | Person) -> fm.Document:
    """Return what the CMS would write for an episode or a person now."""
    return database.episode_document(obj) if isinstance(obj, Episode) else database.person_document(obj)


@dataclass
class Target:
    """The CMS object a repository file stands for, and that file's sync state (either may be None)."""

    path: str
    kind: str
    key: str
    obj: Episode | Person | None
    site_file: SiteFile | None


def targets(paths: list[str]) -> dict[str, Target]:
    """Return the target of each file path (three queries, whatever the number of paths)."""
    files = {sf.path: sf for sf in SiteFile.objects.filter(path__in=paths).select_related("episode", "person")}
    keys = {EPISODE: set(), PERSON: set()}
    for path in paths:
        keys[kind_of(path)].add(key_of(path))
    episodes = {e.slug: e for e in Episode.objects.filter(slug__in=keys[EPISODE])}
    people = {p.key: p for p in Person.objects.filter(key__in=keys[PERSON])}
    found = {}
    for path in paths:
        kind, key = kind_of(path), key_of(path)
        site_file = files.get(path)
        obj = (site_file.episode or site_file.person) if site_file else None
        if obj is None:
            obj = episodes.get(key) if kind == EPISODE else people.get(key)
        found[path] = Target(path, kind, key, obj, site_file)
    return found
