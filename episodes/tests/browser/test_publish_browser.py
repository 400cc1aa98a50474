"""The Publish page in a real browser: an editor unticks one of two pending files and commits the other.

The commit must hold exactly the ticked file, the unticked one must still be pending on the page, and the
page must log no console errors.
"""

import pytest

from episodes.models import Episode
from episodes.services import episode_save
from episodes.services import site as site_sync
from episodes.tests.support.editing import editor_session
from episodes.tests.support.factories import EDITOR_LOGIN, make_editor, needs_shared
from episodes.tests.support.siterepo import EPISODES, PEOPLE, make_site

pytestmark = [pytest.mark.browser, needs_shared]

S22 = "_podcast/s22e07-reinventing-career-in-tech.md"
TRENDS = "_podcast/trends-in-modern-data-engineering.md"


@pytest.fixture
def publisher(transactional_db, settings, tmp_path):
    site = make_site(tmp_path / "site", episodes=EPISODES, people=PEOPLE)
    settings.SITE_REPO, settings.SITE_REMOTE = str(site.root), ""
    assert not site_sync.site_pull(repo=str(site.root)).problems
    user = make_editor(every_permission=True)
    for slug, title in (("s22e07-reinventing-career-in-tech", "Ticked"), ("trends-in-modern-data-engineering", "Not")):
        episode_save(episode=Episode.objects.get(slug=slug), fields={"title": title}, user=user)
    return site


def test_an_unticked_file_stays_pending_and_the_ticked_one_is_committed(browser, live_server, publisher):
    session = editor_session(browser, live_server, *EDITOR_LOGIN)
    page = session.page
    page.goto(live_server.url + "/admin/episodes/publish/")
    ticked, unticked = page.get_by_label(f"Publish {S22}"), page.get_by_label(f"Publish {TRENDS}")
    assert ticked.is_checked() and unticked.is_checked()  # every file is checked by default
    assert page.get_by_text("title: 'Reinventing a Career in Tech' → 'Ticked'").is_visible()
    unticked.uncheck()
    page.get_by_role("button", name="Commit").click()
    page.wait_for_url("**/admin/episodes/job/*/change/")
    assert "Committed" in page.content()
    [branch] = [name for name in publisher.branches() if name != "main"]
    assert publisher.git("diff", "--name-only", f"{branch}^", branch).splitlines() == [S22]
    page.goto(live_server.url + "/admin/episodes/publish/")
    assert page.locator("h2#pending-title").inner_text() == "Changes to publish (1)"
    assert page.get_by_label(f"Publish {TRENDS}").is_checked()
    assert page.get_by_label(f"Publish {S22}").count() == 0
    assert session.problems == []
    session.close()
