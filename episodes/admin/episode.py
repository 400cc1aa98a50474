"""The episode list and the editor's change page: metadata, guests, links, speakers, sections and transcript.

The admin collects input and calls services; it holds no editing rules of its own. The editor's other
views (operations, undo, history, revert, export preview) are in :mod:`episodes.admin.editor.views`.
"""

from __future__ import annotations

from functools import partial

from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.utils import flatten_fieldsets
from django.contrib.admin.views.main import ChangeList
from django.db import DatabaseError
from django.db.models import Exists, OuterRef
from django.http import HttpResponse, HttpResponseRedirect
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join

from .. import editor, services, tasks
from ..documents import database, exporting
from ..format import checks, suggesting
from ..forms import (
    ITEM_FIELDS,
    BodyLinkForm,
    EpisodeForm,
    GuestForm,
    ListFormSet,
    PlatformRefForm,
    item_field_name,
    transcript_edits,
    typed_keys,
)
from ..models import BodyLink, Episode, EpisodeGuest, EpisodeProblem, Job, PlatformRef
from ..services.suggestions import enabled as suggestions_enabled
from . import fixes, replace, uploads
from . import suggestions as suggestion_pages
from .editor import intake, views
from .jobs import job_url


def _list_changed(formset) -> bool:
    """Tell whether the editor changed a small list: a value, a row added or deleted, or the order.

    The page's script numbers positions across the whole list (a platform ref's stored position counts
    within its mapping), so the order is compared, not the numbers.
    """
    existing = []
    for form in formset.forms:
        if form.instance.pk is None:
            if form.has_changed():
                return True
        elif (formset.can_delete and formset._should_delete_form(form)) or set(form.changed_data) - {"position"}:
            return True
        else:
            existing.append(form)

    def posted(form):
        position = form.cleaned_data.get("position")
        return form.cleaned_data.get("mapping") or "", 10**9 if position is None else position

    return sorted(existing, key=posted) != existing  # the formset lists rows in their stored order


ERR_DISK_FULL = (
    "Could not be saved: the disk is full. Nothing was saved and your edits are still below; "
    "save again once there is room."
)
ERR_NOT_SAVED = "Could not be saved: {problem}. Nothing was saved and your edits are still below."


def save_failure(exc: Exception) -> str:
    """Return what to tell an editor whose save failed after it was validated."""
    if isinstance(exc, services.ServiceError):
        return str(exc)
    problem = str(exc)
    if "full" in problem.lower() or "no space left" in problem.lower():
        return ERR_DISK_FULL
    return ERR_NOT_SAVED.format(problem=problem.strip().rstrip("."))


class OrderedInline(admin.TabularInline):
    """A small list whose order matters: rows carry a hidden position the page's ↑/↓ buttons renumber."""

    extra = 0
    classes = ["ordered"]
    formset = ListFormSet

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        # New rows go last unless moved; the service renumbers positions from 0 in this order.
        formset.form.base_fields["position"].required = False
        return formset


class GuestInline(OrderedInline):
    model = EpisodeGuest
    form = GuestForm
    autocomplete_fields = ["person"]
    verbose_name_plural = "Guests (in order)"


class PlatformRefInline(OrderedInline):
    model = PlatformRef
    form = PlatformRefForm
    verbose_name = "platform id or link"
    verbose_name_plural = "Platform ids and links (YouTube, Spotify, Apple, Anchor, …)"


class BodyLinkInline(OrderedInline):
    model = BodyLink
    form = BodyLinkForm
    verbose_name_plural = "Links (the body's Links: list)"


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
class EpisodeAdmin(admin.ModelAdmin):
    form = EpisodeForm
    inlines = [GuestInline, PlatformRefInline, BodyLinkInline]
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

    # -- the form ---------------------------------------------------------------------------------

    def get_fieldsets(self, request, obj=None):
        extra = database.episode_extra(obj) if obj is not None else {}
        metadata = ["slug", "title", "short", ("season", "number"), "image", "status", "version"]
        newer = {"fields": [f"x_{key}" for key in typed_keys(extra)] + ["extra_yaml"]}
        if not extra:
            newer["classes"] = ["collapse"]
        return [
            (None, {"fields": metadata}),
            ("Newer keys (description, intro, topics, …)", newer),
            ("Body text around the links", {"fields": ["body", "body_after"], "classes": ["collapse"]}),
        ]

    def get_form(self, request, obj=None, change=False, **kwargs):
        # The newer keys' fields are added per episode by the form itself, not by the model form factory.
        fields = flatten_fieldsets(self.get_fieldsets(request, obj))
        kwargs["fields"] = [f for f in fields if not f.startswith("x_") and f not in ("extra_yaml", "version")]
        form = super().get_form(request, obj, change, **kwargs)
        error = getattr(request, "episode_save_error", "")
        return type(form.__name__, (form,), {"save_error": error}) if error else form

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except (services.ServiceError, DatabaseError) as exc:
            if request.method != "POST" or getattr(request, "episode_save_error", ""):
                raise
            # The save was rolled back as a whole: show the page again with everything the editor typed.
            request.episode_save_error = save_failure(exc)
            return super().changeform_view(request, object_id, form_url, extra_context)

    def get_changeform_initial_data(self, request):
        return {"status": Episode.Status.DRAFT, **super().get_changeform_initial_data(request)}

    def save_model(self, request, obj, form, change):
        """Save nothing yet: the episode is saved with its lists, as one edit, in save_related."""

    def save_related(self, request, form, formsets, change):
        # Lists the editor left alone are not sent to the service at all (it would read them to compare).
        lists = {formset.model: self._rows(formset) for formset in formsets if not change or _list_changed(formset)}
        if not change:
            services.episode_create(episode=form.instance, lists=lists, user=request.user)
            return
        fields = {name: form.cleaned_data[name] for name in form.changed_data if name in form._meta.fields}
        what = services.episode_save(
            episode=form.instance,
            fields=fields,
            extra=form.extra_data(),
            edits=form.transcript_edits,
            lists=lists,
            user=request.user,
            version=form.cleaned_data.get("version"),
        )
        form.saved_what = request.episode_saved_what = what

    def log_change(self, request, obj, message):
        # A save that changed nothing leaves no trace, in the history or in the admin's log.
        if getattr(request, "episode_saved_what", None) != []:
            return super().log_change(request, obj, message)
        return None

    def response_change(self, request, obj):
        if getattr(request, "episode_saved_what", None) == []:
            self.message_user(request, "No changes: nothing was saved.", messages.INFO)
            return HttpResponseRedirect(request.get_full_path())
        return super().response_change(request, obj)

    @staticmethod
    def _rows(formset) -> list[services.Row]:
        rows = []
        for index, form in enumerate(formset.forms):
            if not form.has_changed() and form.instance.pk is None:
                continue  # an empty extra row
            delete = formset.can_delete and formset._should_delete_form(form)
            position = form.cleaned_data.get("position") if hasattr(form, "cleaned_data") else None
            key = (position if position is not None else 10**6, index)
            rows.append((key, services.Row(obj=form.instance, delete=delete)))
        return [row for _, row in sorted(rows, key=lambda pair: pair[0])]

    def construct_change_message(self, request, form, formsets, add=False):
        if add:
            return "Created in the CMS"
        what = form.saved_what
        return "Edited " + ", ".join(what) if what else "No changes"

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        context.update(show_save_and_add_another=False, show_save_as_new=False)
        if obj is not None:
            editor_context = editor.editor_context(obj)
            posted = request.POST if request.method == "POST" else None
            form = context.get("adminform").form if context.get("adminform") else None
            errors = getattr(form, "transcript_errors", {}) if form is not None else {}
            if form is not None:
                field_warnings(form, editor_context.field_warnings)
            if form is not None and form.errors and any(e.code == "stale" for e in form.non_field_errors().as_data()):
                seen = form.cleaned_data.get("version") if hasattr(form, "cleaned_data") else None
                if seen is not None:
                    pair = services.stale_revisions(episode=obj, seen_version=seen)
                    context["stale_review"] = views.revision_review(*pair) if pair else None
                    form.data = posted = self._rebase(request, form, obj, seen=seen)
            context.update(
                editor=editor_context,
                transcript_rows=editor.transcript_rows(editor_context, posted, errors),
                export_url=reverse("admin:episodes_episode_export", args=[obj.pk]),
                history_url=reverse("admin:episodes_episode_history", args=[obj.pk]),
                max_request_bytes=settings.DATA_UPLOAD_MAX_MEMORY_SIZE,
                public_url=reverse("episodes:episode", args=[obj.slug]),
                suggestions_panel=suggestion_pages.editor_panel(obj),
            )
        return super().render_change_form(request, context, add, change, form_url, obj)

    def _rebase(self, request, form, obj, *, seen: int):
        """Return the refused form's data moved onto the saved episode: the editor's changes over it.

        Fields this editor did not change show what is saved now; changed ones keep their input and now
        count as changes against the saved value, so saving again applies exactly this editor's changes.
        Transcript fields equal to what the page showed are dropped (services.episode_rebase).
        """
        current = Episode.objects.get(pk=obj.pk)
        fresh = self.get_form(request, current)(instance=current)
        data = form.data.copy()
        for name, field in form.fields.items():
            if field.disabled or name == "version":
                continue
            value = fresh[name].value()
            shown = "" if value is None else value.isoformat() if hasattr(value, "isoformat") else str(value)
            if name not in form.changed_data:
                data[name] = shown
            data[fresh[name].html_initial_name] = shown
        data["version"] = str(current.version)
        edits = transcript_edits(data)
        mine = services.episode_rebase(episode=current, seen_version=seen, edits=edits)
        for pk, edit in edits.items():
            for name in ITEM_FIELDS:
                if getattr(edit, name) is not None and getattr(mine.get(pk), name, None) is None:
                    del data[item_field_name(pk, name)]
        return data

    def get_formset_kwargs(self, request, obj, inline, prefix):
        kwargs = super().get_formset_kwargs(request, obj, inline, prefix)
        posted = request.POST.get("version", "") if request.method == "POST" else ""
        # ``obj`` was read at the start of this request: its version is the saved one.
        if posted.isdigit() and obj is not None and obj.pk and int(posted) != obj.version:
            # Someone saved since this page was loaded: a list this editor left alone shows what is saved now.
            formset = inline.get_formset(request, obj)(**kwargs)
            if not formset.has_changed():
                kwargs = {k: v for k, v in kwargs.items() if k not in ("data", "files", "save_as_new")}
        return kwargs

    # -- the editor's own views ---------------------------------------------------------------------

    def get_urls(self):
        def view(cls, **kwargs):
            return self.admin_site.admin_view(cls.as_view(model_admin=self, **kwargs))

        return [
            path("fix/", view(fixes.FixView), name="episodes_episode_fix"),
            path("replace/", view(replace.ReplaceView), name="episodes_episode_replace"),
            path("import/", view(uploads.UploadView), name="episodes_episode_import"),
            path("<path:object_id>/export/", view(views.ExportPreviewView), name="episodes_episode_export"),
            path("<path:object_id>/revert/<int:revision_id>/", view(views.RevertView), name="episodes_episode_revert"),
            path("<path:object_id>/undo/<int:revision_id>/", view(views.UndoView), name="episodes_episode_undo"),
            path("<path:object_id>/chapters.txt", view(views.ChaptersTextView), name="episodes_episode_chapters"),
            path("<path:object_id>/transcript/", view(intake.TranscriptView), name="episodes_episode_transcript"),
            path("import-transcript/", view(intake.NewEpisodeView), name="episodes_episode_new_from_transcript"),
            path("<path:object_id>/change/ops/<slug:op>/", view(views.OperationView), name="episodes_episode_op"),
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

    def history_view(self, request, object_id, extra_context=None):
        return views.HistoryView.as_view(model_admin=self)(request, object_id=object_id)


def field_warnings(form, warnings: dict[str, list[str]]) -> None:
    """Show each field's warnings under it, with its help text (the page's warnings list has them all)."""
    for key, found in warnings.items():
        field = form.fields.get(key) or form.fields.get(f"x_{key}")
        if field is None:
            continue
        items = format_html_join("", '<li class="warn">⚠ {}</li>', ((m,) for m in found))
        field.help_text = format_html('{}<ul class="field-warnings">{}</ul>', field.help_text, items)
