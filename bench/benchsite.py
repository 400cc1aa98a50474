"""Shared set-up for the benchmarks: a throwaway database and static folder, as in production."""

from __future__ import annotations

import gc
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
SHARED = ROOT.parent / "shared"


def setup(workdir: Path, *, keep_postgres: bool = False) -> str:
    """Configure Django on a fresh database, migrate, and collect static files in ``workdir``.

    The database is SQLite in ``workdir``; with ``keep_postgres`` and a PostgreSQL ``DATABASE_URL`` (e.g.
    from scripts/with-postgres.sh), it is a new ``test_`` database on that server instead, which the caller
    drops with ``connection.creation.destroy_test_db``. Return the database's name.
    """
    os.environ["DJANGO_SETTINGS_MODULE"] = "podcast.settings"
    postgres = keep_postgres and os.environ.get("DATABASE_URL", "").startswith(("postgres:", "postgresql:"))
    if not postgres:
        os.environ["DATABASE_URL"] = f"sqlite:///{workdir / 'bench.sqlite3'}"
    os.environ.setdefault("DJANGO_SECRET_KEY", "bench-only-secret-key")
    os.environ["DJANGO_ALLOWED_HOSTS"] = "testserver"
    os.environ.setdefault("DJANGO_SECURE_COOKIES", "0")
    import django
    from django.conf import settings

    django.setup()
    settings.STATIC_ROOT = workdir / "static"
    from django.core.management import call_command
    from django.db import connection

    if postgres:
        name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    else:
        call_command("migrate", verbosity=0)
        name = settings.DATABASES["default"]["NAME"]
    call_command("collectstatic", verbosity=0, interactive=False)
    return str(name)


def timed(
    client, url: str, requests: int, *, headers=None, warmup: int = 2, clock=time.perf_counter
) -> tuple[list[float], object]:
    """Request ``url`` ``warmup`` times, then ``requests`` times; return those times in ms and the last response.

    ``clock`` measures: wall time by default, ``time.process_time`` for this process's CPU time. Every
    response must be a 200 or a 304.
    """
    for _ in range(warmup):
        client.get(url, headers=headers or {})
    samples = []
    for _ in range(requests):
        start = clock()
        response = client.get(url, headers=headers or {})
        samples.append((clock() - start) * 1000)
        assert response.status_code in (200, 304), (url, response.status_code)
    return samples, response


def corpus_setup(corpus: Path, name: str, *, keep_postgres: bool = False) -> Path:
    """Exit with a clear message when ``corpus`` is absent; else set Django up (see ``setup``, and its
    ``keep_postgres``) in a new temporary folder named for the benchmark, and return that folder (the caller
    removes it, and the PostgreSQL database if one was made)."""
    if not corpus.is_dir():
        sys.exit(f"bench: the shared corpus is not at {corpus}")
    work = Path(tempfile.mkdtemp(prefix=f"bench-{name}-"))
    setup(work, keep_postgres=keep_postgres)
    return work


def best_cpu(fn, repeat: int) -> float:
    """Return the least CPU time, in seconds, of ``repeat`` calls of ``fn``, the garbage collector off in each."""
    times = []
    for _ in range(repeat):
        gc.collect()
        gc.disable()
        start = time.process_time()
        fn()
        times.append(time.process_time() - start)
        gc.enable()
    return min(times)
