"""The episode list's bulk fixes: choose a fix for the selected episodes (or a rule's failing ones, through
the list's problem filter), preview every change per episode, then apply it as one revision per episode."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.views import View

from ..format.fixes import FIXES
from ..services.common import ServiceError
from ..services.fixes import episodes_fix

MAX_EPISODES = 500  # one request's work: a larger selection is refused, not half done
ERR_TOO_MANY = "Select at most {limit} episodes for one fix (filter the list first)."
ERR_NONE = "Select the episodes to fix first."


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
        apply = "apply" in request.POST
        try:
            changes = episodes_fix(episode_ids=ids, fix=fix, user=request.user, dry_run=not apply)
        except ServiceError as exc:
            messages.error(request, str(exc))
            return self.page(request, ids=ids, fix=fix, changes=None)
        if apply:
            name = FIXES[fix].label
            messages.success(request, f"{name}: {len(changes)} episode(s) changed, one revision each.")
            return back
        return self.page(request, ids=ids, fix=fix, changes=changes)

    def page(self, request, *, ids, fix, changes):
        admin_site = self.model_admin.admin_site
        context = {
            **admin_site.each_context(request),
            "opts": self.model_admin.model._meta,
            "title": "Fix episodes",
            "ids": ",".join(map(str, ids)),
            "count": len(ids),
            "fixes": FIXES.values(),
            "fix": fix,
            "changes": [
                (change, reverse("admin:episodes_episode_change", args=[change.episode.pk])) for change in changes
            ]
            if changes is not None
            else None,
        }
        return TemplateResponse(request, "admin/episodes/episode/fix.html", context)
