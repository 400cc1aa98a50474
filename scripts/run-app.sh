#!/bin/sh
# Set up and run the CMS on its embedded default: SQLite, the demo episode, an editor login printed.
set -e
cd "$(dirname "$0")/.."
[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/python -m pip install --quiet --disable-pip-version-check -r requirements.txt
export DJANGO_DEBUG="${DJANGO_DEBUG:-1}"
.venv/bin/python manage.py migrate --verbosity 0
.venv/bin/python manage.py collectstatic --noinput --verbosity 0
.venv/bin/python manage.py setup_demo
echo "Public site: http://127.0.0.1:8000/   Editor: http://127.0.0.1:8000/admin/"
exec .venv/bin/python manage.py runserver 127.0.0.1:8000
