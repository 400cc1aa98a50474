"""Serve the images of the site's checkout (SITE_REPO): ``images/podcast/...``, ``images/authors/...``.

Episode and people files name their pictures by paths in the site's repository; with a checkout
configured, the public pages show them from it, at PODCAST_IMAGES_URL. Only image files inside the
checkout's ``images/`` folder are served (resolved, so neither ``..`` nor a symbolic link leads out).
"""

from __future__ import annotations

import os

from django.conf import settings
from django.http import FileResponse, Http404, HttpResponseNotModified
from django.utils.http import http_date
from django.views.decorators.http import require_safe
from django.views.static import was_modified_since

FOLDER = "images"
TYPES = {
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".png": "image/png",
    ".gif": "image/gif",
    ".webp": "image/webp",
    ".avif": "image/avif",
    ".svg": "image/svg+xml",
    ".ico": "image/x-icon",
}
MAX_AGE = 3600
# An SVG may hold scripts: opened on its own it runs none and loads nothing.
SVG_POLICY = "default-src 'none'; style-src 'unsafe-inline'; sandbox"


def image_path(path: str) -> str | None:
    """Return the file of the checkout that ``path`` (``images/...``) names, or None if it may not be served."""
    root = getattr(settings, "SITE_REPO", "")
    if not root or not path.startswith(f"{FOLDER}/") or "\x00" in path:
        return None
    folder = os.path.realpath(os.path.join(root, FOLDER))
    full = os.path.realpath(os.path.join(root, path))
    if os.path.commonpath([folder, full]) != folder or full == folder:
        return None
    if os.path.splitext(full)[1].lower() not in TYPES or not os.path.isfile(full):
        return None
    return full


@require_safe
def site_image(request, path: str):
    """Serve one image of the site's checkout, with Last-Modified for conditional requests."""
    full = image_path(path)
    if full is None:
        raise Http404("No such image.")
    stat = os.stat(full)
    if not was_modified_since(request.META.get("HTTP_IF_MODIFIED_SINCE"), stat.st_mtime):
        return HttpResponseNotModified()
    extension = os.path.splitext(full)[1].lower()
    response = FileResponse(open(full, "rb"), content_type=TYPES[extension])  # noqa: SIM115 - closed by Django
    response["Last-Modified"] = http_date(stat.st_mtime)
    response["Cache-Control"] = f"public, max-age={MAX_AGE}"
    if extension == ".svg":
        response["Content-Security-Policy"] = SVG_POLICY
    return response


def route() -> str | None:
    """Return the URL route the images are served at: PODCAST_IMAGES_URL when it is a path on this site."""
    base = settings.PODCAST_IMAGES_URL
    if not base.startswith("/") or base.startswith("//"):
        return None
    prefix = base.strip("/")
    return f"{prefix}/<path:path>" if prefix else None
