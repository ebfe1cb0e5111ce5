"""Stride's settings: one module, driven by the environment.

With no variables set, Stride runs for a demo: SQLite under ``var/`` and an embedded broker
(kombu's filesystem transport), so `make demo` needs nothing installed. ``DATABASE_URL`` and
``REDIS_URL`` switch to PostgreSQL and Redis (Celery broker and Django cache).
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from config.env import env_bool, env_int, env_list, env_str
from config.serving import max_waits
from exercises.accounts.addresses import parse_networks

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("STRIDE_VAR_DIR") or BASE_DIR / "var")

DEBUG = env_bool("DEBUG", False)
DEMO_MODE = env_bool("STRIDE_DEMO", False)

SECRET_KEY = env_str("SECRET_KEY") or ""
if not SECRET_KEY:
    if DEBUG or DEMO_MODE:
        SECRET_KEY = "stride-insecure-development-key-do-not-use-in-production"  # noqa: S105
    else:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Set SECRET_KEY to a long random string "
            "(python -c 'import secrets; print(secrets.token_urlsafe(50))'), "
            "or DEBUG=1 for development."
        )

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # Swagger UI files for /api/docs/swagger, from our static
    "django_htmx",
    "exercises",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "exercises.api.middleware.ApiBodySizeLimitMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # The language: the cookie set_language leaves, else Accept-Language, else LANGUAGE_CODE.
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # After a login, the user's stored language becomes the language cookie (exercises.languages).
    "exercises.middleware.LanguagePreferenceMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

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
                "exercises.context_processors.stride",
            ],
            # Every page shows dates one way, in the cohort's time zone (exercises.dates).
            "builtins": ["exercises.templatetags.stride_dates"],
        },
    },
]

# --- Database -----------------------------------------------------------------------------------
DATABASE_URL = env_str("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'stride.sqlite3'}"
try:
    # A web thread keeps its connection STRIDE_DB_CONN_MAX_AGE seconds (default 600): each new
    # one is a PostgreSQL backend to fork and warm, and loses the statements it had prepared.
    # At 60 s a class of 300 opened 44 in a 40 s phase of ``make bench BENCH_ARGS=web``.
    DATABASES = {
        "default": dj_database_url.parse(
            DATABASE_URL, conn_max_age=env_int("STRIDE_DB_CONN_MAX_AGE", 600)
        )
    }
except ValueError as exc:
    raise ImproperlyConfigured(f"DATABASE_URL is not a database URL: {exc}") from None
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The demo's worker and web server share the file: wait for the other's write lock.
    DATABASES["default"]["OPTIONS"] = {"timeout": 20, "transaction_mode": "IMMEDIATE"}
    DATABASES["default"]["CONN_MAX_AGE"] = 0
else:
    # Persistent connections (CONN_MAX_AGE, above) without a health check: a check is a
    # `SELECT 1` round trip before the first query of every request. Without it, a connection
    # PostgreSQL dropped (a restart, an idle timeout) fails the one request that first uses it;
    # Django then sees the error and closes that connection at the request's end, and the
    # thread's next request connects anew. One failed request per thread after a database
    # restart, against a round trip on every request, every day.
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = False
    DATABASES["default"].setdefault("OPTIONS", {})["connect_timeout"] = env_int(
        "DATABASE_CONNECT_TIMEOUT", 5
    )
    if env_bool("STRIDE_DB_SERVER_SIDE_BINDING", True):
        # Server-side binding, and psycopg prepares a statement once a connection has run it
        # five times: the hot paths repeat the same few statements, and with Django's default
        # (client-side binding, never prepared) PostgreSQL planned each one anew; in the
        # 300-student web bench planning took longer than execution (11.1 s against 9.2 s).
        # Off (0) behind a pooler in transaction mode (PgBouncer before 1.21), which cannot
        # keep a connection's prepared statements.
        DATABASES["default"]["OPTIONS"]["server_side_binding"] = True
        DATABASES["default"]["OPTIONS"]["prepare_threshold"] = 5
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Redis: broker and cache --------------------------------------------------------------------
REDIS_URL = env_str("REDIS_URL") or ""
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env_str("STRIDE_CACHE_PREFIX", "stride"),
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# What the workers tell the web processes (their heartbeat, a problem's self-check): the default
# cache when it is Redis; without Redis a folder beside the embedded broker, which both sides see.
CACHES["workers"] = (
    CACHES["default"]
    if REDIS_URL
    else {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": str(VAR_DIR / "workers-cache"),
    }
)

# --- Celery -------------------------------------------------------------------------------------
# The database is the source of truth for every submission; the broker only carries ids.
GRADING_QUEUE = "grading"
REGRADE_QUEUE = "regrade"
GRADING_TASK_TIME_LIMIT = env_int("STRIDE_GRADING_TIME_LIMIT", 120)  # seconds, hard
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        # Must exceed the longest task, or Redis redelivers a task that is still running.
        "visibility_timeout": GRADING_TASK_TIME_LIMIT * 3,
        "queue_order_strategy": "priority",
    }
    if REDIS_URL.startswith("redis://"):
        # kombu's redis transport, publishing through one Redis client per connection pool
        # rather than a new one per message; the same messages (config/broker.py).
        CELERY_BROKER_TRANSPORT = "config.broker:Transport"
else:
    _broker_dir = VAR_DIR / "broker"
    # kombu's filesystem transport expects its folders to exist.
    for _folder in ("queue", "control"):
        (_broker_dir / _folder).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir / "queue"),
        "data_folder_out": str(_broker_dir / "queue"),
        "control_folder": str(_broker_dir / "control"),
        "store_processed": False,
        "polling_interval": 0.1,
    }
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Two pool processes per core: a grading task spends about half its time waiting (the database,
# the broker's ack and next delivery, its sandbox child starting), and a second process per core
# fills those gaps. On the 2-core machine: 2 processes 90/s, 3 ~104/s, 4 110/s trivial gradings
# (``python -m bench pipeline``). Each process keeps its own sandbox fork-server (~100 MB).
CELERY_WORKER_CONCURRENCY = env_int("CELERY_WORKER_CONCURRENCY", 2 * (os.cpu_count() or 1))
CELERY_TASK_DEFAULT_QUEUE = GRADING_QUEUE
CELERY_TASK_ROUTES = {
    "grader.tasks.grade_submission": {"queue": GRADING_QUEUE},
    "grader.tasks.sweep_stuck_submissions": {"queue": GRADING_QUEUE},
    "grader.tasks.regrade_problem": {"queue": REGRADE_QUEUE},
    "exercises.integrity.build_report": {"queue": REGRADE_QUEUE},
    "exercises.integrity.check_leak": {"queue": REGRADE_QUEUE},
    # Workers with a sandbox: the grading queue's.
    "exercises.tasks.self_check_problem": {"queue": GRADING_QUEUE},
    "exercises.tasks.worker_heartbeat": {"queue": GRADING_QUEUE},
}
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_CONNECTION_TIMEOUT = 3
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
# Celery's Django fixup closes the database connections around every task unless this is set
# (then only every N tasks); config/celery.py reuses them by Django's rules (CONN_MAX_AGE).
CELERY_DB_REUSE_MAX = env_int("CELERY_DB_REUSE_MAX", 1000)
CELERY_BEAT_SCHEDULE = {
    "sweep-stuck-submissions": {
        "task": "grader.tasks.sweep_stuck_submissions",
        "schedule": float(env_int("STRIDE_SWEEP_EVERY_SECONDS", 30)),
    },
    "worker-heartbeat": {
        "task": "exercises.tasks.worker_heartbeat",
        "schedule": float(env_int("STRIDE_HEARTBEAT_EVERY_SECONDS", 30)),
    },
}
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")

# --- Stride policy ------------------------------------------------------------------------------
TRUSTED_PROXIES = env_list("STRIDE_TRUSTED_PROXIES", [])
try:
    parse_networks(TRUSTED_PROXIES)
except ValueError as exc:
    raise ImproperlyConfigured(f"STRIDE_TRUSTED_PROXIES: {exc}") from None
STRIDE = {
    # Submissions per user per minute (API and pages alike); over it: 429 with Retry-After.
    "SUBMISSIONS_PER_MINUTE": env_int("STRIDE_SUBMISSIONS_PER_MINUTE", 20),
    # Submissions a user may have waiting for a grader at once.
    "MAX_PENDING_PER_USER": env_int("STRIDE_MAX_PENDING_PER_USER", 5),
    # Largest accepted request body on the API and largest code/answer stored.
    "MAX_BODY_BYTES": env_int("STRIDE_MAX_BODY_BYTES", 256 * 1024),
    "MAX_CODE_BYTES": env_int("STRIDE_MAX_CODE_BYTES", 64 * 1024),
    # A submission queued or running for longer than this is re-queued by the sweeper.
    "STUCK_AFTER_SECONDS": env_int("STRIDE_STUCK_AFTER_SECONDS", GRADING_TASK_TIME_LIMIT * 2),
    # Re-queue at most this many times before the submission ends as `error`.
    "MAX_REQUEUES": env_int("STRIDE_MAX_REQUEUES", 3),
    "CONTENT_DIR": BASE_DIR / "exercises" / "content",
    # Password checks running at once in one web process (the token endpoint, the login form,
    # the admin's); beyond it the request is refused at once with 503 and Retry-After. A check
    # is ~20 ms of CPU outside the GIL: a bound per process keeps a class logging in together
    # from taking every core from the requests of those already in.
    "LOGIN_CONCURRENCY": env_int("STRIDE_LOGIN_CONCURRENCY", 1),
    # Failed logins allowed per account (from any address) and per client address within the
    # window that opens at the first; past either, 429 with Retry-After and no password check.
    "LOGIN_FAILURES_PER_ACCOUNT": env_int("STRIDE_LOGIN_FAILURES_PER_ACCOUNT", 10),
    "LOGIN_FAILURES_PER_ADDRESS": env_int("STRIDE_LOGIN_FAILURES_PER_ADDRESS", 100),
    "LOGIN_FAILURE_WINDOW_SECONDS": env_int("STRIDE_LOGIN_FAILURE_WINDOW_SECONDS", 900),
    # Our own reverse proxies (addresses or CIDR networks): only a request whose peer is one of
    # them has its X-Forwarded-For read for the client's address (exercises.accounts.addresses).
    "TRUSTED_PROXIES": TRUSTED_PROXIES,
    # Requests of one web process allowed to wait for a grade at once (?wait=N,
    # exercises.submissions.grade_events): all but 4 of its threads, so those always serve
    # (config.serving says why); a wait beyond the bound is answered at once with the current
    # state (busy).
    "MAX_WAITS_PER_PROCESS": max_waits(),
    # The students' leaderboard is computed at most once per this many ms per board and served
    # to every reader meanwhile (exercises.leaderboards.selectors): under a class, grades change
    # the board many times a second. 0: computed at every new version.
    "LEADERBOARD_COALESCE_MS": env_int("STRIDE_LEADERBOARD_COALESCE_MS", 1000),
    # How often a waiting request reads the database when Redis's grade events are not there
    # (make demo, or Redis down).
    "WAIT_POLL_MS": env_int("STRIDE_WAIT_POLL_MS", 50),
    # How long the problem page's submit of an answer a worker grades (code) waits for the
    # grade before answering (exercises.pages.views.problem_page): a worker's grade usually lands
    # within this, and then the click's own answer carries the verdict instead of a status box
    # that has to ask again. Later grades reach the box through its ?wait= request as before.
    "PAGE_SUBMIT_WAIT_MS": env_int("STRIDE_PAGE_SUBMIT_WAIT_MS", 500),
    # The quick kinds (number, matrix, shape, choice: grader.kinds.QUICK_KINDS) are graded by
    # the web request that stores them, right after its commit, so that its answer carries the
    # verdict (no Celery round trip, no second request); off, every submission goes to the
    # workers. Code is always graded by a worker.
    "GRADE_QUICK_KINDS_IN_REQUEST": env_bool("STRIDE_GRADE_QUICK_KINDS_IN_REQUEST", True),
}
DATA_UPLOAD_MAX_MEMORY_SIZE = STRIDE["MAX_BODY_BYTES"]

# --- Auth, REST framework -----------------------------------------------------------------------
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# New hashes: Argon2id (config/hashers.py says which parameters and why). The others only
# verify hashes made before, which are rewritten as Argon2id at the user's next login.
STRONG_PASSWORD_HASHERS = [
    "config.hashers.StrideArgon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
PASSWORD_HASHERS = STRONG_PASSWORD_HASHERS
if env_bool("STRIDE_FAST_PASSWORD_HASHER", False):  # the test suite's, never production's
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# A student logs in once per device: a browser session lasts a term from its login; API tokens
# never expire (DRF's authtoken model) and POST /api/v1/token hands back the same one each time.
SESSION_COOKIE_AGE = env_int("STRIDE_SESSION_DAYS", 180) * 24 * 3600
SESSION_EXPIRE_AT_BROWSER_CLOSE = False

# Password-reset links and instructors' invitation links (exercises.accounts.services) work once,
# and for this many days: an invitation handed out in the first lecture must outlive a weekend.
PASSWORD_RESET_TIMEOUT = env_int("STRIDE_LINK_DAYS", 7) * 24 * 3600

# --- Email (password resets) --------------------------------------------------------------------
# Printed to the web process's console unless an SMTP host is set, so a demo or a laptop needs
# no mail server; STRIDE_EMAIL_BACKEND names any other Django backend.
EMAIL_HOST = env_str("STRIDE_EMAIL_HOST") or ""
EMAIL_BACKEND = env_str("STRIDE_EMAIL_BACKEND") or (
    "django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST
    else "django.core.mail.backends.console.EmailBackend"
)
EMAIL_PORT = env_int("STRIDE_EMAIL_PORT", 587)
EMAIL_HOST_USER = env_str("STRIDE_EMAIL_USER") or ""
EMAIL_HOST_PASSWORD = env_str("STRIDE_EMAIL_PASSWORD") or ""
EMAIL_USE_TLS = env_bool("STRIDE_EMAIL_TLS", True)
EMAIL_TIMEOUT = env_int("STRIDE_EMAIL_TIMEOUT_SECONDS", 10)
DEFAULT_FROM_EMAIL = env_str("STRIDE_EMAIL_FROM") or "Stride <stride@localhost>"

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # DRF's token check, its answer remembered per process for 30 s (saves a query a request).
        "exercises.api.authentication.RememberingTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "EXCEPTION_HANDLER": "exercises.api.errors.exception_handler",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    # For DRF's own throttles, should one be added: X-Forwarded-For only behind our proxies, as
    # exercises.accounts.addresses reads it (0: REMOTE_ADDR; 1: the address our proxy appended).
    "NUM_PROXIES": 1 if TRUSTED_PROXIES else 0,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Stride API",
    "DESCRIPTION": "Problems, submissions and leaderboards of the Stride CNN course platform.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "SWAGGER_UI_DIST": "SIDECAR",  # never a CDN
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

# --- I18N, static -------------------------------------------------------------------------------
# English is the fallback: every problem has it, and a page in an unknown language falls back to it.
LANGUAGE_CODE = "en"
LANGUAGES = [("ko", "한국어"), ("en", "English")]
# Our own .po files; the .mo beside them are compiled by `manage.py compile_translations`.
LOCALE_PATHS = [BASE_DIR / "exercises" / "locale"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True
STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG and not env_bool("STRIDE_PLAIN_STATIC", False)
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# --- Security (production unless DEBUG) ---------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False  # htmx reads the token from the cookie-less meta tag; keep default
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if not DEBUG and env_bool("STRIDE_HTTPS", True) and not DEMO_MODE:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]

# --- Logging: one JSON object per line in production, readable lines in development -------------
LOG_LEVEL = env_str("LOG_LEVEL", "INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "json": {"()": "config.logging.JsonFormatter"},
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain" if (DEBUG or DEMO_MODE) else "json",
        }
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "celery": {"level": LOG_LEVEL},
    },
}
