"""Bulk fixes and curated topics in Chromium: an editor selects many episodes, previews a fix and applies it as a
job whose bar fills; in the editor, the topics box suggests the curated list and marks topics not on it."""

import pytest

from episodes.documents.database import episode_extra
from episodes.models import Episode, Topic
from episodes.tests.browser.test_editor_browser import _serious
from episodes.tests.support.editing import apply_as_job, editor_session
from episodes.tests.support.factories import make_episode

pytestmark = pytest.mark.browser
TYPOGRAPHY = "Typography: plain hyphens and spaces, straight quotes, no double or trailing spaces"


def test_a_bulk_fix_over_many_episodes_runs_as_a_job(browser, live_server, editor_login):
    for i in range(7):
        make_episode(f"e{i}", title=f"Talk\u00a0{i} on \u201cMLOps\u201d")
    make_episode("plain", title="Nothing to fix")
    session = editor_session(browser, live_server, *editor_login)
    page = session.page
    page.goto(f"{live_server.url}/admin/episodes/episode/")
    page.locator("#action-toggle").check()
    page.locator("select[name=action]").select_option("fix_selected")
    page.get_by_role("button", name="Go").click()
    page.wait_for_url("**/admin/episodes/episode/fix/?ids=*")
    page.get_by_label(TYPOGRAPHY).check()
    page.get_by_role("button", name="Preview").click()
    page.get_by_text("Preview: nothing changed yet").wait_for()
    assert "7 episodes would change" in page.locator("table.fix-changes caption").inner_text()
    assert "the fix runs as a job" in page.locator("#content-main").inner_text()
    assert not _serious(page), _serious(page)
    apply_as_job(page, "Apply to 7 episodes", 7)
    assert Episode.objects.filter(title__endswith='on "MLOps"').count() == 7
    assert not session.problems, session.problems
    session.close()


def test_the_topics_box_suggests_the_curated_list(browser, live_server, editor_login):
    Topic.objects.create(name="MLOps", aliases=["ML Ops"])
    Topic.objects.create(name="Python")
    episode = make_episode("one", topics=["Python"])
    session = editor_session(browser, live_server, *editor_login)
    page = session.page
    page.goto(f"{live_server.url}/admin/episodes/episode/{episode.pk}/change/")
    options = page.locator("#id_x_topics-list option")
    assert [options.nth(i).get_attribute("value") for i in range(options.count())] == ["MLOps", "Python"]
    box = page.get_by_label("Add a topic from the curated list")
    box.fill("ml ops")  # an alias adds the topic's own name
    box.press("Enter")
    assert page.locator("#id_x_topics").input_value() == "Python\nMLOps"
    note = page.locator(".topics-off-list")
    assert note.is_hidden()
    page.locator("#id_x_topics").press("End")
    page.locator("#id_x_topics").press_sequentially("\nRust")
    assert note.inner_text() == "Not on the curated list: Rust"
    page.locator("input[name=_continue]").click()
    page.wait_for_load_state()
    assert episode_extra(Episode.objects.get(pk=episode.pk))["topics"] == ["Python", "MLOps", "Rust"]
    field = page.locator(".form-row", has=page.locator("#id_x_topics"))
    assert "topic 'Rust' is not on the curated list" in field.inner_text()
    assert not session.problems, session.problems
    session.close()
