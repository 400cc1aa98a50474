"""Raw transcripts and chapter lists in the admin: upload or paste, preview, apply; clips in the editor."""

import io
import json

import pytest
from django.urls import reverse

from episodes.documents import database
from episodes.models import Episode, Revision
from episodes.tests.support.factories import make_episode
from episodes.tests.support.transcripts import TALK, chapter_list, plain_text, turns, webvtt

pytestmark = pytest.mark.django_db
JSON = {"HTTP_ACCEPT": "application/json"}


def transcript_url(episode):
    return reverse("admin:episodes_episode_transcript", args=[episode.pk])


def upload(name: str, text: str):
    data = io.BytesIO(text.encode())
    data.name = name
    return data


def front(episode) -> dict:
    return database.episode_document(Episode.objects.get(pk=episode.pk)).front


def test_paste_a_transcript_preview_then_apply_as_one_revision(admin_client, upload_dir):
    episode = make_episode(slug="talk")
    url = transcript_url(episode)
    refused = admin_client.post(url, {"text": plain_text(TALK)})
    assert "already has a transcript" in refused.content.decode() or "--replace" in refused.content.decode()
    preview = admin_client.post(url, {"text": plain_text(TALK), "replace": "on"})
    html = preview.content.decode()
    assert "Preview: nothing changed yet" in html and "5 turns and 2 sections read as" in html
    assert "Tell us about your career: &lt;all&gt; of it &amp; more." in html
    assert front(episode)["transcript"][0] == {"header": "Intro"}  # nothing changed yet
    revisions = Revision.objects.filter(episode=episode).count()
    applied = admin_client.post(url, {"token": preview.context["token"]})
    assert applied.status_code == 302 and applied["Location"].endswith("#transcript")
    assert front(episode)["transcript"] == TALK
    assert Revision.objects.filter(episode=episode).count() == revisions + 1
    assert not list(upload_dir.iterdir())


def test_a_new_draft_episode_from_a_vtt_file_and_a_chapter_list(admin_client, upload_dir):
    url = reverse("admin:episodes_episode_new_from_transcript")
    assert (
        "New episode from a transcript"
        in admin_client.get(reverse("admin:episodes_episode_changelist")).content.decode()
    )
    data = {
        "slug": "a-new-talk",
        "title": "A new talk",
        "file": upload("talk.vtt", webvtt(TALK)),
        "chapters_file": upload("chapters.txt", chapter_list(TALK)),
    }
    preview = admin_client.post(url, data)
    assert "A new draft episode" in preview.content.decode()
    assert not Episode.objects.filter(slug="a-new-talk").exists()
    applied = admin_client.post(url, {"token": preview.context["token"]})
    episode = Episode.objects.get(slug="a-new-talk")
    assert applied["Location"].startswith(reverse("admin:episodes_episode_change", args=[episode.pk]))
    assert episode.status == Episode.Status.DRAFT and episode.title == "A new talk"
    data = front(episode)
    assert [item.get("header") for item in data["transcript"] if "header" in item] == ["Welcome", "Career"]
    assert [clip["name"] for clip in data["quotableClips"]] == ["Welcome", "Career"]


SLIPS = "0:09\nJane\nHi.\n\n0:05\nAlexey\nBack in time.\n\n37:567\nJane\nOdd.\n\n0:30\nJane\n"


@pytest.mark.parametrize("new", [False, True])
def test_what_the_site_accepts_is_previewed_and_applied_with_its_warnings_and_strict_refuses_it(
    admin_client, upload_dir, new
):
    if new:
        url, fields = reverse("admin:episodes_episode_new_from_transcript"), {"slug": "slips"}
    else:
        episode = make_episode(slug="slips", transcript=[])
        url, fields = transcript_url(episode), {}
    before = [database.export_text(e) for e in Episode.objects.all()]
    page = admin_client.get(url).content.decode()
    assert 'name="strict"' in page and "Strict: refuse on any warning" in page
    lines = [
        "pasted transcript.txt:5: the time 0:05 comes after 0:09",
        "pasted transcript.txt:9: &#x27;37:567&#x27; is not a time",
        "pasted transcript.txt:15: the turn at 0:30 (line 13) has a speaker line but no text line",
    ]
    refused = admin_client.post(url, {**fields, "text": SLIPS, "strict": "on"}).content.decode()
    assert "refused (strict: refuse on any warning): 3 warnings" in refused and all(x in refused for x in lines)
    assert "Preview: nothing changed yet" not in refused and not list(upload_dir.iterdir())
    assert [database.export_text(e) for e in Episode.objects.all()] == before
    preview = admin_client.post(url, {**fields, "text": SLIPS})
    html = preview.content.decode()
    assert "3 warnings in the file: kept as the file has them" in html and all(x in html for x in lines)
    applied = admin_client.post(url, {"token": preview.context["token"]}, follow=True)
    said = [str(m) for m in applied.context["messages"]]
    assert any(m.startswith("Kept with 3 warnings: pasted transcript.txt:5: the time 0:05") for m in said), said
    items = front(Episode.objects.get(slug="slips"))["transcript"]
    assert [(i.get("sec"), i["time"], i["line"]) for i in items] == [
        (9, "0:09", "Hi."),
        (5, "0:05", "Back in time."),
        (None, "37:567", "Odd."),
        (30, "0:30", ""),
    ]


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({}, "Choose a transcript file or paste the transcript."),
        ({"text": "just some words\nand more\n"}, "pasted transcript.txt:"),
        ({"file": ("talk.docx", "not a zip")}, "talk.docx:1:"),
        ({"text": "0:09\nJane\nHi.\n\n0:05\n\nAlexey\nBack in time.\n", "replace": "on"}, "pasted transcript.txt:6:"),
        ({"text": "0:09\nJane\nHi.\n\n0:05\nAlexey\nBack in time.\n", "strict": "on"}, "pasted transcript.txt:5: the"),
    ],
)
def test_bad_input_is_refused_on_the_form_with_its_line(admin_client, upload_dir, fields, message):
    episode = make_episode(slug="talk", transcript=[])
    before = database.export_text(episode)
    data = {k: upload(*v) if isinstance(v, tuple) else v for k, v in fields.items()}
    response = admin_client.post(transcript_url(episode), data)
    assert response.status_code == 200 and message in response.content.decode()
    assert database.export_text(Episode.objects.get(pk=episode.pk)) == before


def test_apply_refuses_a_preview_of_an_older_version(admin_client, upload_dir):
    episode = make_episode(slug="talk")
    preview = admin_client.post(transcript_url(episode), {"text": plain_text(TALK), "replace": "on"})
    episode.refresh_from_db()
    admin_client.post(
        reverse("admin:episodes_episode_op", args=[episode.pk, "speaker-rename"]),
        {"version": episode.version, "old": "Jane", "new": "Jane Doe"},
    )
    response = admin_client.post(transcript_url(episode), {"token": preview.context["token"]}, follow=True)
    assert "after you opened it" in response.content.decode()
    assert front(episode)["transcript"][0] == {"header": "Intro"}


# -- chapters and clips in the editor ------------------------------------------------------------------------


def op(client, episode, name, **data):
    episode.refresh_from_db()
    response = client.post(
        reverse("admin:episodes_episode_op", args=[episode.pk, name]), {"version": episode.version, **data}, **JSON
    )
    return response.status_code, json.loads(response.content)


def test_pasted_chapters_place_the_headers_and_build_the_clips_then_undo(admin_client):
    episode = make_episode(slug="talk", transcript=turns(TALK), links={"youtube": "https://youtu.be/abcdefghijk"})
    before = database.export_text(episode)
    status, reply = op(admin_client, episode, "chapters-paste", chapters=chapter_list(TALK))
    assert status == 200 and reply["message"].startswith("Placed 2 section headers and rebuilt 2 clips.")
    assert "Welcome" in reply["panels"]["sections"] and "Career" in reply["panels"]["clips"]
    data = front(episode)
    assert data["quotableClips"][1] == {
        "name": "Career",
        "startOffset": 75,
        "endOffset": 3723,
        "url": "https://youtu.be/abcdefghijk?t=75",
    }
    response = admin_client.post(reply["undo"]["url"], {"version": reply["undo"]["version"]}, **JSON)
    assert response.status_code == 200
    assert database.export_text(Episode.objects.get(pk=episode.pk)) == before


def test_a_moved_section_offers_to_rebuild_the_clips_and_a_renamed_one_renames_its_clip(admin_client):
    episode = make_episode(slug="talk", transcript=turns(TALK))
    op(admin_client, episode, "chapters-paste", chapters=chapter_list(TALK))
    header = episode.items.get(text="Career")
    status, reply = op(admin_client, episode, "header-up", position=header.position)
    assert status == 200 and reply["offer"] == {
        "operation": "clips-rebuild",
        "data": {},
        "label": "Rebuild clips from sections",
    }
    status, reply = op(admin_client, episode, "clips-rebuild")
    assert status == 200 and reply["message"] == "Rebuilt the clips from the sections: 2 with new times."
    status, reply = op(admin_client, episode, "clips-rebuild")
    assert reply["message"] == "The clips already follow the sections; nothing changed." and reply["undo"] is None
    episode.refresh_from_db()
    item = episode.items.get(text="Career")
    admin_client.post(
        reverse("admin:episodes_episode_op", args=[episode.pk, "section-add"]),
        {"version": episode.version, "position": 1},
    )
    assert [c["name"] for c in front(episode)["quotableClips"]] == ["Welcome", "Career"]
    from episodes import services

    services.section_rename(episode=episode, position=item.position + 1, title="Her career")
    assert [c["name"] for c in front(episode)["quotableClips"]] == ["Welcome", "Her career"]


def test_the_editor_shows_the_clips_and_duration_and_gives_youtube_chapters(admin_client):
    episode = make_episode(slug="talk", transcript=turns(TALK), links={"youtube": "https://youtu.be/abcdefghijk"})
    op(admin_client, episode, "chapters-paste", chapters=chapter_list(TALK))
    html = admin_client.get(reverse("admin:episodes_episode_change", args=[episode.pk])).content.decode()
    assert "<strong>Duration:</strong> 1:02:03 (PT01H02M03S)" in html
    assert "<td>Career</td><td>1:15</td><td>1:02:03</td>" in html
    response = admin_client.get(reverse("admin:episodes_episode_chapters", args=[episode.pk]))
    assert response["Content-Disposition"] == 'attachment; filename="chapters.txt"'
    assert response.content.decode() == "00:00 Welcome\n01:15 Career\n"
    assert "00:00 Welcome\n01:15 Career" in html


def test_clips_that_disagree_with_the_sections_are_flagged_in_the_clips_panel(admin_client):
    clips = [{"name": "Nowhere", "startOffset": 0, "endOffset": 9, "url": "https://www.youtube.com/watch?v=x&t=3"}]
    episode = make_episode(slug="talk", transcript=TALK, quotableClips=clips)
    html = admin_client.get(reverse("admin:episodes_episode_change", args=[episode.pk])).content.decode()
    panel = html.split('id="panel-clips"')[1].split('id="transcript"')[0]
    assert "clip &#x27;Nowhere&#x27; matches no section header" in panel
    assert "clip &#x27;Nowhere&#x27; links to 0:03, not to its start 0:00" in panel


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        # A UTF-16 file with a broken surrogate: an uncaught UnicodeDecodeError (a 500) left its upload behind.
        ("talk.txt", b"\xff\xfe" + "0:01\nA\nHi.\n".encode("utf-16-le") + b"\x00\xdc", "talk.txt:4: not valid UTF-16"),
        ("talk.txt", b"0:01\nA\nHi\x0bthere.\n", "talk.txt:3: the character U+000B at column 3"),
        ("talk.vtt", b"WEBVTT\n\n99999999999999999999:00:01.000 --> 99999999999999999999:00:02.000\n<v A>Hi\n", ":3: "),
    ],
)
def test_files_that_are_not_text_are_refused_on_the_form_and_their_upload_removed(
    admin_client, upload_dir, name, data, message
):
    episode = make_episode(slug="talk", transcript=[])
    upload_file = io.BytesIO(data)
    upload_file.name = name
    response = admin_client.post(transcript_url(episode), {"file": upload_file})
    assert response.status_code == 200 and message in response.content.decode()
    assert not list(upload_dir.iterdir())


def test_the_preview_shows_the_first_rows_and_the_counts_and_apply_reuses_what_it_read(
    admin_client, upload_dir, settings, monkeypatch
):
    # A big transcript rendered every row (118 MB of page) and "Apply" read and checked it all again.
    settings.EPISODES_PREVIEW_ROWS = 3
    episode = make_episode(slug="talk", transcript=[])
    preview = admin_client.post(transcript_url(episode), {"text": plain_text(TALK)})
    html = preview.content.decode()
    assert "The first 3 of its 7 items (5 turns, 2 sections)" in html
    start = html.index('class="intake-items"')
    table = html[start : html.index("</table>", start)]
    assert "Hello and welcome." in table and "And then?" not in table
    assert len(preview.context["rows"]) == 3
    from episodes.format import transcript_files

    monkeypatch.setattr(transcript_files, "read_transcript", lambda *a, **k: pytest.fail("read again"))
    applied = admin_client.post(transcript_url(episode), {"token": preview.context["token"]})
    assert applied.status_code == 302
    assert front(episode)["transcript"] == TALK
    assert not list(upload_dir.iterdir())


def test_apply_refuses_a_changed_read_of_the_preview(admin_client, upload_dir):
    episode = make_episode(slug="talk", transcript=[])
    preview = admin_client.post(transcript_url(episode), {"text": plain_text(TALK)})
    (folder,) = upload_dir.iterdir()
    read = folder / "read.json"
    read.write_text(read.read_text().replace("Hello and welcome.", "Something else."))
    response = admin_client.post(transcript_url(episode), {"token": preview.context["token"]}, follow=True)
    assert "changed after the dry run" in response.content.decode()
    assert front(episode)["transcript"] == []
