"""In a real browser: an editor asks for a description with the Suggest button beside the field, sees it there
(the page is not reloaded) as a word diff with its tokens and cost, corrects it, accepts it, and the episode
has it as one revision naming the model."""

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
    field = page.locator(".form-row.field-x_description")
    page.locator("details:has(#id_x_description) > summary").click()  # the newer keys: folded when all are empty
    page.locator("#id_x_description").fill("Typed and not saved yet.")  # stays: the suggestion comes in place
    field.get_by_role("button", name="Suggest description").click()
    slot = field.locator("#suggest-description")
    slot.locator("ins").first.wait_for()
    assert page.url.endswith("/change/")  # no reload: the script followed the job and swapped in the slot
    assert page.locator("#id_x_description").input_value() == "Typed and not saved yet."
    assert "100 + 20 tokens" in slot.inner_text()
    assert "quotes around the answer were removed" in slot.inner_text()
    page.locator("#id_x_description").fill("")  # nothing left unsaved: leaving asks nothing
    page.reload()  # what waits for review is shown unfolded, though the newer keys are folded while empty
    box = slot.get_by_label("Suggested description (you can correct it)")
    corrected = box.input_value().replace("helps teams ship", "helps small teams ship")
    box.fill(corrected)
    slot.get_by_role("button", name="Accept").click()
    page.get_by_text("Accepted: the description of").wait_for()
    assert page.locator("#id_x_description").input_value() == corrected
    saved = database.episode_extra(Episode.objects.get(pk=episode.pk))["description"]
    assert saved == corrected
    assert Suggestion.objects.get().status == "accepted"
    revision = Revision.objects.for_episode(episode).first()
    assert "fake-model" in revision.summary and revision.user.username == "editor"
    assert session.problems == []
