"""Helpers for the public pages' browser tests: a page that reaches only the test server, and its data."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

from episodes.tests.support.factories import import_text, make_person

ARTIFACTS = Path(__file__).resolve().parents[3] / "test-artifacts"
VIEWPORTS = {
    "desktop": {"width": 1280, "height": 900},
    "phone": {"width": 390, "height": 844},
    "small phone": {"width": 375, "height": 667},
}


def local_page(browser, live_server, viewport: str = "desktop", *, stubs: dict | None = None, **options):
    """Return a new page whose requests to other hosts are aborted, or answered from ``stubs`` (URL → script).

    ``page.requests`` lists every request of the page (and of pages it opens), in order.
    """
    context = browser.new_context(viewport=VIEWPORTS[viewport], **options)
    local = urlsplit(live_server.url).hostname
    stubs = stubs or {}

    def only_local(route):
        url = route.request.url
        if urlsplit(url).hostname == local:
            route.continue_()
        elif url in stubs:
            route.fulfill(status=200, content_type="text/javascript", body=stubs[url])
        else:
            route.abort()

    context.route("**/*", only_local)
    page = context.new_page()
    page.requests = []
    context.on("request", lambda request: page.requests.append(request))
    return page


def make_public_site(seed_text: str) -> None:
    """Import the seed episode with its guest's and host's profiles."""
    make_person(
        "dannyleybzon",
        "Danny Leybzon",
        bio_short="MLOps architect at WhyLabs.",
        body="Danny Leybzon is an MLOps architect at **WhyLabs**.",
        linkedin="dleybz",
        github="dleybz",
    )
    make_person("alexeygrigorev", "Alexey Grigorev", is_host=True, web="https://alexeygrigorev.com/")
    assert import_text(seed_text).status == "created"
