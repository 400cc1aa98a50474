"""Related episodes kept between requests under the structure stamp: what raises the stamp, and that a page never
shows neighbours the stamp no longer stands for.

These tests commit (``transaction=True``): PostgreSQL raises the stamp when a transaction commits, and nothing is
kept or used inside a transaction.
"""

import re

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from episodes import change_stamps
from episodes.models import Episode, EpisodeGuest, EpisodeTopic, Person, Stamp, TranscriptItem
from episodes.public import neighbours as kept_neighbours
from episodes.tests.support.factories import make_episode, make_person

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def nothing_kept():
    kept_neighbours._kept.clear()
    yield
    kept_neighbours._kept.clear()


@pytest.fixture
def season():
    make_person("alexeygrigorev", "Alexey Grigorev", is_host=True)
    for key in ("ann", "bob", "cid"):
        make_person(key, key.title())
    make_episode("s1e1", season=1, episode=1, guests=["ann"], topics=["MLOps"])
    make_episode("s1e2", season=1, episode=2, guests=["bob"], topics=["MLOps", "careers"])
    make_episode("s1e3", season=1, episode=3, guests=["cid"], topics=["careers"])
    make_episode("s2e1", season=2, episode=1, guests=["bob"], topics=["data"])
    make_episode("s2e2", season=2, episode=2, guests=["ann", "cid"], topics=["careers", "data"])


def stamp() -> int | None:
    return Stamp.objects.filter(id=change_stamps.STRUCTURE).values_list("value", flat=True).first()


def page_url(slug: str) -> str:
    return reverse("episodes:episode", args=[slug])


def more_section(response) -> str:
    return re.search(r'<nav class="more wrap".*?</nav>', response.content.decode(), re.S).group(0)


def test_the_triggers_name_the_models_tables():
    tables = (Stamp, Episode, EpisodeGuest, EpisodeTopic, TranscriptItem)
    names = [
        change_stamps.STAMP_TABLE,
        *(getattr(change_stamps, n) for n in ("_EPISODES", "_GUESTS", "_TOPICS", "_ITEMS")),
    ]
    assert [model._meta.db_table for model in tables] == names
    assert all(Episode._meta.get_field(name).column == name for name in change_stamps._SHAPE)
    assert all(TranscriptItem._meta.get_field(name).column == name for name in ("text", "kind"))
    assert TranscriptItem._meta.get_field("episode").column in change_stamps._WORDS


def episode(slug: str) -> Episode:
    return Episode.objects.get(slug=slug)


SHAPE_CHANGES = {
    "status": lambda: Episode.objects.filter(slug="s1e3").update(status=Episode.Status.DRAFT),
    "season": lambda: Episode.objects.filter(slug="s2e1").update(season=1),
    "number": lambda: Episode.objects.filter(slug="s1e1").update(number=9),
    "slug": lambda: Episode.objects.filter(slug="s1e3").update(slug="s1e3-renamed"),
    "guest added": lambda: EpisodeGuest.objects.create(
        episode=episode("s2e1"), person=Person.objects.get(key="cid"), position=7
    ),
    "guest changed": lambda: EpisodeGuest.objects.filter(episode__slug="s1e2").update(
        person=Person.objects.get(key="cid")
    ),
    "guest removed": lambda: EpisodeGuest.objects.filter(episode__slug="s2e2").delete(),
    "topic added": lambda: EpisodeTopic.objects.create(
        episode=episode("s1e3"), key=EpisodeTopic.objects.filter(episode__slug="s2e1").first().key, position=5
    ),
    "topic changed": lambda: EpisodeTopic.objects.filter(episode__slug="s1e1").update(position=3),
    "topic removed": lambda: EpisodeTopic.objects.filter(episode__slug="s1e2").delete(),
    "episode added": lambda: make_episode("s1e0", season=1, episode=0, guests=["bob"], topics=["careers"]),
    "episode deleted": lambda: episode("s1e1").delete(),
}


@pytest.mark.parametrize("change", SHAPE_CHANGES)
def test_every_change_of_what_neighbours_are_made_of_raises_the_stamp(season, change):
    before = stamp()
    SHAPE_CHANGES[change]()
    assert stamp() != before


def test_a_stamp_never_repeats_after_its_row_is_lost(season):
    # A flush (or a restored backup) takes the row away: a count would start again, and give the same number
    # to another state of the database.
    values = set()
    for slug in ("s1e1", "s1e2", "s1e3"):
        Stamp.objects.all().delete()
        Episode.objects.filter(slug=slug).update(status=Episode.Status.DRAFT)
        values.add(stamp())
    assert len(values) == 3 and None not in values


def test_what_a_neighbour_shows_and_the_rest_leave_the_stamp_alone(season):
    before = stamp()
    Episode.objects.filter(slug="s1e2").update(title="Another title", short="x", version=99, season=1, number=2)
    TranscriptItem.objects.filter(episode__slug="s1e2").update(text="Changed")
    Person.objects.filter(key="bob").update(name="Robert")
    assert stamp() == before


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL raises the stamp at commit")
def test_postgresql_raises_the_stamp_when_the_transaction_commits(season):
    before = stamp()
    with transaction.atomic():
        for change in ("status", "season", "guest added", "topic removed"):
            SHAPE_CHANGES[change]()
        assert stamp() == before  # not yet: at commit
    assert stamp() != before
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM {change_stamps.PENDING_TABLE}")  # noqa: S608 - a constant
        assert cursor.fetchone() == (0,)


def test_a_kept_page_validator_is_one_query_and_shows_a_neighbours_new_title(client, season):
    first = client.get(page_url("s1e2"))
    assert page_url("s1e3") in more_section(first) and kept_neighbours._kept.entries["s1e2"][0] == stamp()
    with CaptureQueriesContext(connection) as queries:
        again = client.get(page_url("s1e2"), headers={"if-none-match": first["ETag"]})
    assert again.status_code == 304 and len(queries) == 1
    Episode.objects.filter(slug="s1e3").update(title="A title no one saw")
    with CaptureQueriesContext(connection) as queries:
        renamed = client.get(page_url("s1e2"), headers={"if-none-match": first["ETag"]})
    assert renamed.status_code == 200 and "A title no one saw" in more_section(renamed)
    assert not any("WITH mates" in q["sql"] for q in queries.captured_queries)


@pytest.mark.parametrize("change", SHAPE_CHANGES)
def test_a_kept_page_shows_the_neighbours_as_found_anew_after_each_change(client, season, change):
    slugs = ["s1e1", "s1e2", "s1e3", "s2e1", "s2e2"]
    for slug in slugs:
        assert client.get(page_url(slug)).status_code == 200
    SHAPE_CHANGES[change]()
    shown = {}
    for slug in Episode.objects.published().values_list("slug", flat=True):
        shown[slug] = more_section(client.get(page_url(slug)))
    kept_neighbours._kept.clear()
    for slug, section in shown.items():
        assert more_section(client.get(page_url(slug))) == section, (change, slug)


def test_nothing_is_kept_or_used_inside_a_transaction(client, season):
    client.get(page_url("s1e2"))
    with transaction.atomic():
        Episode.objects.filter(slug="s1e3").update(status=Episode.Status.DRAFT)
        with CaptureQueriesContext(connection) as queries:
            inside = more_section(client.get(page_url("s1e2")))
        assert any("WITH mates" in q["sql"] for q in queries.captured_queries)
        assert page_url("s1e3") not in inside
