"""Login protection with django-axes: which backend checks lockouts, and which address a client has.

The settings (failure limit, cool-off, lockout per username and address) are in ``podcast.settings``;
this module holds the code they point to.
"""

import math

from axes.backends import AxesStandaloneBackend
from axes.helpers import get_client_username, get_cool_off, get_failure_limit
from django.conf import settings
from django.contrib import admin
from django.shortcuts import render


class LockoutBackend(AxesStandaloneBackend):
    """Refuse logins for a locked-out username and address; let calls without a request through.

    Every login form passes its request. ``authenticate()`` without one comes from code on the server
    (``Client.login`` in tests, scripts): there is no client to lock out, and axes would raise.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


def client_ip(request) -> str:
    """Return the client's address: REMOTE_ADDR, or the header a trusted reverse proxy sets.

    Behind a proxy every request comes from the proxy's address, so ``DJANGO_CLIENT_IP_HEADER`` names the
    header it writes (e.g. ``HTTP_X_REAL_IP``). For X-Forwarded-For the last entry is the one the proxy
    added; earlier ones are whatever the client sent.
    """
    header = settings.CLIENT_IP_HEADER
    value = request.META.get(header, "") if header else ""
    return value.rsplit(",", 1)[-1].strip() or request.META.get("REMOTE_ADDR", "")


def lockout_response(request, original_response=None, credentials=None):
    """Return the page shown when a login is refused during a lockout (HTTP 429)."""
    cool_off = get_cool_off(request)
    context = {
        **admin.site.each_context(request),
        "title": "Too many failed logins",
        "username": get_client_username(request, credentials) or "",
        "failure_limit": get_failure_limit(request, credentials),
        "cooloff_minutes": math.ceil(cool_off.total_seconds() / 60) if cool_off else None,
    }
    return render(request, "axes/lockout.html", context, status=settings.AXES_HTTP_RESPONSE_CODE)
