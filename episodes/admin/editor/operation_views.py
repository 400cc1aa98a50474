"""The page's operations and undo, as views: each answers the page's script with JSON (the rows whose markup
changed, the panels, the new version and how to undo), and a page without script with a redirect.

Each view parses its input with one small form of :mod:`episodes.admin.editor.operations` and calls one service.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404
from django.template.loader import render_to_string
from django.urls import reverse

from ... import services
from ...models import Episode, Revision
from ...selectors.editor import editor_context
from . import page
from .base import EpisodeView, wants_json
from .operations import Outcome, errors_text, operation_form

PANELS = {
    "clips": "admin/episodes/episode/_clips.html",
    "speakers": "admin/episodes/episode/_speakers.html",
    "warnings": "admin/episodes/episode/_warnings.html",
    "sections": "admin/episodes/episode/_sections.html",
    "labels": "admin/episodes/episode/_labels.html",
}
ERR_BAD_VERSION = "That page's version is not a number; reload the page."


class Delta:
    """The page as the editor has it, to answer an operation with only what it changed."""

    def __init__(self, episode: Episode):
        self.version = episode.version
        self.rows = page.row_keys(editor_context(episode))

    def response(self, request, episode: Episode, outcome: Outcome, *, status: int = 200) -> JsonResponse:
        episode = Episode.objects.get(pk=episode.pk)  # as the operation left it: its version, keys, counts
        context = editor_context(episode)
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
        seen = request.POST.get("version", "")
        if seen.isdigit() and int(seen) != episode.version:
            return self.merged(request, op, form, int(seen), delta, here)
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

    def merged(self, request, op: str, form, seen: int, delta: Delta | None, here: str):
        """Run an operation posted from a page older than the episode: merged when what it changes is unchanged
        since (services.operation_merge), else refused, naming who changed it."""
        episode = self.episode

        def run(move, version: int):
            data = request.POST.copy()
            for name in form.position_fields:
                data.setlist(name, [str(move(int(v))) if v.strip().isdigit() else v for v in data.getlist(name)])
            data["version"] = str(version)
            current = operation_form(op, data, episode=episode)
            if not current.is_valid():
                raise services.ServiceError(errors_text(current))
            return current.save(user=request.user)

        try:
            outcome, words = services.operation_merge(episode=episode, seen_version=seen, run=run)
        except (services.MergeConflict, services.StaleEpisode, services.MergeRaced) as exc:
            return _refusal(request, delta, episode, str(exc), 409, here)
        except services.ServiceError as exc:
            return _refusal(request, delta, episode, str(exc), 400, here)
        if outcome.done:
            outcome.message = f"{outcome.message} ({words[0].upper()}{words[1:]}.)"
        if delta is not None:
            delta.rows = []  # the page showed none of the others' changes: every row goes back to it
            return delta.response(request, episode, outcome, status=200 if outcome.done else 400)
        (messages.success if outcome.done else messages.error)(request, outcome.message)
        return HttpResponseRedirect(self.change_url(_anchor(outcome.position, outcome.anchor or "transcript")))


def _anchor(position, anchor: str) -> str:
    position = str(position) if position is not None else ""
    return f"item-{position}" if position.isdigit() else anchor


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
