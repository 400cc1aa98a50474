"""The editor's change page: the episode form, its small lists, the save, and the page around the transcript.

The admin collects input and calls services; it holds no editing rules of its own. The editor's other
views are beside it: operations and undo (``operation_views``), history and revert (``history``), the export
preview (``export``), a raw transcript in (``intake``).
"""

from __future__ import annotations

import copy

from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.options import IS_POPUP_VAR, TO_FIELD_VAR
from django.contrib.admin.utils import flatten_fieldsets
from django.core.exceptions import ValidationError
from django.db import DatabaseError, transaction
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _

from ... import selectors, services
from ...documents import database
from ...models import BodyLink, Episode, EpisodeGuest, PlatformRef
from ...selectors.editor import editor_context
from .. import suggestions as suggestion_pages
from . import history, page
from .forms import (
    COLUMN_KEYS,
    ITEM_FIELDS,
    BodyLinkForm,
    EpisodeForm,
    GuestForm,
    ListFormSet,
    PlatformRefForm,
    item_field_name,
    transcript_edits,
    transcript_field,
    typed_keys,
)


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


class Unsaved(Exception):
    """A validated save that saved nothing: refused (``error``: why, shown on the page again) or unchanged;
    ``clashes``: what a merge found changed differently by someone else (services.MergeConflict)."""

    def __init__(self, form, formsets, error: ValidationError | None = None, clashes: list | None = None):
        super().__init__(error)
        self.form, self.formsets, self.error, self.clashes = form, formsets, error, clashes or []


RESOLVE = "resolve-"  # a conflict's choice: resolve-<field name>=mine|theirs


def resolved(data):
    """Return the posted data with each conflict settled as chosen: "theirs" drops this editor's value.

    A transcript field is left out (nothing to change); a field of the form takes the value the page was
    given as saved (its hidden initial, which the conflict page set to the saved value).
    """
    chosen = [key[len(RESOLVE) :] for key, value in data.items() if key.startswith(RESOLVE) and value == "theirs"]
    if not chosen:
        return data
    data = data.copy()
    for name in chosen:
        if transcript_field(name):
            data.pop(name, None)
        elif f"initial-{name}" in data:
            data[name] = data[f"initial-{name}"]
    return data


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

    def get_queryset(self, request):
        # Each row's person is read with it: the posted person, usually the same, needs no query (GuestForm).
        return super().get_queryset(request).select_related("person")


class PlatformRefInline(OrderedInline):
    model = PlatformRef
    form = PlatformRefForm
    verbose_name = "platform id or link"
    verbose_name_plural = "Platform ids and links (YouTube, Spotify, Apple, Anchor, …)"


class BodyLinkInline(OrderedInline):
    model = BodyLink
    form = BodyLinkForm
    verbose_name_plural = "Links (the body's Links: list)"


class EpisodeChangePage(admin.ModelAdmin):
    """The change page of an episode (and the add page of a new one); the list is :mod:`episodes.admin.episode`."""

    form = EpisodeForm
    inlines = [GuestInline, PlatformRefInline, BodyLinkInline]

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
        # (Django's get_form builds the form class for each request with modelform_factory: the only one.)
        fields = flatten_fieldsets(self.get_fieldsets(request, obj))
        kwargs["fields"] = [f for f in fields if not f.startswith("x_") and f not in ("extra_yaml", "version")]
        return super().get_form(request, obj, change, **kwargs)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        if request.method == "POST":
            request.POST = self.saved_lists(request, object_id, resolved(request.POST))
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except Unsaved as unsaved:
            # Django's change view logs and redirects whatever save_related did; leaving it by Unsaved also
            # leaves its transaction (rolled back: the service wrote nothing).
            if unsaved.error is None:
                self.message_user(request, "No changes: nothing was saved.", messages.INFO)
                return HttpResponseRedirect(request.get_full_path())
            if unsaved.error.code == "conflict":
                # Shown with each conflict where it is, and with a choice: not as an error of the form.
                extra_context = {**(extra_context or {}), "merge_conflict": unsaved}
            else:
                unsaved.form.add_error(None, unsaved.error)
            return self.page_again(request, unsaved, object_id, form_url, extra_context)

    def page_again(self, request, unsaved: Unsaved, object_id, form_url="", extra_context=None):
        """Show the page again with everything the editor typed and why it was not saved.

        The context is the one Django's change view gives a form that did not validate.
        """
        form, formsets = unsaved.form, unsaved.formsets
        add = object_id is None
        obj = None if add else form.instance
        inlines = self.get_inline_instances(request, obj)
        if unsaved.error.code in ("stale", "conflict"):
            # Someone saved since this page was loaded: a list this editor left alone shows what is saved now.
            formsets = [
                formset if formset.has_changed() else self.saved_list(request, obj, inline, formset)
                for formset, inline in zip(formsets, inlines, strict=True)
            ]
        admin_form = helpers.AdminForm(
            form,
            list(self.get_fieldsets(request, obj)),
            self.get_prepopulated_fields(request, obj),
            self.get_readonly_fields(request, obj),
            model_admin=self,
        )
        inline_formsets = self.get_inline_formsets(request, formsets, inlines, obj)
        media = self.media + admin_form.media
        for inline_formset in inline_formsets:
            media += inline_formset.media
        title = _("Add %s") if add else _("Change %s")
        context = {
            **self.admin_site.each_context(request),
            "title": title % self.opts.verbose_name,
            "subtitle": str(obj) if obj else None,
            "adminform": admin_form,
            "object_id": object_id,
            "original": obj,
            "is_popup": IS_POPUP_VAR in request.POST or IS_POPUP_VAR in request.GET,
            "to_field": request.POST.get(TO_FIELD_VAR, request.GET.get(TO_FIELD_VAR)),
            "media": media,
            "inline_admin_formsets": inline_formsets,
            "errors": helpers.AdminErrorList(form, formsets),
            "preserved_filters": self.get_preserved_filters(request),
            **(extra_context or {}),
        }
        return self.render_change_form(request, context, add=add, change=not add, obj=obj, form_url=form_url)

    def saved_lists(self, request, object_id, data):
        """Return the posted data with each small list whose conflict the editor settled as "theirs" as it is
        saved now (the rows, their hidden initial values and the management form of that list's formset)."""
        chosen = {key[len(RESOLVE) + 5 :] for key, value in data.items() if key.startswith(f"{RESOLVE}list-")}
        chosen = {prefix for prefix in chosen if data.get(f"{RESOLVE}list-{prefix}") == "theirs"}
        obj = self.get_object(request, object_id) if chosen and object_id else None
        if obj is None:
            return data
        data = data.copy()
        for inline in self.get_inline_instances(request, obj):
            formset_class = inline.get_formset(request, obj)
            prefix = formset_class.get_default_prefix()
            if prefix not in chosen:
                continue
            for key in [key for key in data if key.startswith(f"{prefix}-")]:
                del data[key]
            saved = formset_class(instance=obj, prefix=prefix)
            for name, value in saved.management_form.initial.items():
                data[saved.management_form.add_prefix(name)] = str(value)
            for form in saved.forms:
                for name in form.fields:
                    value = form[name].value()
                    if value is None or value is False:
                        continue
                    shown = "on" if value is True else str(value)
                    data[form.add_prefix(name)] = shown
                    if form.fields[name].show_hidden_initial:
                        data[form.add_initial_prefix(name)] = shown
        return data

    def saved_list(self, request, obj, inline, posted):
        """Return the formset of a small list as it is saved now, in place of the ``posted`` one."""
        kwargs = self.get_formset_kwargs(request, obj, inline, posted.prefix)
        return type(posted)(**{k: v for k, v in kwargs.items() if k not in ("data", "files", "save_as_new")})

    def get_object(self, request, object_id, from_field=None):
        """Return the episode; for a save (a POST in the change view's transaction) read it locked, once.

        The service's edit joins this transaction with that episode (services.Locked) instead of reading and
        locking it again: the form, its lists and the save all see the episode as it is under the lock.
        """
        if request.method != "POST" or from_field is not None or not transaction.get_connection().in_atomic_block:
            return super().get_object(request, object_id, from_field)
        try:
            obj = services.locking(self.get_queryset(request)).get(pk=int(object_id))
        except (Episode.DoesNotExist, ValueError, TypeError):
            return None
        request.episode_locked = copy.copy(obj)  # as read: the form writes the posted values on ``obj``
        return obj

    def get_changeform_initial_data(self, request):
        return {"status": Episode.Status.DRAFT, **super().get_changeform_initial_data(request)}

    def save_model(self, request, obj, form, change):
        """Save nothing yet: the episode is saved with its lists, as one edit, in save_related."""

    def save_related(self, request, form, formsets, change):
        # Lists the editor left alone are not sent to the service at all (it would read them to compare).
        lists = {formset.model: self._rows(formset) for formset in formsets if not change or _list_changed(formset)}
        try:
            if not change:
                services.episode_create(episode=form.instance, lists=lists, user=request.user)
                return
            form.saved = services.episode_save(
                episode=form.instance,
                locked=self._locked(request, form, formsets),
                fields={name: form.cleaned_data[name] for name in form.changed_data if name in form._meta.fields},
                extra=form.extra_data(),
                edits=form.transcript_edits,
                lists=lists,
                user=request.user,
                version=form.cleaned_data.get("version"),
            )
        except services.MergeConflict as exc:
            raise Unsaved(form, formsets, ValidationError(str(exc), code="conflict"), exc.clashes) from exc
        except (services.ServiceError, DatabaseError) as exc:
            code = "stale" if isinstance(exc, services.StaleEpisode) else "save_failed"
            raise Unsaved(form, formsets, ValidationError(save_failure(exc), code=code)) from exc
        if not form.saved.changed:
            raise Unsaved(form, formsets)  # a save that changed nothing leaves no trace, nor a log entry
        if form.saved.merged:
            self.message_user(request, f"Saved, {form.saved.merged}.", messages.INFO)

    @staticmethod
    def _locked(request, form, formsets) -> services.Locked | None:
        """Return the episode as this request read it under its lock, with the rows the form and lists read."""
        locked = getattr(request, "episode_locked", None)
        if locked is None or locked.pk != form.instance.pk:
            return None
        lists = {
            formset.model: formset.as_read for formset in formsets if getattr(formset, "as_read", None) is not None
        }
        return services.Locked(episode=locked, lists=lists, items=form.transcript_rows)

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
        return "Edited " + ", ".join(form.saved.what)

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        context.update(show_save_and_add_another=False, show_save_as_new=False)
        if obj is not None:
            shown = editor_context(obj)
            posted = request.POST if request.method == "POST" else None
            form = context.get("adminform").form if context.get("adminform") else None
            errors = form.transcript_errors if form is not None else {}
            if form is not None:
                field_warnings(form, shown.field_warnings)
            conflict = context.get("merge_conflict")
            stale = (
                form is not None and form.errors and any(e.code == "stale" for e in form.non_field_errors().as_data())
            )
            if stale or conflict:
                seen = form.cleaned_data.get("version") if hasattr(form, "cleaned_data") else None
                if seen is not None:
                    pair = selectors.stale_revisions(episode=obj, seen_version=seen)
                    context["stale_review"] = history.revision_review(*pair) if pair else None
                    form.data = posted = self._rebase(request, form, obj, seen=seen)
            if conflict:
                context["merge_conflict"] = conflict_context(form, conflict)
                rows = row_conflicts(conflict.clashes)
            context.update(
                editor=shown,
                transcript_rows=page.transcript_rows(shown, posted, errors, rows if conflict else None),
                export_url=reverse("admin:episodes_episode_export", args=[obj.pk]),
                history_url=reverse("admin:episodes_episode_history", args=[obj.pk]),
                max_request_bytes=settings.DATA_UPLOAD_MAX_MEMORY_SIZE,
                public_url=reverse("episodes:episode", args=[obj.slug]),
                suggestions_panel=suggestion_pages.editor_panel(obj, form),
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

    def history_view(self, request, object_id, extra_context=None):
        return history.HistoryView.as_view(model_admin=self)(request, object_id=object_id)


def conflict_context(form, unsaved: Unsaved) -> dict:
    """Put each conflict on its field, with both values and the choice; return the rest for the page's top."""
    elsewhere, offered = [], set()
    for clash in unsaved.clashes:
        if clash.item is not None:
            continue
        name = conflict_field(form, clash.key)
        if name is None:
            # A small list is chosen whole, once: keep mine, or take the list as it is saved now.
            prefix = LIST_PREFIXES.get(clash.key)
            shown = None if prefix is None or prefix in offered else choice(f"list-{prefix}", clash, field=False)
            offered.add(prefix)
            elsewhere.append({"clash": clash, "choice": shown})
            continue
        field = form.fields[name]
        field.help_text = format_html("{}{}", field.help_text, choice(name, clash))
        form[name].help_text = field.help_text  # a bound field copies its help text when first made
    return {"message": unsaved.error.message, "clashes": elsewhere}


def conflict_field(form, key: str) -> str | None:
    """Return the form field a front matter key is edited in (None: a list, the body or a gone item)."""
    attr = database.EPISODE_COLUMNS.get(key)
    if attr in form.fields:
        return attr
    if f"x_{key}" in form.fields:
        return f"x_{key}"
    if key not in COLUMN_KEYS and key not in ("body", "links") and "extra_yaml" in form.fields:
        return "extra_yaml"
    return None


# The formset prefix of each small list, by the front matter key a conflict names.
LIST_PREFIXES = {"guests": "guest_rows", "ids": "platform_refs", "links": "platform_refs", "body links": "body_links"}


def choice(name: str, clash, *, field: bool = True) -> str:
    """Return a conflict's both values and its choice (keep mine / take theirs) for the field ``name``."""
    if not field:
        return format_html(
            '<span class="merge-choice" role="group" aria-label="Conflict: {where}">'
            '<label><input type="radio" form="episode_form" name="{resolve}" value="mine" checked> Keep my list'
            "</label> "
            '<label><input type="radio" form="episode_form" name="{resolve}" value="theirs"> Take the list as saved'
            "</label></span>",
            where=clash.where,
            resolve=f"{RESOLVE}{name}",
        )
    return format_html(
        '<div class="merge-choice" role="group" aria-label="Conflict: {where}">'
        '<p><strong>Changed since you opened the page</strong>: {where}. Saved: <q class="theirs">{theirs}</q>; '
        'yours: <q class="mine">{mine}</q></p>'
        '<label><input type="radio" form="episode_form" name="{resolve}" value="mine" checked> Keep mine</label> '
        '<label><input type="radio" form="episode_form" name="{resolve}" value="theirs" data-field="{name}" '
        'data-theirs="{theirs}"> Take theirs</label></div>',
        where=clash.where,
        theirs=clash.theirs,
        mine=clash.mine,
        resolve=f"{RESOLVE}{name}",
        name=name,
    )


def row_conflicts(clashes) -> dict[int, str]:
    """Return each transcript item's conflicts as markup for its row, by item id."""
    rows: dict[int, list[str]] = {}
    for clash in clashes:
        if clash.item is not None:
            name = item_field_name(clash.item, clash.part) if clash.part else ""
            rows.setdefault(clash.item, []).append(
                choice(name, clash)
                if name
                else format_html(
                    '<div class="merge-choice"><p><strong>Changed since you opened the page</strong>: {}. Saved: '
                    '<q class="theirs">{}</q>; yours: <q class="mine">{}</q></p></div>',
                    clash.where,
                    clash.theirs,
                    clash.mine,
                )
            )
    return {pk: "".join(parts) for pk, parts in rows.items()}


def field_warnings(form, warnings: dict[str, list[str]]) -> None:
    """Show each field's warnings under it, with its help text (the page's warnings list has them all)."""
    for key, found in warnings.items():
        field = form.fields.get(key) or form.fields.get(f"x_{key}")
        if field is None:
            continue
        items = format_html_join("", '<li class="warn">⚠ {}</li>', ((m,) for m in found))
        field.help_text = format_html('{}<ul class="field-warnings">{}</ul>', field.help_text, items)
