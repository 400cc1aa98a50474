"""The bar of each running job, for the pages where editors start them (Publish, the episode list)."""

from django import template

from ..models import Job
from ..services import jobs

register = template.Library()


@register.inclusion_tag("admin/episodes/job/_running.html")
def running_jobs():
    """Show each queued or running job with its bar and a link to its page."""
    running = list(Job.objects.active().select_related("user"))
    for job in running:
        job.started_by = jobs.who_started(job)
    return {"running": running}
