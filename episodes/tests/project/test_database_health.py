"""The PostgreSQL backend's health check: no round trip on a quiet connection, a dead one always found."""

import os
import resource
import time

import pytest
from django.db import connection, connections
from django.db.backends.postgresql import base as django_postgresql
from django.test.utils import CaptureQueriesContext

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's own backend")


@pytest.fixture
def other(db):
    """A second connection of its own, which a test may see ended without touching the test's."""
    wrapper = connections.create_connection("default")
    wrapper.ensure_connection()
    yield wrapper
    wrapper.close()


def test_the_settings_use_the_project_backend():
    assert type(connections["default"]).__module__ == "podcast.postgresql.base"


def test_a_quiet_connection_is_usable_without_asking_the_server(other, monkeypatch):
    asked = []
    monkeypatch.setattr(django_postgresql.DatabaseWrapper, "is_usable", lambda self: asked.append(self) or True)
    with CaptureQueriesContext(other):
        assert other.is_usable()
    assert asked == []
    # Inside a transaction (not idle) the server is asked, as Django does.
    with other.cursor() as cursor:
        cursor.execute("BEGIN")
        assert other.is_usable()
        cursor.execute("ROLLBACK")
    assert asked == [other]


def test_a_connection_the_server_ended_is_not_usable_and_a_request_reconnects(other):
    with other.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        (pid,) = cursor.fetchone()
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
        assert cursor.fetchone() == (True,)
    deadline = time.monotonic() + 5
    while other.is_usable() and time.monotonic() < deadline:
        time.sleep(0.01)  # the server's goodbye arrives on the socket as the process ends
    assert not other.is_usable()
    # What a request's start does: the check closes it, and the next query opens a new one.
    other.health_check_done = False
    other.close_if_health_check_failed()
    with other.cursor() as cursor:
        cursor.execute("SELECT 1")
        assert cursor.fetchone() == (1,)


def test_a_connection_on_a_descriptor_past_1024_is_checked_without_asking(db, monkeypatch):
    # select() refuses descriptors past 1,024: each check would have failed and every request reconnected.
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard != resource.RLIM_INFINITY and hard < 1200:
        pytest.skip(f"this process may open only {hard} files")
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, 1200), hard))
    held = [os.dup(0) for _ in range(1100)]
    try:
        wrapper = connections.create_connection("default")
        wrapper.ensure_connection()
        assert wrapper.connection.fileno() > 1024
        asked = []
        monkeypatch.setattr(django_postgresql.DatabaseWrapper, "is_usable", lambda self: asked.append(self) or True)
        assert wrapper.is_usable() and asked == []
        wrapper.close()
    finally:
        for fd in held:
            os.close(fd)
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))
