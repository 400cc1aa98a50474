"""Search pages kept between requests under the change stamps: what raises the text stamp, and that a search
never answers what the stamps no longer stand for.

These tests commit (``transaction=True``): PostgreSQL raises the stamps when a transaction commits, and nothing
is kept or used inside a transaction.
"""

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from episodes import change_stamps, search
from episodes.models import Episode, Stamp, TranscriptItem
from episodes.tests.public.test_search import turns
from episodes.tests.support.factories import make_episode, make_person

pytestmark = pytest.mark.django_db(transaction=True)
QUERIES = ["kafka", "kafka -flink", '"about kafka"', "spark", "beam"]


@pytest.fixture(autouse=True)
def nothing_kept():
    search._kept.clear()
    yield
    search._kept.clear()


@pytest.fixture
def archive():
    make_person("janedoe", "Jane Doe")
    make_episode("one", transcript=turns("About Kafka.", "About Spark and Kafka.", "About Flink."))
    make_episode("two", transcript=turns("Kafka again.", "Beam, not Kafka."))
    make_episode("draft", transcript=turns("A hidden Kafka."))
    Episode.objects.filter(slug="draft").update(status=Episode.Status.DRAFT)


def text_stamp() -> int | None:
    return Stamp.objects.filter(id=change_stamps.TEXT).values_list("value", flat=True).first()


def answers(query: str, page=1) -> list[tuple]:
    found = search.search_transcripts(query, page=page, per_page=2)
    hits = [(h.item.text, h.episode.slug, h.episode.title, h.time, str(h.snippet), round(h.rank, 6)) for h in found]
    return [found.paginator.count, found.number, found.capped, *hits]


def item(text: str) -> TranscriptItem:
    return TranscriptItem.objects.get(text=text)


TEXT_CHANGES = {
    "text": lambda: TranscriptItem.objects.filter(text="About Kafka.").update(text="About Pulsar."),
    "saved": lambda: item_saved("Kafka again.", "Spark again."),
    "kind": lambda: TranscriptItem.objects.filter(text="About Flink.").update(kind="header"),
    "moved": lambda: TranscriptItem.objects.filter(text="Beam, not Kafka.").update(
        episode=Episode.objects.get(slug="draft")
    ),
    "added": lambda: TranscriptItem.objects.create(
        episode=Episode.objects.get(slug="two"), position=50, kind="turn", text="Kafka, added.", who="Jane"
    ),
    "deleted": lambda: TranscriptItem.objects.filter(text="About Spark and Kafka.").delete(),
    "episode deleted": lambda: Episode.objects.get(slug="one").delete(),
}
OTHER_CHANGES = {
    "published": lambda: Episode.objects.filter(slug="draft").update(status=Episode.Status.PUBLISHED),
    "title": lambda: Episode.objects.filter(slug="one").update(title="A new title"),
    "time": lambda: TranscriptItem.objects.filter(text="Kafka again.").update(sec=3600, time="1:00:00"),
}


def item_saved(old: str, new: str) -> None:
    turn = item(old)
    turn.text = new
    turn.save()


@pytest.mark.parametrize("change", TEXT_CHANGES)
def test_every_change_of_what_a_search_finds_raises_the_text_stamp(archive, change):
    before = text_stamp()
    TEXT_CHANGES[change]()
    assert text_stamp() != before


def test_what_a_hit_shows_besides_its_text_leaves_the_text_stamp_alone(archive):
    before = text_stamp()
    OTHER_CHANGES["title"]()
    OTHER_CHANGES["time"]()
    TranscriptItem.objects.filter(text="Kafka again.").update(who="Someone", position=7)
    assert text_stamp() == before


def test_a_kept_search_is_answered_without_searching(archive):
    first = answers("kafka")
    with CaptureQueriesContext(connection) as queries:
        assert answers("kafka") == first
    # The stamps, the page's turns with their episodes, and the episodes' video ids.
    assert len(queries) == 3
    assert not any("MATCH" in q["sql"] or "@@" in q["sql"] for q in queries.captured_queries)


@pytest.mark.parametrize("change", [*TEXT_CHANGES, *OTHER_CHANGES])
def test_a_kept_search_answers_as_a_new_one_after_each_change(archive, change):
    for query in QUERIES:
        for page in (1, 2, "last"):
            answers(query, page)
    (TEXT_CHANGES | OTHER_CHANGES)[change]()
    kept = {(query, page): answers(query, page) for query in QUERIES for page in (1, 2, "last")}
    search._kept.clear()
    for (query, page), answer in kept.items():
        assert answers(query, page) == answer, (change, query, page)


def test_nothing_is_kept_or_used_inside_a_transaction(archive):
    answers("kafka")
    with transaction.atomic():
        TranscriptItem.objects.filter(text="Kafka again.").update(text="Flink again.")
        assert "Kafka again." not in [hit[0] for hit in answers("kafka")[3:]]
    search._kept.clear()
    with transaction.atomic():
        answers("spark")
    assert not search._kept.entries


def test_a_database_flushed_and_filled_again_never_gets_a_kept_page(archive):
    # A count of changes would start again after a flush, and the same changes would give the same stamps to
    # rows with other ids.
    first = answers("kafka")
    call_command("flush", interactive=False, verbosity=0)
    make_person("janedoe", "Jane Doe")
    make_episode("one", transcript=turns("Kafka, once more.", "About Spark and Kafka.", "About Flink."))
    again = answers("kafka")
    search._kept.clear()
    assert again == answers("kafka") != first
