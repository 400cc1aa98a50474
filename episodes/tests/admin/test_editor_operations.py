"""The editor's operations as the page's script sends them: JSON answers with the changed rows, undo,
flat query counts, and bad input answered with a message, never a server error."""

import json

import pytest
from django.contrib.admin.models import LogEntry
from django.db import OperationalError, connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from episodes import services
from episodes.documents import database
from episodes.models import Episode, Revision
from episodes.tests.public.test_search import check_index, found
from episodes.tests.support.factories import SEED, import_text, make_episode, repeated_transcript_text
from episodes.tests.support.pages import form_fields

pytestmark = pytest.mark.django_db
JSON = {"HTTP_ACCEPT": "application/json"}


def op(client, episode, name, **data):
    episode.refresh_from_db()
    data.setdefault("version", episode.version)
    response = client.post(reverse("admin:episodes_episode_op", args=[episode.pk, name]), data, **JSON)
    return response.status_code, json.loads(response.content)


def change_url(episode):
    return reverse("admin:episodes_episode_change", args=[episode.pk])


def long_episode(repeat: int) -> Episode:
    slug = f"seed-x{repeat}"
    import_text(repeated_transcript_text(SEED.read_text(encoding="utf-8"), repeat), slug=slug)
    return Episode.objects.get(slug=slug)


def test_an_operation_answers_with_only_the_rows_it_changed(admin_client, seed_episode):
    status, reply = op(admin_client, seed_episode, "assign", positions=[4, 5, 6], who="Alexey")
    assert status == 200 and reply["ok"] and reply["message"] == "Gave 2 turns to Alexey."
    assert sorted(map(int, reply["rows"])) == [5, 6]  # turn 5 was Alexey's already
    assert all('value="Alexey"' in html for html in reply["rows"].values())
    assert reply["version"] == 2 and reply["count"] == seed_episode.items.count()
    assert "Alexey" in reply["panels"]["speakers"] and "datalist" in reply["panels"]["labels"]
    assert reply["undo"]["version"] == 2


def test_a_structural_operation_sends_the_rows_that_moved(admin_client, seed_episode):
    count = seed_episode.items.count()
    status, reply = op(admin_client, seed_episode, "section-add", position=100, title="New part")
    assert status == 200 and reply["count"] == count + 1
    # Item 99, a header, now has an empty section: its warning changed too.
    assert sorted(map(int, reply["rows"])) == list(range(99, count + 1))
    assert "has no turn after it" in reply["rows"]["99"]
    assert "New part" in reply["rows"]["100"] and "New part" in reply["panels"]["sections"]


def undo(client, reply):
    response = client.post(reply["undo"]["url"], {"version": reply["undo"]["version"]}, **JSON)
    return response.status_code, json.loads(response.content)


def test_undo_takes_an_operation_back_and_every_other_item_keeps_its_row(admin_client, seed_episode, seed_text):
    ids = list(seed_episode.items.values_list("pk", flat=True))
    _, reply = op(admin_client, seed_episode, "turn-insert", position=3)
    status, reply = undo(admin_client, reply)
    assert status == 200 and reply["message"] == "Undone: back to version 1."
    assert reply["count"] == len(ids) and sorted(map(int, reply["rows"])) == list(range(3, len(ids)))
    assert database.export_text(Episode.objects.get(pk=seed_episode.pk)) == seed_text
    assert list(seed_episode.items.values_list("pk", flat=True)) == ids
    _, reply = op(admin_client, seed_episode, "delete", positions=[10, 11])
    _, reply = undo(admin_client, reply)
    assert database.export_text(Episode.objects.get(pk=seed_episode.pk)) == seed_text
    kept = list(seed_episode.items.values_list("pk", flat=True))
    assert kept[:10] == ids[:10] and kept[12:] == ids[12:]
    check_index()
    assert found("paralegal")
    assert Revision.objects.filter(episode=seed_episode).count() == 5  # import, two operations, two undos


def test_undo_refuses_when_someone_changed_the_episode_since(admin_client, seed_episode):
    _, reply = op(admin_client, seed_episode, "assign", positions=[4], who="Alexey")
    op(admin_client, seed_episode, "assign", positions=[5], who="Alexey")
    response = admin_client.post(reply["undo"]["url"], {"version": reply["undo"]["version"]}, **JSON)
    assert response.status_code == 409 and "after you opened it" in json.loads(response.content)["message"]


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("assign", {"positions": [4, 5, 6, 7, 8], "who": "Alexey"}),
        ("swap", {"positions": [4, 5, 6], "a": "Alexey", "b": "Danny"}),
        ("speaker-rename", {"old": "Danny", "new": "Danny L"}),
        ("speaker-merge", {"source": "Danny", "target": "Alexey"}),
        ("speaker-tie", {"label": "Danny", "person": "nobody"}),
        ("header-down", {"position": 3}),
        ("section-down", {"position": 3}),
        ("section-add", {"position": 5}),
        ("turn-insert", {"position": 5}),
        ("delete", {"positions": [5, 6]}),
        ("section-delete", {"position": 3}),
    ],
)
def test_every_operation_costs_the_same_queries_at_344_and_3440_items(admin_client, name, data):
    counts = []
    for repeat in (2, 20):
        episode = long_episode(repeat)
        admin_client.get(change_url(episode))  # the session and permission caches, as for a real editor
        episode.refresh_from_db()
        with CaptureQueriesContext(connection) as queries:
            response = admin_client.post(
                reverse("admin:episodes_episode_op", args=[episode.pk, name]),
                {"version": episode.version, **data},
                **JSON,
            )
        assert response.status_code == 200, response.content[:500]
        counts.append(len(queries))
    assert counts[0] == counts[1], counts


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("assign", {"positions": [10**30], "who": "Alexey"}, "There is no item"),
        ("assign", {"positions": ["x"], "who": "Alexey"}, "Positions must be whole numbers"),
        ("delete", {"positions": [-1]}, "There is no item 0"),
        ("header-up", {"position": 10**30}, "Ensure this value is less than or equal to"),
        ("speaker-rename", {"old": "Danny", "new": "x" * 201}, "at most 200 characters"),
        ("speaker-rename", {"old": "Danny", "new": "Dan\x00ny"}, "Null characters are not allowed"),
        ("section-add", {"position": 2, "title": "Part\x00two"}, "Null characters are not allowed"),
        # What Word's Shift+Enter pastes, or any control character: pages and the feed cannot carry it.
        ("speaker-rename", {"old": "Danny", "new": "Dan\x0bny"}, "The character U+000B cannot be saved"),
        ("section-add", {"position": 2, "title": "Part\x1btwo"}, "The character U+001B cannot be saved"),
        ("chapters-paste", {"chapters": "00:00 Intro\n01:00 Part\x0btwo\n"}, "Chapters: The character U+000B"),
        ("header-before", {"title": "x"}, "Select the turn the new section starts with"),
        ("speaker-tie", {"label": "Danny", "person": "nobody-with-that-key"}, "no person with the key"),
        ("header-up", {"position": 0}, "is not a section header"),
    ],
)
def test_bad_input_is_a_message_and_changes_nothing(admin_client, seed_episode, seed_text, name, data, message):
    status, reply = op(admin_client, seed_episode, name, **data)
    assert status == 400 and message in reply["message"], reply["message"]
    assert database.export_text(Episode.objects.get(pk=seed_episode.pk)) == seed_text
    # Without the script the same post is a redirect with the message, never a server error.
    response = admin_client.post(
        reverse("admin:episodes_episode_op", args=[seed_episode.pk, name]), {"version": 1, **data}, follow=True
    )
    assert response.status_code == 200 and message in response.content.decode()


def test_renaming_onto_another_label_asks_to_merge(admin_client, seed_episode):
    status, reply = op(admin_client, seed_episode, "speaker-rename", old="Danny", new="alexey")
    assert status == 400 and "'Alexey' is already a speaker" in reply["message"]
    assert reply["offer"] == {
        "operation": "speaker-merge",
        "data": {"source": "Danny", "target": "Alexey"},
        "label": "Merge into Alexey",
    }
    assert seed_episode.items.filter(who="Danny").count() == 89 and Episode.objects.get().version == 1
    status, reply = op(admin_client, seed_episode, "speaker-merge", **reply["offer"]["data"])
    assert status == 200 and not seed_episode.items.filter(who="Danny").exists()


def test_deleting_the_first_header_says_where_its_turns_went(admin_client, seed_episode):
    first = seed_episode.items.filter(kind="header").order_by("position").first().position
    status, reply = op(admin_client, seed_episode, "section-delete", position=first)
    assert status == 200 and "its turns now come before the first section" in reply["message"]
    second = seed_episode.items.filter(kind="header").order_by("position")[1].position
    status, reply = op(admin_client, seed_episode, "section-delete", position=second)
    assert "its turns joined the section before" in reply["message"]


def test_a_stale_operation_is_refused_with_who_saved(admin_client, seed_episode):
    status, reply = op(admin_client, seed_episode, "assign", positions=[4], who="Alexey", version=0)
    assert status == 409 and "after you opened it" in reply["message"]


# -- saving the page ---------------------------------------------------------------------------------------


def page_data(client, episode) -> dict:
    return form_fields(client.get(change_url(episode)).content.decode())


def as_the_script_sends_it(data: dict) -> dict:
    """The page's script renumbers the small lists' positions from 0 across the list and sends only the
    transcript fields that changed (none here)."""
    sent = {k: v for k, v in data.items() if not k.startswith("item-")}
    for prefix in ("guest_rows", "platform_refs", "body_links"):
        rows = [k for k in sent if k.startswith(f"{prefix}-") and k.endswith("-position") and "__prefix__" not in k]
        for index, key in enumerate(sorted(rows, key=lambda k: int(k.split("-")[1]))):
            sent[key] = str(index)
    return sent


def test_a_save_that_changes_nothing_records_nothing(admin_client, seed_episode):
    data = as_the_script_sends_it(page_data(admin_client, seed_episode))
    logged = LogEntry.objects.count()
    response = admin_client.post(change_url(seed_episode), {**data, "_continue": "1"}, follow=True)
    assert "No changes: nothing was saved." in response.content.decode()
    seed_episode.refresh_from_db()
    assert seed_episode.version == 1 and Revision.objects.filter(episode=seed_episode).count() == 1
    assert LogEntry.objects.count() == logged


def test_a_title_only_save_costs_at_most_20_queries(admin_client, seed_episode):
    data = as_the_script_sends_it(page_data(admin_client, seed_episode))
    data["title"] = "A better title"
    with CaptureQueriesContext(connection) as queries:
        response = admin_client.post(change_url(seed_episode), {**data, "_continue": "1"})
    assert response.status_code == 302
    # The test's own transaction turns each atomic block into SAVEPOINT / RELEASE statements; a server's
    # request has a plain transaction instead, which is not a query.
    sql = [q["sql"] for q in queries if not q["sql"].startswith(("SAVEPOINT", "RELEASE SAVEPOINT"))]
    assert len(sql) <= 20, "\n".join(text[:150] for text in sql)
    assert Episode.objects.get().title == "A better title"


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("time", "99999999999999999999:00:00", "is not a time like 1:56"),
        ("time", "9999999999:00:00", "is not a time like 1:56"),
        ("who", "x" * 201, "the speaker can have at most 200 characters"),
        ("text", "a\x00b", "a NUL character (U+0000) cannot be saved"),
        ("who", "A\x00", "a NUL character (U+0000) cannot be saved"),
        ("text", "line\x0bbreak", "the character U+000B cannot be saved"),
        ("who", "A\x07", "the character U+0007 cannot be saved"),
    ],
)
def test_bad_transcript_input_is_shown_on_its_row_and_kept(admin_client, seed_episode, field, value, message):
    item = seed_episode.items.filter(kind="turn").order_by("position")[3]
    data = page_data(admin_client, seed_episode)
    data[f"item-{item.pk}-{field}"] = value
    response = admin_client.post(change_url(seed_episode), {**data, "_continue": "1"})
    html = response.content.decode()
    assert response.status_code == 200 and message in html
    assert f'id="error-{item.pk}"' in html or field != "time"
    assert Episode.objects.get().version == 1


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("title", "Line\x0bbreak", "The character U+000B cannot be saved"),
        ("body", "Text\x0c\n", "The character U+000C cannot be saved"),
        ("extra_yaml", 'notes: "a\\vb"\n', "line 1: &#x27;notes&#x27; holds the character U+000B"),
    ],
)
def test_text_pages_and_the_feed_cannot_carry_is_a_form_error_and_nothing_saved(
    admin_client, seed_episode, field, value, message
):
    data = page_data(admin_client, seed_episode)
    data[field] = value
    response = admin_client.post(change_url(seed_episode), {**data, "_continue": "1"})
    assert response.status_code == 200 and message in response.content.decode()
    assert Episode.objects.get().version == 1


def test_an_item_of_another_episode_is_refused_on_the_form(admin_client, seed_episode):
    other = make_episode(slug="other")
    foreign = other.items.first()
    data = page_data(admin_client, seed_episode)
    data[f"item-{foreign.pk}-text"] = "Not yours."
    response = admin_client.post(change_url(seed_episode), {**data, "_continue": "1"})
    assert response.status_code == 200 and "is not part of this episode" in response.content.decode()
    assert Episode.objects.get(slug="other").items.get(pk=foreign.pk).text != "Not yours."


def test_a_full_disk_keeps_what_the_editor_typed(admin_client, seed_episode, monkeypatch):
    data = page_data(admin_client, seed_episode)
    data["title"] = "Typed before the disk filled up"
    item = seed_episode.items.order_by("position").first()
    data[f"item-{item.pk}-text"] = "My careful fix."

    def full(**kwargs):
        raise OperationalError("database or disk is full")

    monkeypatch.setattr(services, "episode_save", full)
    response = admin_client.post(change_url(seed_episode), {**data, "_continue": "1"})
    html = response.content.decode()
    assert response.status_code == 200 and "Could not be saved: the disk is full." in html
    fields = form_fields(html)
    assert fields["title"] == "Typed before the disk filled up"
    assert fields[f"item-{item.pk}-text"] == "My careful fix."
    assert Episode.objects.get().version == 1


def test_a_save_too_big_to_read_says_so(admin_client, seed_episode, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024 * 1024
    data = page_data(admin_client, seed_episode)
    item = seed_episode.items.order_by("position").first()
    data[f"item-{item.pk}-text"] = "x" * (1024 * 1024 + 10)
    response = admin_client.post(change_url(seed_episode), {**data, "_continue": "1"})
    assert response.status_code == 413
    assert "over the 1 MB one request may carry" in response.content.decode()
