"""In a real browser: an editor asks for a description, sees it beside the (empty) current value with its
tokens and cost, corrects it, accepts it, and the episode has it as one revision naming the model."""

import pytest

from episodes.documents import database
from episodes.models import Episode, Revision, Suggestion
from episodes.tests.support.editing import editor_session
from episodes.tests.support.fake_model import fake_model  # noqa: F401 - a fixture

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("seed_with_people")]

ANSWER = (
    '"Danny Leybzon explains how an MLOps architect helps teams ship machine learning: from the first model '
    'in production to the platform that keeps it running."'
)


def test_suggest_and_accept_a_description(browser, live_server, editor_login, fake_model):  # noqa: F811
    fake_model.answer = lambda request: ANSWER
    episode = Episode.objects.get()
    extra = dict(database.episode_extra(episode))
    extra.pop("description", None)
    Episode.objects.filter(pk=episode.pk).update(extra=database.dump_extra(extra))
    session = editor_session(browser, live_server, *editor_login)
    page = session.page
    page.goto(f"{live_server.url}/admin/episodes/episode/{episode.pk}/change/")
    row = page.locator(".suggestion-row[data-field=description]")
    row.get_by_role("button", name="Suggest description").click()
    page.wait_for_url("**#suggestions")
    row = page.locator(".suggestion-row[data-field=description]")
    row.locator("ins").first.wait_for()
    assert "100 + 20 tokens" in row.inner_text()
    assert "quotes around the answer were removed" in row.inner_text()
    box = row.get_by_label("Suggested description (you can correct it)")
    corrected = box.input_value().replace("helps teams ship", "helps small teams ship")
    box.fill(corrected)
    row.get_by_role("button", name="Accept").click()
    page.get_by_text("Accepted: the description of").wait_for()
    saved = database.episode_extra(Episode.objects.get(pk=episode.pk))["description"]
    assert saved == corrected
    assert Suggestion.objects.get().status == "accepted"
    revision = Revision.objects.for_episode(episode).first()
    assert "fake-model" in revision.summary and revision.user.username == "editor"
    assert session.problems == []
