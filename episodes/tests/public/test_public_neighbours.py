"""Where a reader goes from an episode page: previous/next in the season, related episodes; and the transcript note."""

import importlib
import re
from html import unescape

import pytest
from django.apps import apps as django_apps
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from episodes import services
from episodes.documents import database
from episodes.format.topics import episode_topics, topic_key
from episodes.models import Episode, EpisodeTopic, Revision
from episodes.public import episode_neighbours
from episodes.results import UPDATED
from episodes.tests.support.factories import import_text, make_episode, make_person, make_text, repeated_transcript_text

fill_topics = importlib.import_module("episodes.migrations.0012_episode_topics").fill_topics


@pytest.fixture
def people(db):
    make_person("alexeygrigorev", "Alexey Grigorev", is_host=True)
    for key in ("ann", "bob", "cid"):
        make_person(key, key.title())


def neighbours(slug: str):
    episode = Episode.objects.get(slug=slug)
    guests = [row.person for row in episode.guest_rows.select_related("person")]
    from episodes.documents import database

    return episode_neighbours(episode, guests=guests, topics=episode_topics(database.load_extra(episode.extra)))


def slugs(items) -> list[str]:
    return [n.slug for n in items]


def more_section(client, slug: str) -> str:
    html = client.get(reverse("episodes:episode", args=[slug])).content.decode()
    match = re.search(r'<nav class="more wrap".*?</nav>', html, re.S)
    return match.group(0) if match else ""


# -- previous and next ---------------------------------------------------------------------------------------


def test_previous_and_next_in_the_season_by_number(people):
    for slug, season, number in [("s1e1", 1, 1), ("s1e2", 1, 2), ("s1e4", 1, 4), ("s2e1", 2, 1), ("s1e3", 1, 3)]:
        make_episode(slug, season=season, episode=number, guests=[])
    middle = neighbours("s1e2")
    assert (middle.previous.slug, middle.next.slug) == ("s1e1", "s1e3")
    first, last = neighbours("s1e1"), neighbours("s1e4")
    assert first.previous is None and first.next.slug == "s1e2"
    assert last.previous.slug == "s1e3" and last.next is None
    alone = neighbours("s2e1")
    assert alone.previous is None and alone.next is None


def test_same_numbers_go_by_slug_and_unnumbered_ones_come_last(people):
    make_episode("a", season=1, episode=1, guests=[])
    make_episode("b", season=1, episode=1, guests=[])
    make_episode("x-bonus", season=1, guests=[])
    make_episode("y-bonus", season=1, guests=[])
    Episode.objects.filter(slug__endswith="bonus").update(number=None)
    chain = [
        (n.previous and n.previous.slug, n.next and n.next.slug)
        for n in map(neighbours, ["a", "b", "x-bonus", "y-bonus"])
    ]
    assert chain == [(None, "b"), ("a", "x-bonus"), ("b", "y-bonus"), ("x-bonus", None)]


def test_episodes_without_a_season_are_a_season_of_their_own(people):
    make_episode("loose-1", episode=1, guests=[])
    make_episode("loose-2", episode=2, guests=[])
    make_episode("seasoned", season=1, episode=1, guests=[])
    Episode.objects.filter(slug__startswith="loose").update(season=None)
    assert neighbours("loose-1").next.slug == "loose-2"
    assert neighbours("loose-2").previous.slug == "loose-1"


def test_drafts_are_never_neighbours(people):
    make_episode("one", episode=1, guests=["ann"])
    make_episode("two", episode=2, guests=["ann"])
    make_episode("three", episode=3, guests=["ann"])
    Episode.objects.filter(slug="two").update(status=Episode.Status.DRAFT)
    found = neighbours("one")
    assert found.next.slug == "three" and found.related == []
    # A draft's own page (a staff preview) shows published neighbours.
    assert neighbours("two").previous.slug == "one"


# -- related ----------------------------------------------------------------------------------------------------


def test_related_by_shared_guests_then_topics_then_season(people):
    make_episode("this", season=5, episode=5, guests=["ann", "bob"], topics=["MLOps", "careers"])
    make_episode("two-guests", season=1, episode=1, guests=["ann", "bob"])
    make_episode("one-guest", season=2, episode=1, guests=["bob"])
    make_episode("topics", season=3, episode=1, guests=["cid"], topics=["mlops", "Careers"])
    make_episode("one-topic", season=3, episode=2, guests=["cid"], topics=["careers"])
    make_episode("mentions", season=3, episode=3, guests=["cid"], description="Nothing about MLOps in the list.")
    make_episode("same-season", season=5, episode=1, guests=["cid"])
    found = neighbours("this")
    assert found.previous.slug == "same-season"
    assert slugs(found.related) == ["two-guests", "one-guest", "topics"]
    Episode.objects.filter(slug__in=["two-guests", "one-guest"]).delete()
    assert slugs(neighbours("this").related) == ["topics", "one-topic"]


def test_related_fills_up_from_the_season_newest_first_leaving_out_previous_and_next(people):
    for n in range(1, 7):
        make_episode(f"e{n}", season=1, episode=n, guests=["cid"] if n == 3 else [])
    found = neighbours("e3")
    assert (found.previous.slug, found.next.slug) == ("e2", "e4")
    assert slugs(found.related) == ["e6", "e5", "e1"]


def test_common_words_in_the_text_do_not_crowd_out_the_season(people):
    make_episode("this", season=2, episode=1, guests=[], topics=["data"])
    for n in range(12):
        make_episode(f"other-{n}", season=9, episode=n, guests=[], description="All about data.")
    make_episode("mate", season=2, episode=5, guests=[])
    make_episode("mate-2", season=2, episode=6, guests=[])
    found = neighbours("this")
    assert found.next.slug == "mate"
    assert slugs(found.related) == ["mate-2"]


def test_related_is_empty_when_nothing_relates(people):
    make_episode("alone", season=1, guests=["ann"])
    make_episode("stranger", season=2, guests=["bob"])
    found = neighbours("alone")
    assert (found.previous, found.next, found.related) == (None, None, [])


def test_topics_with_like_wildcards_and_backslashes_are_matched_literally(people):
    make_episode("this", season=1, guests=[], topics=["C:\\data_100%"])
    make_episode("same", season=2, guests=[], topics=["c:\\DATA_100%"])
    make_episode("near-miss", season=3, guests=[], topics=["C:data-100"], description="C:Xdata-100 and C:data_1000")
    assert slugs(neighbours("this").related) == ["same"]


def test_topics_key_of_any_shape():
    assert episode_topics({"topics": ["a", " a ", "", 3, None, "b"]}) == ["a", "b"]
    assert episode_topics({"topics": "a"}) == []
    assert episode_topics({}) == []


# -- on the page ------------------------------------------------------------------------------------------------


def test_page_links_previous_next_and_related(client, people):
    make_episode("first", episode=1, title="The first", guests=[])
    make_episode("second", episode=2, title="The second", guests=["ann"])
    make_episode("third", episode=3, title="The <third>", guests=[])
    make_episode("elsewhere", season=4, episode=7, title="Elsewhere", guests=["ann"])
    html = more_section(client, "second")
    assert '<a rel="prev" href="/episodes/first/"><span class="more__dir">← Previous · S1E1</span>' in html
    assert '<a rel="next" href="/episodes/third/"><span class="more__dir">Next · S1E3 →</span>' in html
    assert "The &lt;third&gt;" in html
    related = re.findall(r'<ul class="more__related".*?</ul>', html, re.S)[0]
    assert re.findall(r'href="([^"]+)"', related) == ["/episodes/elsewhere/"]
    assert '<span class="badge">S4E7</span>' in related


def test_page_without_neighbours_has_no_section(client, people):
    make_episode("alone", guests=[])
    assert more_section(client, "alone") == ""


def test_neighbours_of_any_file_name(client, people):
    make_episode("v1.2@home_edition", episode=1, guests=[])
    make_episode("a_b-c", episode=2, guests=[])
    assert 'href="/episodes/v1.2@home_edition/"' in more_section(client, "a_b-c")


def test_etag_changes_when_a_neighbour_does(client, people):
    make_episode("one", episode=1, guests=[])
    nxt = make_episode("two", episode=2, guests=[])
    url = reverse("episodes:episode", args=["one"])
    before = client.get(url)["ETag"]
    Episode.objects.filter(pk=nxt.pk).update(title="A new title", version=nxt.version + 1)
    response = client.get(url)
    assert response["ETag"] != before and "A new title" in response.content.decode()
    Episode.objects.filter(pk=nxt.pk).update(status=Episode.Status.DRAFT)
    response = client.get(url)
    assert "A new title" not in response.content.decode()


def test_episode_page_with_neighbours_stays_within_ten_queries(
    client, admin_client, people, seed_text, django_assert_max_num_queries, django_assert_num_queries
):
    import_text(repeated_transcript_text(seed_text, 5), slug="long")
    for n in range(6):
        make_episode(f"mate-{n}", season=10, episode=n, guests=["dannyleybzon", "ann"], topics=["MLOps"])
    Episode.objects.filter(slug="long").update(season=10, number=3)
    found = neighbours("long")
    assert found.previous and found.next and len(found.related) == 3
    with django_assert_max_num_queries(10) as counted:
        assert client.get("/episodes/long/").status_code == 200
    count = len(counted)
    # A draft previewed by staff reads the session and the user besides.
    Episode.objects.filter(slug="long").update(status=Episode.Status.DRAFT)
    with django_assert_max_num_queries(10):
        assert admin_client.get("/episodes/long/").status_code == 200
    assert count <= 7


# -- the transcript note -------------------------------------------------------------------------------------


def test_transcript_note_and_report_link(client, people, settings):
    settings.TRANSCRIPT_ISSUE_URL = "https://github.com/Org/site/issues/new?title={title}&labels=transcript"
    make_episode("ep", title="Data & Café #1")
    html = client.get("/episodes/ep/").content.decode()
    note = re.search(r'<aside class="transcript-note".*?</aside>', html, re.S).group(0)
    assert "may contain mistakes" in note
    link = re.search(r'<a href="([^"]+)"[^>]*>Report a problem with this transcript</a>', note)
    assert unescape(link.group(1)) == (
        "https://github.com/Org/site/issues/new?title=Transcript%3A%20Data%20%26%20Caf%C3%A9%20%231&labels=transcript"
    )


def test_no_report_link_unless_configured(client, people, settings):
    settings.TRANSCRIPT_ISSUE_URL = ""
    make_episode("ep")
    html = client.get("/episodes/ep/").content.decode()
    assert "may contain mistakes" in html and "Report a problem" not in html


def test_unsafe_report_address_is_not_shown(client, people, settings):
    settings.TRANSCRIPT_ISSUE_URL = "javascript:alert('{title}')"
    make_episode("ep")
    assert "Report a problem" not in client.get("/episodes/ep/").content.decode()


def test_no_note_without_a_transcript(client, people, settings):
    settings.TRANSCRIPT_ISSUE_URL = "https://example.com/new?title={title}"
    make_episode("ep", transcript=[])
    html = client.get("/episodes/ep/").content.decode()
    assert "transcript-note" not in html and "Report a problem" not in html


def test_guest_cards_sit_under_a_guests_heading(client, people):
    make_episode("ep", guests=["ann"])
    html = client.get("/episodes/ep/").content.decode()
    headings = [int(level) for level in re.findall(r"<h([1-6])\b", html)]
    assert all(b <= a + 1 for a, b in zip(headings, headings[1:], strict=False)), headings
    assert '<h2 class="visually-hidden" id="guests-title">Guests</h2>' in html


def test_a_repeated_request_parses_no_front_matter(client, people, monkeypatch):
    from episodes.documents import database

    make_episode("ep", topics=["MLOps"], description="About MLOps.")
    make_episode("other", topics=["mlops"])
    etag = client.get("/episodes/ep/")["ETag"]
    parsed = []
    load_extra = database.load_extra
    monkeypatch.setattr(database.columns, "load_extra", lambda text: parsed.append(text) or load_extra(text))
    assert client.get("/episodes/ep/", headers={"if-none-match": etag}).status_code == 304
    assert parsed == []


def test_related_episodes_come_from_shared_guests_and_the_newest_ones(people, monkeypatch):
    from episodes.public import neighbours as module

    monkeypatch.setattr(module, "RECENT", 2)  # the two newest episodes, then guests only
    make_episode("old-guest", season=1, episode=1, guests=["bob"])
    make_episode("old-topic", season=1, episode=2, guests=[], topics=["Data"])
    make_episode("new-1", season=5, episode=1, guests=[])
    make_episode("new-2", season=5, episode=2, guests=[], topics=["Data"])
    make_episode("here", season=3, episode=1, guests=["bob"], topics=["Data"])
    # 'old-topic' shares a topic but is neither recent nor sharing a guest: a show with thousands of
    # episodes is not searched through for it.
    assert slugs(neighbours("here").related) == ["old-guest", "new-2"]
    monkeypatch.setattr(module, "RECENT", 250)
    assert slugs(neighbours("here").related) == ["old-guest", "new-2", "old-topic"]


# -- topics as rows -------------------------------------------------------------------------------------------


def topic_rows(slug: str) -> list[str]:
    return list(EpisodeTopic.objects.filter(episode__slug=slug).order_by("position").values_list("key", flat=True))


def test_topic_rows_follow_every_write_of_the_topics(people):
    episode = make_episode("ep", topics=["MLOps", "mlops ", "Careers", "", 3])
    assert topic_rows("ep") == [topic_key("MLOps"), topic_key("careers")]
    services.episode_save(episode=episode, extra={**database.episode_extra(episode), "topics": ["Data"]})
    assert topic_rows("ep") == [topic_key("data")]
    first = Revision.objects.for_episode(episode).last()
    services.episode_revert(episode=Episode.objects.get(slug="ep"), revision=first)
    assert topic_rows("ep") == [topic_key("MLOps"), topic_key("careers")]
    result = import_text(make_text(topics=["Search"]), slug="ep", force=True)
    assert result.status == UPDATED and topic_rows("ep") == [topic_key("search")]
    services.episode_save(episode=Episode.objects.get(slug="ep"), fields={"title": "Renamed"})
    assert topic_rows("ep") == [topic_key("search")]
    # A full save of a row read with its other keys deferred replaces the rows from what it writes.
    deferred = Episode.objects.defer("extra").get(slug="ep")
    deferred.extra = "topics:\n- Infra\n"
    deferred.save()
    assert topic_rows("ep") == [topic_key("infra")]
    Episode.objects.filter(slug="ep").delete()
    assert not EpisodeTopic.objects.exists()


def test_topics_of_any_length_and_text_are_matched_by_their_whole_text(people):
    long = "x" * 20_000
    make_episode("this", season=1, guests=[], topics=[long, "\u00df-straße"])
    make_episode("same", season=2, guests=[], topics=[long.upper()])
    make_episode("folded", season=3, guests=[], topics=["SS-STRASSE"])
    make_episode("prefix", season=4, guests=[], topics=[long[:-1]])
    assert slugs(neighbours("this").related) == ["folded", "same"]


def test_migration_fills_the_topics_of_existing_episodes(people):
    make_episode("one", topics=["MLOps", "Data"])
    make_episode("two", topics="not a list")
    make_episode("three", guests=[])
    EpisodeTopic.objects.all().delete()
    fill_topics(django_apps, None)
    assert topic_rows("one") == [topic_key("mlops"), topic_key("data")]
    assert topic_rows("two") == topic_rows("three") == []


def test_a_page_and_its_304_find_related_episodes_through_indexes_not_text(client, people):
    make_episode("ep", season=1, guests=["ann"], topics=["MLOps"])
    make_episode("other", season=2, guests=[], topics=["mlops"])
    with CaptureQueriesContext(connection) as page:
        response = client.get("/episodes/ep/")
    assert "/episodes/other/" in more_section(client, "ep")
    with CaptureQueriesContext(connection) as again:
        assert client.get("/episodes/ep/", headers={"if-none-match": response["ETag"]}).status_code == 304
    for query in [*page.captured_queries, *again.captured_queries]:
        assert "LIKE" not in query["sql"].upper(), query["sql"]
    assert len(again.captured_queries) <= 4
