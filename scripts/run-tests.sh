#!/bin/sh
# Set up and run the whole test suite (the command .ci/run calls). Extra arguments go to pytest.
set -e
cd "$(dirname "$0")/.."
[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/python -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
.venv/bin/ruff check .
.venv/bin/ruff format --check .
.venv/bin/python manage.py makemigrations --check --dry-run --verbosity 0
.venv/bin/python -m pytest -q "$@"
