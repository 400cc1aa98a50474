"""Small fixtures shared by the test layers; factories live in factories.py."""

import os
import shutil

import pytest
from django.conf import settings as django_settings

from episodes.models import Episode
from episodes.results import CREATED
from episodes.tests.support.factories import SEED, import_text


@pytest.fixture(autouse=True)
def _plain_static_storage(settings):
    # The manifest storage needs collectstatic; tests render templates without it.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(scope="session", autouse=True)
def _secret_key():
    # Serving a request signs cookies, and the settings invent no key outside DEBUG.
    if not os.environ.get("DJANGO_SECRET_KEY"):
        django_settings.SECRET_KEY = "test-only-secret-key"


@pytest.fixture(scope="session", autouse=True)
def _not_listening():
    # A test's changes are never committed, so never notified: pages would be kept past them. The listener's
    # own tests (test_listening.py) turn it on.
    django_settings.DATABASE_LISTEN = False


@pytest.fixture(autouse=True)
def _empty_page_cache():
    # Rendered pages and feed items are kept per process; each test starts with none.
    from django.core.cache import caches

    for kept in caches.all(initialized_only=True):
        kept.clear()


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path_factory):
    # Uploaded covers and pictures go to the media storage without a site checkout: never the project's media/.
    settings.MEDIA_ROOT = str(tmp_path_factory.mktemp("media"))


IMMEDIATE_TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture(autouse=True)
def _immediate_jobs(settings):
    # Jobs run inside the request that starts them, unless a test is about the worker (test_jobs_worker.py).
    settings.TASKS = IMMEDIATE_TASKS


@pytest.fixture(autouse=True)
def _fast_password_hasher(settings):
    # The default hasher takes a good part of a second per login by design; tests log in often.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def seed_text() -> str:
    return SEED.read_text(encoding="utf-8")


@pytest.fixture
def seed_episode(db, seed_text) -> Episode:
    result = import_text(seed_text)
    assert result.status == CREATED, result
    return Episode.objects.get(slug="s10e03-mlops-architect")


@pytest.fixture
def site_checkout(tmp_path, settings):
    """An empty folder of the test's own as the site's checkout (SITE_REPO), where pictures are kept."""
    root = tmp_path / "site"
    root.mkdir()
    settings.SITE_REPO = str(root)
    return root


@pytest.fixture
def upload_dir(settings, tmp_path):
    """A private staging folder of the test's own for admin uploads."""
    settings.EPISODES_UPLOAD_DIR = str(tmp_path / "uploads")
    return tmp_path / "uploads"


CHROMIUM = "/usr/bin/chromium"


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium driven by Playwright; skipped where it is missing, unless REQUIRE_BROWSER is set (CI)."""
    if not shutil.which(CHROMIUM):
        if os.environ.get("REQUIRE_BROWSER"):
            pytest.fail(f"REQUIRE_BROWSER is set but there is no Chromium at {CHROMIUM}")
        pytest.skip(f"no Chromium at {CHROMIUM} (apt-get install chromium)")
    sync_api = pytest.importorskip("playwright.sync_api")
    # Playwright's sync API runs an event loop in this thread; Django's ORM would refuse to run beside it.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--no-first-run",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()
