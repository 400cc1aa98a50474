"""Long work in the background: a job row per run, as the worker reports its progress."""

from django.conf import settings
from django.db import models


class JobQuerySet(models.QuerySet):
    def active(self):
        """Jobs waiting for a worker or being run by one."""
        return self.filter(status__in=Job.ACTIVE)

    def holding(self, lock: str):
        """The active job that holds ``lock`` (one pull or push per site repository), if any."""
        return self.active().filter(lock=lock)


class Job(models.Model):
    """A piece of long work run by a worker (``manage.py db_worker``): what, who, how far, and its report."""

    class Kind(models.TextChoices):
        PULL = "pull", "Pull from the site"
        PUSH = "push", "Publish to the site"
        IMPORT = "import", "Import uploaded files"
        SUGGEST = "suggest", "Suggest metadata"
        REPLACE = "replace", "Find and replace"
        FIX = "fix", "Fix episodes"

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        SUCCEEDED = "succeeded", "Succeeded"
        FAILED = "failed", "Failed"
        INTERRUPTED = "interrupted", "Interrupted"
        CANCELLED = "cancelled", "Cancelled"

    ACTIVE = (Status.QUEUED, Status.RUNNING)

    kind = models.CharField(max_length=20, choices=Kind.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, help_text="Who started it."
    )
    arguments = models.JSONField(default=dict, blank=True, help_text="What it was asked to do.")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.QUEUED)
    done = models.PositiveIntegerField(default=0, help_text="Files done so far.")
    total = models.PositiveIntegerField(null=True, blank=True, help_text="Files to do, once known.")
    current = models.CharField(max_length=1000, blank=True, help_text="The file being worked on.")
    message = models.TextField(blank=True, help_text="Where it stands, or how it ended.")
    report = models.JSONField(default=list, blank=True, help_text="One line per file, as the command prints them.")
    error = models.TextField(blank=True, help_text="Why it failed.")
    cancel_requested = models.BooleanField(default=False)
    # One pull or push at a time per site repository: the active job holding a lock is unique (see Meta).
    lock = models.CharField(max_length=1100, blank=True)
    task_id = models.CharField(max_length=64, blank=True, help_text="The task framework's id of its run.")
    worker = models.CharField(max_length=300, blank=True, help_text="host:pid of the worker running it.")
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    beat_at = models.DateTimeField(null=True, blank=True, help_text="When the worker last wrote its progress.")

    objects = JobQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["lock"],
                condition=models.Q(status__in=["queued", "running"]) & ~models.Q(lock=""),
                name="one_active_job_per_lock",
            )
        ]

    def __str__(self):
        return f"{self.get_kind_display()} #{self.pk}"

    @property
    def finished(self) -> bool:
        return self.status not in self.ACTIVE
