"""The admin's import page: upload .md files or a .zip, see a dry run, then confirm.

It runs the same import service as ``import_episodes``; the uploaded files wait in a private folder
between the dry run and the confirmation.
"""

from __future__ import annotations

import difflib
import secrets
import shutil
import tempfile
import time
from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.views import View

from .. import importing
from ..forms import UploadForm

SESSION_KEY = "episode_upload"
STALE_AFTER = 24 * 3600


def upload_root() -> Path:
    root = Path(getattr(settings, "EPISODES_UPLOAD_DIR", "") or Path(tempfile.gettempdir()) / "podcast-cms-uploads")
    root.mkdir(parents=True, exist_ok=True, mode=0o700)
    return root


def _sweep(root: Path) -> None:
    """Remove uploads nobody confirmed within a day."""
    for folder in root.iterdir():
        if folder.is_dir() and time.time() - folder.stat().st_mtime > STALE_AFTER:
            shutil.rmtree(folder, ignore_errors=True)


def stored_sources(folder: Path) -> list[importing.Source]:
    """Return the import sources for the files stored in ``folder``, under their uploaded names."""
    sources = []
    for path in sorted(folder.iterdir()):
        name = path.name.split("-", 1)[1]  # stored as <index>-<uploaded name>
        if name.lower().endswith(".zip"):
            sources += importing.zip_sources(str(path), name=name)
        else:
            sources.append(importing.Source(name, name, path.stat().st_size, path.read_bytes))
    return sources


class UploadView(View):
    model_admin = None

    def dispatch(self, request, *args, **kwargs):
        admin = self.model_admin
        if not (admin.has_add_permission(request) and admin.has_change_permission(request)):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def context(self, request, **extra):
        admin = self.model_admin
        return {
            **admin.admin_site.each_context(request),
            "opts": admin.opts,
            "title": "Import episode files",
            "has_view_permission": True,
            **extra,
        }

    def get(self, request):
        return TemplateResponse(request, "admin/episodes/episode/import.html", self.context(request, form=UploadForm()))

    def post(self, request):
        if "token" in request.POST:
            return self.confirm(request)
        form = UploadForm(request.POST, request.FILES)
        if not form.is_valid():
            return TemplateResponse(request, "admin/episodes/episode/import.html", self.context(request, form=form))
        root = upload_root()
        _sweep(root)
        token = secrets.token_urlsafe(16)
        folder = root / token
        folder.mkdir(mode=0o700)
        for index, upload in enumerate(form.cleaned_data["files"]):
            safe = Path(upload.name).name.replace("/", "_") or "upload.md"
            with open(folder / f"{index:03d}-{safe}", "wb") as target:
                for chunk in upload.chunks():
                    target.write(chunk)
        force = form.cleaned_data["force"]
        report = importing.import_sources(stored_sources(folder), force=force, dry_run=True, user=request.user)
        request.session[SESSION_KEY] = {"token": token, "force": force}
        rows = [(result, _diff(result)) for result in report.results]
        context = self.context(request, form=None, report=report, rows=rows, token=token, force=force, dry_run=True)
        return TemplateResponse(request, "admin/episodes/episode/import.html", context)

    def confirm(self, request):
        stored = request.session.get(SESSION_KEY) or {}
        token = request.POST["token"]
        folder = upload_root() / token
        if stored.get("token") != token or not folder.is_dir():
            messages.error(request, "That upload is no longer available; please upload the files again.")
            return HttpResponseRedirect(reverse("admin:episodes_episode_import"))
        try:
            report = importing.import_sources(
                stored_sources(folder), force=stored.get("force", False), user=request.user
            )
        finally:
            shutil.rmtree(folder, ignore_errors=True)
            request.session.pop(SESSION_KEY, None)
        level = messages.ERROR if report.refused else messages.SUCCESS
        messages.add_message(request, level, "Imported: " + report.summary())
        rows = [(result, "") for result in report.results]
        context = self.context(request, form=None, report=report, rows=rows, dry_run=False)
        return TemplateResponse(request, "admin/episodes/episode/import.html", context)


def _diff(result: importing.FileResult) -> str:
    if result.status != importing.UPDATED:
        return ""
    return "".join(
        difflib.unified_diff(
            result.previous_text.splitlines(keepends=True),
            result.new_text.splitlines(keepends=True),
            fromfile="in the CMS (as last imported or exported)",
            tofile=result.name,
        )
    )
