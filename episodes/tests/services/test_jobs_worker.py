"""Jobs run by real worker processes (``manage.py db_worker``) on the test database, SQLite or PostgreSQL.

A worker killed with kill -9 in the middle of a pull, two workers sharing one queue, and public pages
answered while a pull runs in the worker.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection
from django_tasks_db.models import DBTaskResult

from episodes import tasks
from episodes.models import Episode, Job, Person, Revision, SiteFile, SiteState
from episodes.services import jobs, staging
from episodes.services import site as site_sync
from episodes.tests.support.factories import SEED, needs_shared
from episodes.tests.support.siterepo import make_site

pytestmark = [pytest.mark.django_db(transaction=True)]

PROJECT = Path(__file__).resolve().parents[3]
DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
WAIT = 180  # seconds at most for a worker to get somewhere: the suite shares two cores with others


def database_url() -> str:
    """Return the URL of the test database, for the worker processes."""
    db = connection.settings_dict
    if db["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{db['NAME']}"
    auth = f"{quote(db['USER'] or '')}:{quote(db['PASSWORD'] or '')}@" if db["USER"] else ""
    return f"postgres://{auth}{db['HOST'] or 'localhost'}:{db['PORT'] or 5432}/{db['NAME']}"


@pytest.fixture
def db_tasks(settings, tmp_path):
    settings.TASKS = DB_TASKS
    settings.EPISODES_UPLOAD_DIR = str(tmp_path / "uploads")
    return settings


@pytest.fixture
def workers(db_tasks, tmp_path):
    """Start ``manage.py db_worker`` processes on the test database; every one left is killed at the end."""
    started = []

    def start(*options: str, **environ: str) -> subprocess.Popen:
        env = {
            **os.environ,
            "DATABASE_URL": database_url(),
            "DJANGO_SETTINGS_MODULE": "podcast.settings",
            "DJANGO_SECRET_KEY": "test-only-secret-key",
            "DJANGO_DEBUG": "0",
            "EPISODES_UPLOAD_DIR": db_tasks.EPISODES_UPLOAD_DIR,
            "SITE_REPO": db_tasks.SITE_REPO or "",
            **environ,
        }
        env.pop("TASKS_BACKEND", None)
        log = open(tmp_path / f"worker-{len(started)}.log", "w")  # noqa: SIM115 - closed with the process
        process = subprocess.Popen(
            [sys.executable, "manage.py", "db_worker", "--no-reload", "--no-startup-delay", "--interval", "0.1"]
            + list(options),
            cwd=PROJECT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        process.log = log
        started.append(process)
        return process

    yield start
    for process in started:
        if process.poll() is None:
            process.kill()
        process.wait()
        process.log.close()


def wait_for(check, what: str):
    deadline = time.monotonic() + WAIT
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        time.sleep(0.05)
    raise AssertionError(f"gave up waiting for {what}")


def pull_job(repo) -> Job:
    return tasks.job_start(kind=Job.Kind.PULL, arguments={"repo": str(repo)}, lock=jobs.site_lock(str(repo)))


def assert_consistent(site) -> None:
    """Every file pulled is wholly in: its sync record, its episode or person; nothing half in."""
    paths = set(SiteFile.objects.filter(problem="").values_list("path", flat=True))  # refused files: no rows
    episodes = set(Episode.objects.values_list("slug", flat=True))
    people = set(Person.objects.filter(has_profile=True).values_list("key", flat=True))
    assert {p for p in paths if p.startswith("_podcast/")} == {f"_podcast/{slug}.md" for slug in episodes}
    assert {p for p in paths if p.startswith("_people/")} == {f"_people/{key}.md" for key in people}
    assert not Episode.objects.filter(site_file__isnull=True).exists()
    assert site.status() == "" and site.branch() == "main"


@needs_shared
def test_a_worker_killed_mid_pull_leaves_both_sides_consistent_and_the_next_pull_does_the_rest(
    db_tasks, workers, tmp_path
):
    site = make_site(tmp_path / "site")
    db_tasks.SITE_REPO = str(site.root)
    head = site.head()
    job = pull_job(site.root)
    worker = workers()
    wait_for(lambda: Job.objects.filter(pk=job.pk, status="running", done__gte=1).exists(), "the pull to get going")
    os.kill(worker.pid, signal.SIGKILL)
    worker.wait()
    job.refresh_from_db()
    assert job.status == Job.Status.RUNNING and 1 <= job.done < job.total, "the pull ended before it was killed"
    assert SiteState.load().commit == ""  # the pulled commit is recorded last
    assert_consistent(site)
    assert site.head() == head
    # The next worker to start marks it interrupted (so would `sync_site status`, tested in test_jobs.py).
    workers("--batch")
    wait_for(lambda: Job.objects.get(pk=job.pk).status == Job.Status.INTERRUPTED, "the job to be marked")
    job.refresh_from_db()
    assert job.message.startswith("Interrupted: its worker") and "run it again to do the rest" in job.message
    # Running the pull again finishes the rest.
    before = SiteFile.objects.count()
    report = site_sync.site_pull(repo=str(site.root))
    assert report.files and before + len(report.files) >= SiteFile.objects.count() > before
    assert SiteState.load().commit == head
    assert site_sync.site_pull(repo=str(site.root)).files == []  # nothing left to do
    assert_consistent(site)
    call_command("sync_site", "status", "--repo", str(site.root))  # nothing left running to mark


def staged_import(number: int) -> Job:
    """Queue an import of one upload: the seed episode under a name of its own."""
    upload = SimpleUploadedFile(f"worker-test-{number}.md", SEED.read_bytes())
    folder, digests = staging.stage([upload])
    return tasks.job_start(kind=Job.Kind.IMPORT, arguments={"folder": folder.name, "files": digests, "force": False})


def niceness(pid: int) -> int:
    """Return a process's niceness as the kernel has it (field 19 of /proc/PID/stat)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    return int(fields[16])


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads niceness from /proc (Linux)")
def test_the_worker_runs_at_a_lower_cpu_priority_than_the_web_server(workers):
    ours = os.nice(0)
    lowered = workers(JOBS_WORKER_NICE="7")
    wait_for(lambda: niceness(lowered.pid) == min(ours + 7, 19), "the worker to lower its priority")
    assert niceness(lowered.pid) == min(ours + 7, 19)
    equal = workers(JOBS_WORKER_NICE="0")
    # The worker lowers its priority before it looks for jobs: once it logs that it started, it is done.
    wait_for(lambda: "Starting worker" in Path(equal.log.name).read_text(), "the second worker to start")
    assert niceness(equal.pid) == ours


def test_two_workers_on_one_database_take_different_jobs(workers):
    queued = [staged_import(n) for n in range(8)]
    first, second = workers("--batch"), workers("--batch")
    for process in (first, second):
        process.wait(timeout=WAIT)
        assert process.returncode == 0, Path(process.log.name).read_text()
    ran = {job.pk: job for job in Job.objects.all()}
    assert all(ran[job.pk].status == Job.Status.SUCCEEDED for job in queued), [j.message for j in ran.values()]
    assert {ran[job.pk].worker.rpartition(":")[2] for job in queued} <= {str(first.pid), str(second.pid)}
    # Each job was run once: one worker claimed its task, one report line, one episode with one revision.
    assert all(len(result.worker_ids) == 1 for result in DBTaskResult.objects.all())
    assert DBTaskResult.objects.count() == len(queued)
    assert all(ran[job.pk].done == 1 for job in queued)
    assert all(
        [line["status"] for line in ran[job.pk].report if line["status"] != "warning"] == ["created"] for job in queued
    )
    assert Episode.objects.count() == len(queued)
    assert Revision.objects.count() == len(queued)


@needs_shared
def test_public_pages_are_answered_while_a_pull_runs_in_the_worker(db_tasks, workers, tmp_path, client):
    site = make_site(tmp_path / "site")
    job = pull_job(site.root)
    workers()
    answers = []
    while Job.objects.get(pk=job.pk).status in Job.ACTIVE:
        # (Search is left out: on a busy database it answers 503 at its time limit by design, PUBLIC_SEARCH_TIMEOUT_MS.)
        for url in ("/", "/episodes/", "/feed.xml", "/sitemap.xml", "/robots.txt"):
            answers.append((url, client.get(url).status_code))
        assert len(answers) < 20000, "the pull did not end"
    assert Job.objects.get(pk=job.pk).status == Job.Status.SUCCEEDED
    assert len(answers) >= 5 and all(status == 200 for _, status in answers), answers
