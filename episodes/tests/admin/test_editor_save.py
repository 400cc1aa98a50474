"""The episode page's save in one pass: the service's result read by the admin, one stale check, and a refused
save shown again without running the change view a second time."""

import pytest
from django.contrib.admin.models import LogEntry
from django.urls import reverse

from episodes import services
from episodes.admin.editor.forms import EpisodeForm
from episodes.models import BodyLink, Episode, Revision
from episodes.tests.support.pages import form_fields

pytestmark = pytest.mark.django_db


def change_url(episode):
    return reverse("admin:episodes_episode_change", args=[episode.pk])


def page_data(client, episode) -> dict:
    return {**form_fields(client.get(change_url(episode)).content.decode()), "_continue": "1"}


def test_episode_save_returns_what_changed_the_new_version_and_the_warnings(seed_episode):
    saved = services.episode_save(episode=seed_episode, fields={"title": "Retitled"}, version=1)
    assert saved.changed and saved.what == ["title"] and saved.version == 2
    assert saved.warnings is not None
    assert Episode.objects.get(pk=seed_episode.pk).version == 2 == seed_episode.version


def test_episode_save_that_changes_nothing_says_so_and_keeps_the_version(seed_episode):
    saved = services.episode_save(episode=seed_episode, fields={"title": seed_episode.title}, version=1)
    assert not saved.changed and saved.what == [] and saved.version == 1 and saved.warnings is None
    assert Revision.objects.filter(episode=seed_episode).count() == 1


def test_a_conflicting_stale_page_is_merged_by_the_service_once_and_the_page_validated_once(
    admin_client, seed_episode, monkeypatch
):
    data = page_data(admin_client, seed_episode)
    services.episode_save(episode=seed_episode, fields={"short": "Saved first"})
    cleaned, saves = [], []
    clean, save = EpisodeForm.clean, services.episode_save
    monkeypatch.setattr(EpisodeForm, "clean", lambda form: cleaned.append(1) or clean(form))
    monkeypatch.setattr(services, "episode_save", lambda **kwargs: saves.append(1) or save(**kwargs))
    data["short"] = "My late edit"
    logged = LogEntry.objects.count()
    response = admin_client.post(change_url(seed_episode), data)
    html = response.content.decode()
    assert response.status_code == 200 and "changed the same thing since you opened" in html and "My late edit" in html
    assert "Please correct" not in html  # a conflict is shown where it is, with a choice, not as a form error
    assert response.context["stale_review"] is not None
    assert cleaned == [1] and saves == [1]  # the change view ran once
    assert Episode.objects.get(pk=seed_episode.pk).short == "Saved first"
    assert LogEntry.objects.count() == logged


def test_a_saved_page_logs_what_the_service_says_changed(admin_client, seed_episode):
    data = page_data(admin_client, seed_episode)
    data["title"] = "A better title"
    assert admin_client.post(change_url(seed_episode), data).status_code == 302
    assert LogEntry.objects.latest("pk").get_change_message() == "Edited title"


def test_a_conflicting_page_shows_a_list_the_editor_left_alone_as_it_is_saved_now(admin_client, seed_episode):
    data = page_data(admin_client, seed_episode)
    links = [services.Row(link) for link in BodyLink.objects.filter(episode=seed_episode).order_by("position")]
    added = BodyLink(text="Added meanwhile", url="https://example.com/added")
    services.episode_save(
        episode=seed_episode, fields={"short": "Theirs"}, lists={BodyLink: [*links, services.Row(added)]}
    )
    data["short"] = "My late edit"
    html = admin_client.post(change_url(seed_episode), data).content.decode()
    assert "changed the same thing since you opened" in html and "My late edit" in html
    assert form_fields(html)["body_links-TOTAL_FORMS"] == str(len(links) + 1)
    assert "Added meanwhile" in html
