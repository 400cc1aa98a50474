"""The archive health page in Chromium: an editor reads the bars, follows a rule to its episodes, fixes one
in the editor (where the finding stands under its field) and sees the count drop."""

from pathlib import Path

import pytest

from episodes.models import Episode
from episodes.tests.browser.test_editor_browser import _serious
from episodes.tests.support.editing import editor_session
from episodes.tests.support.factories import make_episode

pytestmark = pytest.mark.browser
ARTIFACTS = Path(__file__).resolve().parents[3] / "test-artifacts"
LONG = "How a very long title about data engineering, MLOps and careers goes on past what the site's rule allows"


@pytest.fixture
def editor_login(editor_login):
    """An episode whose title is too long, one whose title is fine; the editor."""
    make_episode("long-title", title=LONG)
    make_episode("short-title", title="Short and fine")
    return editor_login


@pytest.mark.parametrize("width", [1366, 768])
def test_an_editor_follows_a_rule_from_the_health_page_and_fixes_it(browser, live_server, editor_login, width):
    session = editor_session(browser, live_server, *editor_login, viewport={"width": width, "height": 900})
    page = session.page
    page.goto(f"{live_server.url}/admin/")
    page.get_by_role("link", name="Archive health").click()
    page.wait_for_url("**/admin/episodes/health/")
    row = page.locator("tr", has=page.get_by_role("link", name="title-length", exact=True))
    assert row.locator("td.count").inner_text() == "1"
    assert row.locator("meter").get_attribute("value") == "0.5000"
    assert row.locator(".percent").inner_text() == "50%"
    assert page.locator("table.health-rules meter").count() == page.locator("table.health-rules tbody tr").count()
    assert page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")
    assert not _serious(page), _serious(page)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"health-{width}.png"), full_page=True)

    # The rule's link: the episode list filtered to it.
    row.get_by_role("link", name="title-length", exact=True).click()
    page.wait_for_url("**/admin/episodes/episode/?problem=title-length")
    results = page.locator("#result_list tbody tr")
    assert results.count() == 1 and LONG[:40] in results.inner_text()
    page.get_by_role("link", name=LONG).click()

    # In the editor, the finding stands under the title; shorten it and save.
    finding = f"title-length: the title is {len(LONG)} characters, over 100"
    title_row = page.locator(".form-row", has=page.locator("#id_title"))
    assert finding in title_row.inner_text()
    page.locator("#id_title").fill("A shorter title")
    page.locator("input[name=_continue]").click()
    page.wait_for_load_state()
    assert finding not in page.locator(".form-row", has=page.locator("#id_title")).inner_text()

    page.goto(f"{live_server.url}/admin/episodes/health/")
    row = page.locator("tr", has=page.get_by_role("link", name="title-length", exact=True))
    assert row.locator("td.count").inner_text() == "0"
    assert Episode.objects.get(slug="long-title").title == "A shorter title"
    assert not session.problems, session.problems
    session.close()


def test_an_editor_fixes_a_rules_failing_episodes_in_bulk(browser, live_server, editor_login):
    make_episode("curly-one", title="It\u2019s a \u201cquoted\u201d title")
    make_episode("curly-two", title="Non\u2011breaking  spaces")
    session = editor_session(browser, live_server, *editor_login)
    page = session.page
    page.goto(f"{live_server.url}/admin/episodes/health/")
    row = page.locator("tr", has=page.get_by_role("link", name="typography", exact=True))
    assert row.locator("td.count").inner_text() == "2"
    row.get_by_role("link", name="typography", exact=True).click()
    page.wait_for_url("**/admin/episodes/episode/?problem=typography")
    page.locator("#action-toggle").check()
    page.locator("select[name=action]").select_option("fix_selected")
    page.get_by_role("button", name="Go").click()
    page.wait_for_url("**/admin/episodes/episode/fix/?ids=*")
    page.get_by_label("Typography: plain hyphens and spaces, straight quotes, no double or trailing spaces").check()
    page.get_by_role("button", name="Preview").click()
    page.get_by_text("Preview: nothing changed yet").wait_for()
    table = page.locator("table.fix-changes")
    assert "2 episodes would change" in table.inner_text()
    assert 'It\'s a "quoted" title' in table.inner_text() and "Non-breaking spaces" in table.inner_text()
    assert not _serious(page), _serious(page)
    assert Episode.objects.get(slug="curly-one").title == "It\u2019s a \u201cquoted\u201d title"
    page.get_by_role("button", name="Apply to 2 episodes").click()
    page.wait_for_url("**/admin/episodes/episode/")
    page.get_by_text("2 episode(s) changed, one revision each").wait_for()
    assert Episode.objects.get(slug="curly-two").title == "Non-breaking spaces"
    page.goto(f"{live_server.url}/admin/episodes/health/")
    row = page.locator("tr", has=page.get_by_role("link", name="typography", exact=True))
    assert row.locator("td.count").inner_text() == "0"
    assert not session.problems, session.problems
    session.close()
