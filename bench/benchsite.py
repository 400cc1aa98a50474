"""Shared set-up for the benchmarks: a throwaway SQLite database and static folder, as in production."""

from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def setup(workdir: Path) -> None:
    """Configure Django on a fresh database in ``workdir``, migrate, and collect static files there."""
    os.environ["DJANGO_SETTINGS_MODULE"] = "podcast.settings"
    os.environ["DATABASE_URL"] = f"sqlite:///{workdir / 'bench.sqlite3'}"
    os.environ.setdefault("DJANGO_SECRET_KEY", "bench-only-secret-key")
    os.environ["DJANGO_ALLOWED_HOSTS"] = "testserver"
    os.environ.setdefault("DJANGO_SECURE_COOKIES", "0")
    import django
    from django.conf import settings

    django.setup()
    settings.STATIC_ROOT = workdir / "static"
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("collectstatic", verbosity=0, interactive=False)
