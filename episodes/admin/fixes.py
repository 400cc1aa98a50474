"""The episode list's bulk fixes: choose a fix for the selected episodes (or a rule's failing ones, through
the list's problem filter), preview every change per episode, then apply it as one revision per episode (as a
job with its progress bar over more than a few episodes), each refused when it was saved since the preview."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.views import View

from ..models import Job
from ..results import REFUSED, UPDATED
from ..services.editing import ServiceError
from ..services.fixes import CHOICES, episodes_fix
from .jobs import FEW, job_response

MAX_EPISODES = 500  # one request's work: a larger selection is refused, not half done
ERR_TOO_MANY = "Select at most {limit} episodes for one fix (filter the list first)."
ERR_NONE = "Select the episodes to fix first."
ERR_NO_PREVIEW = "Preview the fix first."
MSG_DONE = "{name}: {updated} episode(s) changed, one revision each."


def versions_from(raw: str) -> dict[int, int]:
    """Return the previewed episodes' versions from the form's ``id:version,...``."""
    pairs = (part.split(":", 1) for part in raw.split(",") if ":" in part)
    return {int(pk): int(version) for pk, version in pairs if pk.isdigit() and version.isdigit()}


class FixView(View):
    """``?ids=1,2,3``: choose a fix, preview it, apply it."""

    model_admin = None

    def dispatch(self, request, *args, **kwargs):
        if not self.model_admin.has_change_permission(request):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def ids(self, request) -> list[int]:
        raw = request.POST.get("ids") or request.GET.get("ids") or ""
        return [int(part) for part in raw.split(",") if part.strip().isdigit()]

    def get(self, request):
        return self.page(request, ids=self.ids(request), fix="", changes=None)

    def post(self, request):
        ids, fix = self.ids(request), request.POST.get("fix", "")
        back = HttpResponseRedirect(reverse("admin:episodes_episode_changelist"))
        if not ids:
            messages.error(request, ERR_NONE)
            return back
        if len(ids) > MAX_EPISODES:
            messages.error(request, ERR_TOO_MANY.format(limit=MAX_EPISODES))
            return back
        if "apply" in request.POST:
            return self.apply(request, fix, versions_from(request.POST.get("versions", "")))
        try:
            changes = episodes_fix(episode_ids=ids, fix=fix, dry_run=True)
        except ServiceError as exc:
            messages.error(request, str(exc))
            return self.page(request, ids=ids, fix=fix, changes=None)
        return self.page(request, ids=ids, fix=fix, changes=changes)

    def apply(self, request, fix: str, versions: dict[int, int]):
        back = reverse("admin:episodes_episode_changelist")
        if not versions or fix not in CHOICES:
            messages.error(request, ERR_NO_PREVIEW)
            return HttpResponseRedirect(back)
        if len(versions) > FEW:
            arguments = {"fix": fix, "versions": {str(pk): v for pk, v in versions.items()}}
            return job_response(request, kind=Job.Kind.FIX, arguments=arguments, back=back)
        changes = episodes_fix(fix=fix, versions=versions, user=request.user)
        messages.success(request, MSG_DONE.format(name=CHOICES[fix], updated=sum(c.status == UPDATED for c in changes)))
        for change in changes:
            if change.status == REFUSED:
                messages.warning(request, str(change))
        return HttpResponseRedirect(back)

    def page(self, request, *, ids, fix, changes):
        admin_site = self.model_admin.admin_site
        context = {
            **admin_site.each_context(request),
            "opts": self.model_admin.model._meta,
            "title": "Fix episodes",
            "ids": ",".join(map(str, ids)),
            "count": len(ids),
            "fixes": CHOICES.items(),
            "fix": fix,
            "changes": [
                (change, reverse("admin:episodes_episode_change", args=[change.episode.pk])) for change in changes
            ]
            if changes is not None
            else None,
            "versions": ",".join(f"{change.episode.pk}:{change.version}" for change in changes or ()),
            "few": FEW,
        }
        return TemplateResponse(request, "admin/episodes/episode/fix.html", context)
