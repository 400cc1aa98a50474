"""People: profiles, the host flag, their episodes, spreadsheet import/export and profile export."""

from __future__ import annotations

import io
import zipfile

from django import forms
from django.contrib import admin
from django.db.models import Case, Count, IntegerField, Q, Value, When
from django.http import HttpResponse
from django.urls import reverse
from django.utils.html import format_html_join
from import_export.admin import ImportExportModelAdmin

from ..documents import images
from ..documents.exporting import person_text
from ..models import Person
from ..resources import PersonResource
from ..services import ServiceError
from ..services import images as image_services
from .editor.forms.images import ACCEPT, ImagePathWidget
from .forms import PersonForm


class PersonPictureForm(PersonForm):
    """A profile, with its picture shown (or a warning that no file is there) and an upload to replace it."""

    picture_file = forms.FileField(
        required=False,
        label="Upload a picture",
        widget=forms.FileInput(attrs={"accept": ACCEPT}),
        help_text="JPEG, PNG or WebP: kept square at the site's size in images/authors/, named by the key.",
    )

    class Meta(PersonForm.Meta):
        widgets = {"picture": ImagePathWidget()}

    def clean_picture_file(self):
        upload = self.cleaned_data.get("picture_file")
        self.picture_data = None
        if upload:
            try:
                self.picture_data = image_services.image_prepare(upload=upload, kind=images.picture_kind())
            except ServiceError as exc:
                raise forms.ValidationError(str(exc)) from None
        return upload


@admin.register(Person)
class PersonAdmin(ImportExportModelAdmin):
    form = PersonPictureForm
    resource_classes = [PersonResource]
    list_display = ["key", "name", "is_host", "has_profile", "episode_count"]
    list_filter = ["is_host", "has_profile"]
    search_fields = ["key", "name"]
    readonly_fields = ["episode_list"]
    actions = ["export_profiles"]
    fieldsets = [
        (None, {"fields": ["key", "name", "short", "picture", "picture_file", "is_host", "has_profile"]}),
        ("Links", {"fields": ["github", "twitter", "linkedin", "web"]}),
        ("Biography", {"fields": ["bio_short", "body"]}),
        ("Other keys", {"fields": ["extra"], "classes": ["collapse"]}),
        ("Episodes", {"fields": ["episode_list"]}),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(episode_total=Count("guest_rows", distinct=True))

    def get_search_results(self, request, queryset, search_term):
        """Return the matches with key and word-prefix matches first (the guest autocomplete shows this order).

        "Jane" lists janedoe and Jane Doe before Mary Jane Dykeman, and her before a name that only contains
        the letters. The change list orders by its columns afterwards; the autocomplete keeps this order.
        """
        queryset, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        term = " ".join(search_term.split())
        if not term:
            return queryset, may_have_duplicates
        rank = Case(
            When(Q(key__istartswith=term) | Q(name__istartswith=term), then=Value(0)),
            When(Q(name__icontains=f" {term}") | Q(name__icontains=f"-{term}"), then=Value(1)),
            default=Value(2),
            output_field=IntegerField(),
        )
        return queryset.annotate(match_rank=rank).order_by("match_rank", "name", "key"), may_have_duplicates

    @admin.display(description="episodes", ordering="episode_total")
    def episode_count(self, obj):
        return obj.episode_total

    @admin.display(description="episodes")
    def episode_list(self, obj):
        episodes = obj.episodes.order_by("-season", "-number")
        if not episodes:
            return "–"
        return format_html_join(
            ", ",
            '<a href="{}">{}</a>',
            ((reverse("admin:episodes_episode_change", args=[e.pk]), e) for e in episodes),
        )

    def save_model(self, request, obj, form, change):
        # An editor who fills in a placeholder gives it a profile file on export.
        obj.has_profile = True
        super().save_model(request, obj, form, change)
        if getattr(form, "picture_data", None):
            # After the row is saved: the picture is kept under the key the form just saved.
            try:
                image_services.picture_save(person=obj, data=form.picture_data)
            except ServiceError as exc:
                self.message_user(request, str(exc), level="error")

    @admin.action(description="Export selected profiles (_people/<key>.md in a .zip)")
    def export_profiles(self, request, queryset):
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
            for person in queryset.order_by("key"):
                zf.writestr(f"_people/{person.key}.md", person_text(person).encode("utf-8"))
        response = HttpResponse(buffer.getvalue(), content_type="application/zip")
        response["Content-Disposition"] = 'attachment; filename="people.zip"'
        return response
