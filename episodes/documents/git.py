"""The site's git repository, through the ``git`` command line; knows nothing of Django.

Everything the CMS does to a repository goes through :class:`Repo`. It reads commits and blobs, and it
writes objects, a branch and a push, but never the checked-out branch, the working tree or the real index:
commits are built in a temporary index file (``GIT_INDEX_FILE``), and ``git status`` runs without its
optional index refresh (``GIT_OPTIONAL_LOCKS=0``).
"""

from __future__ import annotations

import datetime
import fcntl
import os
import subprocess
import tempfile
from contextlib import contextmanager
from dataclasses import dataclass, field

ZERO = "0" * 40
FILE_MODE = "100644"  # every file the CMS writes: a regular file, not executable
REGULAR_MODES = (FILE_MODE, "100755")
SYMLINK_MODE, SUBMODULE_MODE = "120000", "160000"
_COMMIT_MARK = "\x01"  # starts each commit's line in a history walk: no path or status starts so
LOCAL_TIMEOUT = 120  # seconds; reading or writing objects of a big repository
PUSH_TIMEOUT = 600  # a push goes over the network

ERR_NO_GIT = "the git command is not installed (or not on PATH)"
ERR_NOT_FOLDER = "{path}: no such folder"
ERR_NOT_WORK_TREE = "{path} is not a git working tree (git says: {said})"
ERR_BARE = "{path} is a bare repository; give the folder of a checkout of the site"
ERR_TIMEOUT = "git {command} did not finish within {seconds} seconds"
ERR_BUSY = "another pull or push is running on {path}; try again when it has finished"
ERR_LOCK = "cannot write to the git folder of {path} ({problem}): the CMS needs to write there to pull or push"
ERR_BAD_BRANCH = "'{name}' is not a valid branch name"
ERR_FULL_REF = "'{name}' is not a valid branch name: give the branch's short name, without refs/heads/"
ERR_BAD_REMOTE = "'{name}' is not a valid remote name"
ERR_NO_REMOTE = "there is no remote '{name}' in {path} (remotes: {remotes})"


class GitError(Exception):
    """A git command that failed; the message says what git said."""


class GitTimeout(GitError):
    """A git command stopped for taking too long: what it did on a remote is not known."""


@dataclass(frozen=True)
class FileChange:
    """One line of ``git diff --name-status``: A, M, D, T or R (``old_path`` set for renames)."""

    status: str
    path: str
    old_path: str = ""


@dataclass(frozen=True)
class Commit:
    """One commit of a history walk: its id, its committer date (UTC) and the files it changed."""

    id: str
    when: datetime.datetime
    changes: tuple[FileChange, ...]


@dataclass
class FileHistory:
    """One file followed through a history walk, under all its names.

    ``added``: the date of the commit that added it (None when that is before the walk); ``changed``: of the
    last commit that changed it, a rename included; ``old_paths``: the names it had, oldest first.
    """

    added: datetime.datetime | None = None
    changed: datetime.datetime | None = None
    old_paths: list[str] = field(default_factory=list)


def follow_renames(commits: list[Commit]) -> dict[str, FileHistory]:
    """Follow each file through ``commits`` (oldest first) to its path at the last one.

    Chains of renames (a → b → c) end at today's name; a file deleted by the end of the walk is left out, and
    one deleted and added again starts afresh. A name given up twice (a → b, a new a, a → c) is an old name of
    the last file that had it only.
    """
    files: dict[str, FileHistory] = {}
    renamed_last: dict[str, FileHistory] = {}  # a name given up more than once is the old name of the last
    for commit in commits:
        for change in commit.changes:
            if change.status in "AC":
                files[change.path] = FileHistory(added=commit.when, changed=commit.when)
            elif change.status == "D":
                files.pop(change.path, None)
            elif change.status == "R":
                history = files.pop(change.old_path, None) or FileHistory()
                history.old_paths.append(change.old_path)
                renamed_last[change.old_path] = history
                history.changed = commit.when
                files[change.path] = history
            else:
                files.setdefault(change.path, FileHistory()).changed = commit.when
    for path, history in files.items():
        names = dict.fromkeys(history.old_paths)
        history.old_paths = [name for name in names if name != path and renamed_last[name] is history]
    return files


def _name_status(fields: list[str], i: int) -> tuple[FileChange | None, int]:
    """Read one change of ``--name-status -z`` output at ``fields[i]``; return it and the next index."""
    status = fields[i][:1]
    if status in ("R", "C"):
        return FileChange(status, fields[i + 2], fields[i + 1]), i + 3
    return FileChange(status, fields[i + 1]), i + 2


@dataclass(frozen=True)
class Identity:
    name: str
    email: str

    def __str__(self) -> str:
        return f"{self.name} <{self.email}>"


def _environment(extra: dict | None = None) -> dict:
    env = dict(os.environ)
    # Never wait for a password nobody will type; parseable messages; no index refresh by `git status`.
    env.update(GIT_TERMINAL_PROMPT="0", LC_ALL="C", LANGUAGE="C", GIT_OPTIONAL_LOCKS="0")
    env.pop("GIT_INDEX_FILE", None)
    env.pop("GIT_DIR", None)
    env.pop("GIT_WORK_TREE", None)
    if extra:
        env.update(extra)
    return env


def _said(stderr: bytes) -> str:
    """Return what git wrote to stderr as one line for a message."""
    lines = [line.strip() for line in stderr.decode("utf-8", "replace").splitlines() if line.strip()]
    return " / ".join(lines) or "no message"


class Repo:
    """A git working tree; ``root`` is its top folder."""

    def __init__(self, root: str):
        self.root = root
        self.git_dir = ""
        self._held: tuple[int, ...] = ()  # the lock's file, while held: every git started meanwhile holds it too

    @classmethod
    def open(cls, path: str) -> Repo:
        """Return the working tree at ``path`` (or the one ``path`` lies in); raise GitError otherwise."""
        if not os.path.isdir(path):
            raise GitError(ERR_NOT_FOLDER.format(path=path))
        repo = cls(os.path.abspath(path))
        try:
            out = repo.run("rev-parse", "--is-bare-repository", "--show-toplevel", "--absolute-git-dir")
        except GitError as exc:
            raise GitError(ERR_NOT_WORK_TREE.format(path=path, said=exc)) from None
        lines = out.decode("utf-8", "surrogateescape").splitlines()
        if lines[0] == "true" or len(lines) < 3:
            raise GitError(ERR_BARE.format(path=path))
        repo.root, repo.git_dir = lines[1], lines[2]
        return repo

    def run(self, *args: str, input: bytes | None = None, env: dict | None = None, timeout: int = LOCAL_TIMEOUT):
        """Run ``git args`` in the working tree and return its output; raise GitError with git's message."""
        command = ["git", "-C", self.root, *args]
        try:
            done = subprocess.run(
                command,
                input=input,
                capture_output=True,
                env=_environment(env),
                timeout=timeout,
                check=False,
                pass_fds=self._held,
            )
        except FileNotFoundError:
            raise GitError(ERR_NO_GIT) from None
        except subprocess.TimeoutExpired:
            raise GitTimeout(ERR_TIMEOUT.format(command=args[0], seconds=timeout)) from None
        if done.returncode != 0:
            raise GitError(_said(done.stderr or done.stdout))
        return done.stdout

    def text(self, *args: str, **kwargs) -> str:
        return self.run(*args, **kwargs).decode("utf-8", "surrogateescape").strip()

    # -- reading --------------------------------------------------------------------------------------

    def head(self) -> str | None:
        """Return the checked-out commit, or None in a repository without commits."""
        try:
            return self.text("rev-parse", "--verify", "--quiet", "HEAD^{commit}") or None
        except GitError:
            return None

    def branch(self) -> str | None:
        """Return the checked-out branch's short name, or None when HEAD is detached."""
        try:
            return self.text("symbolic-ref", "--quiet", "--short", "HEAD") or None
        except GitError:
            return None

    def has_commit(self, commit: str) -> bool:
        if not commit:
            return False
        try:
            self.run("cat-file", "-e", f"{commit}^{{commit}}")
        except GitError:
            return False
        return True

    def resolve(self, ref: str) -> str | None:
        """Return the commit a full ref (``refs/heads/x``) points to, or None if there is none."""
        try:
            return self.text("rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}") or None
        except GitError:
            return None

    def files(self, commit: str, folders: list[str]) -> dict[str, tuple[str, str, int]]:
        """Return {path: (mode, blob id, size)} of the files directly in ``folders`` at ``commit``.

        Symbolic links (SYMLINK_MODE, their target's text as blob) and submodules (SUBMODULE_MODE, a commit id
        and size 0) are listed too, for the caller to refuse; folders are not.
        """
        out = self.run("ls-tree", "-z", "-l", "--full-tree", commit, "--", *[f"{folder}/" for folder in folders])
        found = {}
        for entry in out.split(b"\0"):
            if not entry:
                continue
            info, path = entry.split(b"\t", 1)
            mode, kind, blob, size = info.decode().split()
            if kind in ("blob", "commit"):
                found[path.decode("utf-8", "surrogateescape")] = (mode, blob, int(size) if size.isdigit() else 0)
        return found

    def diff(self, old: str, new: str, folders: list[str]) -> list[FileChange]:
        """Return the files of ``folders`` that differ between two commits, renames found (``git diff -M``)."""
        out = self.run("diff-tree", "-r", "-z", "-M", "--name-status", "--no-commit-id", old, new, "--", *folders)
        fields = [f.decode("utf-8", "surrogateescape") for f in out.split(b"\0")]
        changes, i = [], 0
        while i < len(fields) and fields[i]:
            change, i = _name_status(fields, i)
            changes.append(change)
        return changes

    def history(self, head: str, folder: str, *, since: str = "") -> list[Commit]:
        """Return the commits up to ``head`` (after ``since``, if given) that changed ``folder``, oldest first.

        One ``git log -M --name-status`` call walks the whole history; renames are found as by ``git diff -M``.
        Merges list no changes of their own: each change is listed by the commit that made it.
        """
        revisions = f"{since}..{head}" if since else head
        out = self.run(
            *("-c", "log.showRoot=true", "-c", "log.showSignature=false", "-c", "diff.relative=false"),
            *("log", "-z", "-M", "--name-status", "--diff-merges=off", "--topo-order", "--reverse"),
            *("--no-color", "--no-ext-diff", f"--format={_COMMIT_MARK}%H %ct", revisions, "--", f"{folder}/"),
        )
        commits: list[tuple[str, datetime.datetime, list[FileChange]]] = []
        fields = [f.decode("utf-8", "surrogateescape") for f in out.split(b"\0")]
        i = 0
        while i < len(fields):
            if fields[i].startswith(_COMMIT_MARK):
                commit_id, stamp = fields[i][1:].split()
                commits.append((commit_id, datetime.datetime.fromtimestamp(int(stamp), datetime.UTC), []))
                i += 1
                if i < len(fields) and fields[i].startswith("\n"):
                    fields[i] = fields[i][1:]  # git puts a newline between a commit's line and its changes
            elif fields[i]:
                change, i = _name_status(fields, i)
                commits[-1][2].append(change)
            else:
                i += 1
        return [Commit(commit_id, when, tuple(changes)) for commit_id, when, changes in commits]

    def dirty(self, *folders: str) -> list[str]:
        """Return the paths with uncommitted changes or untracked files in the working tree; with ``folders``,
        in those only, each untracked file named (not its new folder)."""
        untracked = "--untracked-files=all" if folders else "--untracked-files=normal"
        out = self.run("status", "--porcelain=v1", "-z", untracked, *(("--", *folders) if folders else ()))
        paths, entries, i = [], out.split(b"\0"), 0
        while i < len(entries):
            entry = entries[i]
            if entry:
                paths.append(entry[3:].decode("utf-8", "surrogateescape"))
                if entry[:1] in (b"R", b"C"):
                    i += 1  # the original path follows a rename
            i += 1
        return paths

    def remotes(self) -> list[str]:
        return self.text("remote").split()

    def worktree_branches(self) -> set[str]:
        """Return the branches checked out in this repository's working trees (``refs/heads/...``)."""
        out = self.text("worktree", "list", "--porcelain")
        return {line.split(" ", 1)[1] for line in out.splitlines() if line.startswith("branch ")}

    def identity(self) -> Identity | None:
        """Return the committer git is configured with here, or None."""
        try:
            ident = self.text("var", "GIT_COMMITTER_IDENT")
        except GitError:
            return None
        name, _, rest = ident.partition(" <")
        email = rest.split(">", 1)[0]
        return Identity(name, email) if name and email else None

    @contextmanager
    def blobs(self):
        """Yield a function returning a blob's bytes by id, all read through one ``git cat-file --batch``."""
        try:
            process = subprocess.Popen(
                ["git", "-C", self.root, "cat-file", "--batch"],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                env=_environment(),
                pass_fds=self._held,
            )
        except FileNotFoundError:
            raise GitError(ERR_NO_GIT) from None

        def read(blob: str) -> bytes:
            process.stdin.write(blob.encode() + b"\n")
            process.stdin.flush()
            header = process.stdout.readline().split()
            if len(header) != 3:
                raise GitError(f"cannot read blob {blob}: {b' '.join(header).decode('utf-8', 'replace')}")
            size = int(header[2])
            data = process.stdout.read(size)
            process.stdout.read(1)  # the newline after the content
            return data

        try:
            yield read
        finally:
            process.stdin.close()
            process.stdout.close()
            process.stderr.close()
            process.wait(timeout=LOCAL_TIMEOUT)

    # -- writing objects and refs ---------------------------------------------------------------------

    def write_blobs(self, contents: list[bytes], *, write: bool = True) -> list[str]:
        """Store each content as a blob, byte for byte (no filters), and return their ids in order.

        With ``write=False`` only compute the ids.
        """
        if not contents:
            return []
        with tempfile.TemporaryDirectory(prefix="podcast-cms-blobs-") as folder:
            paths = []
            for i, content in enumerate(contents):
                path = os.path.join(folder, str(i))
                with open(path, "wb") as f:
                    f.write(content)
                paths.append(path)
            flags = ["-w"] if write else []
            out = self.run("hash-object", *flags, "--no-filters", "--stdin-paths", input="\n".join(paths).encode())
        return out.decode().split()

    def write_tree(self, parent: str, changes: dict[str, tuple[str, str] | None]) -> str:
        """Return the tree of ``parent`` with ``changes`` ({path: (mode, blob) or None to delete}) applied.

        The tree is built in a temporary index: the working tree and its index are never touched.
        """
        with tempfile.TemporaryDirectory(prefix="podcast-cms-index-") as folder:
            env = {"GIT_INDEX_FILE": os.path.join(folder, "index")}
            self.run("read-tree", parent, env=env)
            lines = []
            for path, entry in changes.items():
                mode, blob = entry if entry is not None else ("0", ZERO)
                lines.append(f"{mode} {blob}\t{path}".encode("utf-8", "surrogateescape") + b"\0")
            self.run("update-index", "-z", "--index-info", input=b"".join(lines), env=env)
            return self.text("write-tree", env=env)

    def commit(self, *, tree: str, parent: str, message: str, author: Identity, committer: Identity) -> str:
        env = {
            "GIT_AUTHOR_NAME": author.name,
            "GIT_AUTHOR_EMAIL": author.email,
            "GIT_COMMITTER_NAME": committer.name,
            "GIT_COMMITTER_EMAIL": committer.email,
        }
        return self.text("commit-tree", tree, "-p", parent, "-F", "-", input=message.encode(), env=env)

    def check_branch_name(self, name: str) -> None:
        """Raise GitError unless ``name`` is a branch's short name that git accepts (``git check-ref-format``)."""
        if name.startswith("refs/"):
            # Taken as a short name it would make refs/heads/refs/heads/...
            raise GitError(ERR_FULL_REF.format(name=name))
        # The full ref is checked, not `--branch NAME`, which would take @{-1} for the previous branch.
        if not name or name.startswith("-") or name == "HEAD" or not self._ref_format_ok(f"refs/heads/{name}"):
            raise GitError(ERR_BAD_BRANCH.format(name=name))

    def check_remote_name(self, name: str) -> None:
        """Raise GitError unless ``name`` is a remote's name as git accepts it (and never an option)."""
        if not name or name.startswith("-") or not self._ref_format_ok(f"refs/remotes/{name}/test"):
            raise GitError(ERR_BAD_REMOTE.format(name=name))

    def _ref_format_ok(self, ref: str) -> bool:
        try:
            self.run("check-ref-format", ref)
        except GitError:
            return False
        return True

    def update_ref(self, ref: str, new: str, old: str | None) -> None:
        """Point ``ref`` at ``new`` only if it still points at ``old`` (None: only if it does not exist)."""
        self.run("update-ref", "-m", "podcast CMS publish", ref, new, old or ZERO)

    def delete_ref(self, ref: str, old: str) -> None:
        self.run("update-ref", "-d", ref, old)

    def push(self, remote: str, branch: str) -> str:
        """Push ``branch`` to ``remote`` under the same name, never forcing; return git's report."""
        ref = f"refs/heads/{branch}"
        # After `--`, a remote named like an option (--receive-pack=...) is only a name.
        out = self.run("push", "--porcelain", "--", remote, f"{ref}:{ref}", timeout=PUSH_TIMEOUT)
        return out.decode("utf-8", "replace").strip()

    def remote_tip(self, remote: str, branch: str) -> str | None:
        """Return the commit ``branch`` points to on ``remote``, or None when the remote has no such branch."""
        ref = f"refs/heads/{branch}"
        out = self.text("ls-remote", "--heads", "--", remote, ref, timeout=PUSH_TIMEOUT)
        for line in out.splitlines():
            commit, _, name = line.partition("\t")
            if name == ref:
                return commit
        return None

    def is_ancestor(self, older: str, newer: str) -> bool:
        """Tell whether commit ``older`` is ``newer`` or in its history (False when either is unknown here)."""
        try:
            self.run("merge-base", "--is-ancestor", older, newer)
        except GitError:
            return False
        return True

    @contextmanager
    def lock(self):
        """Hold this repository's CMS lock: one pull or push at a time.

        The lock is released when this process and every git it started have ended: a ``git push`` left
        running by a killed process keeps it, so that the next push sees what that push did.
        """
        path = os.path.join(self.git_dir, "podcast-cms.lock")
        try:
            f = open(path, "a")  # noqa: SIM115 - closed below, after the lock is released
        except OSError as exc:
            raise GitError(ERR_LOCK.format(path=self.root, problem=exc.strerror or exc)) from None
        with f:
            try:
                fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise GitError(ERR_BUSY.format(path=self.root)) from None
            self._held = (f.fileno(),)
            try:
                yield
            finally:
                self._held = ()
                fcntl.flock(f, fcntl.LOCK_UN)
