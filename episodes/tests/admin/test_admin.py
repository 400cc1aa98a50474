"""The editor in the admin: the change page, saving, operations, export preview, list and people."""

import io
import stat
import zipfile

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from episodes.documents import database, exporting
from episodes.models import BodyLink, Episode, Person, TranscriptItem
from episodes.tests.support.factories import (
    SEED,
    export,
    import_text,
    make_editor,
    make_episode,
    make_person,
    repeated_transcript_text,
)
from episodes.tests.support.pages import form_fields

pytestmark = pytest.mark.django_db


def change_url(episode):
    return reverse("admin:episodes_episode_change", args=[episode.pk])


def op_url(episode, op):
    return reverse("admin:episodes_episode_op", args=[episode.pk, op])


def page_data(client, episode) -> dict:
    response = client.get(change_url(episode))
    assert response.status_code == 200
    return form_fields(response.content.decode())


def long_episode(repeat: int) -> Episode:
    """The seed episode with its transcript repeated: 2 gives 344 items, 20 gives 3,440."""
    slug = f"seed-x{repeat}"
    import_text(repeated_transcript_text(SEED.read_text(encoding="utf-8"), repeat), slug=slug)
    return Episode.objects.get(slug=slug)


def item_field(episode, position, name):
    item = episode.items.get(position=position)
    return f"item-{item.pk}-{name}"


def test_change_page_shows_editor(admin_client, seed_episode):
    response = admin_client.get(change_url(seed_episode))
    html = response.content.decode()
    assert 'id="transcript-table"' in html and 'id="speakers"' in html
    assert '<a href="#transcript">Transcript ↓</a>' in html  # one click from the top of the page
    assert 'name="_addanother"' not in html and 'name="_saveasnew"' not in html
    assert '<nav class="section-nav"' in html and 'href="#item-3" data-position="3"' in html
    assert "Danny’s background" in html
    assert html.count('class="turn"') == seed_episode.items.filter(kind="turn").count()
    assert "Export preview" in html


@pytest.mark.parametrize("repeat", [1, 20])
def test_change_page_query_count_does_not_grow_with_the_transcript(admin_client, repeat, django_assert_max_num_queries):
    episode = long_episode(repeat)
    admin_client.get(change_url(episode))  # warm the session and permission caches like a real editor's second view
    with django_assert_max_num_queries(20):
        response = admin_client.get(change_url(episode))
    assert response.status_code == 200


def test_same_number_of_queries_for_300_and_3000_items(admin_client):
    counts = []
    for repeat in (2, 20):
        episode = long_episode(repeat)
        admin_client.get(change_url(episode))
        with CaptureQueriesContext(connection) as queries:
            admin_client.get(change_url(episode))
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_saving_unchanged_page_changes_nothing(admin_client, seed_episode, seed_text):
    data = page_data(admin_client, seed_episode)
    response = admin_client.post(change_url(seed_episode), {**data, "_continue": "1"})
    assert response.status_code == 302
    seed_episode.refresh_from_db()
    assert seed_episode.version == 1 and not seed_episode.edited_since_sync
    assert export(seed_episode) == seed_text


def test_editing_one_turn_of_300_writes_one_row(admin_client):
    episode = long_episode(2)
    assert episode.items.count() >= 300
    data = page_data(admin_client, episode)
    data[item_field(episode, 100, "text")] = "A corrected sentence."
    with CaptureQueriesContext(connection) as queries:
        response = admin_client.post(change_url(episode), {**data, "_continue": "1"})
    assert response.status_code == 302
    item_writes = [
        q["sql"]
        for q in queries
        if "episodes_transcriptitem" in q["sql"] and q["sql"].split()[0] in ("INSERT", "UPDATE", "DELETE")
    ]
    assert len(item_writes) == 1 and item_writes[0].startswith("UPDATE"), item_writes
    assert episode.items.get(position=100).text == "A corrected sentence."


def test_edit_metadata_transcript_and_links_exports_only_those_lines(admin_client, seed_episode, seed_text):
    data = page_data(admin_client, seed_episode)
    data["title"] = "MLOps Architect with Danny"
    data[item_field(seed_episode, 0, "who")] = "Alexey G"
    data["body_links-0-text"] = "Matt Turck's landscape"
    response = admin_client.post(change_url(seed_episode), {**data, "_continue": "1"})
    assert response.status_code == 302, response.content.decode()[:2000]
    exported = export(seed_episode).splitlines()
    changed = [(a, b) for a, b in zip(seed_text.splitlines(), exported, strict=True) if a != b]
    assert changed == [
        ("title: MLOps Architect", "title: MLOps Architect with Danny"),
        ("  who: Alexey", "  who: Alexey G"),
        (
            '* [Matt Turck](https://mattturck.com/data2021/){:target="_blank"}',
            '* [Matt Turck\'s landscape](https://mattturck.com/data2021/){:target="_blank"}',
        ),
    ]


def test_reorder_and_add_body_links(admin_client, seed_episode):
    data = page_data(admin_client, seed_episode)
    data["body_links-0-position"], data["body_links-1-position"] = "1", "0"
    total = int(data["body_links-TOTAL_FORMS"])
    data.update(
        {
            "body_links-TOTAL_FORMS": str(total + 1),
            f"body_links-{total}-text": "New link",
            f"body_links-{total}-url": "https://example.com/new",
            f"body_links-{total}-new_tab": "on",
            f"body_links-{total}-position": str(total),
        }
    )
    response = admin_client.post(change_url(seed_episode), {**data, "_continue": "1"})
    assert response.status_code == 302
    texts = list(seed_episode.body_links.values_list("text", flat=True))
    assert texts[:2] == ["AI Observability Platform", "Matt Turck"]
    assert texts[-1] == "New link"
    assert export(seed_episode).endswith('* [New link](https://example.com/new){:target="_blank"}')


def test_javascript_link_is_refused(admin_client, seed_episode):
    data = page_data(admin_client, seed_episode)
    data["body_links-0-url"] = "javascript:alert(1)"
    response = admin_client.post(change_url(seed_episode), {**data, "_continue": "1"})
    assert response.status_code == 200
    assert "Only http:// and https:// links are allowed." in response.content.decode()
    assert not BodyLink.objects.filter(url__startswith="javascript").exists()


def test_bad_time_is_refused_and_input_kept(admin_client, seed_episode):
    data = page_data(admin_client, seed_episode)
    data[item_field(seed_episode, 0, "time")] = "1:5"
    data[item_field(seed_episode, 2, "text")] = "Typed but not saved yet"
    response = admin_client.post(change_url(seed_episode), {**data, "_continue": "1"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Item 1: &#x27;1:5&#x27; is not a time like 1:56 or 1:02:03." in html
    assert "Typed but not saved yet" in html
    assert seed_episode.items.get(position=2).text.startswith("Hi. Thanks")


def test_a_stale_save_of_another_field_merges_and_says_with_whose_save(admin_client, seed_episode):
    data = page_data(admin_client, seed_episode)
    other = page_data(admin_client, seed_episode)
    other["title"] = "Saved first"
    assert admin_client.post(change_url(seed_episode), {**other, "_continue": "1"}).status_code == 302
    data["short"] = "My late edit"
    response = admin_client.post(change_url(seed_episode), {**data, "_continue": "1"}, follow=True)
    said = [str(m) for m in response.context["messages"]]
    assert any(m.startswith("Saved, merged with admin's save of ") and m.endswith("(title).") for m in said)
    seed_episode.refresh_from_db()
    assert seed_episode.short == "My late edit" and seed_episode.title == "Saved first"


def test_extra_keys_yaml_is_validated_and_kept(admin_client):
    import datetime

    episode = make_episode(slug="x", description="Old", dateadded=datetime.date(2024, 5, 1), custom={"a": [1, 2]})
    data = page_data(admin_client, episode)
    assert data["x_description"] == "Old" and data["x_dateadded"] == "2024-05-01"
    assert data["extra_yaml"] == "custom:\n  a:\n  - 1\n  - 2\n"
    bad = {**data, "extra_yaml": "custom: &a [1]\nother: *a\n", "_continue": "1"}
    assert "anchors and aliases" in admin_client.post(change_url(episode), bad).content.decode()
    clash = {**data, "extra_yaml": "title: sneaky\n", "_continue": "1"}
    assert "has its own field above" in admin_client.post(change_url(episode), clash).content.decode()
    good = {**data, "x_description": "New", "extra_yaml": "custom:\n  a: [1, 2, 3]\nnewkey: true\n", "_continue": "1"}
    assert admin_client.post(change_url(episode), good).status_code == 302
    extra = database.load_extra(Episode.objects.get(pk=episode.pk).extra)
    assert extra == {
        "description": "New",
        "dateadded": datetime.date(2024, 5, 1),
        "custom": {"a": [1, 2, 3]},
        "newkey": True,
    }


def post_op(client, episode, op, **data):
    episode.refresh_from_db()
    return client.post(op_url(episode, op), {"version": episode.version, **data})


def test_ops_rename_assign_and_move(admin_client, seed_episode):
    response = post_op(admin_client, seed_episode, "speaker-rename", old="Danny", new="Danny Leybzon")
    assert response.status_code == 302 and response["Location"].endswith("#speakers")
    assert seed_episode.items.filter(who="Danny Leybzon").count() == 89
    post_op(admin_client, seed_episode, "assign", positions=[0, 1, 2], who="Alexey")
    assert list(seed_episode.items.filter(position__lt=3).values_list("who", flat=True)) == ["Alexey"] * 3
    post_op(admin_client, seed_episode, "header-up", position=3)
    assert seed_episode.items.get(position=2).kind == "header"
    post_op(admin_client, seed_episode, "section-down", position=2)
    moved = seed_episode.items.get(text="Danny’s background")
    assert moved.position > 2 and seed_episode.items.get(position=2).kind == "header"


def test_op_with_stale_version_changes_nothing(admin_client, seed_episode):
    response = admin_client.post(op_url(seed_episode, "speaker-rename"), {"version": 0, "old": "Danny", "new": "D"})
    assert response.status_code == 302
    assert not seed_episode.items.filter(who="D").exists()
    messages = [str(m) for m in response.wsgi_request._messages]
    assert any("saved" in m and "after you opened it" in m for m in messages)


def test_op_refuses_get_and_unknown_ops(admin_client, seed_episode):
    assert admin_client.get(op_url(seed_episode, "assign")).status_code == 302
    assert admin_client.post(op_url(seed_episode, "nope"), {}).status_code == 404


def test_export_preview_diff(admin_client, seed_episode):
    url = reverse("admin:episodes_episode_export", args=[seed_episode.pk])
    assert "No changes" in admin_client.get(url).content.decode()
    post_op(admin_client, seed_episode, "speaker-rename", old="Danny", new="Danny L")
    html = admin_client.get(url).content.decode()
    assert '<span class="del">-  who: Danny</span>' in html and '<span class="add">+  who: Danny L</span>' in html
    download = admin_client.get(url + "?download=1")
    assert download["Content-Disposition"] == 'attachment; filename="s10e03-mlops-architect.md"'
    assert download.content.decode() == export(seed_episode)


def test_export_action_matches_export_command(admin_client, seed_episode, tmp_path):
    other = make_episode(slug="other")
    url = reverse("admin:episodes_episode_changelist")
    response = admin_client.post(url, {"action": "export_selected", "_selected_action": [seed_episode.pk, other.pk]})
    exporting.export_episodes(str(tmp_path), Episode.objects.all())
    with zipfile.ZipFile(io.BytesIO(response.content)) as zf:
        for name in zf.namelist():
            assert zf.read(name) == (tmp_path / name).read_bytes()
    assert sorted(zf.namelist()) == ["other.md", "s10e03-mlops-architect.md"]


def test_changelist_columns_search_and_filters(admin_client, seed_episode):
    make_person("dannyleybzon", "Danny Leybzon")
    make_episode(slug="other", season=2)
    url = reverse("admin:episodes_episode_changelist")
    html = admin_client.get(url, {"q": "Leybzon"}).content.decode()
    assert "MLOps Architect" in html and "A test episode" not in html
    html = admin_client.get(url, {"season__exact": "2"}).content.decode()
    assert "A test episode" in html and "MLOps Architect" not in html
    html = admin_client.get(url, {"warnings": "yes"}).content.decode()
    assert "A test episode" in html
    html = admin_client.get(url).content.decode()
    assert "S10E03" in html and "Danny Leybzon" in html and "172" in html


def test_upload_dry_run_then_confirm(admin_client, seed_text):
    url = reverse("admin:episodes_episode_import")
    good = io.BytesIO(seed_text.encode())
    good.name = "s10e03-mlops-architect.md"
    bad = io.BytesIO(b"---\ntitle: [unclosed\n---\n")
    bad.name = "broken.md"
    response = admin_client.post(url, {"files": [good, bad]})
    html = response.content.decode()
    assert "Dry run: nothing saved yet" in html and "s10e03-mlops-architect.md: created" not in html
    assert "broken.md:3: YAML error" in html
    assert not Episode.objects.exists()
    token = response.context["token"]
    response = admin_client.post(url, {"token": token}, follow=True)
    html = response.content.decode()
    assert "Imported: 2 files: 1 created" in html and "broken.md:3: YAML error" in html
    assert Episode.objects.get().slug == "s10e03-mlops-architect"


def test_upload_shows_diff_and_honours_the_edit_rule(admin_client, seed_episode, seed_text):
    post_op(admin_client, seed_episode, "speaker-rename", old="Danny", new="Dan")
    url = reverse("admin:episodes_episode_import")
    upload = io.BytesIO(seed_text.replace("title: MLOps Architect", "title: Renamed").encode())
    upload.name = "s10e03-mlops-architect.md"
    html = admin_client.post(url, {"files": [upload]}).content.decode()
    assert "edited in the CMS" in html
    upload.seek(0)
    response = admin_client.post(url, {"files": [upload], "force": "on"})
    html = response.content.decode()
    assert "updated" in html and "+title: Renamed" in html
    admin_client.post(url, {"token": response.context["token"]})
    assert Episode.objects.get().title == "Renamed"


def test_people_admin_lists_episodes_and_marks_profiles(admin_client, seed_episode):
    person = Person.objects.get(key="dannyleybzon")
    url = reverse("admin:episodes_person_change", args=[person.pk])
    html = admin_client.get(url).content.decode()
    assert "MLOps Architect" in html
    data = form_fields(html, "person_form")
    data["name"] = "Danny Leybzon"
    assert admin_client.post(url, data).status_code == 302
    person.refresh_from_db()
    assert person.has_profile and person.name == "Danny Leybzon"


def test_a_persons_name_with_a_control_character_is_a_form_error(admin_client, seed_episode):
    # A U+000B (Word's Shift+Enter) in a name took the feed down for every reader.
    person = Person.objects.get(key="dannyleybzon")
    url = reverse("admin:episodes_person_change", args=[person.pk])
    data = form_fields(admin_client.get(url).content.decode(), "person_form")
    data["name"] = "Danny\x0bLeybzon"
    response = admin_client.post(url, data)
    assert response.status_code == 200 and "The character U+000B cannot be saved" in response.content.decode()
    assert Person.objects.get(pk=person.pk).name == person.name


def test_a_person_saved_unchanged_keeps_the_biography_as_typed(admin_client):
    text = '---\nshort: janedoe\ntitle: "Jane Doe"\n---\n\n  Jane builds data teams.\n\n'
    import_text(text, slug="janedoe", person=True)
    person = Person.objects.get(key="janedoe")
    url = reverse("admin:episodes_person_change", args=[person.pk])
    data = form_fields(admin_client.get(url).content.decode(), "person_form")
    data["twitter"] = "janedoe"
    assert admin_client.post(url, data).status_code == 302
    exported = exporting.person_text(Person.objects.get(pk=person.pk))
    assert exported == "---\nshort: janedoe\ntitle: Jane Doe\ntwitter: janedoe\n---\n\n  Jane builds data teams.\n\n"


def test_people_export_action_writes_profiles(admin_client):
    make_person("janedoe", "Jane Doe", front_keys=["short", "title"], short="janedoe")
    url = reverse("admin:episodes_person_changelist")
    response = admin_client.post(url, {"action": "export_profiles", "_selected_action": [Person.objects.get().pk]})
    with zipfile.ZipFile(io.BytesIO(response.content)) as zf:
        assert zf.read("_people/janedoe.md").decode() == "---\nshort: janedoe\ntitle: Jane Doe\n---\n"


def test_editors_group_reaches_content_not_users(client, seed_episode):
    client.force_login(make_editor("ed"))
    assert client.get(change_url(seed_episode)).status_code == 200
    assert client.get(reverse("admin:auth_user_changelist")).status_code == 403
    assert client.get(reverse("admin:episodes_episode_import")).status_code == 200


def test_transcript_items_are_read_only_in_their_list(admin_client, seed_episode):
    item = TranscriptItem.objects.filter(episode=seed_episode).first()
    assert admin_client.get(reverse("admin:episodes_transcriptitem_changelist")).status_code == 200
    url = reverse("admin:episodes_transcriptitem_change", args=[item.pk])
    assert 'name="_save"' not in admin_client.get(url).content.decode()
    assert admin_client.post(url, {"who": "Someone else"}).status_code == 403


def test_add_an_episode_in_the_cms(admin_client):
    make_person("janedoe", "Jane Doe")
    url = reverse("admin:episodes_episode_add")
    data = form_fields(admin_client.get(url).content.decode())
    assert data["status"] == "draft"
    data.update(
        {
            "slug": "new-episode",
            "title": "A new episode",
            "season": "3",
            "number": "1",
            "guest_rows-TOTAL_FORMS": "1",
            "guest_rows-0-person": str(Person.objects.get().pk),
            "body_links-TOTAL_FORMS": "2",
            "body_links-0-text": "First",
            "body_links-0-url": "https://example.com/1",
            "body_links-1-text": "Second",
            "body_links-1-url": "https://example.com/2",
        }
    )
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    episode = Episode.objects.get(slug="new-episode")
    assert episode.status == "draft" and episode.edited_since_sync
    assert list(episode.body_links.values_list("text", "position")) == [("First", 0), ("Second", 1)]
    text = export(episode)
    assert text.startswith("---\nepisode: 1\nguests:\n- janedoe\nseason: 3\ntitle: A new episode\n---")
    assert "Links:\n\n* [First](https://example.com/1)" in text


def test_a_save_without_javascript_merges_over_the_other_editors_transcript_changes(admin_client, seed_episode):
    mine = page_data(admin_client, seed_episode)  # without JavaScript a page posts every field
    theirs = page_data(admin_client, seed_episode)
    their_text, their_who = item_field(seed_episode, 5, "text"), item_field(seed_episode, 6, "who")
    my_text = item_field(seed_episode, 8, "text")
    theirs.update({their_text: "Their fix.", their_who: "Their label"})
    assert admin_client.post(change_url(seed_episode), {**theirs, "_continue": "1"}).status_code == 302
    # Meanwhile the other editor also starts a section, which moves every later turn down one place.
    post_op(admin_client, seed_episode, "section-add", position=2, title="Their section")
    mine[my_text] = "My fix."
    assert admin_client.post(change_url(seed_episode), {**mine, "_continue": "1"}).status_code == 302
    texts = dict(seed_episode.items.values_list("position", "text"))
    assert (texts[2], texts[6], texts[9]) == ("Their section", "Their fix.", "My fix.")
    assert seed_episode.items.get(position=7).who == "Their label"


def dry_run(client, text: str, name: str = "s10e03-mlops-architect.md", **fields):
    upload = io.BytesIO(text.encode())
    upload.name = name
    return client.post(reverse("admin:episodes_episode_import"), {"files": [upload], **fields})


def test_uploads_wait_in_a_private_folder_of_their_own(admin_client, seed_text, upload_dir):
    response = dry_run(admin_client, seed_text)
    assert response.context["dry_run"]
    assert stat.S_IMODE(upload_dir.stat().st_mode) == 0o700
    (staged,) = upload_dir.iterdir()
    assert stat.S_IMODE(staged.stat().st_mode) == 0o700
    assert [stat.S_IMODE(p.stat().st_mode) for p in staged.iterdir()] == [0o600]
    admin_client.post(reverse("admin:episodes_episode_import"), {"token": response.context["token"]})
    assert Episode.objects.count() == 1 and not list(upload_dir.iterdir())


@pytest.mark.parametrize("kind", ["symlink", "shared"])
def test_an_upload_folder_that_is_not_private_is_refused(admin_client, seed_text, upload_dir, tmp_path, kind):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir(mode=0o700)
    if kind == "symlink":
        upload_dir.symlink_to(elsewhere)
    else:
        upload_dir.mkdir()
        upload_dir.chmod(0o777)
    html = dry_run(admin_client, seed_text).content.decode()
    assert "is not private to this server" in html
    assert "symbolic link" in html if kind == "symlink" else "777" in html
    assert not list(elsewhere.iterdir()) and not Episode.objects.exists()


def test_confirm_imports_only_the_files_the_dry_run_showed(admin_client, seed_text, upload_dir):
    response = dry_run(admin_client, seed_text)
    (staged,) = upload_dir.iterdir()
    (stored,) = staged.iterdir()
    stored.write_text(seed_text.replace("MLOps Architect", "Swapped"), encoding="utf-8")
    response = admin_client.post(
        reverse("admin:episodes_episode_import"), {"token": response.context["token"]}, follow=True
    )
    assert "changed after the dry run" in response.content.decode()
    assert not Episode.objects.exists()


def test_confirm_refuses_a_forged_or_another_editors_token(admin_client, client, seed_text, upload_dir):
    token = dry_run(admin_client, seed_text).context["token"]
    forged = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    html = admin_client.post(reverse("admin:episodes_episode_import"), {"token": forged}, follow=True).content.decode()
    assert "no longer available" in html
    other = make_editor("other-editor")
    client.force_login(other)
    html = client.post(reverse("admin:episodes_episode_import"), {"token": token}, follow=True).content.decode()
    assert "no longer available" in html
    assert not Episode.objects.exists()


def test_the_upload_page_says_how_to_overwrite_in_its_own_words(admin_client, seed_episode, seed_text, upload_dir):
    post_op(admin_client, seed_episode, "speaker-rename", old="Danny", new="Dan")
    html = dry_run(admin_client, seed_text.replace("MLOps Architect", "Renamed")).content.decode()
    assert "tick “Overwrite episodes edited in the CMS”" in html and "--force" not in html
