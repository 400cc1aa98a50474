"""Error pages that tell an editor what happened instead of a bare status line."""

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import JsonResponse
from django.template.response import TemplateResponse
from django.views.defaults import bad_request as django_bad_request

ERR_TOO_BIG = (
    "This save sent {size:.1f} MB, over the {limit:.0f} MB one request may carry, so the server did not read it "
    "and nothing was saved. Go back: your text is still on the page. Split very long text into several turns."
)


def bad_request(request, exception, template_name="400.html"):
    """Answer a request too big to read with a 413 that says so (the page keeps the editor's text)."""
    if not isinstance(exception, RequestDataTooBig):
        return django_bad_request(request, exception, template_name)
    size = int(request.META.get("CONTENT_LENGTH") or 0) / 1024 / 1024
    message = ERR_TOO_BIG.format(size=size, limit=settings.DATA_UPLOAD_MAX_MEMORY_SIZE / 1024 / 1024)
    if "application/json" in request.headers.get("Accept", ""):
        return JsonResponse({"ok": False, "message": message}, status=413)
    return TemplateResponse(request, "request_too_big.html", {"message": message}, status=413)
