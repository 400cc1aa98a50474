"""Serve the images of the site's checkout (SITE_REPO): ``images/podcast/...``, ``images/authors/...``.

Episode and people files name their pictures by paths in the site's repository; with a checkout
configured, the public pages show them from it, at PODCAST_IMAGES_URL. Only image files inside the
checkout's ``images/`` folder are served (resolved, so neither ``..`` nor a symbolic link leads out).
A path the checkout does not hold is served from the media storage (MEDIA_ROOT), where covers and
pictures uploaded without a checkout are kept (:mod:`episodes.documents.images`).
"""

from __future__ import annotations

import os

from django.conf import settings
from django.http import FileResponse, Http404, HttpResponseNotModified
from django.utils.http import http_date
from django.views.decorators.http import require_safe
from django.views.static import was_modified_since

from .documents import images

FOLDER = images.FOLDER
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
    full = images.checkout_file(path)
    if full is None or os.path.splitext(full)[1].lower() not in TYPES:
        return None
    return full


@require_safe
def site_image(request, path: str):
    """Serve one image of the site's checkout, else of the media storage, with Last-Modified for conditional
    requests."""
    full = image_path(path)
    # A file of the checkout is typed by what it resolves to (a link named .jpg may lead to an .svg).
    extension = os.path.splitext(full if full is not None else path)[1].lower()
    if full is not None:
        modified = os.stat(full).st_mtime
    elif extension in TYPES and images.in_media(path):
        modified = images.media_storage().get_modified_time(path).timestamp()
    else:
        raise Http404("No such image.")
    if not was_modified_since(request.META.get("HTTP_IF_MODIFIED_SINCE"), modified):
        return HttpResponseNotModified()
    opened = open(full, "rb") if full is not None else images.media_storage().open(path, "rb")  # noqa: SIM115 - closed by Django
    response = FileResponse(opened, content_type=TYPES[extension])
    response["Last-Modified"] = http_date(modified)
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
