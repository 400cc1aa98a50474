"""Revisions: every save records one, diffs between any two, revert, and the stale-page refusal."""

import threading

import pytest
from django.db import connection
from django.urls import reverse

from episodes import services
from episodes.admin.editor.history import revision_review
from episodes.documents.revisions import snapshot
from episodes.models import Episode, Revision, TranscriptItem
from episodes.tests.support.factories import export, import_text, make_episode
from episodes.tests.support.pages import form_fields

pytestmark = pytest.mark.django_db


def revisions(episode):
    return list(Revision.objects.for_episode(episode))


def test_import_and_each_operation_record_a_revision(seed_episode, seed_text):
    first = revisions(seed_episode)
    assert len(first) == 1 and first[0].is_source and first[0].summary.startswith("created from")
    assert snapshot(first[0]) == seed_text
    services.speaker_rename(episode=seed_episode, old="Danny", new="Danny Leybzon")
    services.section_move(episode=seed_episode, position=3, offset=1)
    latest = revisions(seed_episode)
    assert [r.summary for r in latest[:2]] == [
        "moved section 'Danny’s background' down",
        "renamed speaker Danny → Danny Leybzon",
    ]
    assert [r.version for r in latest] == [3, 2, 1]
    assert snapshot(latest[0]) == export(seed_episode)


def test_edits_are_stored_compressed_and_imports_as_they_came(seed_episode, seed_text):
    services.speaker_rename(episode=seed_episode, old="Danny", new="Danny Leybzon")
    edit, imported = revisions(seed_episode)
    assert len(bytes(edit.compressed_text)) < len(seed_text.encode()) / 2
    assert len(bytes(imported.compressed_text)) < len(seed_text.encode()) * 1.01
    assert snapshot(imported) == seed_text


def test_review_of_a_single_turn_edit_names_it_in_words_and_shows_only_that_line(seed_episode):
    item = seed_episode.items.get(position=5)
    services.transcript_save(episode=seed_episode, edits={item.pk: services.ItemEdit(who="Daniel")})
    newer, older = revisions(seed_episode)[:2]
    review = revision_review(older, newer)
    assert review.changes == [f"turn 6 at {item.time}: speaker Danny → Daniel"]
    assert review.line_count == 2
    assert '<span class="del">-  who: Danny</span><span class="add">+  who: Daniel</span>' in review.diff_lines


def test_revert_restores_an_earlier_version_as_a_new_revision(seed_episode, seed_text):
    services.speaker_rename(episode=seed_episode, old="Danny", new="D")
    services.items_delete(episode=seed_episode, positions=[0, 1, 2])
    original = revisions(seed_episode)[-1]
    services.episode_revert(episode=seed_episode, revision=original)
    assert export(seed_episode) == seed_text
    latest = revisions(seed_episode)[0]
    assert latest.summary.startswith("reverted to version 1") and latest.version == 4
    assert Episode.objects.get(pk=seed_episode.pk).edited_since_sync


def test_revert_keeps_speaker_ties_and_status(seed_episode):
    Episode.objects.filter(pk=seed_episode.pk).update(status=Episode.Status.DRAFT)
    services.speaker_tie(episode=seed_episode, label="Danny", person=None)
    services.episode_revert(episode=seed_episode, revision=revisions(seed_episode)[-1])
    episode = Episode.objects.get(pk=seed_episode.pk)
    assert episode.status == Episode.Status.DRAFT and episode.speakers.count() == 1


def test_revert_refuses_a_revision_of_another_episode(seed_episode):
    other = make_episode(slug="other")
    with pytest.raises(services.ServiceError, match="another episode"):
        services.episode_revert(episode=seed_episode, revision=revisions(other)[0])


def test_history_page_diffs_any_two_and_against_the_original(admin_client, seed_episode):
    services.speaker_rename(episode=seed_episode, old="Danny", new="Dan")
    services.section_rename(episode=seed_episode, position=3, title="Background")
    url = reverse("admin:episodes_episode_history", args=[seed_episode.pk])
    html = admin_client.get(url).content.decode()
    assert "renamed section" in html and "renamed speaker Danny → Dan" in html
    assert '<span class="add">+- header: Background</span>' in html
    assert '<span class="ctx"> ' in html  # context lines are lines of their own too
    assert "who: Dan" not in html.split("Changes from")[1] or "+  who: Dan" not in html
    html = admin_client.get(url, {"a": "original"}).content.decode()
    assert '<span class="add">+  who: Dan</span>' in html and '<span class="add">+- header: Background</span>' in html


def test_revert_through_the_admin_asks_first(admin_client, seed_episode, seed_text):
    services.speaker_rename(episode=seed_episode, old="Danny", new="Dan")
    first = revisions(seed_episode)[-1]
    seed_episode.refresh_from_db()
    url = reverse("admin:episodes_episode_revert", args=[seed_episode.pk, first.pk])
    history = admin_client.get(reverse("admin:episodes_episode_history", args=[seed_episode.pk])).content.decode()
    assert f'href="{url}"' in history and "<button" not in history.split("Revert to this")[0][-200:]
    page = admin_client.get(url).content.decode()
    assert "Revert to version 1" in page and '<span class="add">+  who: Danny</span>' in page
    assert Episode.objects.get().version == 2  # asking changed nothing
    response = admin_client.post(url, {"version": seed_episode.version})
    assert response.status_code == 302
    assert export(seed_episode) == seed_text


def test_admin_save_records_who_and_what(admin_client, admin_user, seed_episode):
    url = reverse("admin:episodes_episode_change", args=[seed_episode.pk])
    data = form_fields(admin_client.get(url).content.decode())
    data["title"] = "New title"
    admin_client.post(url, {**data, "_continue": "1"})
    latest = revisions(seed_episode)[0]
    assert latest.user == admin_user and latest.summary == "edited title"


def test_a_second_editor_saving_another_change_is_merged_and_sees_the_difference_on_a_conflict(
    admin_client, seed_episode
):
    url = reverse("admin:episodes_episode_change", args=[seed_episode.pk])
    mine = form_fields(admin_client.get(url).content.decode())
    services.speaker_rename(episode=seed_episode, old="Danny", new="Danny L")
    services.episode_save(episode=seed_episode, fields={"title": "Their title"})
    # As the page's script does: transcript fields the editor did not change are not sent.
    mine = {name: value for name, value in mine.items() if not name.startswith("item-")}
    response = admin_client.post(url, {**mine, "title": "My title", "_continue": "1"})
    html = response.content.decode()
    assert "changed the same thing since you opened the page" in html and "My title" in html
    assert '<span class="add">+  who: Danny L</span>' in html
    # Keeping mine and saving again goes through, over the other change.
    again = form_fields(html)
    assert again["title"] == "My title" and again["resolve-title"] == "mine"
    assert admin_client.post(url, {**again, "_continue": "1"}).status_code == 302
    episode = Episode.objects.get(pk=seed_episode.pk)
    assert episode.title == "My title" and episode.items.filter(who="Danny L").exists()


@pytest.mark.django_db(transaction=True)
def test_concurrent_operations_keep_positions_dense_and_unique(seed_text):
    import_text(seed_text)
    episode = Episode.objects.get()
    errors = []

    def work(offset):
        try:
            for i in range(5):
                services.turn_insert(episode=episode, position=offset + i, text=f"thread {offset} turn {i}")
                services.items_delete(episode=episode, positions=[offset + 20])
        except Exception as exc:  # noqa: BLE001 - the test reports whatever a thread hit
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=(offset,)) for offset in (0, 40)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors
    items = TranscriptItem.objects.filter(episode=episode).order_by("position")
    positions = list(items.values_list("position", flat=True))
    assert positions == list(range(172))
    assert Episode.objects.get().version == 21


def test_database_refuses_duplicate_positions(seed_episode):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        TranscriptItem.objects.filter(episode=seed_episode, position=1).update(position=0)
