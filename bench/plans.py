#!/usr/bin/env python
"""Show the database's plan of every query of every public page, and flag the sequential scans.

    .venv/bin/python bench/plans.py [--copies 20] [--verbose]
    sh scripts/with-postgres.sh .venv/bin/python bench/plans.py      # EXPLAIN ANALYZE on PostgreSQL

Imports the shared corpus (and ``--copies - 1`` renamed copies of each episode, as bench/scale.py does, so
that the planner sees a site past its first years rather than tables so small that reading them whole is
cheapest), then requests every public page through Django's test client with the page cache off (and the
episode page again with its ETag, the 304), and asks the database for the plan of each query the page ran:
``EXPLAIN (ANALYZE, BUFFERS)`` on PostgreSQL, ``EXPLAIN QUERY PLAN`` on SQLite. Prints per page the queries,
their total planning and execution time and each sequential scan (``Seq Scan`` / ``SCAN``) with the table it reads;
``--verbose`` prints every plan. Exit status 1 when a page reads a table of episodes' or turns' text whole.
"""

from __future__ import annotations

import argparse
import re
import shutil
import sys
import tempfile
from pathlib import Path

from benchsite import ROOT, setup  # noqa: E402 - sets up the import path first
from scale import import_folder, search_words, settle, valid_files

# Tables whose rows hold long text (front matter, bodies, turns): read whole, a page costs as much as the site.
TEXT_TABLES = ("episodes_episode", "episodes_transcriptitem", "episodes_person", "episodes_revision")


def public_pages(words: tuple[str, str, str]) -> dict[str, str]:
    from django.db.models import Count

    from episodes.models import Episode, Person
    from episodes.public import listing

    published = Episode.objects.published()
    largest = published.annotate(n=Count("items")).order_by("-n", "slug").values_list("slug", flat=True)[0]
    guest = Person.objects.public().filter(is_host=False).annotate(n=Count("guest_rows")).order_by("-n", "key")[0]
    host = Person.objects.filter(is_host=True).order_by("key").first()
    seasons = [s.number for s in listing.season_links()]
    common, second, rare = words
    pages = {
        "index": "/",
        "season (newest)": f"/seasons/{seasons[0]}/",
        "season (oldest)": f"/seasons/{seasons[-1]}/",
        "all episodes": "/episodes/",
        "all episodes, last page": "/episodes/?page=last",
        "episode page": f"/episodes/{largest}/",
        "episode page, 304": f"/episodes/{largest}/",
        "transcript.json": f"/episodes/{largest}/transcript.json",
        "transcript.vtt": f"/episodes/{largest}/transcript.vtt",
        "chapters.json": f"/episodes/{largest}/chapters.json",
        "feed": "/feed.xml",
        "sitemap": "/sitemap.xml",
        "guest's page": f"/people/{guest.key}/",
        "old address": f"/podcast/{largest}.html",
        f"search '{common}'": f"/search/?q={common}",
        f"search '{common}', page 5": f"/search/?q={common}&page=5",
        f"search '{rare}'": f"/search/?q={rare}",
        f'search "{second} {common}"': f"/search/?q=%22{second}+{common}%22",
        f"search '{common} -{second}'": f"/search/?q={common}+-{second}",
    }
    if host is not None:
        pages["host's page, last page"] = f"/people/{host.key}/?page=last"
    return pages


def explain(sql: str) -> tuple[list[str], float]:
    """Return the plan's lines and, on PostgreSQL, the planning and execution time in ms."""
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
            lines = [row[0] for row in cursor.fetchall()]
            timing = re.compile(r"(?:Planning|Execution) Time: ([\d.]+)")
            times = [float(m.group(1)) for line in lines if (m := timing.search(line))]
            return lines, sum(times)
        cursor.execute("EXPLAIN QUERY PLAN " + sql)
        return [row[-1] for row in cursor.fetchall()], 0.0


def scans(lines: list[str]) -> list[str]:
    """Return the tables read whole: PostgreSQL's Seq Scan, SQLite's SCAN (not of a covering index or a subquery)."""
    postgres = [m.group(1) for line in lines if (m := re.search(r"Seq Scan on (\w+)", line))]
    sqlite = [m.group(1) for line in lines if (m := re.match(r"\s*SCAN (\w+)", line)) and "USING" not in line]
    return postgres + sqlite


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--copies", type=int, default=20, help="how many times the corpus (default 20)")
    parser.add_argument("--corpus", type=Path, default=ROOT.parent / "shared" / "corpus")
    parser.add_argument("--host", default="alexeygrigorev", help="the person marked as host")
    parser.add_argument("--verbose", action="store_true", help="print every plan")
    args = parser.parse_args()
    if not (args.corpus / "episodes").is_dir():
        print(f"skipped: no shared corpus at {args.corpus} (it has the episode files to copy)")
        return 0
    with tempfile.TemporaryDirectory(prefix="bench-plans-") as tmp:
        work = Path(tmp)
        database = setup(work, keep_postgres=True)
        try:
            return run(args, work)
        finally:
            from django.db import connection

            if connection.vendor == "postgresql":
                connection.creation.destroy_test_db(database, verbosity=0)


def run(args, work: Path) -> int:
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from episodes.models import Episode, Person, TranscriptItem
    from episodes.services import importing

    settings.PUBLIC_PAGE_CACHE_SECONDS = 0
    settings.ALLOWED_HOSTS = ["testserver"]
    files = valid_files(args.corpus)
    original, copies = work / "original", work / "copies"
    original.mkdir()
    copies.mkdir()
    for path in files:
        shutil.copyfile(path, original / path.name)
        for k in range(1, args.copies):
            shutil.copyfile(path, copies / f"{path.stem}--copy{k}.md")
    importing.import_sources(importing.path_sources([str(args.corpus / "people")], people=True))
    Person.objects.filter(key=args.host).update(is_host=True)
    import_folder(original)
    words = search_words()  # a word said once is said once in the corpus, not in its copies
    if args.copies > 1:
        import_folder(copies)
    settle()
    print(
        f"{connection.vendor}: {Episode.objects.count()} episodes, {Person.objects.count()} people, "
        f"{TranscriptItem.objects.count()} transcript items; page cache off"
    )
    client = Client()
    failing = []
    etag = ""
    for label, url in public_pages(words).items():
        headers = {"if-none-match": etag} if label.endswith("304") else {}
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url, headers=headers)
        etag = response.get("ETag", etag)
        queries = [
            q["sql"] for q in captured.captured_queries if q["sql"].lstrip().upper().startswith(("SELECT", "WITH", "("))
        ]
        total, whole = 0.0, []
        plans = []
        for sql in queries:
            lines, ms = explain(sql)
            total += ms
            plans.append((sql, lines))
            whole += [(table, sql) for table in scans(lines)]
        flagged = [(t, sql) for t, sql in whole if t in TEXT_TABLES]
        print(
            f"{label[:40]:40} {response.status_code} {len(captured.captured_queries):>2} queries "
            f"{total:7.2f} ms  seq scans: {', '.join(sorted({t for t, _ in whole})) or 'none'}"
        )
        for table, sql in flagged:
            print(f"    READS {table} WHOLE: {sql[:300]}")
            failing.append(label)
        if args.verbose:
            for sql, lines in plans:
                print(f"  -- {sql[:400]}")
                for line in lines:
                    print(f"     {line}")
    print("plans: " + ("no page reads a table of text whole" if not failing else f"FLAGGED: {sorted(set(failing))}"))
    return 1 if failing else 0


if __name__ == "__main__":
    sys.exit(main())
