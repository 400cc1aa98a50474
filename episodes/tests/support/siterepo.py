"""Throwaway git repositories of the site, made with ``git init`` from ../shared/corpus, for the sync tests."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from episodes.services import site as site_sync
from episodes.tests.support.factories import SHARED

CORPUS = SHARED / "corpus"
# Two canonical episodes and one that is not (hand-edited), with their guests and the host.
EPISODES = ["dataops-for-data-engineering", "s22e07-reinventing-career-in-tech", "trends-in-modern-data-engineering"]
PEOPLE = ["alexeygrigorev", "christopherbergh", "xiahebleinagel", "adrianbrudaru"]
IDENTITY = ["-c", "user.name=Site Maintainer", "-c", "user.email=site@example.com", "-c", "commit.gpgsign=false"]


class SiteRepo:
    """A site checkout in a temporary folder, with the few git moves the tests make."""

    def __init__(self, root: Path):
        self.root = root

    def git(self, *args: str, check: bool = True, env: dict | None = None) -> str:
        done = subprocess.run(
            ["git", "-C", str(self.root), *IDENTITY, *args],
            capture_output=True,
            text=True,
            check=False,
            env={**os.environ, **env} if env else None,
        )
        if check and done.returncode:
            raise AssertionError(f"git {' '.join(args)} failed: {done.stderr}")
        return done.stdout.strip()

    def path(self, name: str) -> Path:
        return self.root / name

    def read(self, name: str) -> str:
        return self.path(name).read_text(encoding="utf-8")

    def write(self, name: str, text: str | bytes) -> None:
        path = self.path(name)
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(text, encoding="utf-8")

    def replace(self, name: str, old: str, new: str) -> None:
        text = self.read(name)
        assert old in text, f"{old!r} is not in {name}"
        self.write(name, text.replace(old, new, 1))

    def commit(self, message: str = "Edit on the site", *, date: str = "") -> str:
        """Commit everything; ``date`` (ISO 8601) is the commit's author and committer date, else now."""
        self.git("add", "-A")
        env = {"GIT_AUTHOR_DATE": date, "GIT_COMMITTER_DATE": date} if date else None
        self.git("commit", "-q", "-m", message, env=env)
        return self.head()

    def head(self) -> str:
        return self.git("rev-parse", "HEAD")

    def branch(self) -> str:
        return self.git("symbolic-ref", "--short", "HEAD")

    def branches(self) -> list[str]:
        return self.git("for-each-ref", "--format=%(refname:short)", "refs/heads").split()

    def show(self, ref: str, name: str) -> str:
        return self.git("show", f"{ref}:{name}")

    def status(self) -> str:
        return self.git("status", "--porcelain")


def make_site(root: Path, *, episodes: list[str] | None = None, people: list[str] | None = None) -> SiteRepo:
    """Return a repository at ``root`` holding the given corpus episodes and people (all of them: None)."""
    (root / "_podcast").mkdir(parents=True)
    (root / "_people").mkdir()
    for folder, names, target in (("episodes", episodes, "_podcast"), ("people", people, "_people")):
        paths = (
            sorted((CORPUS / folder).glob("*.md")) if names is None else [CORPUS / folder / f"{n}.md" for n in names]
        )
        for path in paths:
            shutil.copyfile(path, root / target / path.name)
    (root / "README.md").write_text("The site.\n", encoding="utf-8")
    site = SiteRepo(root)
    site.git("init", "-q", "-b", "main")
    site.commit("The site as it is")
    return site


def pull(site: SiteRepo) -> site_sync.PullReport:
    """Pull the site repository ``site`` into the CMS."""
    return site_sync.site_pull(repo=str(site.root))


def push(site: SiteRepo, **options) -> site_sync.PushReport:
    """Publish the CMS's changes to the site repository ``site``."""
    return site_sync.site_push(repo=str(site.root), **options)
