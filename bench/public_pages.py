#!/usr/bin/env python
"""Time the public episode page for the largest real episode and a 20x synthetic one, against floors.

Also the RSS feed and the sitemap (with every real episode imported), and what gzip makes of each: the
size sent to browsers that accept it and the time it adds.

Run from the project root:

    /work/main/.venv/bin/python bench/public_pages.py [--requests 30] [--corpus ../shared/corpus]

Everything happens in a throwaway SQLite database and static folder (collectstatic with the manifest
storage, as in production). Each page is requested through Django's test client, so URL routing, the
middleware and the template all count. The floors are measured in the same run: a view that returns
"ok" (routing and middleware only) and the same episode template with an empty transcript. The
largest real episode and the other real ones are skipped, with a message, when the shared corpus is absent.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from pathlib import Path

from benchsite import ROOT, setup, timed  # noqa: E402 - sets up the import path first

COLUMNS = "{:46} {:>6} {:>6} {:>6} {:>7} {:>8} {:>8} {:>8} {:>8}"
GZIP = {"accept-encoding": "gzip"}


def timings(client, url: str, requests: int, headers=None) -> tuple[list[float], object]:
    return timed(client, url, requests, headers=headers, warmup=3)


def queries(url: str, headers=None) -> int:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        Client().get(url, headers=headers or {})
    return len(captured.captured_queries)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=30, help="timed requests per page (default 30)")
    parser.add_argument("--corpus", type=Path, default=ROOT.parent / "shared" / "corpus")
    parser.add_argument(
        "--cached", action="store_true", help="keep rendered pages as in production (default: render every request)"
    )
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="bench-public-") as tmp:
        setup(Path(tmp))
        from django.conf import settings

        # Rendered pages are kept under their ETag in production; without --cached each request renders.
        if not args.cached:
            settings.PUBLIC_PAGE_CACHE_SECONDS = 0
        from django.http import HttpResponse
        from django.test import Client
        from django.urls import clear_url_caches, path

        from episodes.format import frontmatter as fm
        from episodes.tests.support.factories import SEED, import_text, repeated_transcript_text
        from podcast import urls

        urls.urlpatterns.append(path("bench-floor/", lambda request: HttpResponse("ok")))
        clear_url_caches()

        seed = SEED.read_text(encoding="utf-8")
        pages = {}
        episodes = args.corpus / "episodes"
        if episodes.is_dir():
            for profile in sorted((args.corpus / "people").glob("*.md")):
                import_text(profile.read_text(encoding="utf-8"), slug=profile.stem, person=True)
            files = sorted(episodes.glob("[!_]*.md"))
            for file in files:
                assert import_text(file.read_text(encoding="utf-8"), slug=file.stem).status == "created", file
            largest = max(files, key=lambda p: p.stat().st_size)
            pages[f"largest real ({largest.stem})"] = largest.stem
        else:
            print(f"note: no shared corpus at {args.corpus}; the largest real episode is skipped")
        assert import_text(repeated_transcript_text(seed, 20), slug="synthetic-20x").status == "created"
        pages["synthetic 20x seed"] = "synthetic-20x"
        assert import_text(seed).status == "created"
        pages["seed"] = "s10e03-mlops-architect"
        doc = fm.parse(seed)
        empty = fm.render({**doc.front, "transcript": []}, doc.body, doc.closing)
        assert import_text(empty, slug="empty-transcript").status == "created"

        from episodes.models import Episode

        client = Client()
        floor, _ = timings(client, "/bench-floor/", args.requests)
        empty, _ = timings(client, "/episodes/empty-transcript/", args.requests)
        floor_ms, empty_ms = statistics.median(floor), statistics.median(empty)

        def row(label, samples=None, *, turns="", size="", packed="", url=None, headers=None, ratios=True):
            median = statistics.median(samples) if samples else None
            cells = [label[:46], turns, size, packed, queries(url, headers) if url else ""]
            cells += [f"{median:.2f}", f"{min(samples):.2f}"] if samples else ["", ""]
            cells += [f"{median / floor_ms:.1f}", f"{median / empty_ms:.2f}"] if samples and ratios else ["", ""]
            print(COLUMNS.format(*cells))

        def measure(label, url, *, turns="", ratios=False, revalidate=True):
            """Print the plain response's row, the compressed one's, and the 304 answer's."""
            samples, response = timings(client, url, args.requests)
            packed_samples, packed = timings(client, url, args.requests, GZIP)
            assert packed.get("Content-Encoding") == "gzip", url
            size, packed_size = len(response.content) // 1024, len(packed.content) // 1024
            row(label, samples, turns=turns, size=size, url=url, ratios=ratios)
            row("  gzip", packed_samples, packed=packed_size, url=url, headers=GZIP, ratios=ratios)
            if revalidate:
                current = {"if-none-match": response["ETag"]}
                revalidated, not_modified = timings(client, url, args.requests, current)
                assert not_modified.status_code == 304
                row("  revalidated: 304 Not Modified", revalidated, size=0, url=url, headers=current, ratios=False)

        print(f"{args.requests} timed requests per row after 3 warm-up ones; times in ms\n")
        print(COLUMNS.format("page", "turns", "KB", "KB gz", "queries", "median", "min", "x floor", "x empty"))
        row("floor: view returning 'ok'", floor, url="/bench-floor/", ratios=False)
        row("floor: episode page, empty transcript", empty, turns=0, url="/episodes/empty-transcript/")
        for label, slug in pages.items():
            url = f"/episodes/{slug}/"
            turns = Episode.objects.get(slug=slug).items.filter(kind="turn").count()
            measure(label, url, turns=turns, ratios=True)
            for feed in ("transcript.json", "transcript.vtt", "chapters.json"):
                measure(f"  {feed}", url + feed, revalidate=False)
        published = Episode.objects.published().count()
        print(f"\nsite-wide, {published} published episodes")
        measure("RSS feed /feed.xml", "/feed.xml")
        measure("sitemap /sitemap.xml", "/sitemap.xml")
    return 0


if __name__ == "__main__":
    sys.exit(main())
