"""gunicorn settings for serving the CMS; gunicorn reads this file when started from the project folder.

    DJANGO_SECRET_KEY=... .venv/bin/gunicorn podcast.wsgi

GUNICORN_BIND     address to listen on; default 127.0.0.1:8000 (a reverse proxy in front)
GUNICORN_WORKERS  worker processes; default one per CPU
GUNICORN_THREADS  threads per worker; default 4
GUNICORN_ACCESS_LOG  where the access log goes; default "-" (stdout); errors go to stderr

Under systemd both streams land in the journal (journalctl -u <the service>): one access line per request
ending with its X-Request-ID, and the application's errors with their tracebacks and the same id.
"""

import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
# Requests mostly use the CPU (templates, YAML) and threads share one per process: more processes than
# CPUs only added switching in bench/load.py (60 instead of 75 requests/s on 2 CPUs).
workers = int(os.environ.get("GUNICORN_WORKERS", os.cpu_count() or 1))
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
worker_class = "gthread"
# A worker takes a connection only while one of its threads is free; the rest wait in the listen backlog
# for whichever worker frees up first. With gunicorn's default of 1000, a busy worker hoards connections
# while another idles: bench/load.py measured a p99 two to three times higher with 50 clients.
worker_connections = threads

# One line per request, ending with its id (the X-Request-ID the CMS answered with, the proxy's when it
# sent one), so that an access line leads to the error logged for it.
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-")
access_log_format = '%(h)s %(l)s %(u)s %(t)s "%(r)s" %(s)s %(b)s "%(f)s" "%(a)s" %(M)sms %({x-request-id}o)s'
errorlog = "-"
