"""The pictures a push commits: the cover an episode's ``image`` and the picture a profile's ``picture`` name
(``images/podcast/``, ``images/authors/``), from the checkout (else the media storage), when they differ from
the parent commit's; and the pictures replaced in the checkout under the same name (uploaded again: the
episode's or person's file does not change), which the status and the Publish page list beside the files."""

from __future__ import annotations

import posixpath

from ...documents import git, images
from ...models import Episode, Person
from .pending import Pending
from .repository import EPISODE, PERSON

FOLDERS = [images.COVERS, images.PICTURES]
KEYS = {EPISODE: "image", PERSON: "picture"}
NEW, REPLACED = "new image", "image replaced"


def picture_path(value) -> str:
    """Return the picture path a front matter value (or a push's ``only``) names in the site's picture
    folders, else ''."""
    path = value.strip().lstrip("/") if isinstance(value, str) else ""
    return path if posixpath.dirname(path) in FOLDERS else ""


def pictures_named(files: list[Pending]) -> set[str]:
    """Return the picture paths the pending files name."""
    return {path for item in files if (path := picture_path(item.doc.front.get(KEYS[item.kind])))}


def replaced_pictures(site: git.Repo) -> set[str]:
    """Return the pictures changed in the checkout (since its commit) that a published episode or a person's
    profile names (demo data aside)."""
    changed = {path for path in site.dirty(*FOLDERS) if picture_path(path)}
    if not changed:
        return set()
    episodes = Episode.objects.filter(image__in=changed, demo=False, status=Episode.Status.PUBLISHED)
    people = Person.objects.with_profile().filter(picture__in=changed, demo=False)
    return set(episodes.values_list("image", flat=True)) | set(people.values_list("picture", flat=True))


def changed_pictures(site: git.Repo, parent: str, paths: set[str], *, write: bool) -> dict[str, tuple[str, str]]:
    """Return {path: (blob, what)} of the pictures among ``paths`` whose file differs from ``parent``'s (the
    blobs stored when ``write``); a picture that is no file here is left out (the cover-found rule warns)."""
    found = [(path, data) for path in sorted(paths) if (data := _picture_bytes(site, path)) is not None]
    if not found:
        return {}
    in_parent = site.files(parent, FOLDERS)
    blobs = site.write_blobs([data for _, data in found], write=write)
    changed = {}
    for (path, _), blob in zip(found, blobs, strict=True):
        mode, old_blob, _ = in_parent.get(path, ("", "", 0))
        if (mode, old_blob) != (git.FILE_MODE, blob):
            changed[path] = (blob, REPLACED if old_blob else NEW)
    return changed


def _picture_bytes(site: git.Repo, path: str) -> bytes | None:
    full = images.checkout_file(path, site.root)
    if full is not None:
        with open(full, "rb") as f:
            return f.read()
    if images.in_media(path):
        with images.media_storage().open(path, "rb") as f:
            return f.read()
    return None
