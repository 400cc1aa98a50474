"""Each editing operation on its own: what it changes, what it refuses, and that edits bump the version."""

import pytest

from episodes import selectors, services
from episodes.format import frontmatter as fm
from episodes.models import Episode, Person, Speaker, TranscriptItem
from episodes.services import speakers as speaker_errors
from episodes.services import transcript as transcript_errors
from episodes.tests.support.factories import export, import_text, make_episode, make_person, make_text

pytestmark = pytest.mark.django_db


def rows(episode):
    return list(episode.items.order_by("position").values_list("position", "kind", "text", "who"))


def texts(episode):
    return [text for _, _, text, _ in rows(episode)]


@pytest.fixture
def episode():
    # 0 Intro | 1 Alexey | 2 Jane | 3 Background | 4 Alexey | 5 Jane (untimed)
    return make_episode()


def test_rename_speaker_everywhere_and_bump_version(episode):
    before = episode.version
    assert services.speaker_rename(episode=episode, old="Jane", new="Jane Doe") == 2
    assert [who for *_, who in rows(episode) if who] == ["Alexey", "Jane Doe", "Alexey", "Jane Doe"]
    episode.refresh_from_db()
    assert episode.version == before + 1 and episode.edited_since_sync


def test_rename_refuses_unknown_and_empty_labels(episode):
    with pytest.raises(services.ServiceError, match="No turn is spoken by 'Nobody'"):
        services.speaker_rename(episode=episode, old="Nobody", new="X")
    with pytest.raises(services.ServiceError, match=speaker_errors.ERR_EMPTY_LABEL):
        services.speaker_rename(episode=episode, old="Jane", new="  ")
    episode.refresh_from_db()
    assert episode.version == 1


def test_rename_moves_the_tie(episode):
    person = make_person("jd", "Jane Doe")
    services.speaker_tie(episode=episode, label="Jane", person=person)
    services.speaker_rename(episode=episode, old="Jane", new="JD")
    assert Speaker.objects.get(episode=episode).label == "JD"


def test_merge_two_labels(episode):
    services.speaker_rename(episode=episode, old="Jane", new="Jnae")
    services.turns_assign(episode=episode, positions=[5], who="Jane")
    assert services.speaker_merge(episode=episode, source="Jnae", target="Jane") == 1
    assert {who for *_, who in rows(episode) if who} == {"Alexey", "Jane"}


def test_merge_needs_an_existing_target(episode):
    with pytest.raises(services.ServiceError, match="not a speaker of this episode"):
        services.speaker_merge(episode=episode, source="Jane", target="Zed")


def test_assign_a_range_of_turns_skips_headers(episode):
    assert services.turns_assign(episode=episode, positions=range(0, 6), who="Alexey") == 2
    assert [who for _, kind, _, who in rows(episode) if kind == "turn"] == ["Alexey"] * 4


def test_swap_two_speakers_within_a_range(episode):
    services.speakers_swap(episode=episode, a="Alexey", b="Jane", positions=[1, 2])
    assert [who for _, kind, _, who in rows(episode) if kind == "turn"] == ["Jane", "Alexey", "Alexey", "Jane"]
    services.speakers_swap(episode=episode, a="Alexey", b="Jane")
    assert [who for _, kind, _, who in rows(episode) if kind == "turn"] == ["Alexey", "Jane", "Jane", "Alexey"]


def test_tie_a_label_to_a_person_and_back_to_automatic(episode):
    jane = make_person("janedoe", "Jane Doe")
    alexey = make_person("alexey", "Alexey Grigorev", is_host=True)
    people = selectors.speaker_people(episode=episode, labels=["Jane", "Alexey"])
    assert people == {"Jane": jane, "Alexey": alexey}
    services.speaker_tie(episode=episode, label="Jane", person=None)
    assert "Jane" not in selectors.speaker_people(episode=episode, labels=["Jane"])
    services.speaker_tie(episode=episode, label="Jane", person=None, automatic=True)
    assert selectors.speaker_people(episode=episode, labels=["Jane"]) == {"Jane": jane}


def test_speaker_summaries_count_and_flag_unknown_labels(episode):
    make_person("janedoe", "Jane Doe")
    services.turns_assign(episode=episode, positions=[5], who="Jnae")
    summaries = {s.label: s for s in selectors.speaker_summaries(episode=episode)}
    assert summaries["Jane"].turns == 1 and summaries["Jane"].person.key == "janedoe"
    assert summaries["Alexey"].unknown and summaries["Jnae"].unknown
    assert summaries["Alexey"].first_words == "Hello and welcome."


def test_save_edits_only_changed_rows(episode, django_assert_num_queries):
    items = {i.position: i for i in episode.items.all()}
    edits = {
        items[1].pk: services.ItemEdit(text="Hello, and welcome!", who="Alexey", time="0:05"),
        items[2].pk: services.ItemEdit(text=items[2].text, who=items[2].who, time=items[2].time),
    }
    assert services.transcript_save(episode=episode, edits=edits) == 1
    assert texts(episode)[1] == "Hello, and welcome!"
    diff = [line for line in export(episode).splitlines() if "welcome" in line]
    assert diff == ["- line: Hello, and welcome!"]


def test_save_one_turn_of_a_long_transcript_writes_one_row(
    django_assert_max_num_queries, django_capture_on_commit_callbacks
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    transcript = [{"line": f"Turn {i}", "sec": i, "time": fm.seconds_to_time(i), "who": "A"} for i in range(300)]
    episode = make_episode(slug="long", transcript=transcript)
    item = episode.items.get(position=150)
    with CaptureQueriesContext(connection) as queries:
        services.transcript_save(episode=episode, edits={item.pk: services.ItemEdit(text="Changed")})
    writes = [q["sql"] for q in queries if q["sql"].split()[0] in ("INSERT", "UPDATE", "DELETE")]
    item_writes = [sql for sql in writes if "episodes_transcriptitem" in sql]
    assert len(item_writes) == 1 and item_writes[0].startswith("UPDATE")
    assert TranscriptItem.objects.filter(episode=episode).count() == 300


def test_time_edit_sets_sec_and_refuses_bad_times(episode):
    item = episode.items.get(position=5)
    services.transcript_save(episode=episode, edits={item.pk: services.ItemEdit(time="1:02:03")})
    item.refresh_from_db()
    assert (item.time, item.sec) == ("1:02:03", 3723)
    with pytest.raises(services.ServiceError, match="'1:5' is not a time"):
        services.transcript_save(episode=episode, edits={item.pk: services.ItemEdit(time="1:5")})
    item.refresh_from_db()
    assert item.time == "1:02:03"


def test_clearing_a_time_drops_sec_and_time_from_the_file(episode):
    item = episode.items.get(position=4)
    services.transcript_save(episode=episode, edits={item.pk: services.ItemEdit(time="")})
    entry = fm.parse(export(episode)).front["transcript"][4]
    assert entry == {"line": "Tell us about you.", "who": "Alexey"}


def test_stale_version_is_refused(episode):
    old_version = episode.version
    services.speaker_rename(episode=episode, old="Jane", new="Janet")
    with pytest.raises(services.StaleEpisode):
        services.speaker_rename(episode=episode, old="Alexey", new="Al", version=old_version)
    assert "Al" not in {who for *_, who in rows(episode)}


def test_insert_and_delete_turns_keep_positions_dense(episode):
    services.turn_insert(episode=episode, position=2, who="Jane", text="New words", time="0:07")
    assert texts(episode)[2] == "New words"
    assert [p for p, *_ in rows(episode)] == list(range(7))
    assert services.items_delete(episode=episode, positions=[0, 2, 6]) == 3
    assert texts(episode) == ["Hello and welcome.", "Thanks for having me.", "Background", "Tell us about you."]
    assert [p for p, *_ in rows(episode)] == list(range(4))


def test_new_turn_exports_with_canonical_keys(episode):
    services.turn_insert(episode=episode, position=6, who="Jane", text="Bye", time="0:30")
    assert fm.parse(export(episode)).front["transcript"][6] == {"line": "Bye", "sec": 30, "time": "0:30", "who": "Jane"}


def test_add_rename_delete_section(episode):
    services.section_add(episode=episode, position=2, title="Guest intro")
    assert rows(episode)[2] == (2, "header", "Guest intro", "")
    services.section_rename(episode=episode, position=2, title="Jane's intro")
    assert texts(episode)[2] == "Jane's intro"
    services.section_delete(episode=episode, position=2)
    assert texts(episode) == [
        "Intro",
        "Hello and welcome.",
        "Thanks for having me.",
        "Background",
        "Tell us about you.",
        "Sure.",
    ]
    with pytest.raises(services.ServiceError, match="not a section header"):
        services.section_delete(episode=episode, position=1)
    with pytest.raises(services.ServiceError, match=transcript_errors.ERR_EMPTY_TITLE):
        services.section_add(episode=episode, position=1, title=" ")


def test_move_header_moves_the_section_boundary(episode):
    assert services.header_move(episode=episode, position=3, offset=-1) == 2
    assert texts(episode)[1:4] == ["Hello and welcome.", "Background", "Thanks for having me."]
    assert services.header_move(episode=episode, position=2, offset=1) == 3
    assert texts(episode)[3] == "Background"
    with pytest.raises(services.ServiceError, match="cannot move further up"):
        services.header_move(episode=episode, position=0, offset=-1)


def test_move_whole_sections(episode):
    assert services.section_move(episode=episode, position=3, offset=-1) == 0
    assert texts(episode) == [
        "Background",
        "Tell us about you.",
        "Sure.",
        "Intro",
        "Hello and welcome.",
        "Thanks for having me.",
    ]
    assert services.section_move(episode=episode, position=0, offset=1) == 3
    assert texts(episode)[0] == "Intro"
    with pytest.raises(services.ServiceError, match="cannot move further down"):
        services.section_move(episode=episode, position=3, offset=1)


def test_section_move_keeps_untitled_opening_turns_first():
    transcript = [
        {"line": "Cold open", "who": "A"},
        {"header": "One"},
        {"line": "a", "who": "A"},
        {"header": "Two"},
        {"line": "b", "who": "B"},
    ]
    episode = make_episode(slug="cold", transcript=transcript)
    with pytest.raises(services.ServiceError):
        services.section_move(episode=episode, position=1, offset=-1)
    services.section_move(episode=episode, position=3, offset=-1)
    assert texts(episode) == ["Cold open", "Two", "b", "One", "a"]


def test_operations_change_only_their_lines_in_the_export(seed_episode, seed_text):
    services.speaker_rename(episode=seed_episode, old="Danny", new="Danny Leybzon")
    exported = export(seed_episode)
    changed = [(a, b) for a, b in zip(seed_text.splitlines(), exported.splitlines(), strict=True) if a != b]
    assert changed and all(a == "  who: Danny" and b == "  who: Danny Leybzon" for a, b in changed)


def test_warnings(episode):
    make_person("janedoe", "Jane Doe")
    item = episode.items.get(position=4)
    services.transcript_save(episode=episode, edits={item.pk: services.ItemEdit(time="0:01", text="")})
    services.section_add(episode=episode, position=3, title="Empty")
    messages = [w.message for w in selectors.episode_warnings(episode=episode)]
    assert "time goes backwards: 0:01 comes after 0:09" in messages
    assert "turn has no text" in messages
    assert "section 'Empty' has no turn after it" in messages
    assert "speaker 'Alexey' matches no guest or host" in messages
    episode.refresh_from_db()
    assert episode.warning_count == len(messages)


def test_speaker_labels_with_hidden_characters_or_differing_only_in_case_are_flagged():
    make_person("alexeygrigorev", "Alexey Grigorev", is_host=True)
    transcript = [
        {"line": "Hi", "who": "Alexey"},
        {"line": "Hello", "who": "alexey"},
        {"line": "Again", "who": "alexey"},
        {"line": "Yo", "who": "Ale\u200bxey"},
        {"line": "Hey", "who": "\u202eyexelA"},
        {"line": "Hm", "who": "ALEXEY"},
    ]
    episode = make_episode(slug="labels", transcript=transcript)
    found = [(w.position, w.message) for w in selectors.episode_warnings(episode=episode)]
    assert (1, "speakers 'alexey' and 'Alexey' differ only in case: merge them?") in found
    assert (5, "speakers 'ALEXEY' and 'Alexey' differ only in case: merge them?") in found
    assert (3, "speaker 'Ale\u200bxey' contains characters that do not show: U+200B ZERO WIDTH SPACE") in found
    assert (4, "speaker '\u202eyexelA' contains characters that do not show: U+202E RIGHT-TO-LEFT OVERRIDE") in found
    assert not [message for position, message in found if position in (0, 2)]


@pytest.mark.parametrize("time", ["99999999999999999999:00:00", "9999999999:00:00", "100:00:00", "1:60:00", "60:00"])
def test_times_past_99_59_59_or_out_of_range_are_refused(episode, time):
    item = episode.items.get(position=1)
    with pytest.raises(services.ServiceError, match="is not a time like"):
        services.transcript_save(episode=episode, edits={item.pk: services.ItemEdit(time=time)})
    assert episode.items.get(position=1).time == "0:05"


def test_the_longest_time_is_99_59_59(episode):
    item = episode.items.get(position=1)
    services.transcript_save(episode=episode, edits={item.pk: services.ItemEdit(time="99:59:59")})
    assert episode.items.filter(pk=item.pk).values_list("time", "sec").get() == ("99:59:59", 359999)


def test_youtube_mismatch_warning():
    episode = make_episode(slug="yt", ids={"youtube": "AAA"}, links={"youtube": "https://youtu.be/BBB"})
    messages = [w.message for w in selectors.episode_warnings(episode=episode)]
    assert "the YouTube id 'AAA' and the YouTube link (https://youtu.be/BBB) disagree" in messages


def test_an_edit_reads_the_transcript_once(seed_episode):
    # The warning count and the revision's file text share one read of the rows.
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        services.speaker_rename(episode=seed_episode, old="Danny", new="Dan")
    sql = [q["sql"] for q in queries]
    # (Besides the rename's look at the labels already in use.)
    reads = [text for text in sql if text.startswith("SELECT") and '"episodes_transcriptitem"."text"' in text]
    assert len(reads) == 1


def test_the_warning_count_kept_at_import_is_the_editors_count():
    make_person("alexeygrigorev", "Alexey Grigorev", is_host=True)
    make_person("janedoe", "Jane Doe")
    make_person("bobother", "Bob Other")  # not a guest of the episode: 'Bob' stays unknown
    transcript = [
        {"line": "Hi", "who": "Alexey"},
        {"line": "Hello", "who": "Jane"},
        {"line": "Yo", "who": "Bob"},
        {"header": "Empty"},
    ]
    episode = make_episode(slug="counted", transcript=transcript)
    messages = [w.message for w in selectors.episode_warnings(episode=episode)]
    assert episode.warning_count == len(messages) == 2
    assert "speaker 'Bob' matches no guest or host" in messages


def test_the_item_count_follows_the_import_every_edit_and_a_revert(episode):
    def count():
        episode.refresh_from_db()
        return episode.item_count

    assert count() == episode.items.count() == 6
    services.section_add(episode=episode, position=2, title="New")
    services.turn_insert(episode=episode, position=0)
    assert count() == 8
    services.items_delete(episode=episode, positions=[0, 1, 2])
    assert count() == 5
    first = episode.revisions.order_by("version").first()
    services.episode_revert(episode=episode, revision=first)
    assert count() == episode.items.count() == 6
    text = make_text(transcript=[{"line": "Only one.", "who": "Jane"}])
    assert import_text(text, slug=episode.slug, force=True).status == "updated"
    assert count() == 1


def test_the_migration_counts_the_items_of_existing_episodes(episode):
    import importlib

    from django.apps import apps

    from episodes.models import Episode

    migration = importlib.import_module("episodes.migrations.0011_item_count")
    empty = make_episode(slug="empty", transcript=[])
    Episode.objects.update(item_count=99)
    migration.count_items(apps, None)
    assert dict(Episode.objects.values_list("slug", "item_count")) == {episode.slug: 6, empty.slug: 0}


def test_episode_people_reads_guests_in_order_and_who_may_speak_in_one_query(db, django_assert_num_queries):
    for key, is_host in [("zed-host", True), ("amy-host", True), ("bob", False), ("cid", False)]:
        make_person(key, key.title(), is_host=is_host)
    episode = make_episode("ep", guests=["cid", "zed-host", "bob", "cid"])
    with django_assert_num_queries(1):
        guests, candidates = selectors.episode_people(episode=episode)
    assert [p.key for p in guests] == ["cid", "zed-host", "bob", "cid"]
    assert [p.key for p in candidates] == ["cid", "zed-host", "bob", "cid", "amy-host"]
    assert candidates == selectors.speaker_candidates(episode=episode)
    alone = make_episode("alone", guests=[])
    assert selectors.episode_people(episode=alone) == ([], selectors.speaker_candidates(episode=alone))


def test_episode_read_with_people_has_them_without_a_query_of_their_own(db, django_assert_num_queries):
    make_person("zed-host", "Zed", is_host=True, bio_short='Says "hi"\nand\tleaves', web="https://z.example/?a=1&b=2")
    make_person("amy-host", "Ámy Ünïcode ✓", is_host=True, demo=True)
    make_person("bob", "Bob", body="**Bob**'s bio\n\n- a list", has_profile=False, extra="note: kept\n")
    make_person("cid", "Cid", is_host=False)
    make_episode("ep", guests=["cid", "zed-host", "bob", "cid"])
    make_episode("alone", guests=[])
    fields = [f.attname for f in Person._meta.concrete_fields]
    for slug in ["ep", "alone"]:
        plain = Episode.objects.get(slug=slug)
        expected = selectors.episode_people(episode=plain)
        with django_assert_num_queries(1):
            episode = selectors.with_people(Episode.objects.filter(slug=slug)).get()
            guests, candidates = selectors.episode_people(episode=episode)
        assert (guests, candidates) == expected
        shown = [f for f in fields if f not in {"front_keys", "extra", "closing", "source_text"}]
        for got, want in zip(candidates, expected[1], strict=True):
            assert [getattr(got, f) for f in shown] == [getattr(want, f) for f in shown]
            assert type(got.is_host) is bool and type(got.demo) is bool
        # What the page does not show is read when asked, never made up.
        for got, want in zip(candidates, expected[1], strict=True):
            assert (got.extra, got.source_text, got.front_keys) == (want.extra, want.source_text, want.front_keys)
