"""Load bench: the site under gunicorn on SQLite and on PostgreSQL, 50 readers while editors, a pull, an intake
and a push run, side by side.

    .venv/bin/python bench/load.py [--engine sqlite|postgres|both] [--runs 1] [--seconds 60] [--clients 50]
                                   [--requests 100000] [--workers CPUS] [--threads 4] [--episodes 203] [--people 438]
                                   [--postgres-via socket|tcp]

Each run builds a fresh database (SQLite in WAL mode in a temporary folder; PostgreSQL through
scripts/with-postgres.sh, a throwaway cluster reached through its Unix socket, as a site whose database runs
on the same machine connects; --postgres-via tcp for 127.0.0.1) and a git repository of the site made from
../shared/corpus (--episodes episode files and --people profiles, as bench/site_sync.py builds it), pulls it
(timed: the first pull), and starts gunicorn on 127.0.0.1 with the project's gunicorn.conf.py (access log
to a file). A second process then sends GETs from --clients concurrent clients, a connection per request
(as nginx does to an upstream), for --seconds or --requests, whichever ends first, over this mix:

    episode pages 4, transcript files (json, vtt, srt, chapters) 2, lists (/, /episodes/, pages,
    seasons) 2, people pages 2, search 1, feed 1, sitemap 1

while this process runs two editors, each saving an episode's title through the editor's service once a
second, and, one after the other, a pull of a commit changing 20 episode files, an intake of a raw transcript
(plain text) as a new episode, and a push of what changed to a branch of a bare remote. Afterwards it checks
that every save, the pull, the intake and the push succeeded and every episode still exports and parses.

It prints requests/s, p50 and p99 per kind of page, errors (429 and 503 apart: the search's deliberate
answer to a busy database and the login lockout), the editors' save times and the jobs' times. With
--engine both each run does SQLite then PostgreSQL, and the medians over --runs are printed side by side
with PostgreSQL's throughput as a ratio of SQLite's measured in the same runs (the floor).
Targets (issue 24): PostgreSQL >= 1.0x SQLite's throughput, p99 <= 1 s, no errors but 429/503, saves p50 <= 1 s.
On PostgreSQL the workers listen to the database's notifications of changes as a deployment's do
(episodes/listening.py: a kept page costs no query); DATABASE_LISTEN=off in this script's environment
measures them reading the database on every request instead.
Exit status 1 if a check failed or a request failed otherwise.
"""

import argparse
import http.client
import json
import os
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
CORPUS = SHARED / "corpus"

# Each kind of page and how many slots of the round robin it takes.
MIX = {"episode": 4, "file": 2, "list": 2, "person": 2, "search": 1, "feed": 1, "sitemap": 1}
# Statuses that are answers the site gives on purpose under load (a search stopped at its time limit, a
# login lockout), counted apart from errors.
DELIBERATE = {429, 503}
SEARCHES = ["data", "machine learning", '"data engineer"', "python -java", "career", "model deployment"]
FILES = ["transcript.json", "transcript.vtt", "transcript.srt", "chapters.json"]
EDITOR_PAUSE = 1.0
TARGETS = {"ratio": 1.0, "p99": 1.0, "save_p50": 1.0}


# -- the load client (second process) ----------------------------------------------------------------


def get(port: int, url: str) -> int:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request("GET", url, headers={"Host": "127.0.0.1", "Connection": "close"})
        response = conn.getresponse()
        response.read()
        return response.status
    finally:
        conn.close()


def run_client(
    port: int, sequence: list[list[str]], total: int, seconds: float, clients: int, announce: bool = False
) -> dict:
    """Send GETs of ``sequence`` ([kind, url], round robin) from ``clients`` threads until ``total`` were sent
    or ``seconds`` passed; return latencies and problems per kind."""
    lock = threading.Lock()
    next_index = iter(range(total))
    latencies: dict[str, list[float]] = {kind: [] for kind in MIX}
    errors: dict[str, list[str]] = {kind: [] for kind in MIX}
    deliberate: dict[str, int] = dict.fromkeys(MIX, 0)
    gate = threading.Barrier(clients + 1)
    deadline = [0.0]

    def client():
        gate.wait()
        while time.perf_counter() < deadline[0]:
            with lock:
                i = next(next_index, None)
            if i is None:
                break
            kind, url = sequence[i % len(sequence)]
            began = time.perf_counter()
            try:
                status = get(port, url)
                problem = None if status in (200, 304) else f"HTTP {status} {url}"
            except (OSError, http.client.HTTPException) as exc:
                status, problem = 0, f"{type(exc).__name__}: {exc} {url}"
            elapsed = time.perf_counter() - began
            with lock:
                latencies[kind].append(elapsed)
                if status in DELIBERATE:
                    deliberate[kind] += 1
                elif problem:
                    errors[kind].append(problem)

    threads = [threading.Thread(target=client) for _ in range(clients)]
    for thread in threads:
        thread.start()
    deadline[0] = time.perf_counter() + seconds
    gate.wait()
    if announce:
        print("started", flush=True)  # tells the main process that the load is under way
    began = time.perf_counter()
    for thread in threads:
        thread.join()
    return {"seconds": time.perf_counter() - began, "latencies": latencies, "errors": errors, "deliberate": deliberate}


# -- one run on one database (a process of its own) --------------------------------------------------------


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
            get(port, "/robots.txt")
            return
        except OSError:
            time.sleep(0.2)
    sys.exit(f"load: gunicorn did not answer within 60 s:\n{log.read_text()[-3000:]}")


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))] if ordered else 0.0


def git(root: Path, *args: str) -> str:
    identity = ["-c", "user.name=Bench", "-c", "user.email=bench@example.com", "-c", "commit.gpgsign=false"]
    done = subprocess.run(["git", "-C", str(root), *identity, *args], capture_output=True, text=True, check=True)
    return done.stdout.strip()


def single_run(args) -> dict:
    """Build the site on the database DATABASE_URL names (or a new SQLite file), load it; return the figures."""
    work = Path(tempfile.mkdtemp(prefix="bench-load-"))
    try:
        return _single_run(args, work)
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


def _single_run(args, work: Path) -> dict:
    engine = args.engine
    url = os.environ.get("DATABASE_URL", "")
    if engine == "postgres" and args.postgres_via == "socket":
        url = os.environ.get("DATABASE_SOCKET_URL", "")
    if engine == "postgres" and not url.startswith(("postgres:", "postgresql:")):
        sys.exit("load: --engine postgres needs DATABASE_URL=postgres://... (run through scripts/with-postgres.sh)")
    env = {
        "DATABASE_URL": url if engine == "postgres" else f"sqlite:///{work / 'db.sqlite3'}",
        "DJANGO_SETTINGS_MODULE": "podcast.settings",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(32),
        "DJANGO_DEBUG": "0",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_STATIC_ROOT": str(work / "static"),
        "PYTHONPATH": str(ROOT),
    }
    os.environ.update(env)
    # The project first and bench/ last: a module in bench/ must never shadow an installed package.
    sys.path[0] = str(ROOT)
    sys.path.append(str(ROOT / "bench"))
    import django

    django.setup()
    from django.core.management import call_command
    from site_sync import build_site

    call_command("migrate", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    repo, remote = work / "site", work / "origin.git"
    build_site(repo, CORPUS, args.episodes, args.people)
    subprocess.run(["git", "clone", "-q", "--bare", str(repo), str(remote)], check=True)
    git(repo, "remote", "add", "origin", str(remote))

    from episodes.services import site as site_sync

    began = time.perf_counter()
    pulled = site_sync.site_pull(repo=str(repo))
    first_pull = time.perf_counter() - began
    if pulled.problems:
        sys.exit(f"load: the first pull refused files: {pulled.problems[:3]}")
    sequence = page_mix(args.episodes)
    via = f" (PostgreSQL through {'its Unix socket' if args.postgres_via == 'socket' else 'TCP'})"
    print(
        f"load [{engine}]: pulled {len(pulled.files)} files in {first_pull:.1f} s; "
        f"{len(sequence)} requests in the round robin{via if engine == 'postgres' else ''}"
    )

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
            f"--error-logfile={log}",
            f"--access-logfile={work / 'access.log'}",
        ],
        cwd=ROOT,
        env={**os.environ, "GUNICORN_WORKERS": str(args.workers), "GUNICORN_THREADS": str(args.threads)},
    )
    try:
        wait_until_up(port, server, log)
        figures = load_with_work(args, port, sequence, repo, log)
    finally:
        server.terminate()
        server.wait(timeout=30)
    figures.update(engine=engine, first_pull=first_pull)
    return figures


def page_mix(episodes: int) -> list[list[str]]:
    """Return [kind, address] in the round robin's order: each kind cycles through its own addresses."""
    from episodes.models import Episode, Person
    from episodes.public import listing

    slugs = list(Episode.objects.published().values_list("slug", flat=True))
    people = list(Person.objects.public().order_by("key").values_list("key", flat=True))
    seasons = [s.url for s in listing.season_links()]
    addresses = {
        "episode": [f"/episodes/{quote(s)}/" for s in slugs],
        "file": [f"/episodes/{quote(s)}/{FILES[i % len(FILES)]}" for i, s in enumerate(slugs)],
        "list": ["/", "/episodes/", "/episodes/?page=2", "/episodes/?page=last", *seasons],
        "person": [f"/people/{quote(k)}/" for k in people],
        "search": [f"/search/?q={quote(q)}" for q in SEARCHES],
        "feed": ["/feed.xml"],
        "sitemap": ["/sitemap.xml"],
    }
    longest = max(len(urls) for urls in addresses.values())
    sequence = []
    for n in range(longest):
        for kind, weight in MIX.items():
            urls = addresses[kind]
            sequence += [[kind, urls[(n * weight + k) % len(urls)]] for k in range(weight)]
    return sequence


def load_with_work(args, port: int, sequence: list, repo: Path, log: Path) -> dict:
    """Warm the workers, then load the site while the editors and the jobs run; return the figures."""
    warm = run_client(port, sequence[:400], 400, 120, args.workers * args.threads)
    warm_errors = [e for errs in warm["errors"].values() for e in errs]
    if warm_errors:
        sys.exit(f"load: warm-up failed: {warm_errors[:3]}\n{log.read_text()[-2000:]}")

    options = {"port": port, "sequence": sequence, "total": args.requests, "seconds": args.seconds}
    options.update(clients=args.clients, announce=True)
    options_file = Path(tempfile.mkstemp(suffix=".json")[1])
    options_file.write_text(json.dumps(options))
    client = subprocess.Popen(
        [sys.executable, __file__, "--client", str(options_file)], stdout=subprocess.PIPE, text=True
    )
    work = Work(repo)
    line = client.stdout.readline().strip()
    if line != "started":
        sys.exit(f"load: the load client did not start: {line}")
    work.start()
    outcome = json.loads(client.stdout.read())
    client.wait()
    options_file.unlink()
    work.finish()
    figures = summarise(outcome)
    figures.update(work.figures())
    figures["failures"] = (
        work.failures + check_exports() + [e for errs in outcome["errors"].values() for e in errs][:20]
    )
    return figures


class Work:
    """What editors and the site's jobs do while the readers load the site: two editors, a pull, an intake, a push."""

    def __init__(self, repo: Path):
        from django.contrib.auth import get_user_model

        from episodes.format import frontmatter as fm
        from episodes.models import Episode

        self.repo = repo
        self.stop = threading.Event()
        self.saves: list[float] = []
        self.jobs: dict[str, float] = {}
        self.failures: list[str] = []
        self.lock = threading.Lock()
        slugs = list(Episode.objects.published().order_by("slug").values_list("slug", flat=True))
        # The editors' episodes and the pulled commit's files are apart: a pull merges, but the bench
        # measures speed, not conflicts.
        self.edited = slugs[:2]
        self.changed = slugs[-20:]
        users = get_user_model().objects
        self.editors = [users.create_user(f"editor{n}") for n in range(2)]
        for slug in self.changed:
            path = repo / "_podcast" / f"{slug}.md"
            doc = fm.parse(path.read_bytes())
            front = {**doc.front, "title": f"Pulled - {doc.front.get('title')}"}
            path.write_text(fm.render(front, doc.body, doc.closing), encoding="utf-8")
        git(repo, "commit", "-q", "-am", "Titles changed on the site")
        self.threads = [
            threading.Thread(target=self._editor, args=(user, slug))
            for user, slug in zip(self.editors, self.edited, strict=True)
        ]
        self.threads.append(threading.Thread(target=self._jobs))

    def start(self) -> None:
        for thread in self.threads:
            thread.start()

    def finish(self) -> None:
        self.stop.set()
        for thread in self.threads:
            thread.join()

    def _editor(self, user, slug: str) -> None:
        from django.db import connection

        from episodes.models import Episode
        from episodes.services import episode_save

        n = 0
        try:
            while not self.stop.is_set():
                began = time.perf_counter()
                episode = Episode.objects.get(slug=slug)
                try:
                    episode_save(
                        episode=episode, fields={"title": f"Saved {n} by {user}"}, user=user, version=episode.version
                    )
                except Exception as exc:  # noqa: BLE001 - reported as a failure of the run
                    with self.lock:
                        self.failures.append(f"{user}'s save {n}: {type(exc).__name__}: {exc}")
                with self.lock:
                    self.saves.append(time.perf_counter() - began)
                n += 1
                self.stop.wait(EDITOR_PAUSE)
            final = Episode.objects.get(slug=slug).title
            if final != f"Saved {n - 1} by {user}":
                self.failures.append(f"{user}'s last save is not kept: {final!r}")
        finally:
            connection.close()

    def _jobs(self) -> None:
        from django.db import connection

        from episodes.services import intake
        from episodes.services import site as site_sync

        raw = CORPUS / "raw" / "data-team-roles.txt"
        steps = [
            ("pull", lambda: site_sync.site_pull(repo=str(self.repo))),
            ("intake", lambda: intake.transcript_import(slug="bench-intake", name=raw.name, data=raw.read_bytes())),
            ("push", lambda: site_sync.site_push(repo=str(self.repo), remote="origin")),
        ]
        try:
            self.stop.wait(3)
            for name, step in steps:
                began = time.perf_counter()
                try:
                    result = step()
                except Exception as exc:  # noqa: BLE001 - reported as a failure of the run
                    self.failures.append(f"{name}: {type(exc).__name__}: {exc}")
                    continue
                self.jobs[name] = time.perf_counter() - began
                problems = getattr(result, "problems", None)
                if problems:
                    self.failures.append(f"{name}: {problems[:3]}")
                if name == "push" and not result.commit:
                    self.failures.append(f"push made no commit: {result.summary()}")
        finally:
            connection.close()

    def figures(self) -> dict:
        return {
            "saves": len(self.saves),
            "save_p50": percentile(self.saves, 0.5),
            "save_max": max(self.saves, default=0.0),
            **{f"{name}_seconds": seconds for name, seconds in self.jobs.items()},
        }


def check_exports() -> list[str]:
    """Return a failure for each episode that no longer exports to a file that parses as its own data."""
    from episodes.documents import exporting
    from episodes.format import frontmatter as fm
    from episodes.models import Episode

    failures = []
    for episode, text in exporting.episode_texts(Episode.objects.all()):
        try:
            fm.validate_episode(fm.parse(text))
        except fm.FormatError as exc:
            failures.append(f"export of {episode.slug}: {exc}")
    return failures


def summarise(outcome: dict) -> dict:
    every = [v for values in outcome["latencies"].values() for v in values]
    seconds = outcome["seconds"]
    kinds = {
        kind: {"requests": len(v), "p50": percentile(v, 0.5), "p99": percentile(v, 0.99)}
        for kind, v in outcome["latencies"].items()
    }
    return {
        "requests": len(every),
        "seconds": seconds,
        "rps": len(every) / seconds if seconds else 0.0,
        "p50": percentile(every, 0.5),
        "p99": percentile(every, 0.99),
        "errors": sum(len(e) for e in outcome["errors"].values()),
        "deliberate": sum(outcome["deliberate"].values()),
        "kinds": kinds,
    }


# -- the runs and the table ------------------------------------------------------------------------------


def child_command(engine: str, args) -> list[str]:
    command = [sys.executable, __file__, "--single", "--engine", engine]
    for name in ("seconds", "clients", "requests", "workers", "threads", "episodes", "people", "postgres_via"):
        command += [f"--{name.replace('_', '-')}", str(getattr(args, name))]
    if engine == "postgres":
        command = ["sh", str(ROOT / "scripts" / "with-postgres.sh"), *command]
    return command


def run_engine(engine: str, args) -> dict:
    """Run one load on ``engine`` in a process of its own; return its figures (its output passes through)."""
    done = subprocess.run(child_command(engine, args), cwd=ROOT, capture_output=True, text=True)
    result = None
    for line in done.stdout.splitlines():
        if line.startswith("RESULT "):
            result = json.loads(line[len("RESULT ") :])
        else:
            print(line, flush=True)
    if result is None:
        sys.exit(f"load: the {engine} run failed ({done.returncode}):\n{done.stderr[-3000:]}")
    return result


def median_of(runs: list[dict], *keys) -> float:
    values = []
    for run in runs:
        value = run
        for key in keys:
            value = value.get(key, 0.0) if isinstance(value, dict) else 0.0
        values.append(value)
    return statistics.median(values) if values else 0.0


def table(results: dict[str, list[dict]]) -> list[str]:
    """Print the medians over the runs, one column an engine; return what missed a target."""
    engines = list(results)
    rows = [
        ("requests/s", ("rps",), "{:.1f}"),
        ("p50 ms", ("p50",), "ms"),
        ("p99 ms", ("p99",), "ms"),
        ("errors", ("errors",), "{:.0f}"),
        ("429/503 (deliberate)", ("deliberate",), "{:.0f}"),
        ("editors' saves", ("saves",), "{:.0f}"),
        ("save p50 ms", ("save_p50",), "ms"),
        ("save max ms", ("save_max",), "ms"),
        ("first pull s (idle)", ("first_pull",), "{:.1f}"),
        ("pull under load s", ("pull_seconds",), "{:.1f}"),
        ("intake under load s", ("intake_seconds",), "{:.1f}"),
        ("push under load s", ("push_seconds",), "{:.1f}"),
    ]
    rows += [(f"{kind} p50/p99 ms", ("kinds", kind), "kind") for kind in MIX]
    runs = len(next(iter(results.values())))
    print(f"\nload: median of {runs} run(s) each; {results[engines[0]][0]['requests']} requests in the first run")
    print(f"{'':24}" + "".join(f"{engine:>18}" for engine in engines))
    for label, keys, form in rows:
        cells = []
        for engine in engines:
            if form == "ms":
                cells.append(f"{median_of(results[engine], *keys) * 1000:.0f}")
            elif form == "kind":
                p50 = median_of(results[engine], *keys, "p50") * 1000
                p99 = median_of(results[engine], *keys, "p99") * 1000
                cells.append(f"{p50:.0f} / {p99:.0f}")
            else:
                cells.append(form.format(median_of(results[engine], *keys)))
        print(f"{label:24}" + "".join(f"{cell:>18}" for cell in cells))
    missed = []
    if "sqlite" in results and "postgres" in results:
        ratio = median_of(results["postgres"], "rps") / max(median_of(results["sqlite"], "rps"), 1e-9)
        paired = statistics.median(
            p["rps"] / max(s["rps"], 1e-9) for p, s in zip(results["postgres"], results["sqlite"], strict=True)
        )
        print(f"PostgreSQL / SQLite throughput: {ratio:.2f}x (medians), {paired:.2f}x (median of paired runs)")
        if ratio < TARGETS["ratio"]:
            missed.append(f"PostgreSQL throughput {ratio:.2f}x SQLite's (target >= {TARGETS['ratio']})")
    for engine, runs_of in results.items():
        if median_of(runs_of, "p99") > TARGETS["p99"]:
            missed.append(f"{engine}: p99 {median_of(runs_of, 'p99') * 1000:.0f} ms (target <= 1000)")
        if median_of(runs_of, "save_p50") > TARGETS["save_p50"]:
            missed.append(f"{engine}: save p50 {median_of(runs_of, 'save_p50') * 1000:.0f} ms (target <= 1000)")
        if any(run["errors"] for run in runs_of):
            missed.append(f"{engine}: {sum(run['errors'] for run in runs_of)} errors")
    print("load: targets " + ("met" if not missed else "MISSED: " + "; ".join(missed)))
    return missed


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--engine", choices=["sqlite", "postgres", "both"], default="sqlite")
    parser.add_argument("--runs", type=int, default=1, help="runs per engine; the table shows their medians")
    parser.add_argument("--seconds", type=float, default=60, help="how long the readers load the site")
    parser.add_argument("--clients", type=int, default=50, help="concurrent readers")
    parser.add_argument("--requests", type=int, default=100_000, help="at most this many requests a run")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1, help="gunicorn worker processes")
    parser.add_argument("--threads", type=int, default=4, help="threads per gunicorn worker")
    parser.add_argument("--episodes", type=int, default=203, help="episode files in the site's repository")
    parser.add_argument("--people", type=int, default=438, help="profiles in the site's repository")
    parser.add_argument(
        "--postgres-via",
        choices=["socket", "tcp"],
        default="socket",
        help="how gunicorn and the editors reach PostgreSQL: its Unix socket (as on one machine) or TCP on 127.0.0.1",
    )
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    parser.add_argument("--single", action="store_true", help=argparse.SUPPRESS)  # internal: one run
    parser.add_argument("--client", help=argparse.SUPPRESS)  # internal: run as the load client
    args = parser.parse_args()
    if args.client:
        options = json.loads(Path(args.client).read_text())
        print(json.dumps(run_client(**options)), flush=True)
        return
    if not CORPUS.is_dir():
        sys.exit(f"load: needs the shared corpus at {CORPUS} to build a site-sized repository")
    if args.single:
        figures = single_run(args)
        print("RESULT " + json.dumps(figures), flush=True)
        return
    engines = ["sqlite", "postgres"] if args.engine == "both" else [args.engine]
    results: dict[str, list[dict]] = {engine: [] for engine in engines}
    for n in range(args.runs):
        for engine in engines:
            figures = run_engine(engine, args)
            results[engine].append(figures)
            print(
                f"load [{engine}] run {n + 1}: {figures['rps']:.1f} req/s, p50 {figures['p50'] * 1000:.0f} ms, "
                f"p99 {figures['p99'] * 1000:.0f} ms, {figures['errors']} errors, {figures['deliberate']} 429/503, "
                f"save p50 {figures['save_p50'] * 1000:.0f} ms",
                flush=True,
            )
            for failure in figures["failures"]:
                print(f"load [{engine}]: FAILED {failure}", flush=True)
    table(results)
    failed = any(run["failures"] for runs in results.values() for run in runs)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
