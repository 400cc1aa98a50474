"""Jobs run in the request (the immediate backend): status transitions, progress, cancel, one at a time, pages.

The real worker processes (kill -9, two workers, pages served during a pull) are in test_jobs_worker.py.
"""

import os
import socket
import subprocess
from datetime import timedelta

import pytest
from django.contrib.auth.models import Permission
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from episodes import tasks
from episodes.models import Episode, Job, Person, SiteFile, SiteState
from episodes.services import importing, jobs
from episodes.services import site as site_sync
from episodes.tests.support.factories import needs_shared
from episodes.tests.support.siterepo import EPISODES, PEOPLE, make_site

pytestmark = [pytest.mark.django_db]
FILES = len(EPISODES) + len(PEOPLE)


@pytest.fixture
def site(tmp_path, settings):
    repo = make_site(tmp_path / "site", episodes=EPISODES, people=PEOPLE)
    settings.SITE_REPO = str(repo.root)
    settings.SITE_REMOTE = ""
    return repo


def pull_job(site, user=None) -> Job:
    return jobs.job_create(
        kind=Job.Kind.PULL, user=user, arguments={"repo": str(site.root)}, lock=jobs.site_lock(str(site.root))
    )


def dead_pid() -> int:
    """Return the id of a process that has ended (and been reaped)."""
    done = subprocess.run(["sh", "-c", "echo $$"], capture_output=True, text=True, check=True)
    return int(done.stdout)


# -- status transitions -----------------------------------------------------------------------------


@needs_shared
def test_a_pull_job_goes_queued_running_succeeded_with_the_command_s_report(site, admin_user):
    job = pull_job(site, admin_user)
    assert job.status == Job.Status.QUEUED and job.started_at is None and job.message == jobs.MSG_QUEUED
    seen = []

    def watch(line):
        seen.append(str(line))

    assert jobs.job_run(job_id=job.pk) == Job.Status.SUCCEEDED
    job.refresh_from_db()
    assert job.status == Job.Status.SUCCEEDED and job.done == job.total == FILES
    assert job.started_at <= job.finished_at and job.worker == jobs.this_worker() and not job.error
    assert job.message.startswith("Pulled main at")
    # The same lines as the command prints, in the same order, for a fresh pull of the same files.
    for model in (SiteFile, Episode, Person, SiteState):
        model.objects.all().delete()
    site_sync.site_pull(repo=str(site.root), progress=watch)
    assert [line["text"] for line in job.report] == seen


@needs_shared
def test_a_job_that_cannot_start_fails_saying_nothing_was_done(site):
    site.git("checkout", "-q", "--detach")
    job = pull_job(site)
    assert jobs.job_run(job_id=job.pk) == Job.Status.FAILED
    job.refresh_from_db()
    assert job.message.startswith("Nothing was pulled: HEAD is detached") and "detached" in job.error
    assert job.finished_at is not None and not Episode.objects.exists()


@needs_shared
def test_an_unexpected_error_fails_the_job_with_its_message(site, monkeypatch):
    def broken(**options):
        raise RuntimeError("the disk went away")

    monkeypatch.setattr(site_sync, "site_pull", broken)
    job = pull_job(site)
    assert jobs.job_run(job_id=job.pk) == Job.Status.FAILED
    job.refresh_from_db()
    assert job.error == "RuntimeError: the disk went away" and "the disk went away" in job.message


@needs_shared
def test_a_worker_stopped_mid_job_marks_it_interrupted_and_stops(site, monkeypatch):
    def stopped(**options):
        raise KeyboardInterrupt  # a second Ctrl+C, or SIGTERM's exit, while the job runs

    monkeypatch.setattr(site_sync, "site_pull", stopped)
    job = pull_job(site)
    with pytest.raises(KeyboardInterrupt):
        jobs.job_run(job_id=job.pk)
    job.refresh_from_db()
    assert job.status == Job.Status.INTERRUPTED and job.finished_at and "run it again" in job.message
    assert pull_job(site).status == Job.Status.QUEUED  # it no longer holds the repository


@needs_shared
def test_a_queued_job_cancelled_is_never_run(site):
    job = jobs.job_cancel(job=pull_job(site))
    assert job.status == Job.Status.CANCELLED and job.finished_at and job.message == jobs.MSG_CANCELLED_QUEUED
    assert jobs.job_run(job_id=job.pk) == Job.Status.CANCELLED
    assert not Episode.objects.exists() and not SiteFile.objects.exists()


@needs_shared
def test_a_running_pull_cancelled_stops_between_files_and_the_next_pull_does_the_rest(site, monkeypatch):
    monkeypatch.setattr(jobs, "PROGRESS_EVERY", 0)  # read the cancel at every file
    # A file a commit: a site-sized pull commits a quarter of a second's files together, and stops after those.
    monkeypatch.setattr(importing, "COMMIT_EVERY_SECONDS", 0)
    job = pull_job(site)
    # The editor's cancel arrives as the worker takes the job.
    Job.objects.filter(pk=job.pk).update(cancel_requested=True)
    assert jobs.job_run(job_id=job.pk) == Job.Status.CANCELLED
    job.refresh_from_db()
    assert job.done == 1 and job.total == FILES and len(job.report) == 1
    first = job.current
    assert job.message == jobs.MSG_CANCELLED.format(done=1, total=FILES, last=f" (the last one: {first})")
    # What was done stays done, wholly: its file's record and its row; the pulled commit is not recorded.
    assert list(SiteFile.objects.values_list("path", flat=True)) == [first]
    assert SiteState.load().commit == ""
    report = site_sync.site_pull(repo=str(site.root))
    assert len(report.files) == FILES - 1 and not report.problems
    assert SiteFile.objects.count() == FILES and Episode.objects.count() == len(EPISODES)


@needs_shared
def test_a_running_job_asked_to_cancel_says_so_on_its_page(site, admin_client):
    job = pull_job(site)
    Job.objects.filter(pk=job.pk).update(status=Job.Status.RUNNING, worker=f"{socket.gethostname()}:{os.getpid()}")
    response = admin_client.post(reverse("admin:episodes_job_cancel", args=[job.pk]), follow=True)
    job.refresh_from_db()
    assert job.status == Job.Status.RUNNING and job.cancel_requested
    assert jobs.MSG_CANCEL_ASKED in response.content.decode()


def test_jobs_of_dead_workers_are_marked_interrupted_and_live_ones_are_left(db):
    here = socket.gethostname()
    sleeper = subprocess.Popen(["sleep", "60"])
    try:
        old = timezone.now() - timedelta(hours=1)
        dead = Job.objects.create(kind="pull", status="running", worker=f"{here}:{dead_pid()}", done=3, total=9)
        alive = Job.objects.create(kind="pull", status="running", worker=f"{here}:{sleeper.pid}", beat_at=old)
        away_fresh = Job.objects.create(kind="push", status="running", worker="elsewhere:1", beat_at=timezone.now())
        away_stale = Job.objects.create(kind="push", status="running", worker="elsewhere:2", beat_at=old)
        queued = Job.objects.create(kind="pull", status="queued")
        found = jobs.jobs_recover()
        assert sorted(job.pk for job in found) == sorted([dead.pk, away_stale.pk])
        status = dict(Job.objects.values_list("pk", "status"))
        assert status[dead.pk] == status[away_stale.pk] == Job.Status.INTERRUPTED
        assert status[alive.pk] == status[away_fresh.pk] == Job.Status.RUNNING
        assert status[queued.pk] == Job.Status.QUEUED
        dead.refresh_from_db()
        assert "after 3 of 9 files" in dead.message and dead.finished_at is not None
    finally:
        sleeper.kill()
        sleeper.wait()


def test_sync_site_status_marks_interrupted_jobs(tmp_path, capsys):
    make_site(tmp_path / "site", episodes=[], people=[])
    job = Job.objects.create(kind="pull", status="running", worker=f"{socket.gethostname()}:{dead_pid()}")
    call_command("sync_site", "status", "--repo", str(tmp_path / "site"))
    job.refresh_from_db()
    assert job.status == Job.Status.INTERRUPTED
    assert f"Job #{job.pk} (pull): Interrupted" in capsys.readouterr().out


# -- progress -----------------------------------------------------------------------------------------


def test_progress_is_written_at_most_every_half_second_not_per_file(db, monkeypatch):
    clock = [100.0]
    monkeypatch.setattr(jobs.time, "monotonic", lambda: clock[0])
    job = Job.objects.create(kind="import", status="running")
    reporter = jobs.Reporter(job)
    with CaptureQueriesContext(connection) as queries:
        reporter.started(200)
        for n in range(200):
            clock[0] += 0.01  # 100 files a second: two seconds of work
            reporter.line("created", f"file{n}.md: created", path=f"file{n}.md")
    writes = [q for q in queries if q["sql"].startswith("UPDATE")]
    assert 3 <= len(writes) <= 5  # the start, then one per half second
    job.refresh_from_db()
    assert job.total == 200 and 150 <= job.done <= 200 and job.current.startswith("file")


@needs_shared
def test_the_progress_view_answers_the_job_s_state_and_the_report_lines_past_since(site, admin_client):
    job = pull_job(site)
    url = reverse("admin:episodes_job_progress", args=[job.pk])
    assert admin_client.get(url).json() == {
        "status": "queued",
        "done": 0,
        "total": None,
        "current": "",
        "message": jobs.MSG_QUEUED,
        "report": [],
    }
    jobs.job_run(job_id=job.pk)
    data = admin_client.get(url + "?since=2").json()
    assert data["status"] == "succeeded" and data["done"] == data["total"] == FILES
    assert data["message"].startswith("Pulled main at") and len(data["report"]) == FILES - 2
    assert admin_client.get(url + "?since=x").json()["report"][0]["text"].startswith("_people/")
    assert admin_client.get(reverse("admin:episodes_job_progress", args=[job.pk + 1])).status_code == 404


def test_the_progress_view_needs_the_job_view_permission(client, django_user_model):
    job = Job.objects.create(kind="pull")
    someone = django_user_model.objects.create_user("someone", password="x", is_staff=True)
    client.force_login(someone)
    assert client.get(reverse("admin:episodes_job_progress", args=[job.pk])).status_code == 403
    assert client.post(reverse("admin:episodes_job_cancel", args=[job.pk])).status_code == 403
    someone.user_permissions.add(Permission.objects.get(codename="view_job"))
    assert client.get(reverse("admin:episodes_job_progress", args=[job.pk])).status_code == 200
    assert client.post(reverse("admin:episodes_job_cancel", args=[job.pk])).status_code == 403
    assert Job.objects.get().status == Job.Status.QUEUED


# -- one pull or push at a time -----------------------------------------------------------------------


@needs_shared
def test_a_second_pull_or_push_is_refused_naming_the_running_one(site, admin_client, admin_user):
    running = pull_job(site, admin_user)
    for name in ("pull", "push"):
        response = admin_client.post(reverse(f"admin:episodes_publish_{name}"), follow=True)
        html = response.content.decode()
        assert f"is already running for {site.root}: started by admin" in html
        assert f'<a href="{reverse("admin:episodes_job_change", args=[running.pk])}">See it</a>' in html
    assert Job.objects.count() == 1
    with pytest.raises(jobs.JobBusy) as refused:
        pull_job(site)
    assert refused.value.running == running
    # Another repository is not held.
    other = make_site(site.root.parent / "other", episodes=[], people=[])
    assert pull_job(other).status == Job.Status.QUEUED
    jobs.job_run(job_id=running.pk)
    assert pull_job(site).status == Job.Status.QUEUED


@needs_shared
def test_a_pull_held_by_a_dead_worker_does_not_block_the_next(site):
    held = pull_job(site)
    Job.objects.filter(pk=held.pk).update(status="running", worker=f"{socket.gethostname()}:{dead_pid()}")
    job = pull_job(site)
    assert job.status == Job.Status.QUEUED
    assert Job.objects.get(pk=held.pk).status == Job.Status.INTERRUPTED


# -- the pages ----------------------------------------------------------------------------------------


@needs_shared
def test_starting_a_pull_goes_to_the_job_s_page_with_its_bar_and_report(site, admin_client, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}  # nobody runs it
    response = admin_client.post(reverse("admin:episodes_publish_pull"))
    job = Job.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("admin:episodes_job_change", args=[job.pk])
    assert job.task_id and job.user.username == "admin"
    html = admin_client.get(response["Location"]).content.decode()
    assert '<progress id="job-bar" class="job-bar" >0</progress>' in html  # no total yet: indeterminate
    assert 'value="Cancel"' in html and "Waiting for a worker" in html
    # The Publish page and the episode list show its bar.
    for page in ("admin:episodes_publish_changelist", "admin:episodes_episode_changelist"):
        html = admin_client.get(reverse(page)).content.decode()
        assert f'data-progress-url="{reverse("admin:episodes_job_progress", args=[job.pk])}"' in html
    jobs.job_run(job_id=job.pk)
    html = admin_client.get(response["Location"]).content.decode()
    assert f'max="{FILES}" value="{FILES}"' in html and 'value="Cancel"' not in html
    assert "_podcast/dataops-for-data-engineering.md: created" in html
    assert "data-progress-url" not in admin_client.get(reverse("admin:episodes_publish_changelist")).content.decode()


def test_the_jobs_list_is_newest_first_and_filters_by_status_and_kind(admin_client):
    older = Job.objects.create(kind="pull", status="succeeded")
    newer = Job.objects.create(kind="import", status="failed")
    url = reverse("admin:episodes_job_changelist")
    html = admin_client.get(url).content.decode()
    assert html.index(str(newer)) < html.index(str(older))
    html = admin_client.get(url + "?status__exact=succeeded").content.decode()
    assert str(older) in html and str(newer) not in html
    html = admin_client.get(url + "?kind__exact=import").content.decode()
    assert str(newer) in html and str(older) not in html


def test_the_job_page_without_the_change_permission_has_no_cancel(client, django_user_model):
    job = Job.objects.create(kind="pull", message=jobs.MSG_QUEUED)
    viewer = django_user_model.objects.create_user("viewer", password="x", is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_job"))
    client.force_login(viewer)
    html = client.get(reverse("admin:episodes_job_change", args=[job.pk])).content.decode()
    assert "Waiting for a worker" in html and 'value="Cancel"' not in html


def test_editors_may_see_and_cancel_jobs(db):
    from django.contrib.auth.models import Group

    codenames = set(Group.objects.get(name="Editors").permissions.values_list("codename", flat=True))
    assert {"view_job", "change_job"} <= codenames and "delete_job" not in codenames


def test_tasks_start_records_the_task_id(db, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    job = tasks.job_start(kind=Job.Kind.IMPORT, arguments={"folder": "x", "files": {}})
    assert job.task_id and job.status == Job.Status.QUEUED
