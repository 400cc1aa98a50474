#!/usr/bin/env python
"""Time the editor (the admin change page of an episode) for a short and a 20x longer transcript.

    .venv/bin/python bench/editor_page.py [--requests 15]

Episodes: the seed (172 items), the seed's transcript repeated 2x (344, about a real long episode) and
40x (6,880 = 20x the 344 one). Each page is requested as a logged-in superuser through Django's test
client, so the admin, middleware and templates all count. Printed per page: SQL queries, median and best
milliseconds; then the ratio of the 20x page's time to the 1x page's, which issue 3 wants at most 12x
(linear, not quadratic), and the floor: the admin's own "add episode" page (no transcript) in the same run.
Also: saving one changed turn of the 344-item episode, counting the rows it writes.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from pathlib import Path

import benchsite  # noqa: E402 - sets up the import path first
from benchsite import setup


def timed(client, url: str, requests: int) -> list[float]:
    return benchsite.timed(client, url, requests)[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--requests", type=int, default=15)
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="bench-editor-"))
    setup(workdir)

    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from episodes.models import Episode
    from episodes.tests.support.factories import SEED, import_text, repeated_transcript_text
    from episodes.tests.support.pages import form_fields

    seed = SEED.read_text(encoding="utf-8")
    episodes = {}
    for repeat in (1, 2, 40):
        slug = f"seed-x{repeat}"
        text = seed if repeat == 1 else repeated_transcript_text(seed, repeat)
        assert import_text(text, slug=slug).status == "created"
        episodes[repeat] = Episode.objects.get(slug=slug)
    user = get_user_model().objects.create_superuser("bench", "bench@example.com", "bench-password")
    client = Client()
    client.force_login(user)

    print(f"{'page':<40} {'items':>6} {'queries':>7} {'median ms':>10} {'best ms':>8}")
    floor = timed(client, reverse("admin:episodes_episode_add"), args.requests)
    label = "floor: add episode (no transcript)"
    print(f"{label:<40} {0:>6} {'':>7} {statistics.median(floor):>10.1f} {min(floor):>8.1f}")
    medians = {}
    for repeat, episode in episodes.items():
        url = reverse("admin:episodes_episode_change", args=[episode.pk])
        client.get(url)
        with CaptureQueriesContext(connection) as queries:
            client.get(url)
        query_count = len(queries)
        samples = timed(client, url, args.requests if repeat < 40 else max(5, args.requests // 3))
        medians[repeat] = statistics.median(samples)
        items = episode.items.count()
        label = f"editor, seed transcript x{repeat}"
        print(f"{label:<40} {items:>6} {query_count:>7} {medians[repeat]:>10.1f} {min(samples):>8.1f}")
    print(f"20x longer transcript (x40 vs x2): {medians[40] / medians[2]:.1f}x the time (limit 12x)")
    print(f"editor x2 vs floor: {medians[2] / statistics.median(floor):.1f}x")

    episode = episodes[2]
    url = reverse("admin:episodes_episode_change", args=[episode.pk])
    data = form_fields(client.get(url).content.decode())
    item = episode.items.get(position=100)
    data[f"item-{item.pk}-text"] = "A corrected sentence."
    with CaptureQueriesContext(connection) as queries:
        start = time.perf_counter()
        response = client.post(url, {**data, "_continue": "1"})
        elapsed = (time.perf_counter() - start) * 1000
    assert response.status_code == 302
    if os.environ.get("BENCH_SHOW_QUERIES"):
        print("\n".join(q["sql"][:150] for q in queries))
    writes = [q["sql"].split()[0] for q in queries if "episodes_transcriptitem" in q["sql"]]
    item_writes = [w for w in writes if w in ("INSERT", "UPDATE", "DELETE")]
    print(
        f"save one turn of {episode.items.count()}: {elapsed:.0f} ms, {len(queries)} queries, "
        f"transcript rows written by {len(item_writes)} statement(s): {item_writes}"
    )
    connection.close()


if __name__ == "__main__":
    main()
