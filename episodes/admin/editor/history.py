"""The episode's history: its revisions, a review of any two (in words and as a line diff), and revert."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html_join

from ... import selectors, services
from ...documents.revisions import snapshot
from ...format import changes
from ...format import frontmatter as fm
from ...models import Revision
from .base import EpisodeView


class HistoryView(EpisodeView):
    """The episode's revisions: who changed what when, a diff between any two, and revert."""

    def get(self, request):
        episode = self.episode
        revisions = list(Revision.objects.for_episode(episode).defer("compressed_text"))
        by_pk = {str(r.pk): r for r in revisions}
        newer = by_pk.get(request.GET.get("b")) or (revisions[0] if revisions else None)
        original = selectors.original_import(episode=episode)
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
        snapshot(older),
        snapshot(newer),
        older_name=services.revision_name(older),
        newer_name=services.revision_name(newer),
    )


def diff_lines(diff: list[str]):
    """Return a unified diff as lines marked for the page: added, deleted, hunk headers, context."""
    classes = {"+": "add", "-": "del", "@": "hunk"}
    return format_html_join(
        "", '<span class="{}">{}</span>', ((classes.get(line[:1], "ctx"), line.rstrip("\n")) for line in diff)
    )
