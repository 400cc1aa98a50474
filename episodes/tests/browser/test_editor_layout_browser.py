"""The editor's page on a working day (issue 19): typing is never lost by leaving the page, every text box
shows all of its text, the inline tables keep their Delete column on screen, and the player stays in view
while the transcript scrolls; at a laptop's and a tablet's width, with the admin's sidebar open or closed.
"""

import pytest

from episodes.models import Episode
from episodes.tests.support.editing import editor_session
from episodes.tests.support.factories import SHARED, import_text

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("seed_with_people")]
CORPUS_EPISODE = SHARED / "corpus" / "episodes" / "analytics-engineer-skills-tools.md"
BREADCRUMB = "div.breadcrumbs a[href='/admin/episodes/episode/']"

# Every transcript text box whose text is taller than the box, and the rows they are in.
HIDDEN_TEXT = """() => Array.from(document.querySelectorAll('#transcript-table textarea'))
    .filter((area) => area.scrollHeight > area.clientHeight + 1)
    .map((area) => `${area.closest('tr').id}: ${area.scrollHeight} > ${area.clientHeight}`)"""

# The right edge of each inline table's last column (Delete), and the viewport's width.
DELETE_EDGES = """() => Array.from(document.querySelectorAll('.inline-group .tabular table')).map((table) => {
    const last = table.querySelector('thead th:last-child') || table.querySelector('tr > :last-child');
    return [table.closest('.inline-group').id, last.textContent.trim(), last.getBoundingClientRect().right];
  })"""


@pytest.fixture
def editor(browser, live_server, editor_login):
    """Open an episode's editor page at a width, the sidebar open or closed; no console error may happen."""
    sessions = []

    def open_page(episode, width=1366, *, sidebar=True):
        viewport = {"width": width, "height": 900}
        session = editor_session(browser, live_server, *editor_login, sidebar=sidebar, viewport=viewport)
        sessions.append(session)
        session.page.goto(f"{live_server.url}/admin/episodes/episode/{episode.pk}/change/")
        shifted = "shifted" in (session.page.locator("#main").get_attribute("class") or "")
        assert shifted == sidebar
        return session, session.page

    yield open_page
    for session in sessions:
        session.close()
        assert not session.problems, session.problems


def test_leaving_with_unsaved_typing_asks_first_and_saving_clears_it(editor, live_server):
    session, page = editor(Episode.objects.get())
    session.unload = "dismiss"
    page.evaluate("window.stillThisPage = true")
    # Nothing typed: leaving asks nothing.
    page.locator("#item-0 textarea").click()
    page.locator(BREADCRUMB).click()
    page.wait_for_url("**/admin/episodes/episode/")
    assert session.dialogs == []
    page.go_back()
    page.evaluate("window.stillThisPage = true")

    # Typed and not saved: leaving by the breadcrumb asks; staying keeps the text.
    page.locator("#item-5 textarea").click()
    page.locator("#item-5 textarea").fill("Typed, not saved.")
    page.locator(BREADCRUMB).click(no_wait_after=True)
    page.wait_for_timeout(500)  # the navigation the prompt stopped would have begun by now
    assert [kind for kind, _ in session.dialogs] == ["beforeunload"]
    assert page.evaluate("window.stillThisPage") is True
    assert page.locator("#item-5 textarea").input_value() == "Typed, not saved."
    # A field above the transcript counts as typing too; reloading asks as leaving does.
    page.locator("#item-5 textarea").fill(page.locator("#item-5 textarea").get_attribute("data-orig"))
    page.fill("#id_short", "A short title typed")
    page.evaluate("window.setTimeout(() => window.location.reload(), 0)")
    page.wait_for_timeout(500)
    assert [kind for kind, _ in session.dialogs] == ["beforeunload"] * 2
    assert page.evaluate("window.stillThisPage") is True
    # An operation from a page gone stale offers "Reload the page": it asks too, and staying keeps the typing.
    page.get_by_label("New label for Danny").fill("Dan")
    page.get_by_label("New label for Danny").press("Enter")
    page.locator("#op-status").get_by_text("Renamed Danny").wait_for()
    page.evaluate("document.querySelectorAll('input[name=version]').forEach((input) => { input.value = '1'; })")
    page.get_by_label("New label for Dan").fill("Danny L.")
    page.get_by_label("New label for Dan").press("Enter")
    page.locator("#op-status").get_by_role("button", name="Reload the page").click(no_wait_after=True)
    session.problems.remove(
        "console error: Failed to load resource: the server responded with a status of 409 (Conflict)"
    )
    page.wait_for_timeout(500)
    assert [kind for kind, _ in session.dialogs] == ["beforeunload"] * 3
    assert page.evaluate("window.stillThisPage") is True
    assert page.input_value("#id_short") == "A short title typed"
    version = Episode.objects.get().version  # the page is current again: what follows is not about staleness
    page.evaluate(
        f"document.querySelectorAll('input[name=version]').forEach((input) => {{ input.value = '{version}'; }})"
    )

    # Saved, then leaving asks nothing.
    page.locator("#item-5 textarea").fill("Typed and saved.")
    with page.expect_navigation():
        page.keyboard.press("Control+s")
    assert "was changed successfully" in page.locator(".messagelist").inner_text()
    page.locator(BREADCRUMB).click()
    page.wait_for_url("**/admin/episodes/episode/")
    assert len(session.dialogs) == 3
    assert Episode.objects.get().items.get(position=5).text == "Typed and saved."

    # Choosing to leave leaves: the typing is dropped, as the editor chose.
    page.go_back()
    page.locator("#item-5 textarea").click()
    page.locator("#item-5 textarea").fill("Typed and dropped.")
    session.unload = "accept"
    page.locator(BREADCRUMB).click()
    page.wait_for_url("**/admin/episodes/episode/")
    assert len(session.dialogs) == 4
    assert Episode.objects.get().items.get(position=5).text == "Typed and saved."


def _corpus_episode() -> list:
    if not CORPUS_EPISODE.is_file():
        return [pytest.param(None, marks=pytest.mark.skip(reason=f"the shared corpus is not at {SHARED}"))]
    return [CORPUS_EPISODE.name]


@pytest.mark.parametrize("source", ["seed", *_corpus_episode()])
@pytest.mark.parametrize(("width", "sidebar"), [(1366, True), (1366, False), (768, True), (768, False)])
def test_text_boxes_show_all_their_text_tables_fit_and_the_player_stays_in_view(editor, source, width, sidebar):
    if source == "seed":
        episode = Episode.objects.get()
    else:
        assert import_text(CORPUS_EPISODE.read_text(encoding="utf-8"), slug="corpus").status == "created"
        episode = Episode.objects.get(slug="corpus")
    session, page = editor(episode, width, sidebar=sidebar)
    areas = page.locator("#transcript-table textarea")
    assert areas.count() > 50
    # Rows off screen are laid out only when shown (content-visibility): bring each into view first.
    page.evaluate("document.querySelectorAll('#transcript-table tbody tr').forEach((row) => row.scrollIntoView())")
    assert page.evaluate(HIDDEN_TEXT) == []
    # Typing a long text grows its box with it.
    areas.nth(2).fill("A long answer that goes on. " * 40)
    assert page.evaluate(HIDDEN_TEXT) == []
    assert page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")
    edges = page.evaluate(DELETE_EDGES)
    assert {group for group, _, _ in edges} >= {"platform_refs-group", "body_links-group"}, edges
    for group, label, right in edges:
        page.locator(f"#{group}").scroll_into_view_if_needed()
        assert label.startswith("Delete") and right <= width, (group, label, right)
    # Working on the last turn, the player is still on screen.
    last = page.locator("#transcript-table tbody tr.turn").last
    last.scroll_into_view_if_needed()
    last.locator("textarea").click()
    player = page.locator("#player-panel").bounding_box()
    assert player["y"] >= 0 and player["y"] + player["height"] <= 900, player
    assert player["x"] >= 0 and player["x"] + player["width"] <= width, player
    row = last.bounding_box()
    covered = not (row["y"] >= player["y"] + player["height"] or player["y"] >= row["y"] + row["height"])
    assert not covered or row["x"] + row["width"] <= player["x"] or player["x"] + player["width"] <= row["x"]
