"""The intake services: a transcript into a new or existing episode, chapter lists, clips that follow sections."""

import pytest

from episodes import selectors, services
from episodes.documents import database
from episodes.format import frontmatter as fm
from episodes.format import transcript_files as tf
from episodes.models import Episode, Revision, Speaker, TranscriptItem
from episodes.selectors import warnings as w
from episodes.services import intake
from episodes.tests.public.test_search import check_index, found
from episodes.tests.support import transcripts
from episodes.tests.support.factories import export, make_episode, make_person
from episodes.tests.support.transcripts import TALK

pytestmark = pytest.mark.django_db

YT = "https://www.youtube.com/watch?v=abcdefghijk"
CLIPS = [
    {"name": "Intro", "startOffset": 5, "url": f"{YT}&t=5", "endOffset": 20},
    {"name": "Background", "startOffset": 20, "url": f"{YT}&t=20", "endOffset": 60},
]


def front(episode) -> dict:
    return fm.parse(export(episode)).front


def imported(**kwargs):
    kwargs.setdefault("slug", "new-talk")
    kwargs.setdefault("name", "uploads/New talk.txt")
    kwargs.setdefault("data", transcripts.plain_text(TALK).encode())
    return services.transcript_import(**kwargs)


def test_a_new_slug_becomes_a_draft_with_its_transcript_in_one_revision():
    result = imported()
    episode = Episode.objects.get(slug="new-talk")
    assert result.created and result.format == "text" and (result.turns, result.sections) == (5, 2)
    assert episode.status == Episode.Status.DRAFT and episode.title == "New talk" and episode.edited_since_sync
    assert episode.version == 1 and list(episode.revisions.values_list("version", "summary")) == [
        (1, "created from New talk.txt")
    ]
    data = front(episode)
    assert data["transcript"] == TALK
    assert list(data) == ["title", "duration", "quotableClips", "transcript"]
    assert data["duration"] == "PT01H02M03S" and result.notes[0] == intake.NOTE_DURATION.format(value="PT01H02M03S")
    # No YouTube link yet: the clips have what a link needs, and the link comes with a rebuild.
    assert data["quotableClips"] == [
        {"name": "Welcome", "startOffset": 0, "endOffset": 75},
        {"name": "Career", "startOffset": 75, "endOffset": 3723},
    ]
    check_index()
    Episode.objects.update(status=Episode.Status.PUBLISHED)
    assert found("physics") == ["It started with physics."]
    assert episode.warning_count == len(selectors.episode_warnings(episode=episode)) == 2  # Alexey, Jane unknown


def test_title_from_the_option_and_speakers_matched_to_guests_and_hosts():
    make_person("alexey", "Alexey Grigorev", is_host=True)
    result = imported(title="Physics to data")
    assert Episode.objects.get().title == "Physics to data"
    assert [(s.label, s.turns, s.unknown) for s in result.speakers] == [("Alexey", 3, False), ("Jane", 2, True)]
    assert [x.message for x in result.warnings] == [w.W_UNKNOWN_SPEAKER.format(label="Jane")]


def test_a_dry_run_keeps_nothing_and_shows_the_file_it_would_make():
    result = imported(dry_run=True)
    assert not Episode.objects.exists() and not Revision.objects.exists() and not TranscriptItem.objects.exists()
    assert result.created and result.turns == 5 and "+title: New talk\n" in result.diff
    episode = make_episode()
    before = export(episode)
    result = services.transcript_import(
        slug=episode.slug, name="t.vtt", data=transcripts.webvtt(TALK).encode(), replace=True, dry_run=True
    )
    assert result.seen_version == episode.version == Episode.objects.get().version == 1
    assert export(episode) == before and "-- line: Sure.\n" in result.diff


def test_an_existing_transcript_is_replaced_only_when_asked():
    episode = make_episode()
    Speaker.objects.create(episode=episode, label="Jane", person=make_person())
    with pytest.raises(services.ServiceError, match=r"test-episode already has a transcript \(6 items\)"):
        imported(slug=episode.slug)
    assert Episode.objects.get().version == 1
    result = imported(slug=episode.slug, replace=True, name="t.docx", data=transcripts.docx_bytes(TALK))
    episode.refresh_from_db()
    assert result.summary == "replaced the transcript (6 items) from t.docx" and episode.version == 2
    assert front(episode)["transcript"] == TALK and episode.title == "A test episode"
    assert Speaker.objects.get().label == "Jane"  # the editor's tie stays


def test_an_import_from_a_stale_page_is_refused():
    episode = make_episode()
    services.section_rename(episode=episode, position=0, title="Opening")
    with pytest.raises(services.StaleEpisode):
        imported(slug=episode.slug, replace=True, version=1)


def test_bad_files_and_slugs_are_refused_with_the_name_and_line():
    with pytest.raises(intake.IntakeError, match=r"^talk.txt:5: the time 1:15 on line 4 has no speaker") as info:
        imported(name="talk.txt", data=b"0:01\nA\nHi.\n1:15\n\nB\nBye.\n")
    assert (info.value.name, info.value.line) == ("talk.txt", 5)
    with pytest.raises(intake.IntakeError, match=r"^list.txt:2: expected a chapter line"):
        imported(chapters="00:00 Intro\nnot a chapter\n", chapters_name="list.txt")
    with pytest.raises(services.ServiceError, match="'a/b' cannot be an episode's slug: the file name cannot contain"):
        imported(slug="a/b")
    assert not Episode.objects.exists()


SLIPS = b"0:01\nA\nHi.\n\n37:567\nB\nOdd.\n\n0:00\nB\nBack.\n\n0:02\nA\n\n0:03\n" + b"x" * 201 + b"\nYes.\n"


def test_what_the_site_accepts_is_kept_as_the_file_gives_it_with_every_warning():
    result = imported(name="talk.txt", data=SLIPS)
    assert result.file_warnings == [
        "talk.txt:5: " + tf.W_BAD_TIME.format(time="37:567"),
        "talk.txt:9: " + tf.W_BACKWARDS.format(time="0:00", previous="0:01"),
        "talk.txt:15: " + tf.W_NO_TEXT.format(time="0:02", line=13),
        "talk.txt:17: " + tf.W_LONG_SPEAKER.format(time="0:03", length=201, limit=tf.SPEAKER_LIMIT),
    ]
    kept = front(Episode.objects.get())["transcript"]
    assert kept == [
        {"line": "Hi.", "sec": 1, "time": "0:01", "who": "A"},
        {"line": "Odd.", "time": "37:567", "who": "B"},  # as the .md import keeps a time it cannot read
        {"line": "Back.", "sec": 0, "time": "0:00", "who": "B"},
        {"line": "", "sec": 2, "time": "0:02", "who": "A"},
        {"line": "Yes.", "sec": 3, "time": "0:03", "who": "x" * 201},
    ]
    # The editor sees the same slips among the episode's warnings, at their items.
    messages = {(x.position, x.message) for x in result.warnings}
    assert {(1, w.W_BAD_TIME.format(time="37:567")), (3, w.W_EMPTY_TEXT)} <= messages
    assert (2, w.W_TIME_BACKWARDS.format(time="0:00", previous="0:01")) in messages


def test_strict_refuses_a_file_with_any_warning_naming_them_all_and_keeps_nothing():
    with pytest.raises(services.StrictRefusal) as info:
        imported(name="talk.txt", data=SLIPS, strict=True)
    assert str(info.value).splitlines()[0] == intake.ERR_STRICT.format(name="talk.txt", count=4, s="s")
    assert [line.split(": ", 1)[0] for line in info.value.lines] == [f"talk.txt:{n}" for n in (5, 9, 15, 17)]
    assert not Episode.objects.exists()
    # Strict takes a file without warnings as it is.
    assert imported(strict=True).created and imported(slug="other", strict=True).file_warnings == []


def test_chapters_with_the_transcript_place_the_headers_and_make_the_clips():
    make_episode(slug="talk", transcript=[], quotableClips=CLIPS)
    chapters = "00:00 Opening\n00:01:10 Career\n01:00:00 Late questions\n02:00:00 Beyond the end\n"
    result = imported(slug="talk", data=transcripts.webvtt(TALK).encode(), name="t.vtt", chapters=chapters)
    data = front(Episode.objects.get(slug="talk"))
    assert [i.get("header") for i in data["transcript"] if "header" in i] == [
        "Opening",
        "Career",
        "Late questions",
        "Beyond the end",
    ]
    assert [i.get("header", i.get("time")) for i in data["transcript"]][:4] == ["Opening", "0:00", "0:09", "Career"]
    assert data["transcript"][-1] == {"header": "Beyond the end"}
    assert data["quotableClips"] == [
        {"name": "Opening", "startOffset": 0, "url": f"{YT}&t=0", "endOffset": 70},
        {"name": "Career", "startOffset": 70, "url": f"{YT}&t=70", "endOffset": 3600},
        {"name": "Late questions", "startOffset": 3600, "url": f"{YT}&t=3600", "endOffset": 7200},
    ]
    assert intake.NOTE_BEYOND.format(title="Beyond the end", time="2:00:00", last="1:02:03") in result.notes
    assert intake.NOTE_NO_CLIP.format(title="Beyond the end", time="2:00:00") in result.notes


def test_chapters_apply_replaces_the_headers_as_one_revision():
    episode = make_episode(quotableClips=CLIPS, duration="PT00H01M")
    result = services.chapters_apply(episode=episode, chapters=b"0:00 Opening\n0:15 Middle\n", name="ch.txt")
    assert result.notes[0] == intake.NOTE_HEADERS_REPLACED.format(count=2, what="the transcript", new=2)
    rows = list(TranscriptItem.objects.filter(episode=episode).values_list("kind", "text", "sec"))
    assert [(kind, text) for kind, text, _ in rows if kind == "header"] == [("header", "Opening"), ("header", "Middle")]
    assert [r[2] for r in rows] == [None, 5, 9, None, 20, None]
    episode.refresh_from_db()
    assert episode.version == 2 and episode.revisions.latest("version").summary == "applied 2 chapters from ch.txt"
    data = front(episode)
    assert data["duration"] == "PT00H01M"  # kept: only a missing duration is filled in
    assert data["quotableClips"][1] == {"name": "Middle", "startOffset": 15, "url": f"{YT}&t=15", "endOffset": 60}
    # The same list again changes nothing and records nothing.
    services.chapters_apply(episode=episode, chapters="0:00 Opening\n0:15 Middle\n")
    assert Episode.objects.get().version == 2


def test_chapters_need_times_to_be_placed():
    episode = make_episode(transcript=[{"line": "Untimed.", "who": "Alexey"}])
    with pytest.raises(services.ServiceError, match=intake.ERR_NO_TIMES):
        services.chapters_apply(episode=episode, chapters="0:00 Intro\n")


def test_rebuilding_clips_keeps_the_ones_nobody_changed_byte_for_byte():
    clips = [
        {"name": "Intro", "startOffset": 2, "url": f"{YT}&t=2", "endOffset": 20},
        {"name": "Background", "startOffset": 20, "url": f"{YT}&t=20", "endOffset": 25},
    ]
    episode = make_episode(quotableClips=clips, duration="PT00H25S")
    before = export(episode)
    result = services.clips_rebuild(episode=episode, dry_run=True)
    assert result.diff == [] and result.clips == clips
    services.clips_rebuild(episode=episode)
    assert export(episode) == before and Episode.objects.get().version == 1
    # Move the second section's header up one turn: only its clip and the one before change.
    services.header_move(episode=episode, position=3, offset=-1)
    result = services.clips_rebuild(episode=episode, dry_run=True)
    changed = [line for line in result.diff if line[:1] in "+-" and line[:3] not in ("+++", "---")]
    assert changed == [
        "-  endOffset: 20\n",
        "+  endOffset: 9\n",
        "-  startOffset: 20\n",
        "-  url: https://www.youtube.com/watch?v=abcdefghijk&t=20\n",
        "+  startOffset: 9\n",
        "+  url: https://www.youtube.com/watch?v=abcdefghijk&t=9\n",
    ]
    services.clips_rebuild(episode=episode)
    assert Episode.objects.get().revisions.latest("version").summary == "rebuilt clips from sections"


def test_renaming_a_section_renames_its_clip_and_nothing_else():
    episode = make_episode(quotableClips=CLIPS)
    before = export(episode).splitlines()
    services.section_rename(episode=episode, position=3, title="Career")
    after = export(episode).splitlines()
    assert [(a, b) for a, b in zip(before, after, strict=True) if a != b] == [
        ("- header: Background", "- header: Career"),
        ("- name: Background", "- name: Career"),
    ]
    assert episode.revisions.latest("version").summary == "renamed section 'Background' → 'Career' and its clip"


def test_a_header_edited_in_the_editor_renames_its_clip():
    episode = make_episode(quotableClips=CLIPS)
    intro = TranscriptItem.objects.get(episode=episode, position=0)
    services.episode_save(episode=episode, edits={intro.pk: services.ItemEdit(text="Opening")}, version=1)
    assert [c["name"] for c in front(episode)["quotableClips"]] == ["Opening", "Background"]
    assert "and the clip of the same name" in episode.revisions.latest("version").summary
    turn = TranscriptItem.objects.get(episode=episode, position=1)
    services.transcript_save(episode=episode, edits={turn.pk: services.ItemEdit(text="Hi.")})
    assert [c["name"] for c in front(episode)["quotableClips"]] == ["Opening", "Background"]


def test_clip_and_duration_warnings():
    clips = [
        {"name": "Intro", "startOffset": 5, "url": f"{YT}&t=5", "endOffset": 30},
        {"name": "Nowhere", "startOffset": 3, "url": f"{YT}&t=4", "endOffset": 9},
        "not a clip",
    ]
    episode = make_episode(quotableClips=clips, duration="about an hour")
    messages = [x.message for x in selectors.episode_warnings(episode=episode)]
    assert messages == [
        w.W_DURATION.format(value="about an hour"),
        w.W_CLIP_NO_SECTION.format(name="Nowhere"),
        w.W_CLIP_ORDER.format(name="Nowhere", start="0:03", previous="0:05"),
        w.W_CLIP_END.format(name="Intro", end="0:30", next="0:03"),
        w.W_CLIP_LINK.format(name="Nowhere", link="0:04", start="0:03"),
        w.W_CLIP_BAD.format(number=3),
        w.W_UNKNOWN_SPEAKER.format(label="Alexey"),
        w.W_UNKNOWN_SPEAKER.format(label="Jane"),
    ]
    assert Episode.objects.get().warning_count == len(messages)


def test_chapter_texts_of_an_episode():
    episode = make_episode()
    assert services.youtube_chapters(episode=episode) == "00:00 Intro\n00:20 Background\n"
    assert services.chapters_text(episode=episode) == "00:00:05 Intro\n00:00:20 Background\n"


def test_an_import_takes_the_same_queries_for_many_turns(django_assert_max_num_queries):
    long_talk = [{"line": f"Turn {i}.", "sec": i, "time": fm.seconds_to_time(i), "who": "Alexey"} for i in range(500)]
    with django_assert_max_num_queries(40):
        imported(data=transcripts.plain_text(long_talk).encode(), chapters="0:00 Start\n0:50 Middle\n")
    assert TranscriptItem.objects.count() == 502


def transcript_reads(queries) -> int:
    """Count the queries that read the rows of a transcript (not a count, not a column of times)."""
    table = TranscriptItem._meta.db_table
    return sum(q["sql"].startswith(f'SELECT "{table}"."position"') for q in queries)


# Chapters and a rebuild read the rows they work from; each operation then reads the transcript it left once,
# for the revision, and its warnings and speakers come from that read.
@pytest.mark.parametrize(("operation", "reads"), [("import", 1), ("chapters", 2), ("rebuild", 2)])
def test_an_operation_reads_the_transcript_it_left_once(operation, reads):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    if operation != "import":
        episode = make_episode()
        services.episode_save(episode=episode, extra={"quotableClips": [{"name": "Old"}]})
    with CaptureQueriesContext(connection) as context:
        if operation == "import":
            result = imported(data=transcripts.plain_text(TALK).encode(), chapters="0:00 Start\n0:20 Middle\n")
        elif operation == "chapters":
            result = services.chapters_apply(episode=episode, chapters="0:00 Start\n0:20 Middle\n")
        else:
            result = services.clips_rebuild(episode=episode)
    assert transcript_reads(context.captured_queries) == reads
    fresh = Episode.objects.get(pk=result.episode.pk)
    assert result.warnings == w.episode_warnings(episode=fresh)
    assert result.speakers == selectors.speaker_summaries(episode=fresh)
    # The clip of no section is gone, and so is its warning (it used to be reported from before the edit).
    assert w.W_CLIP_NO_SECTION.format(name="Old") not in [warning.message for warning in result.warnings]


def item_selects(queries) -> list[int]:
    """Return the indexes of the queries that read transcript rows (any columns; not a count)."""
    table = TranscriptItem._meta.db_table
    return [
        i
        for i, q in enumerate(queries)
        if q["sql"].startswith("SELECT") and f'FROM "{table}"' in q["sql"] and "COUNT(" not in q["sql"]
    ]


# The rows an operation writes are the rows its clips and duration are made from: only the revision reads
# them back. (They were read twice more: once for the last turn's time, once for the sections: import 31
# queries, with chapters 30, chapters_apply 26, clips_rebuild 22; now 29, 29, 25 and 21.)
@pytest.mark.parametrize("operation", ["import", "import with chapters", "chapters", "rebuild"])
def test_an_operation_reads_back_the_rows_it_wrote_only_for_its_revision(operation):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    table = TranscriptItem._meta.db_table
    episode = make_episode()
    services.episode_save(episode=episode, extra={"quotableClips": [{"name": "Old"}]})
    data = transcripts.plain_text(TALK).encode()
    with CaptureQueriesContext(connection) as context:
        if operation == "import":
            imported(data=data)
        elif operation == "import with chapters":
            imported(data=data, chapters="0:00 Start\n0:20 Middle\n")
        elif operation == "chapters":
            services.chapters_apply(episode=episode, chapters="0:00 Start\n0:20 Middle\n")
        else:
            services.clips_rebuild(episode=episode)
    queries = context.captured_queries
    # An executemany is logged as "N times: INSERT ...".
    written = [i for i, q in enumerate(queries) if f'INSERT INTO "{table}"' in q["sql"]]
    reads = item_selects(queries)
    if operation == "rebuild":
        assert not written and len(reads) == 2  # one read for the clips and the duration, one for the revision
    else:
        assert len([i for i in reads if i > written[-1]]) == 1
        assert len(reads) == (2 if operation == "chapters" else 1)  # chapters read the rows they place headers in


def test_a_key_added_in_the_editor_is_written_before_the_transcript():
    # It used to be lost: the export wrote only the keys the imported file had.
    episode = make_episode()
    services.episode_save(episode=episode, extra={"duration": "PT01H"})
    assert list(front(episode))[-3:] == ["image", "duration", "transcript"]
    assert database.load_extra(Episode.objects.get().extra) == {"duration": "PT01H"}
