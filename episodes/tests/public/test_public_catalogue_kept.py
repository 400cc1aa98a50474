"""The lists, people's pages, the feed's and the sitemap's heads kept between requests under the catalogue stamp:
what raises it, and that a page never shows what the stamp no longer stands for.

These tests commit (``transaction=True``): PostgreSQL raises the stamp when a transaction commits, and nothing is
kept or used inside a transaction.
"""

import pytest
from django.db import connection, transaction
from django.db.models import F
from django.test.utils import CaptureQueriesContext

from episodes import change_stamps
from episodes.models import Episode, EpisodeGuest, EpisodeTopic, Person, Speaker, Stamp, TranscriptItem
from episodes.public import listing, sitemaps, syndication
from episodes.tests.support.factories import make_episode, make_person

pytestmark = pytest.mark.django_db(transaction=True)
KEPT = (listing._kept, sitemaps._kept, syndication._kept)
PAGES = ["/", "/seasons/1/", "/episodes/", "/episodes/?page=1", "/feed.xml", "/sitemap.xml", "/people/ann/",
         "/people/bob/?page=1", "/people/alexeygrigorev/"]  # fmt: skip


@pytest.fixture(autouse=True)
def nothing_kept():
    for kept in KEPT:
        kept.clear()
    yield
    for kept in KEPT:
        kept.clear()


@pytest.fixture
def site():
    make_person("alexeygrigorev", "Alexey Grigorev", is_host=True)
    for key in ("ann", "bob"):
        make_person(key, key.title())
    make_episode("s1e1", season=1, episode=1, title="First", guests=["ann"])
    make_episode("s1e2", season=1, episode=2, title="Second", guests=["bob"])
    make_episode("s2e1", season=2, episode=1, title="Third", guests=["ann", "bob"])


def stamp() -> int | None:
    return Stamp.objects.filter(id=change_stamps.CATALOGUE).values_list("value", flat=True).first()


def test_the_triggers_name_the_people_and_speakers_tables():
    assert (Person._meta.db_table, Speaker._meta.db_table) == (change_stamps._PEOPLE, change_stamps._SPEAKERS)


CHANGES = {
    "title": lambda: Episode.objects.filter(slug="s1e2").update(title="Renamed"),
    "version": lambda: Episode.objects.filter(slug="s1e1").update(version=99),
    "episode added": lambda: make_episode("s2e2", season=2, episode=2, title="Fourth", guests=["bob"]),
    "episode deleted": lambda: Episode.objects.filter(slug="s1e1").delete(),
    "guest added": lambda: EpisodeGuest.objects.create(
        episode=Episode.objects.get(slug="s1e1"), person=Person.objects.get(key="bob"), position=5
    ),
    "guest removed": lambda: EpisodeGuest.objects.filter(episode__slug="s2e1", person__key="bob").delete(),
    "person renamed": lambda: Person.objects.filter(key="ann").update(name="Annabel"),
    "person's profile": lambda: Person.objects.filter(key="bob").update(web="https://bob.example.org/"),
    "speaker tied": lambda: Speaker.objects.create(
        episode=Episode.objects.get(slug="s1e1"), label="Bob", person=Person.objects.get(key="bob")
    ),
    "person added": lambda: make_person("cid", "Cid"),
}


@pytest.mark.parametrize("change", CHANGES)
def test_every_change_of_an_episode_its_guests_or_a_person_raises_the_stamp(site, change):
    before = stamp()
    CHANGES[change]()
    assert stamp() not in (before, None)


def test_what_no_list_shows_leaves_the_stamp_alone(site):
    before = stamp()
    TranscriptItem.objects.filter(episode__slug="s1e2").update(text="Changed")
    EpisodeTopic.objects.filter(episode__slug="s1e2").delete()
    assert stamp() == before


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL raises the stamp at commit")
def test_postgresql_raises_the_stamp_when_the_transaction_commits(site):
    before = stamp()
    with transaction.atomic():
        CHANGES["title"]()
        CHANGES["person renamed"]()
        assert stamp() == before  # not yet: at commit
    assert stamp() != before


def test_kept_lists_feed_and_sitemap_are_one_query(client, site):
    for url in PAGES:
        assert client.get(url).status_code == 200
    for url in PAGES:
        with CaptureQueriesContext(connection) as queries:
            again = client.get(url)
        assert again.status_code == 200 and len(queries) == 1, (url, [q["sql"] for q in queries.captured_queries])
        with CaptureQueriesContext(connection) as queries:
            unchanged = client.get(url, headers={"if-none-match": again["ETag"]})
        assert unchanged.status_code == 304 and len(queries) == 1, url


@pytest.mark.parametrize("change", CHANGES)
def test_after_each_change_every_kept_page_is_what_a_fresh_process_makes(client, site, change):
    for url in PAGES:
        client.get(url)
    CHANGES[change]()
    shown = {url: client.get(url) for url in PAGES}
    for kept in KEPT:
        kept.clear()
    for url, response in shown.items():
        fresh = client.get(url)
        assert (response.status_code, response["ETag"], response.content) == (
            fresh.status_code, fresh["ETag"], fresh.content
        ), (change, url)  # fmt: skip


def test_a_renamed_episode_and_person_show_at_once(client, site):
    for url in PAGES:
        client.get(url)
    Episode.objects.filter(slug="s1e2").update(title="A title no one saw", version=F("version") + 1)
    Person.objects.filter(key="bob").update(name="Robert Tables")
    for url in ("/seasons/1/", "/episodes/", "/feed.xml"):
        assert "A title no one saw" in client.get(url).content.decode(), url
    for url in ("/seasons/1/", "/people/bob/"):
        assert "Robert Tables" in client.get(url).content.decode(), url
    assert "A title no one saw" in client.get("/people/bob/").content.decode()


def test_a_page_that_does_not_exist_is_never_kept(client, site):
    for _ in range(2):
        assert client.get("/episodes/?page=9").status_code == 404
        assert client.get("/people/ann/?page=9").status_code == 404
        assert client.get("/people/nobody/").status_code == 404
    assert list(listing._kept.entries) == ["seasons"]
    make_person("nobody", "Nobody Yet")  # a profile now: the page is there at once
    assert client.get("/people/nobody/").status_code == 200


def test_nothing_is_kept_or_used_inside_a_transaction(client, site):
    client.get("/feed.xml")
    with transaction.atomic():
        Episode.objects.filter(slug="s2e1").update(title="Inside", version=F("version") + 1)  # as every edit does
        with CaptureQueriesContext(connection) as queries:
            inside = client.get("/feed.xml").content.decode()
        assert "Inside" in inside and not any("episodes_stamp" in q["sql"] for q in queries.captured_queries)
