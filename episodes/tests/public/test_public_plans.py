"""On PostgreSQL, no public page reads the episodes' or the turns' table whole: each query has an index to go by.

The test database is small, so the planner would rightly read small tables whole; with sequential scans
priced out (``enable_seqscan = off``), a ``Seq Scan`` left in a plan means no index could serve the query,
which on the real site's thousands of episodes reads every row's text on every request.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from episodes.models import Episode
from episodes.tests.support.factories import make_episode, make_person

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="plans are PostgreSQL's (the suite runs on it in CI: run-tests-postgres.sh)",
)
TEXT_TABLES = ("episodes_episode", "episodes_transcriptitem")


def plans_of(client, url: str, headers=None) -> tuple[int, list[tuple[str, str]]]:
    """Request ``url``; return its status and (query, plan) of each query it ran."""
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, headers=headers or {})
    found = []
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        for query in captured.captured_queries:
            sql = query["sql"]
            if sql.lstrip().upper().startswith(("SELECT", "WITH", "(")):  # "(" opens a UNION
                cursor.execute("EXPLAIN " + sql)
                found.append((sql, "\n".join(row[0] for row in cursor.fetchall())))
    return response.status_code, found


@pytest.fixture
def site(db):
    make_person("alexeygrigorev", "Alexey Grigorev", is_host=True)
    for key in ("ann", "bob"):
        make_person(key, key.title())
    for n in range(1, 8):
        guests = ["ann"] if n % 2 else ["bob"]
        make_episode(f"s2e{n}", season=2, episode=n, guests=guests, topics=["MLOps", f"topic {n % 3}"])
    make_episode("loose", guests=["ann"], topics=["MLOps"])
    Episode.objects.filter(slug="loose").update(season=None, number=None)


def test_no_public_page_reads_the_episodes_or_the_turns_whole(client, site):
    etag = client.get("/episodes/s2e3/")["ETag"]
    pages = [
        ("/episodes/s2e3/", None),
        ("/episodes/s2e3/", {"if-none-match": etag}),
        ("/episodes/loose/", None),
        ("/episodes/s2e3/transcript.json", None),
        ("/", None),
        ("/seasons/2/", None),
        ("/episodes/?page=last", None),
        ("/people/ann/", None),
        ("/people/alexeygrigorev/", None),
        ("/feed.xml", None),
        ("/sitemap.xml", None),
        ("/search/?q=mlops", None),
        ("/podcast/s2e3.html", None),
    ]
    read_whole = []
    for url, headers in pages:
        status, plans = plans_of(client, url, headers)
        assert status in (200, 301, 304), (url, status)
        for sql, plan in plans:
            read_whole += [(url, table, sql[:200]) for table in TEXT_TABLES if f"Seq Scan on {table}" in plan]
    assert read_whole == []
