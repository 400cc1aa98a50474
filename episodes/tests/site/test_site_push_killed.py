"""A push killed with SIGKILL mid-way, for real: `manage.py sync_site push` in its own process, on its own SQLite file.

The remote's pre-receive hook waits for a file, so the push is caught while `git push` runs; the test kills it
(the whole process group, or the CMS's process alone while its `git push` goes on), then pushes again.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings

from episodes.tests.site.test_site_sync import S22_SLUG
from episodes.tests.support.factories import needs_shared
from episodes.tests.support.siterepo import EPISODES, PEOPLE, make_site

pytestmark = [needs_shared]

WAIT = 120  # seconds at most for a step of another process: a bound against hanging, never an expectation
EDIT = (
    "from episodes.models import Episode; from episodes.services import episode_save; "
    f"episode_save(episode=Episode.objects.get(slug='{S22_SLUG}'), fields={{'title': 'Title of a killed push'}})"
)
TITLE_LINES = ["-title: Reinventing a Career in Tech", "+title: Title of a killed push"]


@pytest.fixture(scope="module")
def migrated(tmp_path_factory) -> Path:
    """Return a migrated SQLite database file, copied by each test."""
    path = tmp_path_factory.mktemp("db") / "migrated.sqlite3"
    run_manage(path, "migrate", "-v", "0")
    return path


def run_manage(database: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=settings.BASE_DIR,
        env=environment(database),
        capture_output=True,
        text=True,
        timeout=WAIT * 2,
        check=False,
    )


def environment(database: Path) -> dict:
    return {**os.environ, "DATABASE_URL": f"sqlite:///{database}"}


def wait_for(what: str, ready, process: subprocess.Popen | None = None) -> None:
    deadline = time.monotonic() + WAIT
    while not ready():
        if process is not None and process.poll() is not None:
            raise AssertionError(f"the push ended (status {process.returncode}) before {what}")
        if time.monotonic() > deadline:
            raise AssertionError(f"no {what} within {WAIT} s")
        time.sleep(0.05)


class Scene:
    """A pulled site with an edit to publish, a bare origin whose pre-receive hook waits, and a database."""

    def __init__(self, tmp_path: Path, migrated: Path):
        self.site = make_site(tmp_path / "site", episodes=EPISODES, people=PEOPLE)
        self.origin = tmp_path / "origin.git"
        self.site.git("init", "-q", "--bare", str(self.origin))
        self.site.git("remote", "add", "origin", str(self.origin))
        self.site.git("push", "-q", "origin", "main")
        self.waiting, self.release = tmp_path / "hook-waiting", tmp_path / "hook-release"
        hook = self.origin / "hooks" / "pre-receive"
        hook.write_text(
            f"#!/bin/sh\ncat >/dev/null\ntouch '{self.waiting}'\nwhile [ ! -e '{self.release}' ]; do sleep 0.05; done\n"
        )
        hook.chmod(0o755)
        self.database = tmp_path / "cms.sqlite3"
        shutil.copyfile(migrated, self.database)
        for args in (("sync_site", "pull", "--repo", str(self.site.root)), ("shell", "-c", EDIT)):
            done = self.manage(*args)
            assert done.returncode == 0, done.stderr

    def manage(self, *args: str) -> subprocess.CompletedProcess:
        return run_manage(self.database, *args)

    def push_args(self, *args: str) -> list[str]:
        return ["sync_site", "push", "--repo", str(self.site.root), "--remote", "origin", *args]

    def start_push(self, *args: str) -> subprocess.Popen:
        """Start a push in a process group of its own; return it once its `git push` waits in the hook."""
        process = subprocess.Popen(
            [sys.executable, "manage.py", *self.push_args(*args)],
            cwd=settings.BASE_DIR,
            env=environment(self.database),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        wait_for("git push waiting in the remote's hook", self.waiting.exists, process)
        return process

    def push_again(self, *args: str) -> subprocess.CompletedProcess:
        """Push once more, waiting while a `git push` the killed process left behind still holds the lock."""
        deadline = time.monotonic() + WAIT
        while True:
            done = self.manage(*self.push_args(*args))
            if "another pull or push is running" not in done.stderr or time.monotonic() > deadline:
                return done
            time.sleep(0.1)

    def remote_branches(self) -> dict[str, str]:
        out = self.site.git("ls-remote", "origin", "refs/heads/cms/*")
        return {ref.removeprefix("refs/heads/"): commit for commit, ref in (line.split() for line in out.splitlines())}

    def local_branches(self) -> list[str]:
        return self.site.git("for-each-ref", "--format=%(refname:short)", "refs/heads/cms/").split()

    def changed_lines(self, commit: str) -> list[str]:
        diff = self.site.git("diff", "--unified=0", f"{commit}^", commit)
        return [line for line in diff.splitlines() if line[:1] in "+-" and not line.startswith(("+++", "---"))]


def test_a_push_killed_with_its_git_push_is_finished_by_the_next_one(tmp_path, migrated):
    """Killing the process group leaves the branch here at a commit nobody recorded: it used to refuse every push."""
    scene = Scene(tmp_path, migrated)
    process = scene.start_push("--branch", "cms/killed")
    os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=WAIT)
    assert scene.remote_branches() == {}  # git push died with it, in the hook, before the remote's branch moved
    assert scene.local_branches() == ["cms/killed"]
    scene.release.touch()

    done = scene.push_again("--branch", "cms/killed")
    assert done.returncode == 0, done.stderr
    assert "a push stopped midway (commit " in done.stdout and "is on origin now" in done.stdout
    assert "Nothing to publish" in done.stdout
    assert scene.local_branches() == ["cms/killed"]
    commit = scene.site.git("rev-parse", "cms/killed")
    assert scene.remote_branches() == {"cms/killed": commit}
    assert scene.changed_lines(commit) == TITLE_LINES
    done = scene.manage("sync_site", "status", "--repo", str(scene.site.root))
    assert "Pushed (cms/killed), not yet on the pulled branch:" in done.stdout, done.stdout


def test_a_push_killed_while_its_git_push_goes_on_makes_no_second_branch(tmp_path, migrated):
    """Killing the CMS's process alone lets git push on: the next push used to open a second, identical branch."""
    scene = Scene(tmp_path, migrated)
    process = scene.start_push()
    os.kill(process.pid, signal.SIGKILL)
    process.wait(timeout=WAIT)
    scene.release.touch()  # the orphaned git push goes on, and its branch reaches the remote

    done = scene.push_again()
    assert done.returncode == 0, done.stderr
    branches = scene.remote_branches()
    assert len(branches) == 1 and scene.local_branches() == list(branches), branches
    assert "a push stopped midway (commit " in done.stdout and ": recorded now" in done.stdout
    assert "Nothing to publish" in done.stdout
    [(branch, commit)] = branches.items()
    assert branch.startswith("cms/publish-") and scene.site.git("rev-parse", branch) == commit
    assert scene.changed_lines(commit) == TITLE_LINES
    done = scene.push_again()
    assert done.returncode == 0 and "Nothing to publish: the CMS holds the same data" in done.stdout, done.stdout
