"""Jobs: long work (a pull, a push, a confirmed upload) run by a worker, with its progress, report and cancel.

A job is a row (:class:`~episodes.models.Job`) that the adapters create with :func:`job_create` and a worker
runs with :func:`job_run` (through ``episodes/tasks.py``). While it runs, a :class:`Reporter` writes its
counts, current file and report lines to the row at most every ``PROGRESS_EVERY`` seconds, and reads whether
an editor asked to cancel: the run stops between files (raising :class:`~episodes.progress.Stop`), each file
being atomic, so what was done stays done. A worker killed outright leaves its job ``running``: the next
worker to start (or ``sync_site status``) marks it ``interrupted`` (:func:`jobs_recover`), and running the
same work again does the rest.
"""

from __future__ import annotations

import logging
import os
import shutil
import socket
import time
from collections import Counter
from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from ..format.replacing import Search
from ..models import Job
from ..progress import Stop
from ..results import WRITTEN, FileResult
from . import fixes, importing, replacing, site, staging, suggestions

logger = logging.getLogger(__name__)

PROGRESS_EVERY = 0.5  # seconds between two writes of a job's progress: a row write per file would cost more
NOTE, WARNING = "note", "warning"  # a job report's lines that are no file's

ERR_BUSY = "{what} is already running for {repo}: started by {who} at {when} (job #{pk}). Wait for it to finish."
MSG_QUEUED = "Waiting for a worker (python manage.py db_worker)."
MSG_CANCEL_ASKED = "Cancelling: it stops after the file it is working on."
MSG_CANCELLED_QUEUED = "Cancelled before it started: nothing was done."
MSG_CANCELLED = "Cancelled after {done} of {total} files{last}: what was done stays done; run it again to do the rest."
MSG_INTERRUPTED = (
    "Interrupted: its worker ({worker}) stopped after {done} of {total} files{last}. Each file is wholly in or out; "
    "run it again to do the rest."
)
NOTHING_DONE = {
    Job.Kind.PULL: "Nothing was pulled: ",
    Job.Kind.PUSH: "Nothing was published: ",
    Job.Kind.IMPORT: "Nothing was imported: ",
    Job.Kind.SUGGEST: "Nothing was suggested: ",
    Job.Kind.REPLACE: "Nothing more was replaced: ",
    Job.Kind.FIX: "Nothing more was fixed: ",
}
MSG_FAILED = "Failed after {done} of {total} files: {error}"


class JobBusy(Exception):
    """A pull or push is already running for the same repository; ``running`` is that job."""

    def __init__(self, running: Job):
        self.running = running
        who = who_started(running)
        when = timezone.localtime(running.created_at).strftime("%Y-%m-%d %H:%M:%S")
        what, repo = running.get_kind_display(), running.arguments.get("repo", "")
        super().__init__(ERR_BUSY.format(what=what, repo=repo, who=who, when=when, pk=running.pk))


def this_worker() -> str:
    """Return how a job names the process running it: host:pid (asked each time: a process may fork)."""
    return f"{socket.gethostname()}:{os.getpid()}"


def who_started(job: Job) -> str:
    """Return who started the job, as the pages name them."""
    if job.user is None:
        return "the command line" if job.user_id is None else "a removed user"
    return job.user.get_full_name() or job.user.get_username()


def site_lock(repo: str) -> str:
    """Return the lock a pull or push of ``repo`` holds: one of them at a time per repository."""
    return "site:" + os.path.realpath(repo)


# -- starting, cancelling, recovering ---------------------------------------------------------------


def job_create(*, kind: str, user=None, arguments: dict, lock: str | None = None) -> Job:
    """Record a queued job; raise JobBusy when an active job already holds ``lock``."""
    if lock:
        jobs_recover(lock=lock)  # a job whose worker died does not hold its lock for ever
    try:
        with transaction.atomic():
            return Job.objects.create(kind=kind, user=user, arguments=arguments, lock=lock or "", message=MSG_QUEUED)
    except IntegrityError:
        running = Job.objects.holding(lock).select_related("user").first()
        if running is None:  # it finished in between: try once more
            return Job.objects.create(kind=kind, user=user, arguments=arguments, lock=lock, message=MSG_QUEUED)
        raise JobBusy(running) from None


def job_cancel(*, job: Job) -> Job:
    """Cancel a queued job at once, or ask a running one to stop after its current file; return it fresh."""
    now = timezone.now()
    queued = Job.objects.filter(pk=job.pk, status=Job.Status.QUEUED).update(
        status=Job.Status.CANCELLED, finished_at=now, message=MSG_CANCELLED_QUEUED, cancel_requested=True
    )
    if not queued:
        Job.objects.filter(pk=job.pk, status=Job.Status.RUNNING).update(cancel_requested=True, message=MSG_CANCEL_ASKED)
    return Job.objects.get(pk=job.pk)


def jobs_recover(*, lock: str | None = None) -> list[Job]:
    """Mark running jobs whose worker is gone as interrupted (their files are each wholly in or out)."""
    running = Job.objects.filter(status=Job.Status.RUNNING)
    if lock:
        running = running.filter(lock=lock)
    now = timezone.now()
    stale_before = now - timedelta(seconds=settings.JOBS_STALE_SECONDS)
    found = []
    for job in running:
        if _worker_alive(job.worker, job.beat_at, stale_before):
            continue
        message = MSG_INTERRUPTED.format(worker=job.worker, done=job.done, total=_total(job), last=_last(job))
        if Job.objects.filter(pk=job.pk, status=Job.Status.RUNNING, worker=job.worker).update(
            status=Job.Status.INTERRUPTED, finished_at=now, message=message, current=""
        ):
            job.status, job.finished_at, job.message = Job.Status.INTERRUPTED, now, message
            found.append(job)
    return found


def _worker_alive(worker: str, beat_at, stale_before) -> bool:
    host, _, pid = worker.rpartition(":")
    if host == socket.gethostname() and pid.isdigit():
        return _process_alive(int(pid))
    # A worker on another machine cannot be asked: one that wrote nothing for so long is taken for gone.
    return beat_at is not None and beat_at >= stale_before


def _process_alive(pid: int) -> bool:
    if pid == os.getpid():
        return False  # this process is running no job while it recovers others
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as f:
            state = f.read().rpartition(")")[2].split()[0]
    except (OSError, IndexError):
        return True
    return state not in ("Z", "X")  # killed, not yet reaped by its parent


def _total(job: Job) -> str:
    return "?" if job.total is None else str(job.total)


def _last(job: Job) -> str:
    return f" (the last one: {job.current})" if job.current else ""


# -- running --------------------------------------------------------------------------------------


class Reporter:
    """Keep a running job's progress and write it to its row at most every ``every`` seconds."""

    def __init__(self, job: Job, every: float = PROGRESS_EVERY):
        self.job, self.every = job, every
        self.written_at = time.monotonic()
        self.stopping = False

    def started(self, total: int) -> None:
        """Record how many files the run will do (written at once: the page's bar can show it)."""
        self.job.total = total
        self.flush()

    def line(self, status: str, text: str, *, path: str = "", warnings=(), diff=(), stoppable: bool = True) -> None:
        """Record one finished file; raise Stop when the job was asked to cancel."""
        entry = {"status": status, "text": text}
        if warnings:
            entry["warnings"] = list(warnings)
        if diff:
            entry["diff"] = list(diff)
        self.job.report.append(entry)
        self.job.done += 1
        self.job.current = path
        # The first file at once (the bar moves as soon as there is something to show), then every `every` s.
        if self.job.done == 1 or time.monotonic() - self.written_at >= self.every:
            self.flush()
        if stoppable and self.stopping:
            raise Stop

    def file(self, result: FileResult, *, text: str | None = None, stoppable: bool = True) -> None:
        """Record one file's result, in its own words unless ``text`` is given; raise Stop as :meth:`line`."""
        words = str(result) if text is None else text
        self.line(
            result.status, words, path=result.path, warnings=result.warnings, diff=result.diff, stoppable=stoppable
        )

    def note(self, text: str, status: str = NOTE) -> None:
        self.job.report.append({"status": status, "text": text})

    def flush(self, **final) -> None:
        job = self.job
        for name, value in final.items():
            setattr(job, name, value)
        fields = {
            "done": job.done,
            "total": job.total,
            "current": job.current,
            "report": job.report,
            "beat_at": timezone.now(),
            **final,
        }
        Job.objects.filter(pk=job.pk).update(**fields)
        if not final:
            self.stopping = Job.objects.filter(pk=job.pk, cancel_requested=True).exists()
        self.written_at = time.monotonic()


def job_run(*, job_id: int) -> str:
    """Run a queued job to its end (a worker calls this); return the status it ended with."""
    now = timezone.now()
    claimed = Job.objects.filter(pk=job_id, status=Job.Status.QUEUED).update(
        status=Job.Status.RUNNING, started_at=now, beat_at=now, worker=this_worker(), message=""
    )
    job = Job.objects.select_related("user").get(pk=job_id)
    if not claimed:
        return job.status  # cancelled before a worker took it (or taken already)
    reporter = Reporter(job)
    try:
        summary = WORK[job.kind](job, reporter)
    except Stop:
        status, error = Job.Status.CANCELLED, ""
        summary = MSG_CANCELLED.format(done=job.done, total=_total(job), last=_last(job))
    except (site.SyncError, staging.UploadFolderError, suggestions.SuggestError, replacing.SearchFailed) as exc:
        # Raised before anything is changed (the services' promise): say so, as the command does.
        status, error = Job.Status.FAILED, str(exc)
        summary = NOTHING_DONE[job.kind] + error
    except Exception as exc:
        logger.exception("Job %s (%s) failed", job.pk, job.kind)
        status, error = Job.Status.FAILED, f"{type(exc).__name__}: {exc}"
        summary = MSG_FAILED.format(done=job.done, total=_total(job), error=error)
    except BaseException:
        # The worker is being stopped (a second Ctrl+C, SystemExit): say so, then let it stop.
        message = MSG_INTERRUPTED.format(worker=this_worker(), done=job.done, total=_total(job), last=_last(job))
        reporter.flush(status=Job.Status.INTERRUPTED, finished_at=timezone.now(), message=message)
        raise
    else:
        status, error = Job.Status.SUCCEEDED, ""
        if job.total is None or job.done > job.total:
            job.total = job.done
    reporter.flush(status=status, finished_at=timezone.now(), message=summary, error=error)
    return status


def _pull(job: Job, reporter: Reporter) -> str:
    report = site.site_pull(repo=job.arguments["repo"], progress=reporter.file, started=reporter.started)
    for note in report.notes:
        reporter.note(f"Note: {note}")
    if report.problems:
        return f"{report.summary()}. {len(report.problems)} file(s) refused or in conflict."
    return report.summary()


def _push(job: Job, reporter: Reporter) -> str:
    arguments = job.arguments
    report = site.site_push(
        repo=arguments["repo"], branch=arguments.get("branch"), remote=arguments.get("remote"),
        message=arguments.get("message"), only=arguments.get("only"),
    )  # fmt: skip
    for note in report.notes:
        reporter.note(f"Note: {note}")
    reporter.started(len(report.files))
    for written in report.files:
        renamed = f" (renamed from {written.old_path})" if written.old_path else ""
        # The commit is made: a cancel now has nothing left to stop.
        text = f"{written.path}{renamed}: " + "; ".join(written.changes)
        reporter.file(written, text=text, stoppable=False)
    if report.commit:
        reporter.note(f"Commit {report.commit} on branch {report.branch}", status=WRITTEN)
    return report.summary()


def _import(job: Job, reporter: Reporter) -> str:
    arguments = job.arguments
    folder = staging.upload_root() / os.path.basename(arguments["folder"])

    try:
        sources = list(staging.stored_sources(folder, arguments["files"]))
        reporter.started(len(sources))
        report = importing.import_sources(
            sources,
            force=arguments.get("force", False),
            user=job.user,
            overwrite=arguments.get("overwrite", importing.FORCE_HINT),
            progress=reporter.file,
        )
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    missing = report.missing_guests
    if missing:
        reporter.note(f"Guests without a profile ({len(missing)}): " + ", ".join(missing), status=WARNING)
    return "Imported: " + report.summary()


def _suggest(job: Job, reporter: Reporter) -> str:
    arguments = job.arguments
    plan = suggestions.batch_plan(
        slugs=arguments.get("slugs"), fields=arguments["fields"], missing=arguments.get("missing", False),
        limit=arguments.get("limit"), force=arguments.get("force", False),
    )  # fmt: skip
    reporter.note(f"Plan: {plan.summary()}.")
    reporter.started(plan.requests)

    def progress(line: suggestions.BatchLine) -> None:
        status = WARNING if line.status == suggestions.FAILED or line.warnings else line.status
        reporter.line(status, str(line), path=line.slug, warnings=line.warnings, stoppable=False)

    def between() -> None:
        # Asked at each episode's end, not at the reporter's pace: a request may take a minute.
        if Job.objects.filter(pk=job.pk, cancel_requested=True).exists():
            raise Stop  # what was suggested stays

    max_cost = arguments.get("max_cost")
    report = suggestions.batch_run(
        plan, accept=arguments.get("accept", False), max_cost=Decimal(max_cost) if max_cost else None,
        user=job.user, job=job, progress=progress, between=between,
    )  # fmt: skip
    return report.summary()


def _replace(job: Job, reporter: Reporter) -> str:
    versions = {int(pk): version for pk, version in job.arguments["versions"].items()}
    reporter.started(len(versions))

    def progress(line: FileResult) -> None:
        reporter.line(line.status, replacing.outcome_line(line), path=line.key)

    search = Search.from_dict(job.arguments["search"])
    lines = replacing.episodes_replace(search=search, versions=versions, user=job.user, progress=progress)
    counts = Counter(line.status for line in lines)
    return f"Replaced {search.describe()}: " + ", ".join(f"{n} {status}" for status, n in sorted(counts.items()))


def _fix(job: Job, reporter: Reporter) -> str:
    versions = {int(pk): version for pk, version in job.arguments["versions"].items()}
    reporter.started(len(versions))

    def progress(change: fixes.FixChange) -> None:
        reporter.line(change.status, str(change), path=change.episode.slug)

    fix = job.arguments["fix"]
    done = fixes.episodes_fix(fix=fix, versions=versions, user=job.user, progress=progress)
    counts = Counter(change.status for change in done)
    return f"{fixes.CHOICES[fix]}: " + ", ".join(f"{n} {status}" for status, n in sorted(counts.items()))


WORK: dict[str, Callable[[Job, Reporter], str]] = {
    Job.Kind.PULL: _pull,
    Job.Kind.PUSH: _push,
    Job.Kind.IMPORT: _import,
    Job.Kind.SUGGEST: _suggest,
    Job.Kind.REPLACE: _replace,
    Job.Kind.FIX: _fix,
}


# -- reading ----------------------------------------------------------------------------------------


def job_progress(job: Job) -> dict:
    """Return what the job's page polls for: status, counts, the current file and the message."""
    return {
        "status": job.status,
        "done": job.done,
        "total": job.total,
        "current": job.current,
        "message": job.message or job.error,
    }
