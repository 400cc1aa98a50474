"""Settings read from the environment: production's `check --deploy` can be made clean."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parents[3]

PRODUCTION = {
    "DJANGO_SECRET_KEY": "k2Vb9-qT!mZ4wLx8RfN0sPaYc7JdHu3EgK6tBn1oQiW5zXr&vM",
    "DJANGO_DEBUG": "0",
    "DJANGO_ALLOWED_HOSTS": "podcast.example",
    "DJANGO_SECURE_SSL_REDIRECT": "1",
    "DJANGO_HSTS_SECONDS": "31536000",
    "DJANGO_HSTS_INCLUDE_SUBDOMAINS": "1",
}


def deploy_check(**env) -> str:
    environ = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL"))}
    done = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "ERROR"],
        cwd=PROJECT,
        env={**environ, **PRODUCTION, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )
    return done.stdout + done.stderr


@pytest.mark.parametrize(("preload", "warned"), [("1", False), ("0", True)])
def test_hsts_preload_is_set_from_the_environment(preload, warned):
    output = deploy_check(DJANGO_HSTS_PRELOAD=preload)
    assert ("security.W021" in output) is warned, output
    assert "System check identified no issues" in output or warned, output
