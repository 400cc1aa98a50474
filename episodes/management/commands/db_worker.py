"""Run a worker for the CMS's jobs: django-tasks-db's ``db_worker``, after marking the jobs of dead workers.

    python manage.py db_worker [--interval SECONDS] [--batch] [--max-tasks N] ...

The options are django-tasks-db's. A worker killed outright (``kill -9``, a machine lost) leaves its job
``running``; this worker marks such jobs ``interrupted`` before it takes new ones, so the editors see what
happened and can run the work again (each file was wholly done or not at all).
"""

from django_tasks_db.management.commands import db_worker

from episodes.services import jobs


class Command(db_worker.Command):
    help = "Run the CMS's background jobs (pulls, pushes, confirmed uploads) from the database queue."

    def handle(self, *args, verbosity, **options):
        for job in jobs.jobs_recover():
            if verbosity >= 1:
                self.stdout.write(self.style.WARNING(f"Job #{job.pk} ({job.kind}): {job.message}"))
        return super().handle(*args, verbosity=verbosity, **options)
