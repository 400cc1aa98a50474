"""Response headers Django 5.2 does not set by itself, and requests no page can answer."""

from django.conf import settings
from django.core.exceptions import BadRequest
from django.http import Http404


class ContentSecurityPolicyMiddleware:
    """Add ``settings.CONTENT_SECURITY_POLICY`` to responses that do not set their own.

    Paths starting with one of ``settings.CONTENT_SECURITY_POLICY_EXEMPT`` (the admin by default, whose
    widgets and import screens use inline scripts and styles) get no policy from here.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        policy = settings.CONTENT_SECURITY_POLICY
        if policy and not request.path.startswith(tuple(settings.CONTENT_SECURITY_POLICY_EXEMPT)):
            response.headers.setdefault("Content-Security-Policy", policy)
        return response


class RefuseNulMiddleware:
    """Answer an address holding a NUL character with 404, and an admin query string holding one with 400.

    No page, filter or search has a use for one, and PostgreSQL cannot take one in a query: it failed
    there (a 500) wherever such text reached a lookup (``/podcast/%00``, the admin's ``?slug=%00``). The
    public search reads its words without it, as it always did.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if "\x00" in request.path:
            raise Http404("no page has a NUL character in its address")
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        # Once the address is resolved: whichever URLconf serves the request, the admin is the one it names.
        if "admin" in request.resolver_match.app_names and any(
            "\x00" in key or "\x00" in value for key, values in request.GET.lists() for value in values
        ):
            raise BadRequest("a NUL character in the query string")
        return None
