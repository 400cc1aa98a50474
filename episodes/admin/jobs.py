"""The Jobs pages: the list of long work (newest first), each job's page with its bar and report, Cancel.

A job's page polls ``<id>/progress/`` (JSON: status, done, total, current, message, and the report lines
past ``?since=N``) and fills itself in; without JavaScript a refresh shows the same. Jobs are started by
the pages that need them (Publish, the upload's confirmation) through :func:`episodes.tasks.job_start`.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseRedirect, JsonResponse
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html

from .. import tasks
from ..models import Job
from ..services import jobs

TEMPLATE = "admin/episodes/job/job.html"
# Up to this many episodes are changed within the request (a bulk fix, a find and replace); more go to a job,
# whose page shows its progress bar.
FEW = 5


def job_url(job: Job) -> str:
    return reverse("admin:episodes_job_change", args=[job.pk])


def busy_message(request, busy: jobs.JobBusy) -> None:
    """Tell the editor that the work is refused while another job holds the repository, with its link."""
    messages.error(request, format_html('{} <a href="{}">See it</a>.', str(busy), job_url(busy.running)))


def job_response(request, *, kind: str, arguments: dict, back: str) -> HttpResponseRedirect:
    """Start a job of ``kind`` and send the editor to its page; back to ``back`` when one is already running."""
    try:
        job = tasks.job_start(kind=kind, user=request.user, arguments=arguments)
    except jobs.JobBusy as busy:
        busy_message(request, busy)
        return HttpResponseRedirect(back)
    return HttpResponseRedirect(job_url(job))


@admin.register(Job)
class JobAdmin(admin.ModelAdmin):
    list_display = ["__str__", "status", "progress_column", "started_by", "created_at", "finished_at"]
    list_filter = ["status", "kind"]
    list_select_related = ["user"]
    date_hierarchy = None

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="Progress")
    def progress_column(self, job):
        total = "?" if job.total is None else job.total
        return f"{job.done} / {total}"

    @admin.display(description="Started by", ordering="user__username")
    def started_by(self, job):
        return jobs.who_started(job)

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("<int:job_id>/progress/", view(self.progress_view), name="episodes_job_progress"),
            path("<int:job_id>/cancel/", view(self.cancel_view), name="episodes_job_cancel"),
            *super().get_urls(),
        ]

    def _job(self, request, job_id) -> Job:
        if not self.has_view_permission(request):
            raise PermissionDenied
        try:
            return Job.objects.select_related("user").get(pk=int(job_id))
        except (Job.DoesNotExist, ValueError):
            raise Http404("No such job") from None

    def change_view(self, request, object_id, form_url="", extra_context=None):
        """Show the job: its bar, the current file, the message and the report so far; Cancel."""
        job = self._job(request, object_id)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": str(job),
            "job": job,
            "started_by": jobs.who_started(job),
            "can_cancel": not job.finished and self.has_change_permission(request, job),
            "progress": jobs.job_progress(job),
        }
        return TemplateResponse(request, TEMPLATE, context)

    def progress_view(self, request, job_id):
        """Answer the page's poll: the job's progress, and its report lines from ``since`` on."""
        job = self._job(request, job_id)
        try:
            since = max(0, int(request.GET.get("since", "0")))
        except ValueError:
            since = 0
        return JsonResponse({**jobs.job_progress(job), "report": job.report[since:]})

    def cancel_view(self, request, job_id):
        """Cancel a queued job, or ask a running one to stop after its current file."""
        job = self._job(request, job_id)
        if request.method != "POST":
            return HttpResponseRedirect(job_url(job))
        if not self.has_change_permission(request, job):
            raise PermissionDenied
        job = jobs.job_cancel(job=job)
        messages.info(request, job.message)
        return HttpResponseRedirect(job_url(job))
