"""The editors' Publish page: pull from the site's repository, review what would be published, publish it.

Registered as the admin of the ``Publish`` proxy model, so the page sits in the admin's index and its
permissions decide who may see it (view) and who may pull, publish and settle conflicts (change). The page
calls the site services of :mod:`episodes.services.site`, as ``sync_site`` does.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse

from .. import tasks
from ..models import Episode, Job, Publish
from ..services import jobs, site
from .jobs import busy_message, job_url

TEMPLATE = "admin/episodes/publish.html"
ERR_NONE_CHOSEN = "Nothing was published: no file was ticked."


@admin.register(Publish)
class PublishAdmin(admin.ModelAdmin):
    list_display = ["path"]
    readonly_fields = ["path", "problem", "conflicts", "blob", "upstream_blob"]
    fields = readonly_fields

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("pull/", view(self.pull_view), name="episodes_publish_pull"),
            path("push/", view(self.push_view), name="episodes_publish_push"),
            path("resolve/", view(self.resolve_view), name="episodes_publish_resolve"),
            *super().get_urls(),
        ]

    def changelist_view(self, request, extra_context=None):
        """Show the repository's state, the pending changes, the conflicts, and the pull and publish forms."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        return self._page(request)

    def _page(self, request, **extra):
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": "Publish to the site",
            "repo": settings.SITE_REPO,
            "remote": settings.SITE_REMOTE,
            "branch_prefix": settings.SITE_BRANCH_PREFIX,
            "can_change": self.has_change_permission(request),
            **extra,
        }
        if settings.SITE_REPO and "status" not in context:
            try:
                context["status"] = site.site_status(repo=settings.SITE_REPO)
            except site.SyncError as exc:
                context["error"] = str(exc)
        if "status" in context:
            context["pending"] = [_pending_row(item) for item in context["status"].pending]
            context["conflicts"] = [
                {"path": sf.path, "conflicts": [{**c, "said": site.conflict_line(c)} for c in sf.conflicts]}
                for sf in context["status"].conflicts
            ]
        return TemplateResponse(request, TEMPLATE, context)

    def _post(self, request):
        if request.method != "POST":
            return HttpResponseRedirect(reverse("admin:episodes_publish_changelist"))
        if not self.has_change_permission(request):
            raise PermissionDenied
        if not settings.SITE_REPO:
            messages.error(request, site.repository.ERR_NO_REPO)
            return HttpResponseRedirect(reverse("admin:episodes_publish_changelist"))
        return None

    def pull_view(self, request):
        """Start a pull from the site's repository as a job and go to its page."""
        refused = self._post(request)
        if refused:
            return refused
        return self._start(request, Job.Kind.PULL, {"repo": settings.SITE_REPO})

    def push_view(self, request):
        """Start committing the pending changes to a branch (pushed when a remote is configured) as a job."""
        refused = self._post(request)
        if refused:
            return refused
        remote = settings.SITE_REMOTE if request.POST.get("push") and settings.SITE_REMOTE else None
        # The page's form lists the pending files with a checkbox each: only the ticked ones are published.
        only = request.POST.getlist("only") if request.POST.get("choose") else None
        if only == []:
            messages.error(request, ERR_NONE_CHOSEN)
            return HttpResponseRedirect(reverse("admin:episodes_publish_changelist"))
        arguments = {
            "repo": settings.SITE_REPO,
            "branch": request.POST.get("branch", "").strip() or None,
            "message": request.POST.get("message", "").strip() or None,
            "remote": remote,
            "only": only,
        }
        return self._start(request, Job.Kind.PUSH, arguments)

    def _start(self, request, kind, arguments):
        try:
            job = tasks.job_start(
                kind=kind, user=request.user, arguments=arguments, lock=jobs.site_lock(settings.SITE_REPO)
            )
        except jobs.JobBusy as busy:
            busy_message(request, busy)
            return HttpResponseRedirect(reverse("admin:episodes_publish_changelist"))
        return HttpResponseRedirect(job_url(job))

    def resolve_view(self, request):
        """Settle a conflict: keep the CMS's or take the site's values where both changed."""
        refused = self._post(request)
        if refused:
            return refused
        file_path, keep = request.POST.get("path", ""), request.POST.get("keep", "")
        try:
            settled = site.conflict_resolve(path=file_path, keep=keep, user=request.user)
        except site.SyncError as exc:
            messages.error(request, str(exc))
        else:
            kept = "the CMS's values" if keep == site.KEEP_CMS else "the site's values"
            messages.success(request, f"{file_path}: {len(settled)} conflict(s) settled, keeping {kept}.")
        return HttpResponseRedirect(reverse("admin:episodes_publish_changelist"))


def _pending_row(item: site.Pending) -> dict:
    """Return what the page shows for one pending file: its name, link, editors and change list."""
    if isinstance(item.obj, Episode):
        url = reverse("admin:episodes_episode_change", args=[item.obj.pk])
    else:
        url = reverse("admin:episodes_person_change", args=[item.obj.pk])
    editors = list(dict.fromkeys(str(user.get_full_name() or user.get_username()) for user in item.authors))
    return {"item": item, "url": url, "editors": editors, "changes": item.describe()}
