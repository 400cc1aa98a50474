"""Login protection on the admin login: lockout per username and address, its page, its end, its settings."""

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import F
from django.test import RequestFactory, override_settings
from django.urls import reverse

from podcast import login_protection

pytestmark = pytest.mark.django_db

LOGIN = reverse("admin:login")
PASSWORD = "correct horse battery staple"
WRONG = "not the password"


@pytest.fixture
def editor(django_user_model):
    return django_user_model.objects.create_user("editor", password=PASSWORD, is_staff=True)


def attempt(client, username="editor", password=WRONG, address="10.0.0.1"):
    data = {"username": username, "password": password, "next": reverse("admin:index")}
    return client.post(LOGIN, data, REMOTE_ADDR=address)


def fail_until_locked(client, **kwargs):
    responses = [attempt(client, **kwargs) for _ in range(settings.AXES_FAILURE_LIMIT)]
    assert [r.status_code for r in responses[:-1]] == [200] * (settings.AXES_FAILURE_LIMIT - 1)
    return responses[-1]


def test_defaults_are_a_handful_of_failures_and_a_cooloff():
    assert 3 <= settings.AXES_FAILURE_LIMIT <= 10
    assert settings.AXES_COOLOFF_TIME.total_seconds() == 15 * 60
    assert settings.AXES_LOCKOUT_PARAMETERS == [["username", "ip_address"]]


def test_failures_lock_the_username_from_that_address_with_a_clear_page(client, editor):
    response = fail_until_locked(client)
    assert response.status_code == 429
    text = " ".join(response.content.decode().split())
    assert f"{settings.AXES_FAILURE_LIMIT} failed login attempts for “editor” came from your address" in text
    assert "blocked for 15 minutes" in text
    # Even the right password is refused during the lockout.
    response = attempt(client, password=PASSWORD)
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_lockout_is_per_username_and_address(client, editor, django_user_model):
    django_user_model.objects.create_user("other", password=PASSWORD, is_staff=True)
    fail_until_locked(client)
    assert attempt(client, password=PASSWORD, address="10.0.0.2").status_code == 302
    client.logout()
    assert attempt(client, username="other", password=PASSWORD).status_code == 302


def test_lockout_ends_after_the_cooloff(client, editor):
    fail_until_locked(client)
    AccessAttempt.objects.update(attempt_time=F("attempt_time") - settings.AXES_COOLOFF_TIME)
    response = attempt(client, password=PASSWORD)
    assert response.status_code == 302 and response["Location"] == reverse("admin:index")


def test_a_successful_login_resets_the_count(client, editor):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        attempt(client)
    assert attempt(client, password=PASSWORD).status_code == 302
    client.logout()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert attempt(client).status_code == 200


@override_settings(AXES_FAILURE_LIMIT=2, AXES_COOLOFF_TIME=None)
def test_settings_change_the_limit_and_a_lockout_without_cooloff_waits_for_an_admin(client, editor):
    attempt(client)
    response = attempt(client)
    assert response.status_code == 429
    assert "until an administrator unlocks it" in " ".join(response.content.decode().split())


def test_logins_without_a_request_are_not_checked(client, editor):
    # Client.login calls authenticate() without a request; axes alone would raise.
    assert client.login(username="editor", password=PASSWORD)
    assert not client.login(username="editor", password=WRONG)


def test_admin_client_and_force_login_are_unaffected(admin_client, client, editor):
    fail_until_locked(client, address="127.0.0.1")
    assert admin_client.get(reverse("admin:index")).status_code == 200
    client.force_login(editor)
    assert client.get(reverse("admin:index")).status_code == 200


@pytest.mark.parametrize(
    ("header", "meta", "expected"),
    [
        ("", {"HTTP_X_REAL_IP": "203.0.113.9"}, "10.0.0.1"),
        ("HTTP_X_REAL_IP", {"HTTP_X_REAL_IP": "203.0.113.9"}, "203.0.113.9"),
        ("HTTP_X_FORWARDED_FOR", {"HTTP_X_FORWARDED_FOR": "1.2.3.4, 203.0.113.9"}, "203.0.113.9"),
        ("HTTP_X_REAL_IP", {}, "10.0.0.1"),
    ],
)
def test_client_address_comes_from_the_configured_proxy_header_only(settings, header, meta, expected):
    settings.CLIENT_IP_HEADER = header
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.1", **meta)
    assert login_protection.client_ip(request) == expected
