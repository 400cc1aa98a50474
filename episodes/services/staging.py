"""Uploaded files waiting for their confirmation: a private folder per upload, read back exactly as checked.

Between an upload's dry run and its confirmation (which a worker may carry out) the files wait in a private
folder of their own; the confirmation names that folder and a digest of each file, so that exactly the
files the dry run showed are imported, or nothing.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import stat
import tempfile
import time
from pathlib import Path

from django.conf import settings

from . import importing
from .intake import max_bytes

STALE_AFTER = 24 * 3600
# What a preview read from the files it staged, kept beside them for the confirmation (never an upload:
# those are stored as <index>-<name>).
READ_NAME = "read.json"

ERR_GONE = "That upload is no longer available; please upload the files again."
ERR_CHANGED = "The uploaded files changed after the dry run; nothing was imported. Please upload them again."
ERR_NOT_PRIVATE = (
    "The upload folder {path} is not private to this server ({problem}); set EPISODES_UPLOAD_DIR to a folder "
    "only this server's user can open."
)


class UploadFolderError(Exception):
    pass


def upload_root() -> Path:
    """Return the folder uploads are staged in, made private to this process's user, and checked to be."""
    configured = getattr(settings, "EPISODES_UPLOAD_DIR", "")
    # Without a setting, a folder per user under the system's temporary folder, which other users share.
    root = Path(configured or Path(tempfile.gettempdir()) / f"podcast-cms-uploads-{os.getuid()}")
    try:
        root.mkdir(parents=True, exist_ok=True, mode=0o700)
    except OSError as exc:
        raise UploadFolderError(ERR_NOT_PRIVATE.format(path=root, problem=exc.strerror or exc)) from exc
    problem = _not_private(root)
    if problem:
        raise UploadFolderError(ERR_NOT_PRIVATE.format(path=root, problem=problem))
    return root


def _not_private(path: Path) -> str:
    """Return why ``path`` is not a folder only we can use, or ''. Looks at the link, never through it."""
    info = os.lstat(path)
    if stat.S_ISLNK(info.st_mode):
        return "it is a symbolic link"
    if not stat.S_ISDIR(info.st_mode):
        return "it is not a folder"
    if info.st_uid != os.getuid():
        return f"it belongs to user id {info.st_uid}"
    if info.st_mode & 0o077:
        return f"its permissions are {stat.S_IMODE(info.st_mode):o}, not 700"
    return ""


def _sweep(root: Path) -> None:
    """Remove uploads nobody confirmed within a day."""
    for folder in root.iterdir():
        if folder.is_dir() and not folder.is_symlink() and time.time() - folder.stat().st_mtime > STALE_AFTER:
            shutil.rmtree(folder, ignore_errors=True)


def stage(files) -> tuple[Path, dict[str, str]]:
    """Write uploaded files into a new private folder; return it and each stored name's SHA-256."""
    root = upload_root()
    _sweep(root)
    folder = Path(tempfile.mkdtemp(prefix="upload-", dir=root))  # 0700, a name nobody can guess
    digests = {}
    for index, upload in enumerate(files):
        name = f"{index:03d}-{Path(upload.name).name or 'upload.md'}"
        digest = hashlib.sha256()
        # O_EXCL and O_NOFOLLOW: a file of ours, never one a link points to.
        fd = os.open(folder / name, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
        with os.fdopen(fd, "wb") as target:
            for chunk in upload.chunks():
                digest.update(chunk)
                target.write(chunk)
        digests[name] = digest.hexdigest()
    return folder, digests


def staged_paths(folder: Path, digests: dict[str, str] | None = None) -> list[tuple[str, Path]]:
    """Return (uploaded name, path) of each file staged in ``folder``, in the order they were uploaded.

    Given ``digests``, the folder must hold exactly those files with those contents (else UploadFolderError).
    """
    if _not_private(folder):
        raise UploadFolderError(ERR_GONE)
    paths = sorted(path for path in folder.iterdir() if path.name != READ_NAME)
    if digests is not None and (
        sorted(p.name for p in paths) != sorted(digests) or any(_sha256(p) != digests[p.name] for p in paths)
    ):
        raise UploadFolderError(ERR_CHANGED)
    return [(path.name.split("-", 1)[1], path) for path in paths]  # stored as <index>-<uploaded name>


def stored_sources(folder: Path, digests: dict[str, str] | None = None) -> list[importing.Source]:
    """Return the import sources for the files stored in ``folder``, under their uploaded names."""
    sources = []
    for name, path in staged_paths(folder, digests):
        if name.lower().endswith(".zip"):
            sources += importing.zip_sources(str(path), name=name)
        else:
            sources.append(importing.Source(name, name, path.stat().st_size, _reader(path)))
    return sources


def keep_read(folder: Path, data: bytes) -> str:
    """Keep what a preview read from the staged files beside them; return its SHA-256 for the token."""
    fd = os.open(folder / READ_NAME, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
    with os.fdopen(fd, "wb") as target:
        target.write(data)
    return hashlib.sha256(data).hexdigest()


def kept_read(folder: Path, digest: str) -> bytes:
    """Return what the preview kept with :func:`keep_read`, checked against its digest (else UploadFolderError)."""
    try:
        fd = os.open(folder / READ_NAME, os.O_RDONLY | os.O_NOFOLLOW)
    except OSError:
        raise UploadFolderError(ERR_GONE) from None
    with os.fdopen(fd, "rb") as f:
        data = f.read()
    if hashlib.sha256(data).hexdigest() != digest:
        raise UploadFolderError(ERR_CHANGED)
    return data


def read_staged(path: Path) -> bytes:
    """Return a staged file's bytes, never through a link (one byte past the size limit, to tell it)."""
    return _reader(path)()


def _sha256(path: Path) -> str:
    if not stat.S_ISREG(os.lstat(path).st_mode):
        return ""
    with open(path, "rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()


def _reader(path: Path):
    def read() -> bytes:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
        with os.fdopen(fd, "rb") as f:
            return f.read(max_bytes() + 1)

    return read
