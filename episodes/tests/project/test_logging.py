"""Errors reach the log with their traceback and request id; every response carries its ``X-Request-ID``."""

import datetime
import io
import logging
import re
from contextlib import contextmanager
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.urls import path
from gunicorn import glogging
from gunicorn.config import Config

from episodes.tests.support.factories import make_episode

GUNICORN_CONF = Path(__file__).resolve().parents[3] / "gunicorn.conf.py"


class Boom(Exception):
    pass


def broken_view(request):
    raise Boom("the view broke")


urlpatterns = [path("boom/", broken_view)]


@contextmanager
def stderr_log():
    """Collect what the configured stderr handler writes (the one gunicorn and systemd capture)."""
    handler = next(h for h in logging.getLogger("django").handlers if isinstance(h, logging.StreamHandler))
    captured = io.StringIO()
    previous = handler.setStream(captured)
    try:
        yield captured
    finally:
        handler.setStream(previous)


@pytest.mark.urls(__name__)
def test_a_500_is_logged_with_its_traceback_and_request_id(client):
    client.raise_request_exception = False
    with stderr_log() as log:
        response = client.get("/boom/", headers={"x-request-id": "proxy-id-42"})
    assert response.status_code == 500 and response["X-Request-ID"] == "proxy-id-42"
    text = log.getvalue()
    first = text.splitlines()[0]
    assert re.match(
        r"\S+ \S+ ERROR \[\d+\] \[request proxy-id-42\] django.request: Internal Server Error: /boom/$", first
    )
    assert "Traceback (most recent call last):" in text
    assert 'raise Boom("the view broke")' in text and "Boom: the view broke" in text


@pytest.mark.urls(__name__)
def test_a_request_id_is_made_when_the_proxy_sends_none_or_an_unsafe_one(client):
    client.raise_request_exception = False
    with stderr_log() as log:
        made = client.get("/boom/")["X-Request-ID"]
        unsafe = client.get("/boom/", headers={"x-request-id": "a\nforged line"})["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{32}", made) and re.fullmatch(r"[0-9a-f]{32}", unsafe) and made != unsafe
    assert f"[request {made}]" in log.getvalue() and f"[request {unsafe}]" in log.getvalue()
    assert "forged line" not in log.getvalue()


def test_public_pages_carry_a_request_id_and_log_nothing(client, db):
    make_episode("ep")
    with stderr_log() as log:
        response = client.get("/episodes/ep/")
        missing = client.get("/episodes/nothing-here/")
    assert response.status_code == 200 and re.fullmatch(r"[0-9a-f]{32}", response["X-Request-ID"])
    assert missing.status_code == 404 and log.getvalue() == ""


def test_gunicorn_logs_each_request_with_its_id():
    namespace: dict = {}
    exec(compile(GUNICORN_CONF.read_text(), str(GUNICORN_CONF), "exec"), namespace)  # noqa: S102 - our own file
    config = Config()
    for name in ("accesslog", "access_log_format", "errorlog"):
        config.set(name, namespace[name])
    assert config.accesslog == "-" and config.errorlog == "-"  # stdout and stderr: what systemd keeps
    environ = {"REQUEST_METHOD": "GET", "RAW_URI": "/feed.xml", "SERVER_PROTOCOL": "HTTP/1.1", "REMOTE_ADDR": "::1"}
    response = SimpleNamespace(status="200 OK", sent=512, headers=[("X-Request-ID", "abc123")])
    atoms = glogging.Logger(config).atoms(response, [], environ, datetime.timedelta(milliseconds=42))
    line = config.access_log_format % atoms
    assert '"GET /feed.xml HTTP/1.1" 200 512' in line and line.endswith(" 42ms abc123")
