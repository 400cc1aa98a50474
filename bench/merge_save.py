#!/usr/bin/env python
"""Time a save of one turn of a 3,000-turn episode merged three ways against a colleague's newer save.

    .venv/bin/python bench/merge_save.py [--runs 7]

The episode is the seed's transcript repeated 18 times (3,096 items). Each run: a colleague saves turn 2,500,
then this editor's page, loaded before that save, saves turn 1,500: the save merges (services.merging) and lands.
Timed the same way, in the same run, the floor: the same one-turn save from a page that is current (no merge).
Printed: the service's time (best and median ms) and queries, the same through the admin's change page (the
test client's POST: the form, the save, the redirect), and each merged figure's ratio to its floor. Issue 19's
budget for the merged save: at most 300 ms server time and 20 queries.

Measured 2026-12-03 with ``--runs 5``, load average 2.3 (two cores shared with other work), best / median ms:

    service, floor: current page          90.0   104.9   14 queries
    service, merged with a colleague     159.6   178.2   17 queries
    admin POST, floor: current page      121.0   148.5   18 queries
    admin POST, merged with a colleague  159.0   223.9   19 queries

Before the admin POST's cut (the code before it, measured right after): service 15 / 18 queries, admin POST 26
queries (135.6 / 160.4 ms) and 29 merged (272.5 / 290.2 ms). The page's save now reads the episode once, locked, and
its service joins that transaction (no second read, no savepoint), reuses the rows the form and its lists read
under the lock, reads guests' people with their rows, guests and hosts in one query, and the item ids only as
far as a merge needs them. Medians move by half again when the machine is busier (load 3-4).
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from benchsite import setup  # sets up the import path first


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    setup(Path(tempfile.mkdtemp(prefix="bench-merge-")))

    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from episodes import services
    from episodes.models import Episode
    from episodes.tests.support.factories import SEED, import_text, repeated_transcript_text
    from episodes.tests.support.pages import form_fields

    assert import_text(repeated_transcript_text(SEED.read_text(encoding="utf-8"), 18), slug="long").status == "created"
    episode = Episode.objects.get(slug="long")
    users = get_user_model().objects
    colleague = users.create_user("colleague")
    editor = users.create_superuser("bench", "bench@example.com", "bench-password")
    client = Client()
    client.force_login(editor)
    url = reverse("admin:episodes_episode_change", args=[episode.pk])
    mine, theirs = episode.items.get(position=1500), episode.items.get(position=2500)

    def colleague_saves(n: int) -> None:
        edit = {theirs.pk: services.ItemEdit(text=f"Their words, {n}.")}
        services.episode_save(episode=Episode.objects.get(pk=episode.pk), edits=edit, user=colleague)

    def service(n: int, *, merged: bool) -> tuple[float, int]:
        seen = Episode.objects.get(pk=episode.pk).version
        if merged:
            colleague_saves(n)
        page = Episode.objects.get(pk=episode.pk)  # as the admin reads it for the save
        edit = {mine.pk: services.ItemEdit(text=f"My words, {n}.")}
        with CaptureQueriesContext(connection) as queries:
            start = time.perf_counter()
            saved = services.episode_save(episode=page, edits=edit, user=editor, version=seen)
            elapsed = (time.perf_counter() - start) * 1000
        assert saved.changed and bool(saved.merged) == merged, saved
        return elapsed, len(queries)

    def admin(n: int, *, merged: bool) -> tuple[float, int]:
        data = {k: v for k, v in form_fields(client.get(url).content.decode()).items() if not k.startswith("item-")}
        if merged:
            colleague_saves(n)
        data.update({f"item-{mine.pk}-text": f"Typed, {n}.", "_continue": "1"})
        with CaptureQueriesContext(connection) as queries:
            start = time.perf_counter()
            response = client.post(url, data)
            elapsed = (time.perf_counter() - start) * 1000
        assert response.status_code == 302, response.status_code
        return elapsed, len(queries)

    print(f"episode: {episode.items.count()} items; {args.runs} runs each (best / median ms, queries)")
    results = {}
    n = 0
    for name, measure in (("service", service), ("admin POST", admin)):
        for merged in (False, True):
            samples = []
            for _ in range(args.runs):
                n += 1
                samples.append(measure(n, merged=merged))
            times = [t for t, _ in samples]
            results[name, merged] = (min(times), statistics.median(times), max(q for _, q in samples))
    print(f"{'save of one turn':<38} {'best':>8} {'median':>8} {'queries':>8}")
    for (name, merged), (best, median, queries) in results.items():
        label = f"{name}, {'merged with a colleague' if merged else 'floor: current page'}"
        print(f"{label:<38} {best:>8.1f} {median:>8.1f} {queries:>8}")
    for name in ("service", "admin POST"):
        floor, merged = results[name, False], results[name, True]
        within = merged[1] <= 300 and merged[2] <= 20 and floor[2] <= 20
        print(
            f"{name}: merged / floor {merged[1] / floor[1]:.2f}x (median), +{merged[2] - floor[2]} queries; "
            f"budget 300 ms, 20 queries: {'within' if within else 'OVER'}"
        )
    connection.close()


if __name__ == "__main__":
    main()
