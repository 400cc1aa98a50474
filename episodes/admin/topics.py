"""The curated topics: the list, loading it from the site's ``scripts/topic_list.txt``, and merging a topic
into another across the episodes that use it (a preview of every episode's topics before and after, then
one revision per episode)."""

from __future__ import annotations

import os

from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse

from ..models import Topic
from ..selectors.checks import TOPIC_LIST
from ..services import topics
from ..services.editing import ServiceError
from .forms import TopicForm

ERR_NO_LIST = "No topic list: set SITE_REPO to a checkout of the site with scripts/topic_list.txt."


@admin.register(Topic)
class TopicAdmin(admin.ModelAdmin):
    form = TopicForm
    list_display = ["name", "alias_list"]
    search_fields = ["name"]

    @admin.display(description="aliases")
    def alias_list(self, obj):
        return ", ".join(obj.aliases)

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("load/", view(self.load_view), name="episodes_topic_load"),
            path("<int:pk>/merge/", view(self.merge_view), name="episodes_topic_merge"),
            *super().get_urls(),
        ]

    def changelist_view(self, request, extra_context=None):
        extra = {"topic_list": os.path.join(settings.SITE_REPO, TOPIC_LIST) if settings.SITE_REPO else ""}
        return super().changelist_view(request, {**(extra_context or {}), **extra})

    def load_view(self, request):
        """Add the site's curated topics that are neither a topic nor an alias yet."""
        if request.method != "POST" or not self.has_add_permission(request):
            raise PermissionDenied
        list_path = os.path.join(settings.SITE_REPO, TOPIC_LIST) if settings.SITE_REPO else ""
        if not list_path or not os.path.isfile(list_path):
            messages.error(request, ERR_NO_LIST)
        else:
            added = topics.site_topics_load(root=settings.SITE_REPO)
            messages.success(request, f"{len(added)} topic(s) added from {list_path}.")
        return HttpResponseRedirect(reverse("admin:episodes_topic_changelist"))

    def merge_view(self, request, pk: int):
        """Choose the topic to merge into, preview every episode's change, then merge."""
        if not self.has_change_permission(request):
            raise PermissionDenied
        source = get_object_or_404(Topic, pk=pk)
        others = Topic.objects.exclude(pk=source.pk)
        target = others.filter(pk=request.POST.get("into") or 0).first() if request.method == "POST" else None
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": f"Merge the topic '{source.name}'",
            "source": source,
            "others": others,
            "target": target,
        }
        if target is not None:
            try:
                changes = topics.topic_merge(
                    source=source, target=target, user=request.user, dry_run="confirm" not in request.POST
                )
            except ServiceError as exc:
                messages.error(request, str(exc))
            else:
                if "confirm" in request.POST:
                    messages.success(
                        request,
                        f"Merged '{source.name}' into '{target.name}': {len(changes)} episode(s) changed, "
                        "one revision each.",
                    )
                    return HttpResponseRedirect(reverse("admin:episodes_topic_changelist"))
                context["changes"] = [
                    (change, reverse("admin:episodes_episode_change", args=[change.episode.pk])) for change in changes
                ]
        return TemplateResponse(request, "admin/episodes/topic/merge.html", context)
