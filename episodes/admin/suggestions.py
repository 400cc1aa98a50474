"""The review queue of the language model's suggestions, and the editor's Suggest / Accept / Reject.

``/admin/episodes/suggestion/`` lists every suggestion (pending first to filter) with its tokens and cost and,
above the list, the cost per month; accept or reject them one by one (each one's page shows the value beside
the field's current one, as a word diff, and lets the editor correct it first) or in bulk. Each accept is one
revision of its episode. In the editor page, beside each field a suggestion can be asked for (title,
description, intro, topics; chapters under the sections), a slot (:func:`editor_panel`) holds its Suggest
button and what waits for review; the button starts a job (:func:`suggest_view`), and the page's script swaps
in the slot once the job is done (the same view, asked with GET for JSON).
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.html import format_html, format_html_join

from .. import tasks
from ..format import suggesting
from ..models import Episode, Job, Suggestion
from ..services import ServiceError, jobs, suggestions
from .editor.base import wants_json
from .jobs import busy_message, job_url

MSG_STARTED = "Asking the model for the {field} (job #{pk})."
MSG_DONE = "The model's {field} suggestion is below: review it, then Accept or Reject."
MSG_ACCEPTED = "Accepted: the {field} of {episode} is now the suggestion (one revision)."
MSG_REJECTED = "Rejected {count} suggestion(s)."
MSG_BULK_ACCEPTED = "Accepted {count} suggestion(s), each as one revision."
SLOT = "admin/episodes/episode/_suggestion.html"
# The editor form's field beside which each suggestion is shown (chapters: under the sections, not a field).
FORM_FIELDS = {"title": "title", "description": "x_description", "intro": "x_intro", "topics": "x_topics"}


def episode_url(episode_id: int) -> str:
    return reverse("admin:episodes_episode_change", args=[episode_id])


def diff_html(old: str, new: str):
    """Return the word diff of ``old`` and ``new`` as HTML: removed words struck through, added ones marked."""
    parts = []
    for op, text in suggesting.word_diff(old, new):
        tag = {"removed": "del", "added": "ins"}.get(op)
        parts.append(format_html("<{}>{}</{}>", tag, text, tag) if tag else format_html("{}", text))
    return format_html_join(" ", "{}", ((part,) for part in parts))


@admin.register(Suggestion)
class SuggestionAdmin(admin.ModelAdmin):
    list_display = ["__str__", "status", "short_value", "warning_count", "model", "tokens", "cost", "created_at"]
    list_filter = ["status", "field", "model"]
    list_select_related = ["episode"]
    search_fields = ["episode__slug", "episode__title", "value"]
    actions = ["accept_selected", "reject_selected"]
    fields = ["episode_link", "field", "status", "current_value", "value", "diff", "warnings_list", "error",
              "model", "prompt_version", "input_tokens", "output_tokens", "cost", "created_at", "decided_by",
              "decided_at"]  # fmt: skip
    change_form_template = "admin/episodes/suggestion/change_form.html"
    change_list_template = "admin/episodes/suggestion/change_list.html"

    def has_add_permission(self, request):
        return False

    def get_readonly_fields(self, request, obj=None):
        editable = obj is not None and obj.status == Suggestion.Status.PENDING and not obj.error
        return [f for f in self.fields if f != "value" or not editable]

    @admin.display(description="suggestion")
    def short_value(self, obj):
        return obj.value if len(obj.value) <= 80 else obj.value[:79] + "…"

    @admin.display(description="warnings")
    def warning_count(self, obj):
        return f"⚠ {len(obj.warnings)}" if obj.warnings else "–"

    @admin.display(description="tokens (in / out)")
    def tokens(self, obj):
        return f"{obj.input_tokens:,} / {obj.output_tokens:,}"

    @admin.display(description="episode")
    def episode_link(self, obj):
        return format_html('<a href="{}">{}</a>', episode_url(obj.episode_id), obj.episode)

    @admin.display(description="value when suggested")
    def current_value(self, obj):
        return obj.current or "(empty)"

    @admin.display(description="word diff")
    def diff(self, obj):
        return diff_html(obj.current, obj.value)

    @admin.display(description="warnings")
    def warnings_list(self, obj):
        return format_html("<br>".join(["⚠ {}"] * len(obj.warnings)), *obj.warnings) if obj.warnings else "–"

    def changelist_view(self, request, extra_context=None):
        months = list(Suggestion.objects.cost_by_month()[:12])
        return super().changelist_view(request, {**(extra_context or {}), "cost_by_month": months})

    def save_model(self, request, obj, form, change):
        """Keep the editor's correction of a pending suggestion; Accept applies it (see response_change)."""
        if "value" in form.changed_data:
            obj.save(update_fields=["value"])

    def response_change(self, request, obj):
        if "_accept" in request.POST:
            try:
                suggestions.suggestion_accept(suggestion=obj, user=request.user)
            except ServiceError as exc:
                messages.error(request, str(exc))
                return HttpResponseRedirect(request.path)
            messages.success(request, MSG_ACCEPTED.format(field=obj.field, episode=obj.episode))
            return HttpResponseRedirect(reverse("admin:episodes_suggestion_changelist"))
        if "_reject" in request.POST:
            count = suggestions.suggestions_reject(suggestions=[obj], user=request.user)
            messages.info(request, MSG_REJECTED.format(count=count))
            return HttpResponseRedirect(reverse("admin:episodes_suggestion_changelist"))
        return super().response_change(request, obj)

    @admin.action(description="Accept the selected suggestions (each one revision)")
    def accept_selected(self, request, queryset):
        accepted = 0
        for suggestion in queryset.select_related("episode").order_by("episode_id", "created_at"):
            try:
                suggestions.suggestion_accept(suggestion=suggestion, user=request.user)
            except ServiceError as exc:
                messages.warning(request, f"{suggestion}: {exc}")
            else:
                accepted += 1
        messages.success(request, MSG_BULK_ACCEPTED.format(count=accepted))

    @admin.action(description="Reject the selected suggestions")
    def reject_selected(self, request, queryset):
        count = suggestions.suggestions_reject(suggestions=list(queryset), user=request.user)
        messages.info(request, MSG_REJECTED.format(count=count))


# -- the editor page ------------------------------------------------------------------------------------------


def slot_anchor(field: str) -> str:
    return f"suggest-{field}"


def suggest_view(model_admin, request, object_id, field):
    """Start a job asking the model for one field of one episode; come back to the editor (the page's script:
    JSON saying where to follow the job). A GET for JSON answers the field's slot as it is now."""
    episode = get_object_or_404(Episode, pk=object_id)
    if field not in suggesting.FIELDS or not suggestions.enabled():
        raise Http404("No such suggestion")
    back = HttpResponseRedirect(episode_url(episode.pk) + "#" + slot_anchor(field))
    if request.method != "POST":
        if not wants_json(request):
            return back
        if not model_admin.has_view_or_change_permission(request, episode):
            raise PermissionDenied
        return JsonResponse({"html": slot_html(episode, field, _pending(episode).get(field))})
    if not model_admin.has_change_permission(request, episode):
        raise PermissionDenied
    arguments = {"slugs": [episode.slug], "fields": [field], "force": True}
    try:
        job = tasks.job_start(kind=Job.Kind.SUGGEST, user=request.user, arguments=arguments)
    except jobs.JobBusy as busy:
        if wants_json(request):
            return JsonResponse({"ok": False, "message": str(busy)}, status=409)
        busy_message(request, busy)
        return back
    if wants_json(request):
        return JsonResponse({
            "ok": True,
            "message": MSG_STARTED.format(field=field, pk=job.pk),
            "job": job_url(job),
            "progress": reverse("admin:episodes_job_progress", args=[job.pk]),
            "slot": reverse("admin:episodes_episode_suggest", args=[episode.pk, field]),
        })  # fmt: skip
    if job.status == Job.Status.SUCCEEDED:
        messages.success(request, MSG_DONE.format(field=field))
    elif job.finished:
        messages.error(request, job.message or job.error)
    else:
        messages.info(request, format_html('{} <a href="{}">See it</a>.', MSG_STARTED.format(field=field, pk=job.pk),
                                           job_url(job)))  # fmt: skip
    return back


def decide_view(model_admin, request, suggestion_id):
    """Accept (with the editor's correction) or reject one suggestion from the editor page."""
    suggestion = get_object_or_404(Suggestion.objects.select_related("episode"), pk=suggestion_id)
    back = HttpResponseRedirect(episode_url(suggestion.episode_id) + "#" + slot_anchor(suggestion.field))
    if request.method != "POST":
        return back
    if not model_admin.has_change_permission(request, suggestion.episode):
        raise PermissionDenied
    if "accept" in request.POST:
        value = request.POST.get(f"value-{suggestion.pk}", request.POST.get("value"))
        try:
            suggestions.suggestion_accept(suggestion=suggestion, user=request.user, value=value)
        except ServiceError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, MSG_ACCEPTED.format(field=suggestion.field, episode=suggestion.episode))
    else:
        count = suggestions.suggestions_reject(suggestions=[suggestion], user=request.user)
        messages.info(request, MSG_REJECTED.format(count=count))
    return back


def _pending(episode: Episode) -> dict[str, Suggestion]:
    """Return the newest suggestion waiting for review for each field of ``episode``."""
    return {s.field: s for s in Suggestion.objects.pending().filter(episode=episode).order_by("created_at", "pk")}


def slot_html(episode: Episode, field: str, suggestion: Suggestion | None) -> str:
    """Return the markup beside a field: its Suggest button, and the suggestion waiting for review with its
    word diff, warnings, tokens and cost, Accept and Reject. Its controls belong to forms outside the episode's
    form (see _suggestion_forms.html): a form cannot hold another."""
    label = Suggestion.Field(field).label.lower()
    diff = diff_html(suggestion.current, suggestion.value) if suggestion else ""
    context = {"field": field, "label": label, "suggestion": suggestion, "diff": diff, "original": episode}
    return render_to_string(SLOT, context)


def editor_panel(episode: Episode, form=None) -> dict | None:
    """Return what the editor shows of suggestions (None when they are off): each field's slot, placed under
    its field of ``form`` (the episode form) where it has one; ``others`` are the slots that have none."""
    if not suggestions.enabled():
        return None
    pending = _pending(episode)
    slots = {field: slot_html(episode, field, pending.get(field)) for field in suggesting.FIELDS}
    placed = set()
    for field, name in FORM_FIELDS.items():
        if form is not None and name in form.fields:
            _beside(form, name, slots[field])
            placed.add(field)
    others = [slots[f] for f in suggesting.FIELDS if f not in placed and f != suggesting.CHAPTERS]
    return {"fields": list(suggesting.FIELDS), "chapters": slots[suggesting.CHAPTERS], "others": others}


def _beside(form, name: str, slot: str) -> None:
    """Put ``slot`` under the form's field ``name``, after its help text and warnings, which alone describe it."""
    field = form.fields[name]
    # The id as its bound field will have it (a bound field made now would keep the help text it has now).
    notes = f"{form.auto_id % form.add_prefix(name)}_notes"
    if field.help_text:
        field.help_text = format_html('<span id="{}">{}</span>{}', notes, field.help_text, slot)
        field.widget.attrs["aria-describedby"] = notes
    else:
        field.help_text = slot
        field.widget.attrs["aria-describedby"] = ""  # not the suggestion: it is no description of the field
