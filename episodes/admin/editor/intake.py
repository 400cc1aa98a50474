"""A raw transcript into an episode from the admin: upload or paste, see a preview, then apply.

The same services as ``import_transcript``. The preview reads the files once: what it read waits beside
them for the confirmation, which applies it without reading them again. The files wait in a
private staging folder (see :mod:`episodes.admin.uploads`); the confirmation applies exactly the files the
preview showed, to the version of the episode it showed, as one revision.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import astuple

from django.conf import settings
from django.contrib import messages
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse

from ... import services
from ...format.chapters import Chapter
from ...format.transcript_files import FileWarning, RawTranscript
from .. import uploads
from .base import EpisodeView, ListPageView
from .forms import NewEpisodeTranscriptForm, TranscriptUploadForm
from .history import diff_lines

TEMPLATE = "admin/episodes/episode/transcript_import.html"
# The message after applying names this many of the file's warnings (the preview lists more).
WARNINGS_SAID = 20


class TranscriptIntake:
    """The steps both pages share: stage and preview, then confirm and apply."""

    form_class = TranscriptUploadForm

    def render(self, request, **extra):
        return TemplateResponse(request, TEMPLATE, self.context(request, **extra))

    def preview(self, request, *, slug: str, title: str = "", replace: bool = False, version: int | None = None):
        form = self.form_class(request.POST, request.FILES)
        if not form.is_valid():
            return self.render(request, form=form)
        slug = form.cleaned_data.get("slug", slug)
        title = form.cleaned_data.get("title", title)
        replace = form.cleaned_data.get("replace", replace)
        strict = form.cleaned_data.get("strict", False)
        folder, kept = None, False
        try:
            folder, digests = uploads.stage(form.uploads())
            read = _read(folder)
            digest = uploads.keep_read(folder, json.dumps(read).encode("utf-8"))
            result = self.apply(
                request, read, slug=slug, title=title, replace=replace, strict=strict, version=version, dry_run=True
            )
            kept = True
        except (services.ServiceError, uploads.UploadFolderError, OSError) as exc:
            form.add_error(None, str(exc).splitlines())  # a strict refusal names each warning on a line
            return self.render(request, form=form)
        finally:
            if folder is not None and not kept:
                shutil.rmtree(folder, ignore_errors=True)  # refused, or failed: nothing waits for a confirmation
        token = uploads.staging_token(
            request,
            folder,
            digests,
            read=digest,
            slug=slug,
            title=title,
            replace=replace,
            strict=strict,
            version=result.seen_version,
        )
        shown = settings.EPISODES_PREVIEW_ROWS
        return self.render(
            request,
            result=result,
            rows=_preview_rows(result, shown),
            shown=shown,
            warnings=result.warnings[:shown],
            file_warnings=result.file_warnings[:shown],
            token=token,
            diff_lines=diff_lines(result.diff),
        )

    def confirm(self, request, back: str):
        try:
            folder, signed = uploads.open_staging(request)
        except uploads.UploadFolderError as exc:
            messages.error(request, str(exc))
            return HttpResponseRedirect(back)
        try:
            result = self.apply(
                request,
                json.loads(uploads.kept_read(folder, signed["read"])),
                slug=signed["slug"],
                title=signed["title"],
                replace=signed["replace"],
                strict=signed.get("strict", False),
                version=signed["version"],
                dry_run=False,
            )
        except (services.ServiceError, uploads.UploadFolderError) as exc:
            messages.error(request, str(exc))
            return HttpResponseRedirect(back)
        finally:
            shutil.rmtree(folder, ignore_errors=True)
        messages.success(request, _said(result))
        if result.file_warnings:
            messages.warning(request, _warned(result.file_warnings))
        return HttpResponseRedirect(reverse("admin:episodes_episode_change", args=[result.episode.pk]) + "#transcript")

    def apply(self, request, read: dict, *, slug, title, replace, strict, version, dry_run):
        chapters = read["chapters"]
        # A read staged before files had warnings has none to give.
        warnings = [FileWarning(line, message) for line, message in read.get("warnings", [])]
        return services.transcript_import(
            slug=slug,
            name=read["name"],
            raw=RawTranscript(read["format"], read["items"], read["notes"], warnings),
            chapter_list=[Chapter(*chapter) for chapter in chapters] if chapters is not None else None,
            replace=replace,
            title=title,
            strict=strict,
            dry_run=dry_run,
            user=request.user,
            version=version,
        )


class TranscriptView(TranscriptIntake, EpisodeView):
    """The episode's own page for a raw transcript (``<id>/transcript/``)."""

    change = True

    def context(self, request, **extra):
        title = f"Transcript from a file: {self.episode}"
        return super().context(request, title=title, new=False, **extra)

    def get(self, request):
        return self.render(request, form=self.form_class())

    def post(self, request):
        if "token" in request.POST:
            return self.confirm(request, reverse("admin:episodes_episode_transcript", args=[self.episode.pk]))
        return self.preview(request, slug=self.episode.slug, version=self.episode.version)


class NewEpisodeView(TranscriptIntake, ListPageView):
    """A new draft episode from a raw transcript (``import-transcript/`` on the episode list)."""

    form_class = NewEpisodeTranscriptForm
    title = "New episode from a transcript"

    def context(self, request, **extra):
        return super().context(request, new=True, **extra)

    def get(self, request):
        return self.render(request, form=self.form_class())

    def post(self, request):
        if "token" in request.POST:
            return self.confirm(request, reverse("admin:episodes_episode_new_from_transcript"))
        return self.preview(request, slug="")


def _read(folder) -> dict:
    """Read the staged transcript (and chapter list) once, as JSON data the confirmation applies as it is."""
    staged = uploads.staged_paths(folder)
    (name, path), chapters = staged[0], staged[1:]
    raw = services.transcript_read(name=name, data=uploads.read_staged(path))
    chapter_list = None
    if chapters:
        chapter_list = services.chapters_read(name=chapters[0][0], data=uploads.read_staged(chapters[0][1]))
    return {
        "name": name,
        "format": raw.format,
        "items": raw.items,
        "notes": raw.notes,
        "warnings": [astuple(warning) for warning in raw.warnings],
        "chapters": None if chapter_list is None else [astuple(chapter) for chapter in chapter_list],
    }


def _preview_rows(result: services.IntakeResult, shown: int) -> list[tuple[int, dict, list[str]]]:
    """Return (number, item, problems) for each of the first ``shown`` items of the new transcript."""
    problems: dict[int, list[str]] = {}
    for warning in result.warnings:
        if warning.position is not None and warning.position < shown:
            problems.setdefault(warning.position, []).append(warning.message)
    return [
        (i + 1, item if isinstance(item, dict) else {}, problems.get(i, []))
        for i, item in enumerate(result.items[:shown])
    ]


def _warned(lines: list[str]) -> str:
    """Return the file's warnings for the message after applying: the first few of them, and how many."""
    shown = lines[:WARNINGS_SAID]
    more = f"; and {len(lines) - len(shown)} more" if len(lines) > len(shown) else ""
    return f"Kept with {len(lines)} warning{'' if len(lines) == 1 else 's'}: " + "; ".join(shown) + more


def _said(result: services.IntakeResult) -> str:
    made = "Created the draft episode with" if result.created else "Imported"
    return f"{made} {result.turns} turns and {result.sections} sections ({result.format}); " + (
        "; ".join(result.notes) or "no notes"
    )
