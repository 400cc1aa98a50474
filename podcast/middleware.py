"""Response headers Django 5.2 does not set by itself."""

from django.conf import settings


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
