"""The archive health page: each editorial rule with the share of episodes breaking it, its trend since the
last pull, and a link to the episode list filtered to it.

Registered as the admin of the ``Health`` proxy model, so the page sits in the admin's index; whoever may
view episodes may view it. It reads the counts kept per episode (``EpisodeProblem``), never a transcript:
three queries whatever the number of episodes.
"""

from __future__ import annotations

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.http import urlencode

from ..models import Episode, Health
from ..selectors.checks import archive_health

TEMPLATE = "admin/episodes/health.html"


@admin.register(Health)
class HealthAdmin(admin.ModelAdmin):
    list_display = ["taken_at", "commit", "episodes"]
    readonly_fields = ["taken_at", "commit", "episodes", "counts"]

    def has_view_permission(self, request, obj=None):
        return request.user.has_perm("episodes.view_episode")

    def has_module_permission(self, request):
        return self.has_view_permission(request)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def changelist_view(self, request, extra_context=None):
        """Show each rule's count as a bar, its trend since the last pull and a link to its episodes."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        health = archive_health()
        episodes_url = reverse("admin:episodes_episode_changelist")
        rows = [(rule, f"{episodes_url}?{urlencode({'problem': rule.rule.name})}") for rule in health.rules]
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": "Archive health",
            "health": health,
            "rows": rows,
            "episode_opts": Episode._meta,
        }
        return TemplateResponse(request, TEMPLATE, context)
