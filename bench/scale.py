#!/usr/bin/env python
"""Time every page at the size of the shared corpus (1x) and at twenty renamed copies of it (20x), side by side.

Run from the project root:

    .venv/bin/python bench/scale.py [--copies 20] [--requests 10] [--corpus ../shared/corpus]
    sh scripts/with-postgres.sh .venv/bin/python bench/scale.py      # the same on a throwaway PostgreSQL

1x is every valid episode file of ``corpus/episodes`` and ``corpus/historic`` with the profiles of
``corpus/people``; 20x adds ``--copies - 1`` renamed copies of each (``<name>--copy<k>.md``, same content,
so every season and every guest's list grows twenty times). The host (``--host``) is marked as one, so
their person page lists every episode. Each page is requested through Django's test client with the
page cache off, ``--requests`` times after one warm-up; the table gives the best wall time and the best
CPU time of this process (the machine is shared: the best of several is the figure least disturbed by other
work; on SQLite the CPU time includes the database's, on PostgreSQL not), the size and the number of SQL
queries at 1x and 20x, and the ratios of the times. Import and export are timed per file: the 1x import
into an empty database, the copies' import into the 1x one, then an export of all.

The search rows use the most common word that the database indexes (PostgreSQL's English configuration
leaves out stop words such as "the"; SQLite's index has none) and a word said in one turn only.
Everything happens in a throwaway database (SQLite in a temporary folder; on PostgreSQL a `test_` database
next to DATABASE_URL's, dropped at the end). Without the shared corpus the benchmark says so and stops.
"""

from __future__ import annotations

import argparse
import re
import shutil
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from benchsite import ROOT, setup, timed  # noqa: E402 - sets up the import path first

ROW = "{:44} {:>7} {:>6} {:>4} {:>3} | {:>7} {:>6} {:>4} {:>3} | {:>5} {:>5}"


def valid_files(corpus: Path) -> list[Path]:
    """Return the corpus episode files the importer accepts (the broken and template ones are left out)."""
    from episodes.format import frontmatter as fm

    files = []
    for folder in ("episodes", "historic"):
        for path in sorted((corpus / folder).glob("*.md")):
            try:
                fm.validate_episode(fm.parse(path.read_bytes()))
            except fm.FormatError:
                continue
            files.append(path)
    return files


def per_file(run) -> tuple[float, float]:
    """Return the wall and CPU (this process) milliseconds per file of ``run()``, which returns the file count."""
    wall, cpu = time.perf_counter(), time.process_time()
    files = run()
    return (time.perf_counter() - wall) * 1000 / files, (time.process_time() - cpu) * 1000 / files


def import_folder(folder: Path) -> int:
    """Import every file of ``folder``; return the number of files."""
    from episodes.services import importing

    sources = list(importing.path_sources([str(folder)]))
    report = importing.import_sources(sources)
    assert not report.refused, report.refused[0]
    return len(sources)


def settle() -> None:
    """Let PostgreSQL gather statistics of the new rows, as its autovacuum does soon after an import."""
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def export_all(outdir: Path) -> int:
    from episodes.documents import exporting
    from episodes.models import Episode

    shutil.rmtree(outdir, ignore_errors=True)
    return len(exporting.export_episodes(str(outdir), Episode.objects.order_by("slug")))


def search_words() -> tuple[str, str, str]:
    """Return the two most common words the search index keeps, and a word said in exactly one turn."""
    from django.db import connection

    from episodes.models import TranscriptItem

    in_turns = Counter()
    for text in TranscriptItem.objects.public_turns().values_list("text", flat=True).iterator():
        in_turns.update({word.lower() for word in re.findall(r"[^\W\d_]+", text)})
    common = [word for word, _ in in_turns.most_common(50)]
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            # Stop words are not indexed: a search for one finds nothing at no cost.
            cursor.execute(
                "SELECT w FROM unnest(%s::text[]) AS w WHERE numnode(plainto_tsquery('english', w)) > 0", [common]
            )
            indexed = {word for (word,) in cursor.fetchall()}
        common = [word for word in common if word in indexed]
    rare = sorted(word for word, count in in_turns.items() if count == 1 and len(word) >= 8)
    return common[0], common[1], rare[len(rare) // 2]


def pages(host: str, words: tuple[str, str, str]) -> dict[str, tuple[str, bool]]:
    """Return label: (address, as an editor) for every page the issue names; ``words`` to search for."""
    from django.contrib import admin
    from django.db.models import Count
    from django.urls import reverse

    from episodes.models import Episode, Person

    largest = Episode.objects.annotate(n=Count("items")).order_by("-n", "slug").values_list("pk", "slug")[0]
    seasons = Counter(Episode.objects.exclude(season=None).values_list("season", flat=True))
    season = seasons.most_common(1)[0][0]
    newest = max(seasons)
    common, second, rare = words
    changelist = reverse("admin:episodes_episode_changelist")
    found = {
        "admin episode list": (changelist, True),
        "admin list, search 'mlops'": (changelist + "?q=mlops", True),
        f"admin list, season filter ({season})": (changelist + f"?season={season}", True),
    }
    model_admin = admin.site._registry[Episode]
    for index, name in enumerate(model_admin.list_display, start=1):
        attr = getattr(model_admin, name, None)
        if getattr(attr, "admin_order_field", None) or name in {f.name for f in Episode._meta.fields}:
            found[f"admin list, sorted by {name} (descending)"] = (changelist + f"?o=-{index}", True)
    found["editor page (largest episode)"] = (reverse("admin:episodes_episode_change", args=[largest[0]]), True)
    found["public index /"] = (reverse("episodes:index"), False)
    found[f"season page (newest, {newest})"] = (f"/seasons/{newest}/", False)
    found[f"season page ({season})"] = (f"/seasons/{season}/", False)
    found["all episodes, last page"] = ("/episodes/?page=last", False)
    found["episode page (largest)"] = (reverse("episodes:episode", args=[largest[1]]), False)
    person = reverse("episodes:person", args=[host]) if Person.objects.filter(key=host).exists() else None
    if person:
        found[f"host's person page ({host})"] = (person, False)
        found["host's person page, last page"] = (person + "?page=last", False)
    search = reverse("episodes:search")
    found[f"search, most common word '{common}'"] = (f"{search}?q={common}", False)
    found["search, most common word, page 10"] = (f"{search}?q={common}&page=10", False)
    found[f"search, rare word '{rare}'"] = (f"{search}?q={rare}", False)
    found["search '-xyzzy'"] = (f"{search}?q=-xyzzy", False)
    found["search 'the -xyzzy'"] = (f"{search}?q=the+-xyzzy", False)
    # Both words in many turns, rarely side by side in this order: every turn with both is looked at.
    found[f'search "{second} {common}" (a phrase)'] = (f"{search}?q=%22{second}+{common}%22", False)
    found["search '%00'"] = (f"{search}?q=%00", False)
    return found


def measure(urls: dict[str, tuple[str, bool]], requests: int) -> dict[str, tuple[float, float, int, int] | None]:
    """Return label: (best ms, best CPU ms, bytes, queries) per page, or None for an address that is not there."""
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client

    editor = Client()
    editor.force_login(get_user_model().objects.get(username="bench"))
    anonymous = Client()
    results = {}
    for label, (url, as_editor) in urls.items():
        client = editor if as_editor else anonymous
        response = client.get(url)
        if response.status_code == 404:
            results[label] = None
            continue
        assert response.status_code == 200, (url, response.status_code)
        queries = []

        def count(execute, sql, *args, queries=queries):
            queries.append(sql)
            return execute(sql, *args)

        # Counted by a wrapper: Django empties connection.queries when a request starts.
        with connection.execute_wrapper(count):
            client.get(url)
        samples, response = timed(client, url, requests, warmup=0)
        cpu, _ = timed(client, url, requests, warmup=0, clock=time.process_time)
        results[label] = (min(samples), min(cpu), len(response.content), len(queries))
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--copies", type=int, default=20, help="how many times the corpus (default 20)")
    parser.add_argument("--requests", type=int, default=10, help="timed requests per page (default 10)")
    parser.add_argument("--corpus", type=Path, default=ROOT.parent / "shared" / "corpus")
    parser.add_argument("--host", default="alexeygrigorev", help="the person marked as host (default alexeygrigorev)")
    args = parser.parse_args()
    if not (args.corpus / "episodes").is_dir():
        print(f"skipped: no shared corpus at {args.corpus} (it has the episode files to copy)")
        return 0

    with tempfile.TemporaryDirectory(prefix="bench-scale-") as tmp:
        work = Path(tmp)
        database = setup(work, keep_postgres=True)
        try:
            return run(args, work, database)
        finally:
            from django.db import connection

            if connection.vendor == "postgresql":
                connection.creation.destroy_test_db(database, verbosity=0)


def run(args, work: Path, database: str) -> int:
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.db import connection

    from episodes.models import Episode, Person, TranscriptItem
    from episodes.services import importing

    settings.PUBLIC_PAGE_CACHE_SECONDS = 0  # every request renders, as the issue measured
    get_user_model().objects.create_superuser("bench", "bench@example.com", "bench")
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

    def size() -> str:
        turns = TranscriptItem.objects.filter(kind="turn").count()
        return f"{Episode.objects.count()} episodes, {TranscriptItem.objects.count()} items ({turns} turns)"

    figures = {}
    import_1 = per_file(lambda: import_folder(original))
    settle()
    export_1 = per_file(lambda: export_all(work / "out"))
    words = search_words()
    urls = pages(args.host, words)
    figures[1] = measure(urls, args.requests), size()
    import_n = per_file(lambda: import_folder(copies))
    settle()
    export_n = per_file(lambda: export_all(work / "out"))
    assert pages(args.host, words) == urls, "the same pages at both sizes"
    figures[args.copies] = measure(urls, args.requests), size()

    print(f"{connection.vendor} ({database}); page cache off; best of {args.requests} requests after a warm-up")
    for n, (_, described) in figures.items():
        print(f"  {n:>2}x: {described}")
    print()
    n = f"{args.copies}x"
    print(ROW.format("page", "1x ms", "CPU", "KB", "q", f"{n} ms", "CPU", "KB", "q", "ratio", "CPU"))
    for label in urls:
        one, many = figures[1][0][label], figures[args.copies][0][label]
        if one is None or many is None:
            print(ROW.format(label[:44], "—", "", "", "", "—", "", "", "", "absent", ""))
            continue
        cells = []
        for ms, cpu, size, queries in (one, many):
            cells += [f"{ms:.1f}", f"{cpu:.1f}", f"{size / 1024:.0f}", queries]
        print(ROW.format(label[:44], *cells, f"{many[0] / one[0]:.2f}", f"{many[1] / one[1]:.2f}"))
    for label, one, many in (("import", import_1, import_n), ("export", export_1, export_n)):
        cells = [f"{one[0]:.1f}", f"{one[1]:.1f}", "", "", f"{many[0]:.1f}", f"{many[1]:.1f}", "", ""]
        print(ROW.format(f"{label}, per file", *cells, f"{many[0] / one[0]:.2f}", f"{many[1] / one[1]:.2f}"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
