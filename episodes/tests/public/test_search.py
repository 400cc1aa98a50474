"""Transcript search: matching, ranking, marking, visibility, paging, and the index following every change."""

import re

import pytest
from django.apps import apps
from django.db import connection
from django.db.models.signals import post_migrate
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from episodes import search, search_index
from episodes.models import Episode, TranscriptItem
from episodes.tests.support.factories import import_text, make_episode, make_person

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
        ("NEAR(a b) OR c* ^e col:f", '"NEAR" AND "a" AND "b" AND "OR" AND "c" AND "e" AND "col" AND "f"'),
        ('"unclosed phrase', '"unclosed" AND "phrase"'),
        ('kafka -flink -"feature store"', '("kafka") NOT ("flink" OR "feature store")'),
        ("kafka - flink --spark", '"kafka" AND "flink" AND "spark"'),
        ("kaf\x00ka", '"kafka"'),
        ("-xyzzy", ""),
        ('-"a phrase"', ""),
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


def test_no_query_means_no_search(db, django_assert_num_queries):
    with django_assert_num_queries(0):
        for query in ("", "  ", "\x00", "!!!"):
            assert search.search_transcripts(query) is None


def test_a_query_without_a_word_to_look_for_finds_nothing_and_says_so(jane, django_assert_num_queries):
    make_episode("any", transcript=turns("Anything at all."))
    with django_assert_num_queries(0), pytest.raises(search.SearchError, match="add a word to look for"):
        search.search_transcripts("-xyzzy")
    with pytest.raises(search.SearchError, match="add a word to look for"):
        search.search_transcripts('-xyzzy -"some phrase"')


def test_excluded_words_and_phrases(jane):
    make_episode("both", transcript=turns("Kafka and Flink.", "Only Kafka.", "Kafka, a feature store."))
    assert sorted(found("kafka -flink")) == ["Kafka, a feature store.", "Only Kafka."]
    assert found('kafka -flink -"feature store"') == ["Only Kafka."]


@on_postgres
def test_stop_words_and_excluded_words_only_find_nothing_without_reading_every_turn(jane):
    make_episode("any", transcript=turns("The thing."))
    with pytest.raises(search.SearchError, match="too common"):
        search.search_transcripts("the -xyzzy")
    assert found("the") == []


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


def test_only_the_first_matches_are_ranked_and_the_page_says_so(client, jane, monkeypatch):
    lines = [f"Kafka once, among other words, number {i}." for i in range(7)]
    make_episode("many", transcript=turns(*lines[:5], "Kafka, Kafka, Kafka.", *lines[5:]))
    monkeypatch.setattr(search, "MAX_CANDIDATES", 5)
    page = search.search_transcripts("kafka", per_page=2)
    assert page.capped and page.paginator.count == 5 and page.paginator.num_pages == 3
    assert {hit.item.text for n in (1, 2, 3) for hit in search.search_transcripts("kafka", page=n, per_page=2)} == set(
        lines[:5]
    )
    html = client.get("/search/", {"q": "kafka"}).content.decode()
    assert "More than 5 matching turns: the best of the first 5 found. Add a word to narrow the search." in html
    monkeypatch.setattr(search, "MAX_CANDIDATES", 6)
    page = search.search_transcripts("kafka")
    assert page.capped and page[0].item.text == "Kafka, Kafka, Kafka."
    monkeypatch.setattr(search, "MAX_CANDIDATES", 8)
    page = search.search_transcripts("kafka")
    assert not page.capped and page.paginator.count == 8


def test_a_phrase_of_common_words_is_looked_for_in_a_bounded_number_of_turns(client, jane, monkeypatch):
    apart = [f"Data, I like it {i}." for i in range(3)]
    make_episode("phrase", transcript=turns(*apart, "I like data.", "We like data too."))
    assert sorted(found('"like data"')) == ["I like data.", "We like data too."]
    monkeypatch.setattr(search, "MAX_EXAMINED", 5)
    page = search.search_transcripts('"like data"')
    assert not page.partial and page.paginator.count == 2, "five turns have both words: all were looked at"
    monkeypatch.setattr(search, "MAX_EXAMINED", 3)
    # The first three turns with both words say them apart: the phrase is looked for in those only.
    page = search.search_transcripts('"like data"')
    assert page.partial and page.paginator.count == 0
    html = client.get("/search/", {"q": '"like data"'}).content.decode()
    assert "No matching turn among the first 3 turns with all these words; there may be more." in html
    monkeypatch.setattr(search, "MAX_EXAMINED", 4)
    assert found('"like data"') == ["I like data."]


def test_search_reads_as_many_queries_for_30_episodes_as_for_3(
    jane, monkeypatch, django_assert_max_num_queries, django_assert_num_queries
):
    def add(start, stop):
        for n in range(start, stop):
            make_episode(f"ep-{n}", transcript=turns(*[f"Kafka {i}" for i in range(10)]))

    monkeypatch.setattr(search, "MAX_CANDIDATES", 50)
    add(0, 3)
    # The candidates, the page ranked and marked, its turns and their episodes' video ids; PostgreSQL also
    # checks the query has something to look for, and sets and restores the time limit in a savepoint.
    limit = 9 if connection.vendor == "postgresql" else 4
    for page in ("1", "last"):
        with django_assert_max_num_queries(limit) as first:
            assert [hit.video_url for hit in search.search_transcripts("kafka", page=page)]
        add(3 if page == "1" else 30, 30 if page == "1" else 60)
        with django_assert_num_queries(len(first)):
            found = search.search_transcripts("kafka", page=page)
        assert found.capped and [hit.video_url for hit in found]


def test_a_search_past_its_time_limit_is_stopped_and_the_connection_stays_usable(db):
    slow = "WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n < 100000000) SELECT count(*) FROM r"
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SHOW statement_timeout")
            before = cursor.fetchone()[0]
    with pytest.raises(search.SearchTimedOut), search.time_limit(0.05), connection.cursor() as cursor:
        cursor.execute(slow)
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        assert cursor.fetchone() == (1,)
        if connection.vendor == "postgresql":
            cursor.execute("SHOW statement_timeout")
            assert cursor.fetchone()[0] == before
    with search.time_limit(5), connection.cursor() as cursor:
        cursor.execute("SELECT 2")
        assert cursor.fetchone() == (2,)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SHOW statement_timeout")
            assert cursor.fetchone()[0] == before


@pytest.mark.django_db(transaction=True)
def test_a_time_limit_of_its_own_transaction_ends_with_it():
    # Outside any transaction the limit is set for the block's own, which takes it away when it ends: no
    # query puts it back. A block on PostgreSQL inside a caller's transaction restores it (test above).
    with connection.cursor() as cursor:
        cursor.execute("SHOW statement_timeout" if connection.vendor == "postgresql" else "SELECT 0")
        before = cursor.fetchone()[0]
    with CaptureQueriesContext(connection) as queries, search.time_limit(5), connection.cursor() as cursor:
        cursor.execute("SELECT 2")
    assert sum("statement_timeout" in q["sql"] for q in queries.captured_queries) == (
        1 if connection.vendor == "postgresql" else 0
    )
    with connection.cursor() as cursor:
        cursor.execute("SHOW statement_timeout" if connection.vendor == "postgresql" else "SELECT 0")
        assert cursor.fetchone()[0] == before


def test_a_search_stopped_for_time_is_a_503_with_a_message(client, db, monkeypatch):
    def too_slow(query, **kwargs):
        raise search.SearchTimedOut(search.ERR_TIMED_OUT)

    monkeypatch.setattr(search, "search_transcripts", too_slow)
    response = client.get("/search/", {"q": "kafka"})
    assert response.status_code == 503
    assert search.ERR_TIMED_OUT in response.content.decode()


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
def test_postgres_index_serves_the_search(jane):
    make_episode("pg", transcript=turns("Kafka on PostgreSQL."))
    assert found('kafka -"feature store"') == ["Kafka on PostgreSQL."]
    # The candidates' condition, on the transcript table alone: the planner must find the index for it.
    query, params = search.postgres_tsquery(search.parse_query('kafka -"feature store"'))
    sql = f"SELECT item.id FROM {search.ITEM_TABLE} AS item WHERE {search.POSTGRES_DOCUMENT} @@ {query}"  # noqa: S608 - constants
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert search.POSTGRES_INDEX in plan, plan


@on_postgres
def test_postgres_reads_each_turns_words_and_never_computes_them(jane):
    # Tables fresh from an import have no statistics yet (as here), and the planner may read the table whole
    # then: it must read the stored words, not compute them from every turn's text (which made a common
    # word's search cost 60 ms of the server's time in ranking alone).
    for n in range(3):
        make_episode(f"pg-{n}", transcript=turns("Kafka on PostgreSQL.", "Something else."))
    with CaptureQueriesContext(connection) as captured:
        assert len(found("kafka")) == 3
    searching = [q["sql"] for q in captured.captured_queries if " @@ " in q["sql"] or "ts_rank" in q["sql"]]
    assert len(searching) == 1, "the candidates, ranked as they are found"
    with connection.cursor() as cursor:
        for sql in searching:
            cursor.execute("EXPLAIN VERBOSE " + sql)
            plan = "\n".join(row[0] for row in cursor.fetchall())
            assert search_index.POSTGRES_COLUMN in plan, plan
            assert "to_tsvector" not in plan, plan


@on_sqlite
def test_sqlite_ranks_the_candidates_only(jane):
    make_episode("fts", transcript=turns("Kafka here."))
    with CaptureQueriesContext(connection) as captured:
        assert found("kafka") == ["Kafka here."]
    ranked = [q["sql"] for q in captured.captured_queries if "bm25" in q["sql"]]
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN QUERY PLAN " + ranked[0])
        plan = " ".join(str(row[-1]) for row in cursor.fetchall())
    # FTS5 reads only the rows up to the last candidate (a rowid bound), not every match.
    assert re.search(r"VIRTUAL TABLE INDEX \d+:M1<", plan), plan


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
    assert 'href="/search/?q=kafka+%26+co&amp;page=2"' in html
    assert "page 1 of 2" in html


def test_search_page_import_shows_up(client, jane, seed_text):
    assert "matching turn" not in client.get("/search/?q=paralegal").content.decode().replace("0 matching", "")
    import_text(seed_text)
    assert "2 matching turns" in client.get("/search/?q=paralegal").content.decode()


@pytest.mark.parametrize("query", ["%00", "kafka%00", "%00-kafka", "-xyzzy", '"%00"'])
def test_search_page_never_fails_on_nul_or_excluded_words(client, jane, query):
    make_episode("k", transcript=turns("About Kafka."))
    response = client.get("/search/?q=" + query)
    assert response.status_code == 200
    html = response.content.decode()
    assert "\x00" not in html
    if query == "kafka%00":
        assert "1 matching turn" in html
    if query == "-xyzzy":
        assert "add a word to look for" in html and "matching turn" not in html
