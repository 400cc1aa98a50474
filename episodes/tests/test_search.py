"""Transcript search: matching, ranking, marking, visibility, paging, and the index following every change."""

import pytest
from django.apps import apps
from django.db import connection
from django.db.models.signals import post_migrate
from django.urls import reverse

from episodes import search
from episodes.models import Episode, TranscriptItem
from episodes.tests.factories import import_text, make_episode, make_person

on_sqlite = pytest.mark.skipif(connection.vendor != "sqlite", reason="the FTS5 index is SQLite's")
on_postgres = pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL full-text search")


def turns(*lines, who="Jane"):
    return [{"line": line, "sec": 10 * i, "time": f"0:{10 * i:02d}", "who": who} for i, line in enumerate(lines, 1)]


def found(query, **kwargs):
    page = search.search_transcripts(query, **kwargs)
    return [] if page is None else [hit.item.text for hit in page]


@pytest.fixture
def jane(db):
    return make_person("janedoe", "Jane Doe")


# -- the query language ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "match"),
    [
        ("kafka", '"kafka"'),
        ("Kafka streams", '"Kafka" AND "streams"'),
        ('"feature store" kafka', '"feature store" AND "kafka"'),
        ("data-driven", '"data" AND "driven"'),
        ("NEAR(a b) OR c* -d ^e col:f", '"NEAR" AND "a" AND "b" AND "OR" AND "c" AND "d" AND "e" AND "col" AND "f"'),
        ('"unclosed phrase', '"unclosed" AND "phrase"'),
        ('""', ""),
        ("   ", ""),
        ("!!!", ""),
    ],
)
def test_sqlite_match_quotes_every_term(typed, match):
    assert search.sqlite_match(typed) == match


def test_sqlite_match_keeps_a_bounded_number_of_terms():
    assert search.sqlite_match(" ".join(f"w{i}" for i in range(100))).count(" AND ") == search.MAX_TERMS - 1


# -- finding --------------------------------------------------------------------------------------------------


def test_no_query_means_no_search(db):
    assert search.search_transcripts("") is None
    assert search.search_transcripts("  ") is None


def test_finds_turns_and_reports_episode_speaker_time_and_marks(jane):
    make_episode(
        "kafka-talk",
        transcript=[{"header": "Streams"}, *turns("We used Kafka for streaming.", "Nothing here.")],
    )
    page = search.search_transcripts("kafka")
    assert page.paginator.count == 1
    hit = page[0]
    assert hit.episode.slug == "kafka-talk"
    assert hit.item.who == "Jane"
    assert (hit.sec, hit.time) == (10, "0:10")
    assert hit.video_url == "https://www.youtube.com/watch?v=abcdefghijk&t=10"
    assert hit.page_url == f"/episodes/kafka-talk/#t{hit.item.position}"
    assert hit.snippet == "We used <mark>Kafka</mark> for streaming."


def test_words_match_their_other_forms(jane):
    make_episode("runs", transcript=turns("She was running models in production."))
    assert found("run model") == ["She was running models in production."]


def test_phrases(jane):
    make_episode("phrases", transcript=turns("A feature store helps.", "Store each feature."))
    assert found('"feature store"') == ["A feature store helps."]
    assert sorted(found("feature store")) == ["A feature store helps.", "Store each feature."]


def test_every_word_must_occur(jane):
    make_episode("both", transcript=turns("Kafka and Flink.", "Only Kafka."))
    assert found("kafka flink") == ["Kafka and Flink."]


def test_better_matches_rank_first(jane):
    make_episode(
        "ranking",
        transcript=turns(
            "Kafka is mentioned once in a long turn about many other things, databases, teams and careers.",
            "Kafka, Kafka, Kafka.",
        ),
    )
    assert found("kafka")[0] == "Kafka, Kafka, Kafka."


def test_headers_and_drafts_are_not_searched(jane):
    make_episode("public", transcript=[{"header": "Kafka history"}, *turns("Nothing relevant.")])
    make_episode("secret", transcript=turns("Kafka in a draft."))
    Episode.objects.filter(slug="secret").update(status=Episode.Status.DRAFT)
    assert found("kafka") == []


def test_untimed_turn_takes_the_time_of_the_turn_before(jane):
    make_episode(
        "untimed",
        transcript=[
            {"line": "First.", "sec": 42, "time": "0:42", "who": "Alexey"},
            {"line": "Kafka without a time.", "who": "Jane"},
        ],
    )
    hit = search.search_transcripts("kafka")[0]
    assert (hit.sec, hit.time) == (42, "0:42")


def test_marks_are_escaped_text_and_elements(jane):
    make_episode("html", transcript=turns("Use <b>kafka</b> & friends"))
    assert search.search_transcripts("kafka")[0].snippet == "Use &lt;b&gt;<mark>kafka</mark>&lt;/b&gt; &amp; friends"


def test_long_turns_are_cut_around_the_match(jane):
    long = " ".join(["filler"] * 200) + " kafka " + " ".join(["more"] * 200)
    make_episode("long", transcript=turns(long))
    snippet = search.search_transcripts("kafka")[0].snippet
    assert "<mark>kafka</mark>" in snippet and len(snippet) < len(long) / 4


def test_pages_of_results(jane):
    make_episode("many", transcript=turns(*[f"Kafka number {i}." for i in range(25)]))
    first = search.search_transcripts("kafka", page=1)
    assert (first.paginator.count, first.paginator.num_pages, len(first)) == (25, 2, 20)
    second = search.search_transcripts("kafka", page=2)
    assert len(second) == 5
    assert not {h.item.pk for h in first} & {h.item.pk for h in second}
    assert search.search_transcripts("kafka", page="999").number == 2
    assert search.search_transcripts("kafka", page="nonsense").number == 1


def test_search_reads_a_fixed_number_of_queries(jane, django_assert_max_num_queries):
    for n in range(3):
        make_episode(f"ep-{n}", transcript=turns(*[f"Kafka {i}" for i in range(10)]))
    with django_assert_max_num_queries(4):
        page = search.search_transcripts("kafka")
        assert [hit.video_url for hit in page]


# -- the index follows every change -------------------------------------------------------------------------


def test_import_and_reimport_show_up(jane):
    make_episode("changing", transcript=turns("About Kafka."))
    assert found("kafka") == ["About Kafka."]
    make_episode("changing", transcript=turns("About Flink now."))
    assert found("kafka") == []
    assert found("flink") == ["About Flink now."]


def test_edits_saves_updates_and_deletes_show_up(jane):
    episode = make_episode("edited", transcript=turns("About Kafka.", "About Spark."))
    item = episode.items.get(text="About Kafka.")
    item.text = "About Pulsar."
    item.save()
    assert found("kafka") == [] and found("pulsar") == ["About Pulsar."]
    TranscriptItem.objects.filter(episode=episode, text="About Spark.").update(text="About Beam.")
    assert found("spark") == [] and found("beam") == ["About Beam."]
    TranscriptItem.objects.create(episode=episode, position=99, kind="turn", text="Added Kafka turn.", who="Jane")
    assert found("kafka") == ["Added Kafka turn."]
    TranscriptItem.objects.filter(episode=episode, position=99).delete()
    assert found("kafka") == []
    episode.delete()
    assert found("pulsar") == []


def test_publishing_and_unpublishing_show_up(jane):
    episode = make_episode("toggle", transcript=turns("Kafka talk."))
    Episode.objects.filter(pk=episode.pk).update(status=Episode.Status.DRAFT)
    assert found("kafka") == []
    Episode.objects.filter(pk=episode.pk).update(status=Episode.Status.PUBLISHED)
    assert found("kafka") == ["Kafka talk."]


@on_sqlite
def test_lost_triggers_are_restored_after_migrate_and_the_index_rebuilt(jane):
    make_episode("before", transcript=turns("Kafka before."))
    unseen = make_episode("unseen", transcript=turns("Kafka seen."))
    with connection.cursor() as cursor:
        for name in search.SQLITE_TRIGGERS:
            cursor.execute(f"DROP TRIGGER {name}")
    unseen.items.filter(kind="turn").update(text="Kafka unseen.")
    assert found("unseen") == []
    # What `migrate` sends at its end (a migration that rebuilt the table would have dropped the triggers).
    config = apps.get_app_config("episodes")
    post_migrate.send(sender=config, app_config=config, using="default", verbosity=0, interactive=False, apps=apps)
    assert found("unseen") == ["Kafka unseen."]
    assert sorted(found("kafka")) == ["Kafka before.", "Kafka unseen."]
    assert not search.install_index(connection), "nothing to do the second time"


def check_index():
    """Raise unless SQLite's index agrees with the transcript table (PostgreSQL keeps its own)."""
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            table = search.FTS_TABLE
            cursor.execute(f"INSERT INTO {table}({table}, rank) VALUES ('integrity-check', 1)")  # noqa: S608


@on_sqlite
def test_index_integrity_after_a_real_import(seed_episode):
    check_index()
    assert found("paralegal")


@on_postgres
def test_postgres_index_serves_the_search_expression(jane):
    from django.contrib.postgres.search import SearchQuery

    make_episode("pg", transcript=turns("Kafka on PostgreSQL."))
    query = SearchQuery("kafka", config=search.POSTGRES_CONFIG, search_type="websearch")
    matches = TranscriptItem.objects.annotate(document=search.postgres_document()).filter(document=query)
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        sql, params = matches.values("id").query.sql_with_params()
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert search.POSTGRES_INDEX in plan, plan
    assert found("kafka") == ["Kafka on PostgreSQL."]


# -- the page ------------------------------------------------------------------------------------------------


def test_search_page(client, seed_episode):
    html = client.get(reverse("episodes:search"), {"q": "paralegal lawyer"}).content.decode()
    assert "1 matching turn" in html
    assert '<a class="hit__episode" href="/episodes/s10e03-mlops-architect/#t' in html
    assert "<mark>paralegal</mark>" in html and "<mark>lawyer</mark>" in html
    assert 'href="https://www.youtube.com/watch?v=p1gVaS4Zx5M&amp;t=204"' in html
    assert '<span class="hit__who">Danny</span>' in html


def test_search_page_without_or_with_an_unmatched_query(client, seed_episode):
    assert "matching turn" not in client.get(reverse("episodes:search")).content.decode()
    assert "Nothing found for “zzzyzx”." in client.get(reverse("episodes:search"), {"q": "zzzyzx"}).content.decode()


def test_search_page_links_to_other_pages_keeping_the_query(client, jane):
    make_episode("many", transcript=turns(*[f"Kafka & co {i}." for i in range(25)]))
    html = client.get(reverse("episodes:search"), {"q": "kafka & co"}).content.decode()
    assert 'href="?q=kafka%20%26%20co&amp;page=2"' in html
    assert "page 1 of 2" in html


def test_search_page_import_shows_up(client, jane, seed_text):
    assert "matching turn" not in client.get("/search/?q=paralegal").content.decode().replace("0 matching", "")
    import_text(seed_text)
    assert "2 matching turns" in client.get("/search/?q=paralegal").content.decode()
