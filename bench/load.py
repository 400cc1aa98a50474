"""Load bench: the app under gunicorn on SQLite (WAL), 50 concurrent clients, an import and an edit meanwhile.

    .venv/bin/python bench/load.py [--requests 3000] [--clients 50] [--workers CPUS] [--threads 4]

Builds a temporary SQLite database in WAL mode (migrate, the seed episode, and the episodes of
../shared/corpus when present), collects static files, and starts gunicorn on 127.0.0.1 with the
project's gunicorn.conf.py (--workers and --threads set its GUNICORN_WORKERS/THREADS). A warm-up pass
requests each address of URLS once and drops those answering 404 (pages not built yet), then warms every
worker. A second process sends --requests requests from --clients concurrent clients (threads with
keep-alive connections), round robin over the addresses. Meanwhile this process imports a changed copy of
the seed through the import service and edits another episode's title through the ORM with a version
bump. Afterwards it checks the rows (nothing lost or duplicated) and that every episode exports to the
data it should hold, and prints requests/s, p50/p99 latency and errors per address.
Goal: zero errors and p99 < 1 s. Exit status 1 if a request failed or a check did not hold.
"""

import argparse
import http.client
import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
SEED = ROOT / "episodes" / "demo" / "s10e03-mlops-architect.md"
SLUG = SEED.stem

# Addresses to load; {slug} is the seed episode. Those answering 404 in the warm-up are left out, so the
# bench runs before and after the public pages exist.
URLS = [
    "/admin/login/",
    "/",
    "/episodes/{slug}/",
    "/episodes/{slug}/transcript.json",
    "/search/?q=data",
]


# -- the load client (second process) ----------------------------------------------------------------


def get(conn: http.client.HTTPConnection, url: str, *, keep_alive: bool = True) -> int:
    headers = {"Host": "127.0.0.1"} if keep_alive else {"Host": "127.0.0.1", "Connection": "close"}
    conn.request("GET", url, headers=headers)
    response = conn.getresponse()
    response.read()
    if not keep_alive:
        conn.close()
    return response.status


def run_client(
    port: int, urls: list[str], total: int, clients: int, keep_alive: bool = False, announce: bool = False
) -> dict:
    """Send ``total`` GETs from ``clients`` threads; return per-address latencies and errors.

    Without ``keep_alive`` each request has its own connection, as from nginx in front (its default to an
    upstream): the next idle worker accepts it. A kept-alive connection stays with the worker that
    accepted it, however busy that worker is.
    """
    lock = threading.Lock()
    next_index = iter(range(total))
    latencies = {url: [] for url in urls}
    errors = {url: [] for url in urls}
    start_gate = threading.Barrier(clients + 1)

    def client():
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        start_gate.wait()
        while True:
            with lock:
                i = next(next_index, None)
            if i is None:
                break
            url = urls[i % len(urls)]
            began = time.perf_counter()
            try:
                status = get(conn, url, keep_alive=keep_alive)
                problem = None if status == 200 else f"HTTP {status}"
            except (OSError, http.client.HTTPException) as exc:
                problem = f"{type(exc).__name__}: {exc}"
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            elapsed = time.perf_counter() - began
            with lock:
                latencies[url].append(elapsed)
                if problem:
                    errors[url].append(problem)
        conn.close()

    threads = [threading.Thread(target=client) for _ in range(clients)]
    for thread in threads:
        thread.start()
    start_gate.wait()
    if announce:
        print("started", flush=True)  # tells the main process that the burst is under way
    began = time.perf_counter()
    for thread in threads:
        thread.join()
    return {"seconds": time.perf_counter() - began, "latencies": latencies, "errors": errors}


# -- the main process --------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until_up(port: int, server: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            sys.exit(f"load: gunicorn exited with {server.returncode}:\n{log.read_text()[-3000:]}")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            get(conn, "/admin/login/")
            conn.close()
            return
        except OSError:
            time.sleep(0.2)
    sys.exit(f"load: gunicorn did not answer within 60 s:\n{log.read_text()[-3000:]}")


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))] if ordered else 0.0


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--requests", type=int, default=3000, help="total requests in the burst")
    parser.add_argument("--clients", type=int, default=50, help="concurrent clients")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1, help="gunicorn worker processes")
    parser.add_argument("--threads", type=int, default=4, help="threads per gunicorn worker")
    parser.add_argument("--keep-alive", action="store_true", help="reuse each client's connection")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    parser.add_argument("--client", help=argparse.SUPPRESS)  # internal: run as the load client
    args = parser.parse_args()
    if args.client:
        options = json.loads(args.client)
        print(json.dumps(run_client(**options)), flush=True)
        return

    work = Path(tempfile.mkdtemp(prefix="bench-load-"))
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{work / 'db.sqlite3'}",
        "DJANGO_SETTINGS_MODULE": "podcast.settings",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(32),
        "DJANGO_DEBUG": "0",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_STATIC_ROOT": str(work / "static"),
        "PYTHONPATH": str(ROOT),
    }
    os.environ.update(env)
    # The project first: a module in bench/ must never shadow an installed package.
    sys.path[0] = str(ROOT)
    try:
        failures = run(args, work, env)
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    sys.exit(1 if failures else 0)


def run(args, work: Path, env: dict) -> list[str]:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from episodes import frontmatter as fm
    from episodes import importing

    call_command("migrate", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA journal_mode")
        journal = cursor.fetchone()[0]
    folders = [ROOT / "episodes" / "demo"]
    people = [ROOT / "episodes" / "demo" / "_people"]
    if (SHARED / "corpus").is_dir():
        folders += [SHARED / "corpus" / "episodes", SHARED / "corpus" / "historic"]
        people.append(SHARED / "corpus" / "people")
    sources = [*importing.path_sources(people, people=True), *importing.path_sources(folders)]
    report = importing.import_sources(sources)
    expected = {}  # slug -> the document its export must hold
    for source, result in zip(sorted(sources, key=lambda s: not s.is_person), report.results, strict=True):
        if not result.is_person and result.status == importing.CREATED:
            expected[result.slug] = fm.parse(source.read())
    print(f"load: SQLite journal_mode={journal}; imported {report.summary()}; {len(expected)} episodes")

    port = free_port()
    log = work / "gunicorn.log"
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "podcast.wsgi:application",
            # The rest of the settings come from gunicorn.conf.py, as in production.
            f"--bind=127.0.0.1:{port}",
            "--log-level=warning",
            f"--error-logfile={log}",
        ],
        cwd=ROOT,
        env={**env, "GUNICORN_WORKERS": str(args.workers), "GUNICORN_THREADS": str(args.threads)},
    )
    try:
        wait_until_up(port, server, log)
        return load_and_check(args, port, expected, log)
    finally:
        server.terminate()
        server.wait(timeout=30)


def load_and_check(args, port: int, expected: dict, log: Path) -> list[str]:
    from django.db.models import F
    from django.utils import timezone

    from episodes import exporting, importing, sync
    from episodes import frontmatter as fm
    from episodes.models import BodyLink, Episode, EpisodeGuest, PlatformRef, TranscriptItem

    # Warm-up: keep the addresses that exist, then let every worker serve each of them.
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    urls, skipped = [], []
    for url in (u.format(slug=SLUG) for u in URLS):
        status = get(conn, url)
        (skipped if status == 404 else urls).append(url)
    conn.close()
    warm = run_client(port, urls, len(urls) * args.workers * args.threads * 2, args.workers * args.threads)
    warm_errors = [e for errs in warm["errors"].values() for e in errs]
    print(f"load: addresses {urls}; not there yet (404): {skipped or 'none'}; warm-up errors: {len(warm_errors)}")

    options = {"port": port, "urls": urls, "total": args.requests, "clients": args.clients}
    options.update(keep_alive=args.keep_alive, announce=True)
    client = subprocess.Popen(
        [sys.executable, __file__, "--client", json.dumps(options)], stdout=subprocess.PIPE, text=True
    )
    assert client.stdout.readline().strip() == "started"

    # While the burst runs: an import of a changed file, then an editor's title change elsewhere.
    changed = SEED.read_text(encoding="utf-8").replace("title: MLOps Architect", "title: MLOps Architect (updated)")
    changed = changed.replace("MLOps", "ML Ops", 3)
    raw = changed.encode("utf-8")
    began = time.perf_counter()
    source = importing.Source(f"{SLUG}.md", f"{SLUG}.md", len(raw), lambda: raw)
    result = importing.import_source(source)
    import_seconds = time.perf_counter() - began
    expected[SLUG] = fm.parse(raw)

    edited = next((slug for slug in sorted(expected) if slug != SLUG), SLUG)
    began = time.perf_counter()
    edited_count = Episode.objects.filter(slug=edited).update(
        title="Edited during the load", version=F("version") + 1, edited_at=timezone.now()
    )
    edit_seconds = time.perf_counter() - began
    front = dict(expected[edited].front)
    front["title"] = "Edited during the load"
    expected[edited] = fm.Document(front=front, body=expected[edited].body, closing=expected[edited].closing)

    outcome = json.loads(client.stdout.read())
    client.wait()

    failures = []
    if result.status != importing.UPDATED:
        failures.append(f"import during the load: {result}")
    if edited_count != 1:
        failures.append(f"edit during the load changed {edited_count} rows")
    failures += check_rows(expected, sync, Episode, TranscriptItem, BodyLink, PlatformRef, EpisodeGuest)
    for episode, text in exporting.episode_texts(Episode.objects.all()):
        doc, want = fm.parse(text), expected.get(episode.slug)
        if want is None or not fm.same_data(doc.front, want.front) or doc.body != want.body:
            failures.append(f"export of {episode.slug} does not hold the data it should")

    report(outcome, import_seconds, edit_seconds, edited, args)
    errors = sum(len(e) for e in outcome["errors"].values())
    if errors:
        failures.append(f"{errors} requests failed; gunicorn log:\n{log.read_text()[-2000:]}")
    for failure in failures:
        print(f"load: FAILED {failure}")
    if not failures:
        print("load: checks ok: no episode, item, link, ref or guest row lost or duplicated; exports round-trip")
    return failures


def check_rows(expected, sync, Episode, TranscriptItem, BodyLink, PlatformRef, EpisodeGuest) -> list[str]:
    """Compare each table's row count with what the expected documents map to."""
    want = {"episodes": len(expected), "items": 0, "links": 0, "refs": 0, "guests": 0}
    for slug, doc in expected.items():
        rows = sync.episode_rows(doc, slug=slug)
        want["items"] += len(rows.items)
        want["links"] += len(rows.links)
        want["refs"] += len(rows.refs)
        want["guests"] += len(rows.guest_keys)
    got = {
        "episodes": Episode.objects.count(),
        "items": TranscriptItem.objects.count(),
        "links": BodyLink.objects.count(),
        "refs": PlatformRef.objects.count(),
        "guests": EpisodeGuest.objects.count(),
    }
    return [f"{name}: {got[name]} rows, expected {count}" for name, count in want.items() if got[name] != count]


def report(outcome: dict, import_seconds: float, edit_seconds: float, edited: str, args) -> None:
    seconds = outcome["seconds"]
    every = [v for values in outcome["latencies"].values() for v in values]
    errors = sum(len(e) for e in outcome["errors"].values())
    print(
        f"load: {len(every)} requests from {args.clients} clients in {seconds:.2f} s; "
        f"{'kept-alive connections' if args.keep_alive else 'a connection per request'}; "
        f"gunicorn {args.workers} workers x {args.threads} threads; during it: import {import_seconds * 1000:.0f} ms, "
        f"edit of {edited} {edit_seconds * 1000:.0f} ms"
    )
    print(f"{'address':40} {'requests':>8} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'max ms':>8} {'errors':>6}")
    rows = [*outcome["latencies"].items(), ("all", every)]
    for url, values in rows:
        errs = errors if url == "all" else len(outcome["errors"][url])
        print(
            f"{url:40} {len(values):8d} {len(values) / seconds:8.1f} {percentile(values, 0.5) * 1000:8.1f} "
            f"{percentile(values, 0.99) * 1000:8.1f} {max(values, default=0) * 1000:8.1f} {errs:6d}"
        )
    for url, problems in outcome["errors"].items():
        for problem, count in sorted({p: problems.count(p) for p in problems}.items()):
            print(f"  {url}: {count} x {problem}")
    p99 = percentile(every, 0.99)
    verdict = "met" if errors == 0 and p99 < 1 else "MISSED"
    print(f"load: goal (zero errors, p99 < 1 s): {verdict}: {errors} errors, p99 {p99 * 1000:.0f} ms")


if __name__ == "__main__":
    main()
