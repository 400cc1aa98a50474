"""Find and replace in Chromium: an editor goes from the episode list to the page, previews a search (every
match in context), then applies it: over more than a few episodes it is a job, whose page shows it done."""

from pathlib import Path

import pytest

from episodes.models import Episode
from episodes.tests.browser.test_editor_browser import _serious
from episodes.tests.support.editing import apply_as_job, editor_session
from episodes.tests.support.factories import make_episode

pytestmark = pytest.mark.browser
ARTIFACTS = Path(__file__).resolve().parents[3] / "test-artifacts"


@pytest.fixture
def editor_login(editor_login):
    """Seven episodes that say "mlops" in their titles and intros, one that does not; the editor."""
    for i in range(7):
        make_episode(f"e{i}", title=f"Talk {i} on mlops", intro=f"An intro on MLOps and AutoMLOps, part {i}.")
    make_episode("other", title="Nothing here")
    return editor_login


def test_an_editor_previews_then_replaces_across_the_archive(browser, live_server, editor_login):
    session = editor_session(browser, live_server, *editor_login)
    page = session.page
    page.goto(f"{live_server.url}/admin/episodes/episode/")
    page.get_by_role("link", name="Find and replace").click()
    page.wait_for_url("**/admin/episodes/episode/replace/")
    page.get_by_label("Find", exact=True).fill("mlops")
    page.get_by_label("Replace with").fill("MLOps")
    page.get_by_label("Whole words").check()
    page.get_by_label("Case-sensitive").check()
    page.get_by_label("Turns' text").uncheck()
    page.get_by_role("button", name="Preview").click()
    page.get_by_text("Preview: nothing changed yet").wait_for()
    table = page.locator("table.replace-matches")
    assert "7 matches in 7 episodes" in table.locator("caption").inner_text()
    first = table.locator("tbody tr").first
    assert first.locator("del").inner_text() == "mlops" and first.locator("ins").inner_text() == "MLOps"
    assert "Talk 0 on" in first.locator("td.context").inner_text()
    assert not _serious(page), _serious(page)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "replace-preview.png"), full_page=True)
    assert Episode.objects.filter(title__endswith="on mlops").count() == 7

    apply_as_job(page, "Replace in 7 episodes", 7)
    assert Episode.objects.filter(title__endswith="on MLOps").count() == 7
    assert not session.problems, session.problems
    session.close()
