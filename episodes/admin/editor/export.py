"""What leaves the editor: the export preview (the file an export would write now, and its review) and the
sections as YouTube chapters."""

from __future__ import annotations

from django.http import HttpResponse
from django.template.response import TemplateResponse

from ... import services
from ...documents import database, exporting
from ...models import Episode
from .base import EpisodeView
from .history import Review


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
