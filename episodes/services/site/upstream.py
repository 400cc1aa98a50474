"""What changed on the site since the last pull, and which of its files a pull can read: what pull and status share."""

from __future__ import annotations

from ...documents import git
from ...format import frontmatter as fm
from ...models import SiteFile
from .repository import FOLDERS, kind_of

ERR_SYMLINK = "a symbolic link (git mode 120000), not a file: the CMS reads only regular files; commit the file itself"
ERR_SUBMODULE = "a submodule (git mode 160000), not a file: the CMS reads only regular files"
ERR_MODE = "git mode {mode} is not a regular file's: the CMS reads only regular files"


def changed_between(site: git.Repo, since: str, head: str) -> list[git.FileChange]:
    """Return the changes to ``_podcast/*.md`` and ``_people/*.md`` files from commit ``since`` to ``head``."""
    return [c for change in site.diff(since, head, FOLDERS) for c in in_scope(change)]


def in_scope(change: git.FileChange) -> list[git.FileChange]:
    """Return the change as it concerns ``_podcast/*.md`` and ``_people/*.md`` files (a rename may be half in)."""
    new_in = kind_of(change.path) is not None
    if change.status in "RC":
        old_in = change.status == "R" and kind_of(change.old_path) is not None
        if old_in and new_in and kind_of(change.old_path) == kind_of(change.path):
            return [change]
        return ([git.FileChange("D", change.old_path)] if old_in else []) + (
            [git.FileChange("A", change.path)] if new_in else []
        )
    return [change] if new_in else []


def compare_all(tree: dict[str, tuple[str, str, int]]) -> list[git.FileChange]:
    """List every file of ``tree`` (path: (mode, blob, size)) that differs from the CMS's copy.

    For the first pull, or after history was rewritten.
    """
    known = dict(SiteFile.objects.values_list("path", "upstream_blob"))
    files = {path: entry for path, entry in tree.items() if kind_of(path) is not None}
    found = [
        git.FileChange("A" if path not in known else "M", path) for path in files if known.get(path) != files[path][1]
    ]
    gone = [git.FileChange("D", path) for path, blob in known.items() if blob and path not in files]
    # A file gone and one added with the same content: a rename.
    by_blob = {files[c.path][1]: c for c in found if c.status == "A"}
    renamed = []
    for change in gone:
        added = by_blob.pop(known[change.path], None)
        if added is not None and kind_of(change.path) == kind_of(added.path):
            found.remove(added)
            renamed.append(git.FileChange("R", added.path, change.path))
        else:
            renamed.append(change)
    return found + renamed


def unreadable(mode: str, size: int, limit: int) -> str:
    """Return why a file of the tree is not read (a link, a submodule, too big), or ''."""
    if mode == git.SYMLINK_MODE:
        return ERR_SYMLINK
    if mode == git.SUBMODULE_MODE:
        return ERR_SUBMODULE
    if mode not in git.REGULAR_MODES:
        return ERR_MODE.format(mode=mode)
    if size > limit:
        return fm.ERR_TOO_BIG.format(size=size, limit=limit)
    return ""
