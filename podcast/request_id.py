"""A request id in every log line and in the ``X-Request-ID`` response header.

The proxy in front may send one (nginx: ``proxy_set_header X-Request-ID $request_id;``): it is kept when it
is a plain token, so that the proxy's log, gunicorn's access log and an error's traceback share it;
otherwise one is made. Log records get it as ``request_id`` ("-" outside a request).
"""

from __future__ import annotations

import contextvars
import logging
import re
import uuid

HEADER = "X-Request-ID"
# Letters, digits and a few marks, bounded: the id is written into log lines, which must stay one line each.
ACCEPTED = re.compile(r"[A-Za-z0-9._:+=-]{1,128}")
NONE = "-"

current: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default=NONE)


def request_id_of(request) -> str:
    """Return the id the proxy sent when it is a plain token, else a new one."""
    sent = request.headers.get(HEADER, "")
    return sent if ACCEPTED.fullmatch(sent) else uuid.uuid4().hex


class RequestIdMiddleware:
    """Give each request an id (``request.request_id``), for the logs and the ``X-Request-ID`` header.

    First in ``MIDDLEWARE``, so that everything logged while a request is served, a 500's traceback
    included, carries it.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.request_id = request_id_of(request)
        token = current.set(request.request_id)
        try:
            response = self.get_response(request)
        finally:
            current.reset(token)
        response[HEADER] = request.request_id
        return response


class RequestIdFilter(logging.Filter):
    """Give each log record the current request's id as ``request_id``."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = current.get()
        return True
