"""The editor's own admin views besides the change page: operations, undo, history, revert, export preview.

Each view finds the episode named in its address, checks the permission it needs, parses its input with
a form and calls one service. Operations and undo answer the page's script with JSON (the rows whose
markup changed, the panels, the new version and how to undo), and a page without script with a redirect.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html_join
from django.views import View

from ... import services
from ...documents import database, exporting
from ...format import changes
from ...format import frontmatter as fm
from ...models import Episode, Revision
from . import page
from .operations import Outcome, errors_text, operation_form

PANELS = {
    "clips": "admin/episodes/episode/_clips.html",
    "speakers": "admin/episodes/episode/_speakers.html",
    "warnings": "admin/episodes/episode/_warnings.html",
    "sections": "admin/episodes/episode/_sections.html",
    "labels": "admin/episodes/episode/_labels.html",
}
ERR_BAD_VERSION = "That page's version is not a number; reload the page."


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


class Delta:
    """The page as the editor has it, to answer an operation with only what it changed."""

    def __init__(self, episode: Episode):
        self.version = episode.version
        self.rows = page.row_keys(page.editor_context(episode))

    def response(self, request, episode: Episode, outcome: Outcome, *, status: int = 200) -> JsonResponse:
        episode = Episode.objects.get(pk=episode.pk)  # as the operation left it: its version, keys, counts
        context = page.editor_context(episode)
        panel_context = {"editor": context, "original": episode}
        return JsonResponse(
            {
                "ok": status == 200 and outcome.done,
                "message": outcome.message,
                "version": episode.version,
                "count": len(context.items),
                "rows": page.rows_delta(self.rows, context),
                "panels": {name: render_to_string(t, panel_context, request) for name, t in PANELS.items()},
                "position": outcome.position,
                "anchor": outcome.anchor,
                "undo": self.undo(episode, outcome),
                "offer": _offer(outcome),
            },
            status=status,
        )

    def undo(self, episode: Episode, outcome: Outcome) -> dict | None:
        """How to take the operation back: revert to the revision the page showed, if the operation made one."""
        if episode.version == self.version:
            return None
        before = Revision.objects.filter(episode=episode, version=self.version).order_by("-pk").first()
        if before is None:
            return None
        return {
            "url": reverse("admin:episodes_episode_undo", args=[episode.pk, before.pk]),
            "version": episode.version,
            "label": "Undo",
        }


def _offer(outcome: Outcome) -> dict | None:
    if outcome.offer is None:
        return None
    operation, data, label = outcome.offer
    return {"operation": operation, "data": data, "label": label}


def _refusal(request, delta: Delta | None, episode: Episode, message: str, status: int, redirect: str):
    if delta is not None:
        return delta.response(request, episode, Outcome(message), status=status)
    messages.error(request, message)
    return HttpResponseRedirect(redirect)


class OperationView(EpisodeView):
    """An operation posted from the editor page (``ops/<name>/``)."""

    change = True
    http_method_names = ["get", "post"]

    def get(self, request, op):
        return HttpResponseRedirect(self.change_url())

    def post(self, request, op):
        episode = self.episode
        form = operation_form(op, request.POST, episode=episode)
        if form is None:
            raise Http404("No such operation.")
        delta = Delta(episode) if wants_json(request) else None
        here = self.change_url(_anchor(request.POST.get("position", ""), "transcript"))
        if not form.is_valid():
            return _refusal(request, delta, episode, errors_text(form), 400, here)
        try:
            outcome = form.save(user=request.user)
        except services.StaleEpisode as exc:
            return _refusal(request, delta, episode, str(exc), 409, here)
        except services.ServiceError as exc:
            return _refusal(request, delta, episode, str(exc), 400, here)
        if delta is not None:
            return delta.response(request, episode, outcome, status=200 if outcome.done else 400)
        (messages.success if outcome.done else messages.error)(request, outcome.message)
        return HttpResponseRedirect(self.change_url(_anchor(outcome.position, outcome.anchor or "transcript")))


def _anchor(position, anchor: str) -> str:
    position = str(position) if position is not None else ""
    return f"item-{position}" if position.isdigit() else anchor


class RevertView(EpisodeView):
    """Make the episode what it was at a revision: a confirmation page, then the revert (a new revision)."""

    change = True

    def revision(self, revision_id) -> Revision:
        return get_object_or_404(Revision, pk=revision_id, episode=self.episode)

    def get(self, request, revision_id):
        revision = self.revision(revision_id)
        current = Revision.objects.for_episode(self.episode).first()
        context = self.context(
            request,
            title=f"Revert {self.episode} to version {revision.version}?",
            revision=revision,
            review=revision_review(current, revision) if current else None,
        )
        return TemplateResponse(request, "admin/episodes/episode/revert.html", context)

    def post(self, request, revision_id):
        revision = self.revision(revision_id)
        history = reverse("admin:episodes_episode_history", args=[self.episode.pk])
        version = request.POST.get("version", "")
        try:
            services.episode_revert(
                episode=self.episode,
                revision=revision,
                user=request.user,
                version=int(version) if version.isdigit() else None,
            )
        except services.ServiceError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, f"Reverted to version {revision.version}.")
        return HttpResponseRedirect(history)


class UndoView(EpisodeView):
    """Take back the operation just made from the editor page: revert to the revision before it."""

    change = True
    http_method_names = ["post"]

    def post(self, request, revision_id):
        episode = self.episode
        revision = get_object_or_404(Revision, pk=revision_id, episode=episode)
        delta = Delta(episode) if wants_json(request) else None
        version = request.POST.get("version", "")
        if not version.isdigit():
            return _refusal(request, delta, episode, ERR_BAD_VERSION, 400, self.change_url("transcript"))
        try:
            services.episode_revert(episode=episode, revision=revision, user=request.user, version=int(version))
        except services.ServiceError as exc:
            return _refusal(request, delta, episode, str(exc), 409, self.change_url("transcript"))
        message = f"Undone: back to version {revision.version}."
        if delta is not None:
            return delta.response(request, episode, Outcome(message))
        messages.success(request, message)
        return HttpResponseRedirect(self.change_url("transcript"))


class HistoryView(EpisodeView):
    """The episode's revisions: who changed what when, a diff between any two, and revert."""

    def get(self, request):
        episode = self.episode
        revisions = list(Revision.objects.for_episode(episode).defer("compressed_text"))
        by_pk = {str(r.pk): r for r in revisions}
        newer = by_pk.get(request.GET.get("b")) or (revisions[0] if revisions else None)
        original = services.original_import(episode=episode)
        if request.GET.get("a") == "original":
            older = original
        else:
            older = by_pk.get(request.GET.get("a")) or (revisions[1] if len(revisions) > 1 else None)
        review = None
        if older is not None and newer is not None:
            review = revision_review(Revision.objects.get(pk=older.pk), Revision.objects.get(pk=newer.pk))
        context = self.context(
            request,
            title=f"History: {episode}",
            revisions=revisions,
            older=older,
            newer=newer,
            first_import=original,
            review=review,
            can_revert=self.model_admin.has_change_permission(request, episode),
        )
        return TemplateResponse(request, "admin/episodes/episode/revisions.html", context)


class ChaptersTextView(EpisodeView):
    """The sections as YouTube chapters, ``00:00 Title`` lines ready for the video's description."""

    def get(self, request):
        text = services.youtube_chapters(episode=self.episode)
        response = HttpResponse(text, content_type="text/plain; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="chapters.txt"'
        return response


class ExportPreviewView(EpisodeView):
    """What an export would write now, and how it differs from the file last imported or exported."""

    def get(self, request):
        episode = self.episode
        if request.GET.get("download"):
            name, content, content_type = exporting.download(Episode.objects.filter(pk=episode.pk))
            response = HttpResponse(content, content_type=content_type)
            response["Content-Disposition"] = f'attachment; filename="{name}"'
            return response
        text = database.export_text(episode)
        context = self.context(
            request,
            title=f"Export preview: {episode.slug}.md",
            text=text,
            review=Review(
                episode.source_text,
                text,
                older_name=f"{episode.slug}.md (last imported or exported)",
                newer_name=f"{episode.slug}.md (export now)",
            ),
        )
        return TemplateResponse(request, "admin/episodes/episode/export_preview.html", context)


class Review:
    """A change as an editor reviews it: a list in words (turn by turn, section by section, links, metadata)
    and, folded under it, the line diff of the file."""

    def __init__(self, older: str, newer: str, *, older_name: str, newer_name: str):
        lines = services.text_diff(older, newer, older_name=older_name, newer_name=newer_name)
        self.has_diff = bool(lines)
        self.diff_lines = diff_lines(lines)
        self.line_count = sum(1 for line in lines if line[:1] in "+-" and not line.startswith(("+++", "---")))
        try:
            self.changes = changes.compare(fm.parse(older), fm.parse(newer)).describe() if lines else []
        except fm.FormatError:
            self.changes = []  # a file kept from before it was checked: the line diff still says it all


def revision_review(older: Revision, newer: Revision) -> Review:
    return Review(
        services.snapshot(older),
        services.snapshot(newer),
        older_name=services.revision_name(older),
        newer_name=services.revision_name(newer),
    )


def diff_lines(diff: list[str]):
    """Return a unified diff as lines marked for the page: added, deleted, hunk headers, context."""
    classes = {"+": "add", "-": "del", "@": "hunk"}
    return format_html_join(
        "", '<span class="{}">{}</span>', ((classes.get(line[:1], "ctx"), line.rstrip("\n")) for line in diff)
    )
