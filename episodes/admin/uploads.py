"""The admin's import page: upload .md files or a .zip, see a dry run, then confirm.

It runs the same import service as ``import_episodes``. Between the dry run and the confirmation the files
wait in a private folder of their own; the confirmation carries a signed token naming that folder and a
digest of each file, so it imports exactly the files the dry run showed, or nothing.
"""

from __future__ import annotations

from pathlib import Path

from django.contrib import messages
from django.core import signing
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse

from .. import tasks
from ..models import Job
from ..services import importing
from ..services.staging import (  # noqa: F401 - the staging names the admin's pages use, in one place
    ERR_GONE,
    STALE_AFTER,
    UploadFolderError,
    keep_read,
    kept_read,
    read_staged,
    stage,
    staged_paths,
    stored_sources,
    upload_root,
)
from .editor.base import ListPageView
from .forms import UploadForm
from .jobs import job_url

TOKEN_SALT = "episodes.upload"  # noqa: S105 - a signing namespace, not a secret
OVERWRITE_HINT = "tick “Overwrite episodes edited in the CMS” and check again"


def staging_token(request, folder: Path, digests: dict[str, str], **choices) -> str:
    """Sign what a dry run showed: the staged files and their digests, the editor's choices, who asked."""
    return signing.dumps({"folder": folder.name, "files": digests, "user": request.user.pk, **choices}, salt=TOKEN_SALT)


def open_staging(request) -> tuple[Path, dict]:
    """Return the staged folder and the signed choices of a confirmation, checked; raise UploadFolderError."""
    try:
        signed = signing.loads(request.POST.get("token", ""), salt=TOKEN_SALT, max_age=STALE_AFTER)
    except signing.BadSignature:
        signed = None
    if not signed or signed.get("user") != request.user.pk:
        raise UploadFolderError(ERR_GONE)
    folder = upload_root() / Path(signed["folder"]).name
    if not folder.is_dir():
        raise UploadFolderError(ERR_GONE)
    staged_paths(folder, signed["files"])  # exactly the files the dry run showed
    return folder, signed


class UploadView(ListPageView):
    permissions = ("add", "change")
    title = "Import episode files"

    def render(self, request, **extra):
        return TemplateResponse(request, "admin/episodes/episode/import.html", self.context(request, **extra))

    def get(self, request):
        return self.render(request, form=UploadForm())

    def post(self, request):
        if "token" in request.POST:
            return self.confirm(request)
        form = UploadForm(request.POST, request.FILES)
        if not form.is_valid():
            return self.render(request, form=form)
        try:
            folder, digests = stage(form.cleaned_data["files"])
        except (UploadFolderError, OSError) as exc:
            messages.error(request, str(exc) if isinstance(exc, UploadFolderError) else f"Could not store: {exc}")
            return self.render(request, form=form)
        force = form.cleaned_data["force"]
        report = importing.import_sources(
            stored_sources(folder), force=force, dry_run=True, user=request.user, diffs=True, overwrite=OVERWRITE_HINT
        )
        token = staging_token(request, folder, digests, force=force)
        return self.render(request, form=None, report=report, token=token, force=force, dry_run=True)

    def confirm(self, request):
        """Import exactly the files the dry run showed, as a job; go to its page."""
        try:
            folder, signed = open_staging(request)
        except UploadFolderError as exc:
            messages.error(request, str(exc))
            return HttpResponseRedirect(reverse("admin:episodes_episode_import"))
        arguments = {
            "folder": folder.name,
            "files": signed["files"],
            "force": signed["force"],
            "overwrite": OVERWRITE_HINT,
        }
        job = tasks.job_start(kind=Job.Kind.IMPORT, user=request.user, arguments=arguments)
        return HttpResponseRedirect(job_url(job))
