"""The task framework's tasks: each calls one service (see episodes.services.jobs). Run by ``manage.py db_worker``.

The task framework is the ``django-tasks`` backport of Django 6.0's ``django.tasks``: on Django 6 only the
import below changes.
"""

from django_tasks import task

from .models import Job
from .services import jobs


@task()
def run_job(job_id: int) -> str:
    """Run the job ``job_id``; return the status it ended with."""
    return jobs.job_run(job_id=job_id)


def job_start(*, kind: str, user=None, arguments: dict, lock: str | None = None) -> Job:
    """Record a job and queue it for a worker; raise jobs.JobBusy when its lock is held. Return it."""
    job = jobs.job_create(kind=kind, user=user, arguments=arguments, lock=lock)
    result = run_job.enqueue(job.pk)
    Job.objects.filter(pk=job.pk).update(task_id=str(result.id))
    job.refresh_from_db()
    return job
