"""What the editor's own views share: the episode named in the address and the permission each needs."""

from __future__ import annotations

from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.urls import reverse
from django.views import View


class EpisodeView(View):
    """A view of one episode; ``change`` views need the change permission, others the view permission."""

    model_admin = None
    change = False

    def dispatch(self, request, object_id, *args, **kwargs):
        admin = self.model_admin
        episode = admin.get_object(request, unquote(object_id))
        if episode is None:
            raise Http404("No such episode.")
        allowed = admin.has_change_permission if self.change else admin.has_view_permission
        if not allowed(request, episode):
            raise PermissionDenied
        self.episode = episode
        return super().dispatch(request, *args, **kwargs)

    def context(self, request, **extra) -> dict:
        admin = self.model_admin
        return {
            **admin.admin_site.each_context(request),
            "opts": admin.opts,
            "original": self.episode,
            "has_view_permission": True,
            **extra,
        }

    def change_url(self, anchor: str = "") -> str:
        return reverse("admin:episodes_episode_change", args=[self.episode.pk]) + (f"#{anchor}" if anchor else "")


class ListPageView(View):
    """A page of the episode list's own (import files, a new episode from a transcript): ``permissions``
    are the admin permissions it needs ("add", "change")."""

    model_admin = None
    permissions: tuple[str, ...] = ("add",)
    title = ""

    def dispatch(self, request, *args, **kwargs):
        admin = self.model_admin
        if not all(getattr(admin, f"has_{name}_permission")(request) for name in self.permissions):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def context(self, request, **extra) -> dict:
        admin = self.model_admin
        return {
            **admin.admin_site.each_context(request),
            "opts": admin.opts,
            "title": self.title,
            "has_view_permission": True,
            **extra,
        }


def wants_json(request) -> bool:
    return "application/json" in request.headers.get("Accept", "")
