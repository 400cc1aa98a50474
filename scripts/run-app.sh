#!/bin/sh
# Set up and run the CMS on its embedded default: SQLite, the demo episode, an editor login printed; the web
# server and one job worker (manage.py db_worker) run together, and Ctrl+C stops both.
set -e
cd "$(dirname "$0")/.."
[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/python -m pip install --quiet --disable-pip-version-check -r requirements.txt
export DJANGO_DEBUG="${DJANGO_DEBUG:-1}"
.venv/bin/python manage.py migrate --verbosity 0
.venv/bin/python manage.py collectstatic --noinput --verbosity 0
.venv/bin/python manage.py setup_demo
# One worker for the jobs (pulls, pushes, confirmed uploads) beside the web server. A background process of
# a script ignores Ctrl+C, so the trap stops it (SIGTERM: it finishes the file it is on) when the server ends.
.venv/bin/python manage.py db_worker --no-reload --verbosity 0 &
worker=$!
stop_worker() {
  trap - EXIT INT TERM
  kill -TERM "$worker" 2>/dev/null || true
  wait "$worker" 2>/dev/null || true
}
trap stop_worker EXIT
trap 'stop_worker; exit 130' INT TERM
echo "Public site: http://127.0.0.1:8000/   Editor: http://127.0.0.1:8000/admin/   (a job worker runs beside it)"
.venv/bin/python manage.py runserver 127.0.0.1:8000
