"""Transcript turns as a spreadsheet: export an episode's turns, fix speakers, import them back."""

from __future__ import annotations

from django.contrib import admin
from django.utils.text import Truncator
from import_export.admin import ImportExportModelAdmin

from ..models import TranscriptItem
from ..resources import TranscriptItemResource


@admin.register(TranscriptItem)
class TranscriptItemAdmin(ImportExportModelAdmin):
    """A read-only list of items: edits happen in the episode editor or through a spreadsheet import."""

    resource_classes = [TranscriptItemResource]
    list_display = ["episode", "number", "kind", "who", "time", "excerpt"]
    list_filter = ["kind"]
    search_fields = ["episode__slug", "who", "text"]
    list_select_related = ["episode"]
    list_per_page = 100

    @admin.display(description="#", ordering="position")
    def number(self, obj):
        return obj.position + 1

    @admin.display(description="text")
    def excerpt(self, obj):
        return Truncator(obj.text).chars(90)

    def get_queryset(self, request):
        return super().get_queryset(request).order_by("episode__slug", "position")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        # The import needs change permission on the list; single items are edited in the episode editor.
        return obj is None and super().has_change_permission(request)

    def has_delete_permission(self, request, obj=None):
        return False
