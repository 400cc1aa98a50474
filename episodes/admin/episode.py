"""The episode editor: the admin change page with speakers, sections, transcript, links and export preview.

The admin collects input and calls services; it holds no editing rules of its own.
"""

from __future__ import annotations

import difflib

from django.contrib import admin, messages
from django.contrib.admin.utils import flatten_fieldsets, unquote
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Prefetch
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join

from .. import editor, exporting, services, sync
from ..forms import BodyLinkForm, EpisodeForm, GuestForm, PlatformRefForm, posted_text, transcript_field, typed_keys
from ..models import BodyLink, Episode, EpisodeGuest, Person, PlatformRef, Revision
from ..services.transcript import NEW_SECTION
from . import uploads


class OrderedInline(admin.TabularInline):
    """A small list whose order matters: rows carry a hidden position the page's ↑/↓ buttons renumber."""

    extra = 0
    classes = ["ordered"]

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


@admin.register(Episode)
class EpisodeAdmin(admin.ModelAdmin):
    form = EpisodeForm
    inlines = [GuestInline, PlatformRefInline, BodyLinkInline]
    list_display = ["number_label", "title", "guest_names", "item_count", "edited_at", "warnings_column", "status"]
    list_display_links = ["number_label", "title"]
    list_filter = ["season", "status", WarningsFilter]
    search_fields = ["title", "slug", "guests__name", "guests__key"]
    actions = ["export_selected"]
    list_per_page = 50

    # -- the list ---------------------------------------------------------------------------------

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if request.resolver_match and request.resolver_match.url_name == "episodes_episode_changelist":
            queryset = queryset.annotate(item_count=Count("items", distinct=True)).prefetch_related(
                Prefetch("guest_rows", EpisodeGuest.objects.select_related("person").order_by("position"))
            )
        return queryset

    @admin.display(description="S/E", ordering="season")
    def number_label(self, obj):
        season = f"S{obj.season:02d}" if obj.season is not None else "S–"
        number = f"E{obj.number:02d}" if obj.number is not None else "E–"
        return season + number

    @admin.display(description="guests")
    def guest_names(self, obj):
        return ", ".join(str(row.person) for row in obj.guest_rows.all())

    @admin.display(description="items", ordering="item_count")
    def item_count(self, obj):
        return obj.item_count

    @admin.display(description="warnings", ordering="warning_count")
    def warnings_column(self, obj):
        if not obj.warning_count:
            return "–"
        return format_html('<span class="warn-count" title="See the editor page">⚠ {}</span>', obj.warning_count)

    @admin.action(description="Export selected episodes (.md, or .zip for several)")
    def export_selected(self, request, queryset):
        name, content, content_type = exporting.download(queryset.order_by("slug"))
        response = HttpResponse(content, content_type=content_type)
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response

    # -- the form ---------------------------------------------------------------------------------

    def get_fieldsets(self, request, obj=None):
        extra = sync.load_extra(obj.extra) if obj is not None else {}
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
        return super().get_form(request, obj, change, **kwargs)

    def get_changeform_initial_data(self, request):
        return {"status": Episode.Status.DRAFT, **super().get_changeform_initial_data(request)}

    def save_model(self, request, obj, form, change):
        if not change:
            obj.edited_by = request.user
            obj.edited_at = timezone.now()
            obj.synced_version = 0  # made here: not in any file yet
            super().save_model(request, obj, form, change)
            services.record_revision(episode=obj, summary="created in the CMS", user=request.user)
        # Changes to an existing episode are saved together with the inlines in save_related.

    def save_related(self, request, form, formsets, change):
        lists = {formset.model: self._rows(formset) for formset in formsets}
        if not change:
            # A new episode's lists go through the same ordered save as an edited one's.
            form.saved_what = services.episode_save(episode=form.instance, lists=lists, user=request.user)
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
        form.saved_what = what

    @staticmethod
    def _rows(formset) -> list[services.Row]:
        rows = []
        for index, form in enumerate(formset.forms):
            if not form.has_changed() and form.instance.pk is None:
                continue  # an empty extra row
            delete = formset.can_delete and formset._should_delete_form(form)
            position = form.cleaned_data.get("position") if hasattr(form, "cleaned_data") else None
            key = (position if position is not None else 10**6, index)
            rows.append((key, services.Row(obj=form.instance, changed=form.has_changed(), delete=delete)))
        return [row for _, row in sorted(rows, key=lambda pair: pair[0])]

    def construct_change_message(self, request, form, formsets, add=False):
        what = getattr(form, "saved_what", None)
        if what is not None:
            return "Edited " + ", ".join(what) if what else "No changes"
        return super().construct_change_message(request, form, formsets, add)

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None:
            editor_context = editor.editor_context(obj)
            posted = request.POST if request.method == "POST" else None
            form = context.get("adminform").form if context.get("adminform") else None
            if form is not None and form.errors and any(e.code == "stale" for e in form.non_field_errors().as_data()):
                seen = form.cleaned_data.get("version") if hasattr(form, "cleaned_data") else None
                if seen is not None:
                    lines = services.stale_diff(episode=obj, seen_version=seen)
                    context["stale_diff"] = _diff_lines(lines)
                    form.data = posted = self._rebase(request, form, obj, seen=seen)
            context.update(
                editor=editor_context,
                transcript_rows=editor.transcript_rows(editor_context, posted),
                people_choices=Person.objects.filter(pk__in=[p.pk for p in editor_context.candidates]),
                export_url=reverse("admin:episodes_episode_export", args=[obj.pk]),
                public_url=reverse("episodes:episode", args=[obj.slug]),
            )
        return super().render_change_form(request, context, add, change, form_url, obj)

    def _rebase(self, request, form, obj, *, seen: int):
        """Return the refused form's data moved onto the saved episode: the editor's changes over it.

        Fields this editor did not change show what is saved now; changed ones keep their input and now
        count as changes against the saved value, so saving again applies exactly this editor's changes.
        The transcript's fields go the same way (see _rebase_transcript).
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
        _rebase_transcript(data, episode=current, seen=seen)
        return data

    def get_formset_kwargs(self, request, obj, inline, prefix):
        kwargs = super().get_formset_kwargs(request, obj, inline, prefix)
        posted = request.POST.get("version", "") if request.method == "POST" else ""
        if posted.isdigit() and obj is not None and obj.pk and int(posted) != Episode.objects.get(pk=obj.pk).version:
            # Someone saved since this page was loaded: a list this editor left alone shows what is saved now.
            formset = inline.get_formset(request, obj)(**kwargs)
            if not formset.has_changed():
                kwargs = {k: v for k, v in kwargs.items() if k not in ("data", "files", "save_as_new")}
        return kwargs

    # -- operations -------------------------------------------------------------------------------

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("import/", view(uploads.UploadView.as_view(model_admin=self)), name="episodes_episode_import"),
            path("<path:object_id>/export/", view(self.export_view), name="episodes_episode_export"),
            path("<path:object_id>/revert/<int:revision_id>/", view(self.revert_view), name="episodes_episode_revert"),
            path("<path:object_id>/change/ops/<slug:op>/", view(self.op_view), name="episodes_episode_op"),
            *super().get_urls(),
        ]

    def _episode(self, request, object_id, *, change: bool) -> Episode:
        episode = self.get_object(request, unquote(object_id))
        if episode is None:
            raise Http404("No such episode.")
        allowed = self.has_change_permission(request, episode) if change else self.has_view_permission(request, episode)
        if not allowed:
            raise PermissionDenied
        return episode

    def export_view(self, request, object_id):
        episode = self._episode(request, object_id, change=False)
        if request.GET.get("download"):
            name, content, content_type = exporting.download(Episode.objects.filter(pk=episode.pk))
            response = HttpResponse(content, content_type=content_type)
            response["Content-Disposition"] = f'attachment; filename="{name}"'
            return response
        text = sync.export_text(episode)
        diff = list(
            difflib.unified_diff(
                episode.source_text.splitlines(keepends=True),
                text.splitlines(keepends=True),
                fromfile=f"{episode.slug}.md (last imported or exported)",
                tofile=f"{episode.slug}.md (export now)",
            )
        )
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "original": episode,
            "title": f"Export preview: {episode.slug}.md",
            "text": text,
            "diff": "".join(diff),
            "diff_lines": _diff_lines(diff),
            "has_view_permission": True,
        }
        return TemplateResponse(request, "admin/episodes/episode/export_preview.html", context)

    def history_view(self, request, object_id, extra_context=None):
        """The episode's revisions: who changed what when, a diff between any two, and revert."""
        episode = self._episode(request, object_id, change=False)
        revisions = list(Revision.objects.for_episode(episode).defer("compressed_text"))
        by_pk = {str(r.pk): r for r in revisions}
        newer = by_pk.get(request.GET.get("b")) or (revisions[0] if revisions else None)
        original = services.original_import(episode=episode)
        if request.GET.get("a") == "original":
            older = original
        else:
            older = by_pk.get(request.GET.get("a")) or (revisions[1] if len(revisions) > 1 else None)
        lines = []
        if older is not None and newer is not None:
            lines = services.revision_diff(
                older=Revision.objects.get(pk=older.pk), newer=Revision.objects.get(pk=newer.pk)
            )
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "original": episode,
            "title": f"History: {episode}",
            "revisions": revisions,
            "older": older,
            "newer": newer,
            "first_import": original,
            "diff_lines": _diff_lines(lines),
            "has_diff": bool(lines),
            "can_revert": self.has_change_permission(request, episode),
            "has_view_permission": True,
        }
        return TemplateResponse(request, "admin/episodes/episode/revisions.html", context)

    def revert_view(self, request, object_id, revision_id):
        episode = self._episode(request, object_id, change=True)
        if request.method != "POST":
            return HttpResponseRedirect(reverse("admin:episodes_episode_history", args=[episode.pk]))
        revision = get_object_or_404(Revision, pk=revision_id, episode=episode)
        version = int(request.POST["version"]) if request.POST.get("version", "").isdigit() else None
        try:
            services.episode_revert(episode=episode, revision=revision, user=request.user, version=version)
        except services.ServiceError as exc:
            self.message_user(request, str(exc), messages.ERROR)
        else:
            self.message_user(request, f"Reverted to version {revision.version}.", messages.SUCCESS)
        return HttpResponseRedirect(reverse("admin:episodes_episode_history", args=[episode.pk]))

    def op_view(self, request, object_id, op):
        if request.method != "POST":
            return HttpResponseRedirect("../../")
        episode = self._episode(request, object_id, change=True)
        handler = OPS.get(op)
        if handler is None:
            raise Http404("No such operation.")
        post = request.POST
        try:
            version = int(post["version"]) if post.get("version") else None
            message, anchor = handler(episode, post, request.user, version)
        except services.ServiceError as exc:
            self.message_user(request, str(exc), messages.ERROR)
            anchor = post.get("position", "")
        except (KeyError, ValueError):
            self.message_user(request, "That operation needs other input; nothing was changed.", messages.ERROR)
            anchor = ""
        else:
            self.message_user(request, message, messages.SUCCESS)
        url = reverse("admin:episodes_episode_change", args=[episode.pk])
        anchor = str(anchor)
        return HttpResponseRedirect(url + (f"#item-{anchor}" if anchor.isdigit() else f"#{anchor or 'transcript'}"))


def _rebase_transcript(data, *, episode: Episode, seen: int) -> None:
    """Drop from a refused form's ``data`` the transcript fields this editor did not change.

    The page's script posts only the fields an editor changed. Without it a page posts every field, in
    page order, so the n-th item posted is the n-th editable item at the version the page showed: a value
    equal to that one is not this editor's change and must not write back over someone else's newer one.
    """
    posted = list(dict.fromkeys(field[0] for field in map(transcript_field, data) if field))
    shown = services.transcript_seen(episode=episode, seen_version=seen)
    if shown is None or len(shown) != len(posted):
        return  # only the changes were posted, or the page cannot be matched to a version
    for pk, (_, text, who, time) in zip(posted, shown, strict=True):
        for name, value in (("text", text), ("who", who), ("time", time)):
            field = f"item-{pk}-{name}"
            if field in data and posted_text(data[field]) == value:
                del data[field]


def _diff_lines(diff: list[str]):
    """Return the diff as (css class, line) pairs for the preview."""
    classes = {"+": "add", "-": "del", "@": "hunk"}
    return format_html_join(
        "", '<span class="{}">{}</span>', ((classes.get(line[:1], ""), line.rstrip("\n")) for line in diff)
    )


def _positions(post) -> list[int]:
    return [int(p) for p in post.getlist("positions")]


def _person(post) -> tuple[Person | None, bool]:
    """Return (person, automatic) from the tie form's choice: a key, 'nobody' or 'auto'."""
    choice = post.get("person", "auto")
    if choice == "auto":
        return None, True
    if choice == "nobody":
        return None, False
    return get_object_or_404(Person, key=choice), False


def _op_rename(episode, post, user, version):
    count = services.speaker_rename(episode=episode, old=post["old"], new=post["new"], user=user, version=version)
    return f"Renamed {post['old']} to {post['new'].strip()} in {count} turns.", "speakers"


def _op_merge(episode, post, user, version):
    count = services.speaker_merge(
        episode=episode, source=post["source"], target=post["target"], user=user, version=version
    )
    return f"Merged {post['source']} into {post['target']} ({count} turns).", "speakers"


def _op_tie(episode, post, user, version):
    person, automatic = _person(post)
    services.speaker_tie(
        episode=episode, label=post["label"], person=person, automatic=automatic, user=user, version=version
    )
    who = "matched automatically" if automatic else f"tied to {person or 'nobody'}"
    return f"{post['label']} is now {who}.", "speakers"


def _op_assign(episode, post, user, version):
    positions = _positions(post)
    count = services.turns_assign(episode=episode, positions=positions, who=post["who"], user=user, version=version)
    return f"Gave {count} turns to {post['who'].strip()}.", min(positions)


def _op_swap(episode, post, user, version):
    positions = _positions(post) or None
    count = services.speakers_swap(
        episode=episode, a=post["a"], b=post["b"], positions=positions, user=user, version=version
    )
    return f"Swapped {post['a']} and {post['b']} in {count} turns.", min(positions) if positions else ""


def _op_delete(episode, post, user, version):
    positions = _positions(post)
    count = services.items_delete(episode=episode, positions=positions, user=user, version=version)
    return f"Deleted {count} items.", max(min(positions) - 1, 0) if positions else ""


def _op_header_before_selection(episode, post, user, version):
    positions = _positions(post)
    if not positions:
        raise services.ServiceError("Select the turn the new section starts with.")
    title = post.get("title") or NEW_SECTION
    item = services.section_add(episode=episode, position=min(positions), title=title, user=user, version=version)
    return f"Added section '{item.text}'.", item.position


def _op_section_add(episode, post, user, version):
    position, title = int(post["position"]), post.get("title") or NEW_SECTION
    item = services.section_add(episode=episode, position=position, title=title, user=user, version=version)
    return f"Added section '{item.text}'; type its title in place.", item.position


def _op_turn_insert(episode, post, user, version):
    item = services.turn_insert(episode=episode, position=int(post["position"]), user=user, version=version)
    return "Added a turn; fill it in and save.", item.position


def _op_section_delete(episode, post, user, version):
    services.section_delete(episode=episode, position=int(post["position"]), user=user, version=version)
    return "Deleted the section header; its turns joined the section before.", max(int(post["position"]) - 1, 0)


def _mover(service, offset: int, label: str):
    def op(episode, post, user, version):
        position = service(episode=episode, position=int(post["position"]), offset=offset, user=user, version=version)
        return label, position

    return op


OPS = {
    "speaker-rename": _op_rename,
    "speaker-merge": _op_merge,
    "speaker-tie": _op_tie,
    "assign": _op_assign,
    "swap": _op_swap,
    "delete": _op_delete,
    "header-before": _op_header_before_selection,
    "section-add": _op_section_add,
    "turn-insert": _op_turn_insert,
    "section-delete": _op_section_delete,
    "header-up": _mover(services.header_move, -1, "Moved the header up one turn."),
    "header-down": _mover(services.header_move, 1, "Moved the header down one turn."),
    "section-up": _mover(services.section_move, -1, "Moved the section up."),
    "section-down": _mover(services.section_move, 1, "Moved the section down."),
}
