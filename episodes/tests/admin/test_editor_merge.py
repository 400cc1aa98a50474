"""The editor's page saves over someone else's newer save by merging (services.merging): merged saves say with
whose save, a conflict is shown on its row or field with both values and a choice, and operations from a page
gone stale apply when what they touch did not change."""

import json

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission, User
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from episodes import services
from episodes.documents import database
from episodes.documents.revisions import snapshot
from episodes.models import Episode, EpisodeGuest, Person, PlatformRef, Revision, Topic
from episodes.tests.support.factories import SEED, import_text, repeated_transcript_text
from episodes.tests.support.pages import form_fields

pytestmark = pytest.mark.django_db


@pytest.fixture
def colleague():
    return get_user_model().objects.create_user("colleague")


def change_url(episode):
    return reverse("admin:episodes_episode_change", args=[episode.pk])


def as_the_script_sends_it(client, episode) -> dict:
    """The page's fields without the transcript's: the script posts only the transcript fields changed."""
    fields = form_fields(client.get(change_url(episode)).content.decode())
    return {k: v for k, v in fields.items() if not k.startswith("item-")} | {"_continue": "1"}


def their_text(episode, position, text, user):
    item = episode.items.get(position=position)
    services.episode_save(episode=episode, edits={item.pk: services.ItemEdit(text=text)}, user=user)
    return item


def test_two_pages_saving_different_turns_both_land_and_the_second_says_with_whose_save(
    admin_client, seed_episode, colleague
):
    page = as_the_script_sends_it(admin_client, seed_episode)
    their_text(seed_episode, 4, "Their words.", colleague)
    mine = seed_episode.items.get(position=10)
    response = admin_client.post(change_url(seed_episode), {**page, f"item-{mine.pk}-text": "My words."}, follow=True)
    said = " ".join(str(m) for m in response.context["messages"])
    assert "Saved, merged with colleague's save of " in said and "(turn 5)." in said
    texts = dict(seed_episode.items.values_list("position", "text"))
    assert (texts[4], texts[10]) == ("Their words.", "My words.")


def test_the_same_turn_is_a_conflict_on_its_row_and_taking_theirs_without_script_drops_mine(
    admin_client, seed_episode, colleague
):
    page = as_the_script_sends_it(admin_client, seed_episode)
    item = their_text(seed_episode, 4, "Their words.", colleague)
    other = seed_episode.items.get(position=10)
    posted = {**page, f"item-{item.pk}-text": "My words.", f"item-{other.pk}-text": "Mine elsewhere."}
    response = admin_client.post(change_url(seed_episode), posted)
    html = response.content.decode()
    assert response.status_code == 200 and "Please correct" not in html
    row = html[html.index(f'data-pk="{item.pk}"') :].split("</tr>")[0]
    assert "My words." in row and "Their words." in row and f'name="resolve-item-{item.pk}-text"' in row
    assert "Keep mine" in row and "Take theirs" in row
    assert seed_episode.items.get(pk=other.pk).text != "Mine elsewhere."  # nothing was saved
    again = form_fields(html)
    assert again[f"item-{item.pk}-text"] == "My words." and int(again["version"]) == seed_episode.version
    again[f"resolve-item-{item.pk}-text"] = "theirs"
    assert admin_client.post(change_url(seed_episode), {**again, "_continue": "1"}).status_code == 302
    texts = dict(seed_episode.items.values_list("pk", "text"))
    assert (texts[item.pk], texts[other.pk]) == ("Their words.", "Mine elsewhere.")


def test_keeping_mine_saves_mine_over_theirs(admin_client, seed_episode, colleague):
    page = as_the_script_sends_it(admin_client, seed_episode)
    item = their_text(seed_episode, 4, "Their words.", colleague)
    html = admin_client.post(change_url(seed_episode), {**page, f"item-{item.pk}-text": "My words."}).content.decode()
    again = form_fields(html)
    assert again[f"resolve-item-{item.pk}-text"] == "mine"
    assert admin_client.post(change_url(seed_episode), {**again, "_continue": "1"}).status_code == 302
    assert seed_episode.items.get(pk=item.pk).text == "My words."


def test_a_field_conflict_is_shown_on_the_field_and_taking_theirs_keeps_theirs(admin_client, seed_episode, colleague):
    page = as_the_script_sends_it(admin_client, seed_episode)
    services.episode_save(episode=seed_episode, fields={"title": "Their title"}, user=colleague)
    html = admin_client.post(change_url(seed_episode), {**page, "title": "My title", "short": "Mine"}).content.decode()
    field = html[html.index('class="form-row field-title') :].split('class="form-row field-short')[0]
    assert "Their title" in field and "My title" in field and 'name="resolve-title"' in field
    again = form_fields(html)
    again["resolve-title"] = "theirs"
    assert admin_client.post(change_url(seed_episode), {**again, "_continue": "1"}).status_code == 302
    episode = Episode.objects.get(pk=seed_episode.pk)
    assert (episode.title, episode.short) == ("Their title", "Mine")


def op(client, episode, name, **data):
    url = reverse("admin:episodes_episode_op", args=[episode.pk, name])
    response = client.post(url, data, HTTP_ACCEPT="application/json")
    return response.status_code, json.loads(response.content)


def test_an_operation_from_a_stale_page_applies_when_its_turns_did_not_change(admin_client, seed_episode, colleague):
    seen = seed_episode.version
    services.turn_insert(episode=seed_episode, position=0, who="Alexey", text="Theirs first.", user=colleague)
    status, reply = op(admin_client, seed_episode, "assign", positions=[4], who="Someone", version=seen)
    assert status == 200 and "Merged with colleague's save of" in reply["message"]
    assert seed_episode.items.get(position=5).who == "Someone"  # the page's item 5, now item 6
    assert len(reply["rows"]) == reply["count"]  # every row again: the page did not show the other's changes


def test_an_operation_from_a_stale_page_on_a_changed_turn_is_refused_naming_who(admin_client, seed_episode, colleague):
    seen = seed_episode.version
    services.turns_assign(episode=seed_episode, positions=[4], who="Their pick", user=colleague)
    status, reply = op(admin_client, seed_episode, "assign", positions=[4], who="My pick", version=seen)
    assert status == 409 and reply["message"].startswith("Not done: colleague changed item 5 (speaker)")
    assert seed_episode.items.get(position=4).who == "Their pick"


@pytest.fixture
def long_episode(db):
    """The seed's transcript 18 times over: 3,096 items, issue 19's size for the save's budget."""
    import_text(repeated_transcript_text(SEED.read_text(encoding="utf-8"), 18), slug="long")
    episode = Episode.objects.get(slug="long")
    assert episode.items.count() >= 3000
    return episode


def test_saving_one_turn_of_3000_merged_against_a_colleagues_save_stays_within_the_query_budget(
    long_episode, colleague, django_assert_max_num_queries
):
    episode = long_episode
    seen = episode.version
    their_text(episode, 2500, "Their words.", colleague)
    mine = episode.items.get(position=1500)
    page = Episode.objects.get(pk=episode.pk)
    with django_assert_max_num_queries(20):
        saved = services.episode_save(episode=page, edits={mine.pk: services.ItemEdit(text="My words.")}, version=seen)
    assert "colleague" in saved.merged
    assert episode.items.get(pk=mine.pk).text == "My words."
    assert episode.items.get(position=2500).text == "Their words."


def recorded_as_saved(episode) -> bool:
    """Tell whether the episode's newest revision is its file as the rows make it now."""
    latest = Revision.objects.filter(episode=episode).order_by("-version", "-pk").first()
    return snapshot(latest) == database.episode_document(Episode.objects.get(pk=episode.pk)).render()


@pytest.mark.parametrize("merged", [False, True], ids=["current page", "merged with a colleague's save"])
def test_the_editors_post_of_one_turn_of_3000_stays_within_the_query_budget(
    admin_client, long_episode, colleague, django_assert_max_num_queries, merged
):
    # As a newer episode has them: topics (the rules read the curated list) and several guests.
    episode = long_episode
    Topic.objects.create(name="MLOps")
    guests = [services.Row(row) for row in episode.guest_rows.all()]
    guests += [services.Row(EpisodeGuest(person=Person.objects.create(key=f"guest-{n}"))) for n in range(3)]
    extra = {**database.episode_extra(episode), "topics": ["MLOps", "Data engineering"]}
    services.episode_save(episode=episode, extra=extra, lists={EpisodeGuest: guests})
    mine = episode.items.get(position=1500)
    page = as_the_script_sends_it(admin_client, episode)
    if merged:
        their_text(episode, 2500, "Their words.", colleague)
    before = Episode.objects.get(pk=episode.pk).version
    with django_assert_max_num_queries(20):
        response = admin_client.post(change_url(episode), {**page, f"item-{mine.pk}-text": "Typed."})
    assert response.status_code == 302
    assert episode.items.get(pk=mine.pk).text == "Typed."
    assert Episode.objects.get(pk=episode.pk).version == before + 1
    if merged:
        assert episode.items.get(position=2500).text == "Their words."
    assert recorded_as_saved(episode)


def test_a_saves_queries_do_not_grow_with_the_guests(admin_client, seed_episode):
    """The guests' people are read with their rows, not one query each to check the posted ones."""
    item = seed_episode.items.filter(kind="turn").first()

    def post_counted(text):
        page = as_the_script_sends_it(admin_client, seed_episode)
        with CaptureQueriesContext(connection) as queries:
            response = admin_client.post(change_url(seed_episode), {**page, f"item-{item.pk}-text": text})
        assert response.status_code == 302
        return len(queries)

    alone = post_counted("One guest or none.")
    rows = [services.Row(row) for row in seed_episode.guest_rows.all()]
    rows += [services.Row(EpisodeGuest(person=Person.objects.create(key=f"guest-{n}"))) for n in range(3)]
    services.episode_save(episode=seed_episode, lists={EpisodeGuest: rows})
    assert post_counted("Three guests more.") == alone
    assert recorded_as_saved(seed_episode)


def test_a_stale_page_that_left_a_list_alone_records_the_list_as_the_colleague_saved_it(
    admin_client, seed_episode, colleague
):
    """The page's forms carry its own (older) rows: the save records the rows as stored, not as posted."""
    page = as_the_script_sends_it(admin_client, seed_episode)
    refs = [services.Row(r) for r in seed_episode.platform_refs.order_by("mapping", "position")]
    next(r for r in refs if r.obj.mapping == "ids" and r.obj.platform == "youtube").obj.value = "theirvideo1"
    services.episode_save(episode=seed_episode, lists={PlatformRef: refs}, user=colleague)
    item = seed_episode.items.filter(kind="turn").first()
    response = admin_client.post(change_url(seed_episode), {**page, f"item-{item.pk}-text": "Mine."})
    assert response.status_code == 302
    assert seed_episode.platform_refs.get(mapping="ids", platform="youtube").value == "theirvideo1"
    assert seed_episode.items.get(pk=item.pk).text == "Mine."
    assert recorded_as_saved(seed_episode)
    latest = Revision.objects.filter(episode=seed_episode).order_by("-version", "-pk").first()
    assert "theirvideo1" in snapshot(latest)


def test_a_page_that_changes_a_list_and_a_turn_records_the_list_as_written(admin_client, seed_episode):
    page = as_the_script_sends_it(admin_client, seed_episode)
    item = seed_episode.items.filter(kind="turn").first()
    posted = {**page, youtube_field(page): "myvideo0001", f"item-{item.pk}-text": "Mine."}
    assert admin_client.post(change_url(seed_episode), posted).status_code == 302
    assert seed_episode.platform_refs.get(mapping="ids", platform="youtube").value == "myvideo0001"
    assert recorded_as_saved(seed_episode)


def youtube_field(data: dict) -> str:
    (name,) = [
        k for k, v in data.items() if k.startswith("platform_refs-") and k.endswith("-value") and v == "p1gVaS4Zx5M"
    ]
    return name


@pytest.mark.parametrize("chosen", ["mine", "theirs"])
def test_a_list_conflict_is_listed_with_a_choice_for_the_whole_list(admin_client, seed_episode, colleague, chosen):
    page = as_the_script_sends_it(admin_client, seed_episode)
    refs = [services.Row(r) for r in seed_episode.platform_refs.order_by("mapping", "position")]
    next(r for r in refs if r.obj.mapping == "ids" and r.obj.platform == "youtube").obj.value = "theirvideo1"
    services.episode_save(episode=seed_episode, lists={PlatformRef: refs}, user=colleague)
    html = admin_client.post(change_url(seed_episode), {**page, youtube_field(page): "myvideo0001"}).content.decode()
    top = html[html.index('class="merge-conflict"') :].split("</section>")[0]
    assert "ids.youtube" in top and "theirvideo1" in top and "myvideo0001" in top
    assert 'name="resolve-list-platform_refs"' in top
    again = {**form_fields(html), "resolve-list-platform_refs": chosen, "_continue": "1"}
    assert admin_client.post(change_url(seed_episode), again).status_code == 302
    saved = seed_episode.platform_refs.get(mapping="ids", platform="youtube").value
    assert saved == ("myvideo0001" if chosen == "mine" else "theirvideo1")


def test_an_editor_shown_no_guest_rows_saves_a_turn_and_the_record_keeps_the_guests(client, seed_episode):
    """A user who may add guests but not see them gets an empty guest list on the page: the save reads the
    guests it records, rather than taking that empty list as the episode's."""
    assert seed_episode.guest_rows.exists()
    user = User.objects.create_user("adds-guests", password="a long test password", is_staff=True)
    names = ["view_episode", "change_episode", "add_episodeguest", "view_person"]
    user.user_permissions.set(Permission.objects.filter(content_type__app_label="episodes", codename__in=names))
    client.force_login(user)
    page = as_the_script_sends_it(client, seed_episode)
    assert page["guest_rows-INITIAL_FORMS"] == "0"
    item = seed_episode.items.filter(kind="turn").first()
    assert client.post(change_url(seed_episode), {**page, f"item-{item.pk}-text": "Mine."}).status_code == 302
    assert seed_episode.items.get(pk=item.pk).text == "Mine." and seed_episode.guest_rows.exists()
    assert recorded_as_saved(seed_episode)
