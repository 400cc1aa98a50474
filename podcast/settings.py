"""Settings for the podcast CMS, read from the environment with safe defaults for local use.

DATABASE_URL          default: SQLite file db.sqlite3 in the project folder; postgres://... for PostgreSQL
DATABASE_PREPARE_THRESHOLD  PostgreSQL: a connection prepares a statement it has run this many times (default 5);
                      "off" for a pooler that cannot keep prepared statements (pgbouncer before 1.21, transaction mode)
DATABASE_LISTEN       PostgreSQL: "off" stops each process from listening to the database's notifications of
                      changes (episodes.listening), so that every public page reads the database again; on by default
DJANGO_SECRET_KEY     required unless DJANGO_DEBUG is on (a development key is used then)
DJANGO_DEBUG          "1"/"true" turns debugging on; off by default
DJANGO_ALLOWED_HOSTS  comma-separated; default localhost,127.0.0.1
DJANGO_STATIC_ROOT    where collectstatic writes; default staticfiles/ in the project folder
EPISODES_MAX_FILE_BYTES  largest episode file an import accepts; default 10 MB
EPISODES_MAX_ARCHIVE_MEMBERS, EPISODES_MAX_ARCHIVE_BYTES  most .md files, and most bytes they unpack to, that
                      one zip may hold; default 5,000 and 200 MB (refused before unpacking)
EPISODES_MAX_TRANSCRIPT_PARAGRAPHS, EPISODES_MAX_TRANSCRIPT_TURNS  most Word paragraphs (or lines of text) and
                      turns one raw transcript may hold; default 16,000 and 3,000
EPISODES_PREVIEW_ROWS  items of a new transcript the admin's preview shows (with the counts); default 300
EPISODES_IMAGE_MAX_BYTES  largest cover or picture upload accepted (checked before it is read); default 10 MB
EPISODES_IMAGE_MAX_PIXELS  most pixels an uploaded image may have (read from its header, before decoding);
                      default 20,000,000 (a 20-megapixel photo)
EPISODES_COVER_SIZE, EPISODES_PICTURE_SIZE  the size covers (images/podcast/) and people's pictures
                      (images/authors/) are kept at, cropped to its proportions: default 1280x720 (the site's
                      covers, as its pages show them) and 128x128 (the site's scripts/create.py)
EPISODES_IMAGE_FORMAT  jpeg (default: every image of the site is a .jpg), png or webp
EPISODES_IMAGE_QUALITY  the JPEG or WebP quality; default 85
DJANGO_MEDIA_ROOT     the media storage: where covers and pictures are kept without a site checkout;
                      default media/ in the project folder (served at PODCAST_IMAGES_URL with the checkout's)
EPISODES_UPLOAD_DIR   where admin uploads wait between the dry run and the confirmation; default a folder
                      private to this user under the system's temporary folder (checked: ours, 0700, no link)
AXES_ENABLED          "0"/"false" turns the login lockout off; on by default
AXES_FAILURE_LIMIT    failed logins for one username from one address before a lockout; default 5
AXES_COOLOFF_MINUTES  how long a lockout lasts; default 15
DJANGO_CLIENT_IP_HEADER  behind a reverse proxy, the request header holding the client address
                      (e.g. HTTP_X_REAL_IP); default: none, the connection's address is used

EPISODE_CHECKS        the editorial rules' limits (see README, "Editorial rules") as JSON over their defaults,
                      e.g. {"title_max": 110, "chapters_max": 40}; an unknown name is refused by check_episodes

Site repository (see README, "Publishing through git")
SITE_REPO             a git working tree of the site (_podcast/, _people/, images/): the default --repo of
                      sync_site and the admin's Publish page; its images/ are served at PODCAST_IMAGES_URL
SITE_REMOTE           the remote the admin's Publish button pushes its branch to (e.g. origin); none: commit only
SITE_COMMITTER        "Name <email>" as the committer of published changes; default: git's own, or "Podcast CMS"
SITE_BRANCH_PREFIX    how the names of the branches a push writes start (default cms/): a push writes no other branch

Jobs (long work run by `manage.py db_worker`, see README)
TASKS_BACKEND         the task framework's backend; default django_tasks_db.DatabaseBackend (the worker's queue
                      in this database); django_tasks.backends.immediate.ImmediateBackend runs jobs in the request
JOBS_STALE_SECONDS    a running job whose worker (on another machine) wrote no progress for this long is marked
                      interrupted; default 600 (a worker on this machine is checked by its process id)
JOBS_WORKER_NICE      how much db_worker lowers its CPU priority (Unix nice, 0-19); default 10: on a machine it
                      shares with the web server, readers' pages come before a pull's files; 0 keeps it equal
REPLACE_SECONDS       find and replace: the time a search may take on one episode before it is stopped with a
                      message (a regular expression that backtracks without end); default 2

Suggestions from a language model (see README, "Suggestions"); off unless AI_BASE_URL is set
AI_BASE_URL           an OpenAI-compatible server's API address, e.g. https://api.openai.com/v1 or
                      http://localhost:11434/v1 (Ollama)
AI_MODEL              the model to ask, e.g. gpt-5-mini or llama3.1
AI_API_KEY            the server's key (optional for local servers); never stored, shown or logged
AI_TIMEOUT            seconds one request may take; default 60
AI_RETRIES            retries of a request answered 429 or 5xx, with backoff; default 3
AI_CONTEXT_TOKENS     the most tokens (estimated as characters / 4) one prompt may hold; default 12000
AI_OPENING_MINUTES    how much of the transcript's start the title, description and intro prompts get; default 5
AI_PRICE_INPUT_PER_MTOK, AI_PRICE_OUTPUT_PER_MTOK  US dollars per million input / output tokens, for the
                      cost shown and --max-cost; default 0

Public site
PODCAST_TITLE         the podcast's name on pages and in structured data; default "DataTalks.Club Podcast"
PODCAST_IMAGES_URL    where image paths such as images/authors/key.jpg are served; default /media/
PUBLIC_PAGES_MAX_AGE  seconds browsers and caches may keep an episode page without asking; default 0
                      (they revalidate with the ETag, which costs four small queries and no rendering)
TRANSCRIPT_ISSUE_URL  where readers report a problem with a transcript, {title} standing for the issue's
                      title ("Transcript: <episode title>"), e.g.
                      https://github.com/OWNER/REPO/issues/new?title={title}; unset: no link is shown
PUBLIC_SEARCH_TIMEOUT_MS  how long the database may work on one transcript search before it is stopped and
                      the listener told so; default 1000

Security (safe defaults; relax only on purpose)
DJANGO_SECURE_SSL_REDIRECT   "1" redirects http to https; off by default (local use)
DJANGO_SECURE_COOKIES        "1" marks session and CSRF cookies Secure; on unless DJANGO_DEBUG
DJANGO_HSTS_SECONDS          Strict-Transport-Security max-age; default 0 (off)
DJANGO_HSTS_INCLUDE_SUBDOMAINS  "1" adds includeSubDomains to that header; off by default
DJANGO_HSTS_PRELOAD          "1" adds preload (only once the domain is to be on browsers' preload lists,
                             which needs includeSubDomains and a max-age of a year); off by default
DJANGO_SECURE_PROXY_SSL_HEADER  "1" trusts X-Forwarded-Proto: https from the proxy in front
DJANGO_LOG_LEVEL             the least level logged to stderr; default WARNING (errors always are, with tracebacks)
DJANGO_REFERRER_POLICY       default strict-origin-when-cross-origin: YouTube's player refuses to play
                             embeds that send no referrer at all, so "same-origin" would break the video
DJANGO_CSP                   the Content-Security-Policy of every page outside the admin; the default
                             allows our own scripts, styles and images, and the YouTube IFrame API's script
                             with its youtube-nocookie.com player (loaded only when a reader plays a video)
"""

import json
import os
import tempfile
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


DEBUG = env_bool("DJANGO_DEBUG")
# Without a key, commands still run; serving a request then fails with a clear ImproperlyConfigured.
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY") or ("dev-only-insecure-key-do-not-deploy" if DEBUG else "")
ALLOWED_HOSTS = [h.strip() for h in os.environ.get("DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1").split(",") if h]
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("DJANGO_CSRF_TRUSTED_ORIGINS", "").split(",") if o]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "import_export",
    "axes",
    "episodes",
    # After episodes: its db_worker (marking jobs of dead workers interrupted first) is the one manage.py runs.
    "django_tasks",
    "django_tasks_db",
]

MIDDLEWARE = [
    # First, so that every line logged while serving a request carries its id.
    "podcast.request_id.RequestIdMiddleware",
    "podcast.middleware.RefuseNulMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "podcast.middleware.ContentSecurityPolicyMiddleware",
    # Last, so that it turns a login refused during a lockout into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "podcast.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "episodes.context_processors.site",
            ],
        },
    },
]

WSGI_APPLICATION = "podcast.wsgi.application"

DATABASES = {
    # An empty DATABASE_URL (as CI templates often set) means the default, not a broken configuration.
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Django's backend, with a health check that asks the server only when it has said something.
    DATABASES["default"]["ENGINE"] = "podcast.postgresql"
    # Server-side binding lets psycopg prepare what a connection runs again and again (every page's few
    # queries): PostgreSQL then plans each once per connection instead of once per request, which was a third
    # of its time on an episode page and more than the run itself for the related episodes' query.
    threshold = os.environ.get("DATABASE_PREPARE_THRESHOLD", "5").strip().lower()
    if threshold not in ("off", "none", ""):
        DATABASES["default"].setdefault("OPTIONS", {}).update(
            {"server_side_binding": True, "prepare_threshold": int(threshold)}
        )
# PostgreSQL only (SQLite has no notifications): see episodes.listening. A pooler in transaction mode passes
# LISTEN through to no session: turn it off there.
DATABASE_LISTEN = env_bool("DATABASE_LISTEN", True)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers go on while an import writes; IMMEDIATE avoids lock upgrades failing mid-transaction.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
        }
    )
    # Tests use a file too: an in-memory database shares one cache between connections and answers
    # "table is locked" at once, where a real file waits its turn, so concurrency could not be tested.
    DATABASES["default"]["TEST"] = {"NAME": os.path.join(tempfile.gettempdir(), f"podcast-test-{os.getpid()}.sqlite3")}

# Login protection (django-axes): after AXES_FAILURE_LIMIT failed logins for one username from one address,
# that pair is locked out for AXES_COOLOFF_MINUTES, even with the right password; a success resets the count.
AUTHENTICATION_BACKENDS = [
    "podcast.login_protection.LockoutBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_ENABLED = env_bool("AXES_ENABLED", True)
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=float(os.environ.get("AXES_COOLOFF_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "podcast.login_protection.lockout_response"
AXES_CLIENT_IP_CALLABLE = "podcast.login_protection.client_ip"
CLIENT_IP_HEADER = os.environ.get("DJANGO_CLIENT_IP_HEADER", "")

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("DJANGO_STATIC_ROOT") or BASE_DIR / "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "static"]
# Covers and pictures uploaded without a site checkout (SITE_REPO); the images route serves them.
MEDIA_ROOT = Path(os.environ.get("DJANGO_MEDIA_ROOT") or BASE_DIR / "media")
MEDIA_URL = os.environ.get("PODCAST_IMAGES_URL", "/media/")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "podcast.storage.StaticStorage"},
}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

EPISODES_MAX_FILE_BYTES = int(os.environ.get("EPISODES_MAX_FILE_BYTES", str(10 * 1024 * 1024)))
# An archive is refused before anything is unpacked when its .md files are more or bigger than this (the
# whole site is ~650 files and ~40 MB).
EPISODES_MAX_ARCHIVE_MEMBERS = int(os.environ.get("EPISODES_MAX_ARCHIVE_MEMBERS", "5000"))
EPISODES_MAX_ARCHIVE_BYTES = int(os.environ.get("EPISODES_MAX_ARCHIVE_BYTES", str(200 * 1024 * 1024)))
# The most one raw transcript may hold, so that reading it and its draft stay a transcript's size (the
# site's longest has 251 items): Word paragraphs or lines of text, and turns. The admin's preview of a
# transcript shows its first EPISODES_PREVIEW_ROWS items, and the counts.
EPISODES_MAX_TRANSCRIPT_PARAGRAPHS = int(os.environ.get("EPISODES_MAX_TRANSCRIPT_PARAGRAPHS", "16000"))
EPISODES_MAX_TRANSCRIPT_TURNS = int(os.environ.get("EPISODES_MAX_TRANSCRIPT_TURNS", "3000"))
EPISODES_PREVIEW_ROWS = int(os.environ.get("EPISODES_PREVIEW_ROWS", "300"))
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# Uploaded covers and pictures (episodes.documents.images): the site keeps every image as a .jpg, covers at
# the 1280 x 720 its pages show them at, people at the 128 x 128 its scripts/create.py crops them to.
EPISODES_IMAGE_MAX_BYTES = int(os.environ.get("EPISODES_IMAGE_MAX_BYTES", str(10 * 1024 * 1024)))
EPISODES_IMAGE_MAX_PIXELS = int(os.environ.get("EPISODES_IMAGE_MAX_PIXELS", "20000000"))
EPISODES_COVER_SIZE = os.environ.get("EPISODES_COVER_SIZE", "1280x720")
EPISODES_PICTURE_SIZE = os.environ.get("EPISODES_PICTURE_SIZE", "128x128")
EPISODES_IMAGE_FORMAT = os.environ.get("EPISODES_IMAGE_FORMAT", "jpeg")
EPISODES_IMAGE_QUALITY = int(os.environ.get("EPISODES_IMAGE_QUALITY", "85"))

# -- public site ------------------------------------------------------------------------------------

PODCAST_TITLE = os.environ.get("PODCAST_TITLE", "DataTalks.Club Podcast")
PODCAST_IMAGES_URL = os.environ.get("PODCAST_IMAGES_URL", "/media/")
PUBLIC_PAGES_MAX_AGE = int(os.environ.get("PUBLIC_PAGES_MAX_AGE", "0"))
TRANSCRIPT_ISSUE_URL = os.environ.get("TRANSCRIPT_ISSUE_URL", "")
# Rendered public pages are kept under their ETag (which changes with anything they show) in each process.
PUBLIC_PAGE_CACHE_SECONDS = int(os.environ.get("PUBLIC_PAGE_CACHE_SECONDS", "600"))
# A search the indexes cannot answer quickly is stopped rather than left to tie up the server.
PUBLIC_SEARCH_TIMEOUT_MS = int(os.environ.get("PUBLIC_SEARCH_TIMEOUT_MS", "1000"))
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        # Enough for every address of a site of 200 episodes (each page and its four files, the people, the
        # lists): 300 held a tenth of them, and bench/load.py's readers found their page evicted before they
        # came back to it. About 70 MB a process for such a site (pages average 145 KB, files 36 KB).
        "OPTIONS": {"MAX_ENTRIES": int(os.environ.get("PUBLIC_PAGE_CACHE_ENTRIES", "1500"))},
    },
    # Each feed item as written before, under what it shows (a kilobyte or two each): a save or a pulled
    # file then costs the feed one item's writing, not a hundred.
    "feed-items": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "feed-items",  # its own store: locmem caches of one location share it
        "TIMEOUT": PUBLIC_PAGE_CACHE_SECONDS,
        "OPTIONS": {"MAX_ENTRIES": 1000},
    },
}

# -- logging ----------------------------------------------------------------------------------------

# One line a record on stderr (its traceback under it), which gunicorn passes on and systemd's journal
# keeps: an error answered with 500 is logged by django.request with the request's id, also in the
# response's X-Request-ID header and gunicorn's access log line.
LOG_FORMAT = "%(asctime)s %(levelname)s [%(process)d] [request %(request_id)s] %(name)s: %(message)s"
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "podcast.request_id.RequestIdFilter"}},
    "formatters": {"line": {"format": LOG_FORMAT}},
    "handlers": {
        "stderr": {
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stderr",
            "filters": ["request_id"],
            "formatter": "line",
        }
    },
    "root": {"handlers": ["stderr"], "level": os.environ.get("DJANGO_LOG_LEVEL", "WARNING")},
    "loggers": {
        "django": {"handlers": ["stderr"], "level": os.environ.get("DJANGO_LOG_LEVEL", "WARNING"), "propagate": False},
        # Each 404 would be a warning here: the access log has them, one line each.
        "django.request": {"level": "ERROR"},
    },
}

# -- security headers and cookies -------------------------------------------------------------------

SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = os.environ.get("DJANGO_REFERRER_POLICY", "strict-origin-when-cross-origin")
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT")
SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_HSTS_SECONDS", "0"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("DJANGO_HSTS_INCLUDE_SUBDOMAINS")
SECURE_HSTS_PRELOAD = env_bool("DJANGO_HSTS_PRELOAD")
if env_bool("DJANGO_SECURE_PROXY_SSL_HEADER"):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = env_bool("DJANGO_SECURE_COOKIES", not DEBUG)
SESSION_COOKIE_HTTPONLY = True


def _origin(url: str) -> str:
    """Return the scheme and host of an absolute URL, or '' for a path on this site."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme in ("http", "https") and parts.netloc else ""


# Our pages load nothing from other hosts except, once a reader presses play, the YouTube IFrame API's script
# and its privacy-enhanced player (and the image host, when images are served from one); nobody may frame them.
CONTENT_SECURITY_POLICY = os.environ.get(
    "DJANGO_CSP",
    "; ".join(
        [
            "default-src 'self'",
            "script-src 'self' https://www.youtube.com",
            "style-src 'self'",
            f"img-src 'self' data: {_origin(PODCAST_IMAGES_URL)}".strip(),
            "frame-src https://www.youtube-nocookie.com",
            "frame-ancestors 'none'",
            "object-src 'none'",
            "base-uri 'none'",
            "form-action 'self'",
        ]
    ),
)
CONTENT_SECURITY_POLICY_EXEMPT = ["/admin/"]

# -- editor -----------------------------------------------------------------------------------------

# The transcript table posts three fields per item; the page's script sends only the changed ones, but a
# browser without scripts sends them all.
DATA_UPLOAD_MAX_NUMBER_FIELDS = 40000
EPISODES_UPLOAD_DIR = os.environ.get("EPISODES_UPLOAD_DIR", "")
SITE_REPO = os.environ.get("SITE_REPO", "")
# Overrides of the editorial rules' limits (episodes.format.checks.DEFAULT_LIMITS), checked where they are used.
EPISODE_CHECKS = json.loads(os.environ.get("EPISODE_CHECKS") or "{}")
SITE_REMOTE = os.environ.get("SITE_REMOTE", "")
SITE_COMMITTER = os.environ.get("SITE_COMMITTER", "")
SITE_BRANCH_PREFIX = os.environ.get("SITE_BRANCH_PREFIX", "cms/")

# Long work (pulls, pushes, confirmed uploads) is queued in the database and run by `manage.py db_worker`.
TASKS = {"default": {"BACKEND": os.environ.get("TASKS_BACKEND", "django_tasks_db.DatabaseBackend")}}
JOBS_STALE_SECONDS = float(os.environ.get("JOBS_STALE_SECONDS", "600"))
JOBS_WORKER_NICE = int(os.environ.get("JOBS_WORKER_NICE", "10"))
REPLACE_SECONDS = float(os.environ.get("REPLACE_SECONDS", "2"))

# Suggestions from a language model: off unless AI_BASE_URL is set; the key stays in the environment.
AI_BASE_URL = os.environ.get("AI_BASE_URL", "")
AI_MODEL = os.environ.get("AI_MODEL", "")
AI_API_KEY = os.environ.get("AI_API_KEY", "")
AI_TIMEOUT = float(os.environ.get("AI_TIMEOUT") or "60")
AI_RETRIES = int(os.environ.get("AI_RETRIES") or "3")
AI_CONTEXT_TOKENS = int(os.environ.get("AI_CONTEXT_TOKENS") or "12000")
AI_OPENING_MINUTES = int(os.environ.get("AI_OPENING_MINUTES") or "5")
AI_PRICE_INPUT_PER_MTOK = os.environ.get("AI_PRICE_INPUT_PER_MTOK") or "0"
AI_PRICE_OUTPUT_PER_MTOK = os.environ.get("AI_PRICE_OUTPUT_PER_MTOK") or "0"
IMPORT_EXPORT_IMPORT_PERMISSION_CODE = "change"
IMPORT_EXPORT_EXPORT_PERMISSION_CODE = "view"
