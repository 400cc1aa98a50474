"""The mapping between documents and rows: typed columns, extras, key order, body links."""

import datetime

import pytest

from episodes.documents import database
from episodes.format import frontmatter as fm
from episodes.models import BodyLink, Episode, Person, PlatformRef, TranscriptItem
from episodes.results import CREATED, REFUSED
from episodes.tests.support.factories import export, import_text, make_episode, make_front, make_person, make_text

pytestmark = pytest.mark.django_db


def test_seed_maps_to_typed_rows(seed_episode):
    ep = seed_episode
    assert (ep.title, ep.season, ep.number) == ("MLOps Architect", 10, 3)
    assert ep.image == "images/podcast/s10e03-mlops-architect.jpg"
    assert list(ep.guests.values_list("key", flat=True)) == ["dannyleybzon"]
    refs = list(ep.platform_refs.values_list("mapping", "platform", "value"))
    assert ("ids", "youtube", "p1gVaS4Zx5M") in refs
    items = list(ep.items.all())
    assert items[0].who == "Alexey" and items[0].sec == 116 and items[0].time == "1:56"
    headers = [i.text for i in items if i.is_header]
    assert headers[0] == "Danny’s background"
    assert [link.text for link in ep.body_links.all()][:2] == ["Matt Turck", "AI Observability Platform"]
    assert ep.extra == ""


def test_seed_exports_byte_for_byte(seed_episode, seed_text):
    assert export(seed_episode) == seed_text


def test_export_runs_four_queries(seed_episode, django_assert_num_queries):
    with django_assert_num_queries(4):
        database.episode_document(seed_episode)


def test_unknown_keys_keep_type_and_order():
    text = make_text(
        description="About things",
        dateadded=datetime.date(2024, 5, 1),
        topics=["MLOps", "Careers"],
        quotableClips=[{"name": "A clip", "startOffset": 10, "endOffset": 20}],
        someFutureKey={"nested": [1, 2.5, None, True]},
    )
    result = import_text(text, slug="extras")
    assert result.status == CREATED
    ep = Episode.objects.get(slug="extras")
    extra = database.load_extra(ep.extra)
    assert extra["dateadded"] == datetime.date(2024, 5, 1)
    assert list(extra) == ["description", "dateadded", "topics", "quotableClips", "someFutureKey"]
    assert export(ep) == text


def test_values_that_do_not_fit_a_column_stay_in_extra():
    text = fm.render(
        {
            "title": None,
            "season": 2**40,
            "guests": ["no/slash"],
            "ids": {"youtube": 12345},
            "transcript": [{"line": "x", "who": None}, "just a string", {"header": "H", "note": 1}],
            3: "int key",
        },
        "\n",
    )
    result = import_text(text, slug="odd")
    assert result.status == CREATED, result
    ep = Episode.objects.get(slug="odd")
    assert ep.title == "" and ep.season is None
    assert ep.guests.count() == 0 and ep.platform_refs.count() == 0
    kinds = list(ep.items.values_list("kind", flat=True))
    assert kinds == ["turn", "raw", "header"]
    assert export(ep) == text


def test_turns_keep_their_own_optional_keys():
    transcript = [
        {"line": "no time", "who": "Alexey"},
        {"line": "no speaker", "sec": 3, "time": "0:03"},
        {"who": "Jane", "line": "keys in another order", "time": "0:04", "sec": 4},
        {"line": "blank speaker", "who": ""},
    ]
    text = make_text(transcript=transcript)
    import_text(text, slug="keys")
    ep = Episode.objects.get(slug="keys")
    assert export(ep) == text


def test_body_without_link_list_is_kept_verbatim():
    body = "\n\nWe talked about:\n\n- One\n- Two\n"
    ep = make_episode(slug="prose", body=body)
    assert ep.body == body and ep.body_after == ""
    assert not ep.body_links.exists()
    assert export(ep).endswith("---" + body)


def test_body_link_rows_and_text_after_them():
    body = '\nLinks:\n\n- [A](https://a.example/){:target="_blank"}\n- [B](http://b.example/)\n\nThanks!'
    ep = make_episode(slug="links", body=body)
    rows = list(ep.body_links.values_list("text", "url", "marker", "new_tab"))
    assert rows == [("A", "https://a.example/", "-", True), ("B", "http://b.example/", "-", False)]
    assert ep.body_after == "\n\nThanks!"
    assert export(ep).endswith("---" + body)


def test_column_edits_show_in_the_export():
    ep = make_episode()
    Episode.objects.filter(pk=ep.pk).update(title="New title")
    TranscriptItem.objects.filter(episode=ep, position=1).update(who="Alexey Grigorev")
    BodyLink.objects.filter(episode=ep).update(text="Example site")
    text = export(ep)
    assert "title: New title\n" in text
    assert "who: Alexey Grigorev\n" in text
    assert "* [Example site](https://example.com/)" in text


def test_fields_filled_in_later_are_added_in_sorted_place():
    text = fm.render({"episode": 1, "title": "T", "transcript": [{"line": "hi", "who": "A"}]}, "\n")
    import_text(text, slug="late")
    ep = Episode.objects.get(slug="late")
    Episode.objects.filter(pk=ep.pk).update(short="S", season=3)
    TranscriptItem.objects.filter(episode=ep).update(sec=7, time="0:07")
    front = fm.parse(export(ep)).front
    assert list(front) == ["episode", "season", "short", "title", "transcript"]
    assert list(front["transcript"][0]) == ["line", "sec", "time", "who"]


def test_cleared_sec_is_dropped_not_written_as_null():
    ep = make_episode()
    TranscriptItem.objects.filter(episode=ep).update(sec=None)
    assert "sec:" not in export(ep)


def test_guest_without_profile_becomes_placeholder_with_warning():
    result = import_text(make_text(guests=["newguest"]), slug="g")
    assert result.missing_guests == ["newguest"]
    assert result.warnings == ["guest 'newguest' has no profile in _people yet"]
    person = Person.objects.get(key="newguest")
    assert not person.has_profile


def test_known_guest_is_linked():
    make_person("janedoe")
    result = import_text(make_text(), slug="known")
    assert result.missing_guests == []
    assert Episode.objects.get(slug="known").guests.get().name == "Jane Doe"


def test_platform_refs_keep_order_per_mapping():
    links = {"youtube": "https://y", "spotify": "https://s", "apple": "https://a"}
    ep = make_episode(links=links)
    got = list(PlatformRef.objects.filter(episode=ep, mapping="links").values_list("platform", flat=True))
    assert got == ["youtube", "spotify", "apple"]


def test_person_profile_round_trip():
    text = (
        '---\nshort: janedoe\ntitle: "Jane Doe"\nweb: https://jane.example/\nmastodon: "@jane"\n---\n\nJane is great.'
    )
    result = import_text(text, slug="janedoe", person=True)
    assert result.status == CREATED
    person = Person.objects.get(key="janedoe")
    assert (person.name, person.web, person.bio, person.has_profile) == (
        "Jane Doe",
        "https://jane.example/",
        "Jane is great.",
        True,
    )
    doc = database.person_document(person)
    assert doc.front == {"short": "janedoe", "title": "Jane Doe", "web": "https://jane.example/", "mastodon": "@jane"}
    assert doc.render().endswith("---\n\nJane is great.")


@pytest.mark.parametrize(
    ("front", "line", "message"),
    [
        # A NUL escape in a key was kept as YAML text; text a page or a feed cannot carry is refused now.
        ({"title": "T", "a\x00b": 1}, 3, "a key holds the character U+0000"),
        ({"title": "T", "transcript": [{"line": "hi", "x\x00y": 2}]}, 5, "a key of 'transcript[0]' holds the char"),
        ({"title": "Line\x0bbreak"}, 2, "'title' holds the character U+000B, which is not allowed in text"),
        ({"title": "T", "guests": ["ok", "bad\x1f"]}, 5, "'guests[1]' holds the character U+001F"),
    ],
)
def test_escapes_of_text_xml_cannot_carry_are_refused_at_their_line(front, line, message):
    text = fm.render(front, "\n")
    result = import_text(text, slug="not-text")
    assert result.status == REFUSED and (result.line, True) == (line, message in result.message), result
    assert not Episode.objects.filter(slug="not-text").exists()


def test_nul_in_the_body_is_refused_and_nothing_kept():
    result = import_text(make_text(body="\n\nSome\x00text\n"), slug="nul-body")
    assert result.status == REFUSED
    assert "NUL character" in result.message
    assert not Episode.objects.filter(slug="nul-body").exists()


@pytest.mark.parametrize("person", [False, True])
def test_long_closing_line_is_kept_whole(person):
    # A varchar(40) column made PostgreSQL cut the spaces off silently.
    text = "---\ntitle: x\n---" + " " * 60 + "\t\n\nbody\n"
    result = import_text(text, slug="closing", person=person)
    assert result.status == CREATED, result
    if person:
        assert database.person_document(Person.objects.get(key="closing")).render() == text
    else:
        assert export(Episode.objects.get(slug="closing")) == text


def test_tagged_values_that_would_change_type_are_refused_at_their_line():
    text = make_text(order=fm.load("!!omap [{a: 1}]"))  # rendered as a plain list: build the file by hand
    text = text.replace("order:\n- - a\n  - 1\n", "order: !!omap [{a: 1}]\n")
    result = import_text(text, slug="omap")
    assert result.status == REFUSED
    assert result.line == text.split("\n").index("order: !!omap [{a: 1}]") + 1
    assert result.message == "'order': a value would not be written back as it was read: a tuple would become a list"
    assert not Episode.objects.filter(slug="omap").exists()

    text = make_text().replace("- header: Background\n", "- header: Background\n  pairs: !!pairs [{a: 1}]\n")
    result = import_text(text, slug="pairs")
    assert result.status == REFUSED
    assert result.line == text.split("\n").index("- header: Background") + 1
    assert result.message.startswith("'transcript[3]': a value would not be written back")


@pytest.mark.parametrize("depth", [40, 500])
def test_deeply_nested_values_are_kept_or_refused_never_crash(depth):
    text = fm.render(make_front(), "\n").replace("title:", "deep: " + "{a: " * depth + "1" + "}" * depth + "\ntitle:")
    result = import_text(text, slug="deep")
    if depth < fm.MAX_DEPTH:
        assert result.status == CREATED, result
        assert export(Episode.objects.get(slug="deep")) == fm.render(fm.parse(text).front, "\n")
    else:
        assert result.status == REFUSED and "nested more than" in result.message
        assert result.line == 2


def test_a_set_comes_back_from_the_database_in_the_files_order():
    tags = fm.FileOrderSet(["zeta", "alpha", "mid", "beta"])
    text = fm.render(make_front(tags=tags), "\n")
    assert "tags: !!set\n  zeta: null\n  alpha: null\n  mid: null\n  beta: null\n" in text
    assert import_text(text, slug="with-set").status == "created"
    assert export(Episode.objects.get(slug="with-set")) == text


def test_an_imported_episode_s_other_keys_are_known_without_parsing_them_again(monkeypatch):
    front = make_front(quotableClips=[{"name": "Start", "startOffset": 0}], topics=["MLOps"], custom={"a": [1]})
    doc = fm.parse(make_text(**front))
    rows = database.episode_rows(doc, slug="primed")
    monkeypatch.setattr(database.columns, "load_extra", lambda text: pytest.fail("parsed again"))
    data = database.parsed_extra(rows.episode.extra)
    assert fm.same_data(data, fm.load(rows.episode.extra))
    assert data["custom"] is not doc.front["custom"]  # a copy: the document's values may still change
