"""Run a worker for the CMS's jobs: django-tasks-db's ``db_worker``, after marking the jobs of dead workers.

    python manage.py db_worker [--interval SECONDS] [--batch] [--max-tasks N] ...

The options are django-tasks-db's. A worker killed outright (``kill -9``, a machine lost) leaves its job
``running``; this worker marks such jobs ``interrupted`` before it takes new ones, so the editors see what
happened and can run the work again (each file was wholly done or not at all).

The worker lowers its own CPU priority by ``JOBS_WORKER_NICE`` (default 10) before it takes a job: a
whole-site pull keeps a CPU busy for seconds, and on a machine it shares with the web server the readers'
pages must come first (bench/jobs.py: public p99 during a pull). With idle CPUs it runs as fast as before.
"""

import os

from django.conf import settings
from django_tasks_db.management.commands import db_worker

from episodes.services import jobs


class Command(db_worker.Command):
    help = "Run the CMS's background jobs (pulls, pushes, confirmed uploads) from the database queue."

    def handle(self, *args, verbosity, **options):
        lower_priority(settings.JOBS_WORKER_NICE)
        for job in jobs.jobs_recover():
            if verbosity >= 1:
                self.stdout.write(self.style.WARNING(f"Job #{job.pk} ({job.kind}): {job.message}"))
        return super().handle(*args, verbosity=verbosity, **options)


def lower_priority(steps: int) -> int:
    """Lower this process's CPU priority by ``steps`` (0 leaves it); return the niceness it runs at.

    A niceness only ever goes up for an unprivileged process, so a worker started already nicer keeps that.
    """
    return os.nice(max(0, min(steps, 19)))
