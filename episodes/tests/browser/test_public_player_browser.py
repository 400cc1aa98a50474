"""The episode page's player, contents button and accessibility in a real browser.

YouTube is never reached: the IFrame API's script is answered by the stub the editor's tests use, which
records what the page asks of the player, and every other request to another host is aborted and recorded.
"""

from urllib.parse import urlsplit

import pytest

from episodes.tests.support.browsing import ARTIFACTS, local_page, make_public_site
from episodes.tests.support.editing import IFRAME_API, YOUTUBE_STUB

pytestmark = pytest.mark.browser

VIDEO = "p1gVaS4Zx5M"
EPISODE = "/episodes/s10e03-mlops-architect/"


@pytest.fixture
def site(transactional_db, seed_text):
    make_public_site(seed_text)


def foreign(page, live_server) -> list[str]:
    local = urlsplit(live_server.url).hostname
    return [r.url for r in page.requests if urlsplit(r.url).hostname != local]


def seconds(link) -> int:
    href = link.get_attribute("href")
    return int(href.rsplit("&t=", 1)[1])


def test_a_time_seeks_the_player_and_highlights_its_turn(browser, live_server, site):
    page = local_page(browser, live_server, stubs={IFRAME_API: YOUTUBE_STUB})
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(live_server.url + EPISODE)
    page.wait_for_load_state("networkidle")
    assert foreign(page, live_server) == [], "no request to another site before the reader presses play"
    kinds = [r.resource_type for r in page.requests]
    assert (kinds.count("document"), kinds.count("stylesheet"), kinds.count("script")) == (1, 1, 1), kinds
    assert kinds.count("font") == kinds.count("fetch") == kinds.count("xhr") == 0, kinds

    # A time in the transcript: the player loads (the stub), starts there, and the turn is highlighted.
    turn = page.locator(".transcript .turn:has(> a.ts)").nth(6)
    link = turn.locator("> a.ts")
    start = seconds(link)
    link.click()
    page.wait_for_function("() => window.playerCalls && window.playerCalls.some(c => c[0] === 'playVideo')")
    assert foreign(page, live_server) == [IFRAME_API]
    options = page.evaluate("() => window.playerOptions")
    assert (options["host"], options["videoId"], options["start"]) == ("https://www.youtube-nocookie.com", VIDEO, start)
    assert page.locator(".video iframe").get_attribute("title") == "MLOps Architect (video)"
    assert page.locator(".video__poster").count() == 0
    assert page.locator(".turn.is-playing").get_attribute("id") == turn.get_attribute("id")
    section = turn.locator("xpath=ancestor::section[@id][1]").get_attribute("id")
    assert page.locator(".toc__list a.is-playing").get_attribute("href") == f"#{section}"
    assert len(page.context.pages) == 1, "the time did not open YouTube"

    # With the player ready, a time in the contents seeks it and goes to its section.
    page.locator(".toc__list a.ts").nth(3).click()
    entry = page.locator(".toc__list li").nth(3)
    target = seconds(entry.locator("a.ts"))
    assert page.evaluate("() => window.playerCalls.at(-2)") == ["seekTo", target]
    anchor = entry.locator("a").first.get_attribute("href")
    page.wait_for_url(f"**/{anchor}")
    assert page.locator(".toc__list a.is-playing").get_attribute("href") == anchor
    first_turn = page.locator(f"{anchor} .turn").first.get_attribute("id")
    assert page.locator(".turn.is-playing").get_attribute("id") == first_turn

    # As the video plays on, the highlight follows.
    later = page.locator(".transcript .turn:has(> a.ts)").nth(20)
    page.evaluate("t => window.player.setCurrentTime(t + 1)", seconds(later.locator("> a.ts")))
    page.wait_for_function("id => document.querySelector('.turn.is-playing').id === id", arg=later.get_attribute("id"))
    assert foreign(page, live_server) == [IFRAME_API], "the player itself made no request (stubbed)"
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=ARTIFACTS / "episode-playing.png")
    assert errors == []
    page.context.close()


def test_without_the_api_a_plain_player_starts_at_the_time(browser, live_server, site):
    page = local_page(browser, live_server)  # the API's script is aborted, as a blocker would
    page.goto(live_server.url + EPISODE)
    link = page.locator(".transcript .turn > a.ts").nth(4)
    start = seconds(link)
    link.click()
    frame = page.locator(".video iframe")
    frame.wait_for()
    src = frame.get_attribute("src")
    assert src.startswith(f"https://www.youtube-nocookie.com/embed/{VIDEO}?") and src.endswith(f"&start={start}")
    assert page.locator(".turn.is-playing").get_attribute("id") == link.locator("..").get_attribute("id")
    page.context.close()


def test_without_javascript_times_and_poster_link_to_youtube(browser, live_server, site):
    page = local_page(browser, live_server, java_script_enabled=False)
    page.goto(live_server.url + EPISODE)
    link = page.locator(".transcript .turn > a.ts").first
    assert link.get_attribute("href") == f"https://www.youtube.com/watch?v={VIDEO}&t={seconds(link)}"
    assert link.get_attribute("target") == "_blank"
    poster = page.locator(".video__poster")
    assert poster.get_attribute("href") == f"https://www.youtube.com/watch?v={VIDEO}"
    with page.context.expect_page():
        link.click()
    assert foreign(page, live_server) == [link.get_attribute("href")], "a new tab at that time on YouTube"
    # The contents link sits at the end, over nothing.
    assert page.locator(".to-contents").evaluate("a => getComputedStyle(a).position") == "static"
    page.context.close()


def _overlapped_text(page) -> list[str]:
    """Return the turns whose text lies under the "Contents ↑" button where it is now."""
    return page.evaluate(
        """() => {
          const box = document.querySelector('.to-contents').getBoundingClientRect();
          if (box.top >= innerHeight || box.bottom <= 0) return [];
          const hit = [];
          for (const turn of document.querySelectorAll('.turn')) {
            const range = document.createRange();
            range.selectNodeContents(turn);
            for (const r of range.getClientRects()) {
              if (r.right > box.left && r.left < box.right && r.bottom > box.top && r.top < box.bottom) {
                hit.push(turn.id);
                break;
              }
            }
          }
          return hit;
        }"""
    )


def test_contents_button_stays_out_of_the_text_while_reading_on_a_phone(browser, live_server, site):
    page = local_page(browser, live_server, "small phone")
    page.goto(live_server.url + EPISODE)
    button = page.locator(".to-contents")
    top = "document.querySelector('.to-contents').getBoundingClientRect().top"
    in_view, out_of_view = f"() => {top} < innerHeight", f"() => {top} >= innerHeight"
    # Reading on, downwards, through the transcript: the button is never over the text.
    for _ in range(12):
        page.mouse.wheel(0, 500)
        page.wait_for_timeout(60)
        page.wait_for_function(out_of_view)
        assert _overlapped_text(page) == []
    # Scrolling back up to look for something: the button comes, and takes the reader to the contents.
    page.mouse.wheel(0, -300)
    page.wait_for_function(in_view)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=ARTIFACTS / "episode-small-phone-contents-button.png")
    button.click()
    page.wait_for_url("**#contents")
    page.wait_for_function("() => Math.abs(document.getElementById('contents').getBoundingClientRect().top) < 60")
    page.context.close()


@pytest.mark.parametrize("viewport", ["desktop", "small phone"])
def test_public_pages_have_no_axe_findings(browser, live_server, site, viewport):
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()
    page = local_page(browser, live_server, viewport, stubs={IFRAME_API: YOUTUBE_STUB})
    pages = ["/", EPISODE, "/people/dannyleybzon/", "/people/alexeygrigorev/", "/search/?q=paralegal", "/search/"]
    reports = []
    for url in pages:
        page.goto(live_server.url + url)
        results = axe.run(page)
        if results.violations_count:
            reports.append(f"{url}:\n{results.generate_report()}")
    # The episode page once its player plays and a turn is highlighted, and with the contents button shown.
    page.goto(live_server.url + EPISODE)
    page.locator(".transcript .turn > a.ts").nth(3).click()
    page.wait_for_function("() => window.playerCalls && window.playerCalls.length > 0")
    page.locator(".to-contents").evaluate("a => a.classList.add('is-shown')")
    results = axe.run(page)
    if results.violations_count:
        reports.append(f"{EPISODE} (playing):\n{results.generate_report()}")
    assert reports == [], "\n\n".join(reports)
    page.context.close()


def test_dark_mode_has_no_axe_findings(browser, live_server, site):
    from axe_playwright_python.sync_playwright import Axe

    page = local_page(browser, live_server, color_scheme="dark")
    page.goto(live_server.url + EPISODE)
    results = Axe().run(page)
    assert results.violations_count == 0, results.generate_report()
    page.context.close()
