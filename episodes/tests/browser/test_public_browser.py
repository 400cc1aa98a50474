"""The public pages in a real browser: index, an episode, a contents link, a search; screenshots for review.

Uses Debian's Chromium through Playwright's sync API; every request to another host is aborted, so the
YouTube embed neither loads nor hangs. Screenshots go to test-artifacts/ (not committed).
"""

import pytest

from episodes.models import Episode
from episodes.tests.support.browsing import ARTIFACTS, local_page, make_public_site
from episodes.tests.support.factories import SHARED, import_text, needs_shared

pytestmark = pytest.mark.browser


def _page(browser, live_server, viewport: str, color_scheme: str = "light"):
    return local_page(browser, live_server, viewport, color_scheme=color_scheme)


@pytest.fixture
def site(transactional_db, seed_text):
    make_public_site(seed_text)


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_index_episode_contents_and_search(browser, live_server, site, viewport):
    ARTIFACTS.mkdir(exist_ok=True)
    page = _page(browser, live_server, viewport)
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))

    page.goto(live_server.url + "/")
    page.get_by_role("link", name="MLOps Architect").click()
    page.wait_for_url("**/episodes/s10e03-mlops-architect/")
    assert page.locator("h1").inner_text() == "MLOps Architect"
    assert page.locator(".video a.video__poster[href='https://www.youtube.com/watch?v=p1gVaS4Zx5M']").count() == 1
    page.screenshot(path=ARTIFACTS / f"episode-{viewport}.png")

    contents = page.locator("#contents details")
    if viewport == "phone":
        assert not contents.evaluate("d => d.open"), "the contents start folded on a phone"
        page.locator("#contents summary").click()
    link = page.locator(".toc__list a[href^='#']").nth(1)
    target = link.get_attribute("href")
    link.click()
    page.wait_for_url(f"**/{target}")
    heading = page.locator(f"{target} h2")
    assert heading.is_visible()
    # Scrolling is smooth: wait until the section's heading has arrived at the top of the window.
    arrived = "id => Math.abs(document.getElementById(id).getBoundingClientRect().top) < 40"
    page.wait_for_function(arrived, arg=target[1:])
    page.screenshot(path=ARTIFACTS / f"episode-{viewport}-section.png")

    page.goto(live_server.url + "/")
    page.screenshot(path=ARTIFACTS / f"index-{viewport}.png", full_page=True)
    page.locator("#site-search-q").fill("paralegal")
    page.locator("#site-search-q").press("Enter")
    page.wait_for_url("**/search/?q=paralegal")
    assert page.locator("#search-q").input_value() == "paralegal"
    hit = page.locator(".hit").first
    assert "paralegal" in hit.locator("mark").first.inner_text().lower()
    assert hit.locator("a.ts").get_attribute("href").startswith("https://www.youtube.com/watch?v=p1gVaS4Zx5M&t=")
    page.screenshot(path=ARTIFACTS / f"search-{viewport}.png", full_page=True)

    page.locator(".hit__episode").first.click()
    page.wait_for_url("**/episodes/s10e03-mlops-architect/#t*")
    page.goto(live_server.url + "/people/dannyleybzon/")
    page.screenshot(path=ARTIFACTS / f"person-{viewport}.png", full_page=True)
    assert errors == []
    page.context.close()


def test_dark_mode(browser, live_server, site):
    ARTIFACTS.mkdir(exist_ok=True)
    page = _page(browser, live_server, "desktop", color_scheme="dark")
    page.goto(live_server.url + "/episodes/s10e03-mlops-architect/")
    background = page.evaluate("getComputedStyle(document.body).backgroundColor")
    assert background != "rgb(251, 250, 247)", "the dark palette applies"
    page.screenshot(path=ARTIFACTS / "episode-desktop-dark.png")
    page.context.close()


def test_staff_signs_in_and_previews_a_draft(browser, live_server, site, django_user_model):
    django_user_model.objects.create_superuser("editor", "editor@example.com", "a-long-test-password")
    Episode.objects.filter(slug="s10e03-mlops-architect").update(status=Episode.Status.DRAFT)
    page = _page(browser, live_server, "desktop")
    draft = live_server.url + "/episodes/s10e03-mlops-architect/"
    assert page.goto(draft).status == 404
    # Session cookies are Secure outside DEBUG; browsers keep them for http://localhost all the same.
    page.goto(live_server.url + "/admin/login/?next=/admin/")
    page.fill("#id_username", "editor")
    page.fill("#id_password", "a-long-test-password")
    page.click("input[type=submit]")
    page.wait_for_url("**/admin/")
    assert page.goto(draft).status == 200
    assert page.get_by_role("status").inner_text().startswith("Draft preview")
    page.context.close()


@needs_shared
def test_a_real_episode_with_intro_and_profile(browser, live_server, transactional_db):
    corpus = SHARED / "corpus"
    episode = corpus / "episodes" / "data-science-career-abc-framework.md"
    for key in ["dannyma", "alexeygrigorev"]:
        profile = corpus / "people" / f"{key}.md"
        assert import_text(profile.read_text(encoding="utf-8"), slug=key, person=True).status == "created"
    assert import_text(episode.read_text(encoding="utf-8"), slug=episode.stem).status == "created"
    ARTIFACTS.mkdir(exist_ok=True)
    for viewport in ["desktop", "phone"]:
        page = _page(browser, live_server, viewport)
        errors = []
        page.on("pageerror", lambda exc, errors=errors: errors.append(str(exc)))
        page.goto(f"{live_server.url}/episodes/{episode.stem}/")
        assert page.locator(".intro").inner_text().startswith("How do you pick the right data science path")
        assert page.locator(".toc__list li").count() == 30
        page.screenshot(path=ARTIFACTS / f"real-episode-{viewport}.png")
        assert errors == []
        page.context.close()
