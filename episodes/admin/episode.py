"""The episode list, its actions and filters, and the addresses of the editor's pages.

The change page is :mod:`episodes.admin.editor.change`; the editor's other views are in
the other modules of :mod:`episodes.admin.editor`.
"""

from __future__ import annotations

from functools import partial

from django.contrib import admin
from django.contrib.admin.views.main import ChangeList
from django.db.models import Exists, OuterRef
from django.http import HttpResponse, HttpResponseRedirect
from django.urls import path, reverse
from django.utils.html import format_html

from .. import tasks
from ..documents import exporting
from ..format import checks, suggesting
from ..models import Episode, EpisodeProblem, Job
from ..services.suggestions import enabled as suggestions_enabled
from . import fixes, replace, uploads
from . import suggestions as suggestion_pages
from .editor import cover, export, intake
from .editor.change import EpisodeChangePage
from .editor.history import RevertView
from .editor.operation_views import OperationView, UndoView
from .jobs import job_url


class EpisodeChangeList(ChangeList):
    def get_ordering(self, request, queryset):
        """Break ties by id in the direction of the first column sorted by (Django always adds "-pk").

        Then each sortable column's one index gives the page in both directions, reading no other row.
        """
        ordering = super().get_ordering(request, queryset)
        if len(ordering) > 1 and ordering[-1] == "-pk":
            first = ordering[0]
            descending = first.startswith("-") if isinstance(first, str) else getattr(first, "descending", True)
            ordering[-1] = "-pk" if descending else "pk"
        return ordering


class WarningsFilter(admin.SimpleListFilter):
    title = "warnings"
    parameter_name = "warnings"

    def lookups(self, request, model_admin):
        return [("yes", "Has warnings"), ("no", "No warnings")]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(warning_count__gt=0)
        if self.value() == "no":
            return queryset.filter(warning_count=0)
        return queryset


class ProblemFilter(admin.SimpleListFilter):
    """Episodes breaking one editorial rule, from the counts kept per episode (the health page links here)."""

    title = "problem"
    parameter_name = "problem"

    def lookups(self, request, model_admin):
        return [(name, name) for name in checks.RULES]

    def queryset(self, request, queryset):
        if self.value() in checks.RULES:
            breaking = EpisodeProblem.objects.filter(episode=OuterRef("pk"), rule=self.value())
            return queryset.filter(Exists(breaking))
        return queryset


@admin.register(Episode)
class EpisodeAdmin(EpisodeChangePage):
    list_display = ["number_label", "title", "guest_names", "item_count", "edited_at", "warnings_column", "status"]
    list_display_links = ["number_label", "title"]
    list_filter = ["season", "status", WarningsFilter, ProblemFilter]
    search_fields = ["title", "slug", "guests__name", "guests__key"]
    actions = ["export_selected", "suggest_selected", "fix_selected", "replace_selected"]
    list_per_page = 50

    # -- the list ---------------------------------------------------------------------------------

    def get_changelist(self, request, **kwargs):
        return EpisodeChangeList

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if request.resolver_match and request.resolver_match.url_name == "episodes_episode_changelist":
            # Counts are columns kept by the import and the services: the list never reads transcripts.
            queryset = queryset.for_lists().defer("extra").with_guests()
        return queryset

    @admin.display(description="S/E", ordering="season")
    def number_label(self, obj):
        season = f"S{obj.season:02d}" if obj.season is not None else "S–"
        number = f"E{obj.number:02d}" if obj.number is not None else "E–"
        return season + number

    @admin.display(description="guests")
    def guest_names(self, obj):
        return ", ".join(str(row.person) for row in obj.guest_rows.all())

    @admin.display(description="warnings", ordering="warning_count")
    def warnings_column(self, obj):
        if not obj.warning_count:
            return "–"
        return format_html('<span class="warn-count" title="See the editor page">⚠ {}</span>', obj.warning_count)

    @admin.action(description="Export selected episodes (.md, or .zip for several)")
    def export_selected(self, request, queryset):
        # The list's queryset leaves out the long columns that an export needs.
        name, content, content_type = exporting.download(queryset.defer(None).order_by("slug"))
        response = HttpResponse(content, content_type=content_type)
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response

    def get_actions(self, request):
        actions = super().get_actions(request)
        if not suggestions_enabled():
            actions.pop("suggest_selected", None)  # no AI controls unless AI_BASE_URL is set
        return actions

    @admin.action(description="Suggest missing chapters, titles, descriptions, intros and topics (language model)")
    def suggest_selected(self, request, queryset):
        slugs = list(queryset.order_by("slug").values_list("slug", flat=True))
        arguments = {"slugs": slugs, "fields": list(suggesting.FIELDS), "missing": True}
        job = tasks.job_start(kind=Job.Kind.SUGGEST, user=request.user, arguments=arguments)
        return HttpResponseRedirect(job_url(job))

    @admin.action(description="Fix the selected episodes (preview first)", permissions=["change"])
    def fix_selected(self, request, queryset):
        ids = ",".join(str(pk) for pk in queryset.values_list("pk", flat=True))
        return HttpResponseRedirect(f"{reverse('admin:episodes_episode_fix')}?ids={ids}")

    @admin.action(description="Find and replace in the selected episodes (preview first)", permissions=["change"])
    def replace_selected(self, request, queryset):
        ids = ",".join(str(pk) for pk in queryset.values_list("pk", flat=True))
        return HttpResponseRedirect(f"{reverse('admin:episodes_episode_replace')}?ids={ids}")

    # -- the editor's own views ---------------------------------------------------------------------

    def get_urls(self):
        def view(cls, **kwargs):
            return self.admin_site.admin_view(cls.as_view(model_admin=self, **kwargs))

        return [
            path("fix/", view(fixes.FixView), name="episodes_episode_fix"),
            path("replace/", view(replace.ReplaceView), name="episodes_episode_replace"),
            path("import/", view(uploads.UploadView), name="episodes_episode_import"),
            path("<path:object_id>/export/", view(export.ExportPreviewView), name="episodes_episode_export"),
            path("<path:object_id>/revert/<int:revision_id>/", view(RevertView), name="episodes_episode_revert"),
            path("<path:object_id>/undo/<int:revision_id>/", view(UndoView), name="episodes_episode_undo"),
            path("<path:object_id>/chapters.txt", view(export.ChaptersTextView), name="episodes_episode_chapters"),
            path("<path:object_id>/transcript/", view(intake.TranscriptView), name="episodes_episode_transcript"),
            path("<path:object_id>/cover/", view(cover.CoverView), name="episodes_episode_cover"),
            path("import-transcript/", view(intake.NewEpisodeView), name="episodes_episode_new_from_transcript"),
            path(
                "<path:object_id>/change/ops/<slug:op>/",
                view(OperationView),
                name="episodes_episode_op",
            ),
            path(
                "<path:object_id>/suggest/<slug:field>/",
                self.admin_site.admin_view(partial(suggestion_pages.suggest_view, self)),
                name="episodes_episode_suggest",
            ),
            path(
                "suggestion/<int:suggestion_id>/decide/",
                self.admin_site.admin_view(partial(suggestion_pages.decide_view, self)),
                name="episodes_suggestion_decide",
            ),
            *super().get_urls(),
        ]
