"""Settings for povertyplan, read from the environment.

Nothing secret is committed. ``DEBUG`` is off unless set; with DEBUG off a ``SECRET_KEY`` must be
given. ``DATABASE_URL`` switches from the embedded SQLite file to PostgreSQL
(``postgres://user@host:5432/name``), which is what production uses.
"""

import os
import tempfile
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in env(name, default).split(",") if item.strip()]


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return default if value is None or value.strip() == "" else int(value)


def env_path(name: str, default: Path) -> Path:
    value = os.environ.get(name)
    return default if value is None or value.strip() == "" else Path(value)


DEBUG = env_bool("DEBUG")

SECRET_KEY = env("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("Set SECRET_KEY (or DEBUG=1 for local development).")
    SECRET_KEY = "insecure-local-development-key-only-used-with-DEBUG"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    # The admin site that also asks administrators for their second factor (accounts/admin_site.py).
    "accounts.apps.OTPAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "simple_history",
    "import_export",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "csp",
    "core",
    "areas",
    "accounts",
    "indicators",
    "households",
    "imports",
    "review",
    "exits",
    "reports",
    "projects",
    "budget",
    "plan",
    "demo",
    "audit",
    "jobs",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "accounts.middleware.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "accounts.middleware.SessionIdleMiddleware",
    # Every page needs a login unless its view opts out with @login_not_required.
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    # Sends users who must use two-factor login to enrolment or to the code page (accounts/).
    "accounts.middleware.TwoFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes asks: turns a locked-out login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "povertyplan.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

WSGI_APPLICATION = "povertyplan.wsgi.application"

DATABASES = {
    "default": dj_database_url.parse(
        env("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=int(env("DB_CONN_MAX_AGE", "60")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Writers wait for each other instead of failing with "database is locked".
    DATABASES["default"].setdefault("OPTIONS", {})["timeout"] = 20

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "login"

# Logins (docs/decisions.md, "Logins and headers"). django-axes' backend comes first: it refuses a
# locked-out username or address before the password is even checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Failed logins allowed per username before a cool-off.
LOGIN_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5)
# Failed logins allowed per client address (whatever the usernames): higher, since an office or a
# mobile network shares one address among many users (accounts/lockout.py).
LOGIN_FAILURE_LIMIT_PER_ADDRESS = env_int("LOGIN_FAILURE_LIMIT_PER_ADDRESS", 20)
# Minutes a locked-out username or address waits before it may try again.
LOGIN_COOLOFF_MINUTES = env_int("LOGIN_COOLOFF_MINUTES", 15)
AXES_FAILURE_LIMIT = LOGIN_FAILURE_LIMIT
AXES_COOLOFF_TIME = timedelta(minutes=LOGIN_COOLOFF_MINUTES)
# Two separate counters: one per username (whatever the address), one per address (whatever the
# username), so neither a spread of addresses nor a spread of usernames gets round the limit.
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_HANDLER = "accounts.lockout.LockoutHandler"
# Failures are forgotten only after the cool-off, not at a successful login: axes would otherwise
# clear every failure from the address, so one's own account would reset the count for others.
AXES_RESET_ON_SUCCESS = False
AXES_LOCKOUT_CALLABLE = "accounts.views.lockout"
# Behind a proxy (BEHIND_PROXY below) every request comes from the proxy's address: the client's
# is then the last X-Forwarded-For entry, the one the proxy itself added.
LOGIN_ADDRESS_FROM_PROXY = env_bool("BEHIND_PROXY")
AXES_CLIENT_IP_CALLABLE = "accounts.middleware.client_address"

# Administrators (superusers, staff, "admin" memberships) must log in with a second factor.
TWO_FACTOR_REQUIRED_FOR_ADMINS = env_bool("TWO_FACTOR_REQUIRED_FOR_ADMINS", default=True)
# The issuer name authenticator apps show beside the account.
OTP_TOTP_ISSUER = env("OTP_TOTP_ISSUER", "povertyplan")
# Recovery codes handed out at enrolment (each works once).
TWO_FACTOR_RECOVERY_CODES = env_int("TWO_FACTOR_RECOVERY_CODES", 10)

# A session ends after this many idle minutes; each request (at most once a minute) extends it.
SESSION_IDLE_MINUTES = env_int("SESSION_IDLE_MINUTES", 30)
SESSION_COOKIE_AGE = SESSION_IDLE_MINUTES * 60

# Content-Security-Policy (django-csp 4): scripts and styles from this site's own files only.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        # Bootstrap's CSS draws its small icons (select arrow, menu button) as data: SVGs.
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}
# Permissions-Policy: the browser features no page of this app uses, switched off.
PERMISSIONS_POLICY = {
    feature: []
    for feature in (
        "accelerometer",
        "camera",
        "display-capture",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "usb",
        "serial",
        "hid",
        "publickey-credentials-get",
        "screen-wake-lock",
        "xr-spatial-tracking",
    )
}

LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", _("Vietnamese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
    # Uploads waiting between an import's preview and its confirmation (``ImportBatch.file``), in
    # IMPORT_UPLOAD_DIR below: the storage reads the setting on each use.
    "imports": {"BACKEND": "imports.storage.UploadStorage"},
    # Results of background jobs (``Job.result``), in JOBS_RESULT_DIR: never served by URL, only
    # through the owner's download view (jobs/storage.py).
    "jobs": {"BACKEND": "jobs.storage.ResultStorage"},
}
# Uploaded and generated files (Django's default storage); `manage.py backup` archives them.
MEDIA_ROOT = env_path("MEDIA_ROOT", BASE_DIR / "media")
# Uploads kept between an import's preview and its confirmation; `backup` archives them too.
IMPORT_UPLOAD_DIR = env_path(
    "IMPORT_UPLOAD_DIR", Path(tempfile.gettempdir()) / "povertyplan-imports"
)
# Where `manage.py backup` writes its archives unless --output is given (docs/deployment.md).
BACKUP_DIR = env_path("BACKUP_DIR", BASE_DIR / "backups")
# The admin's import of reference data (django-import-export, core/importexport.py) keeps the
# uploaded sheet between preview and confirmation in Django's storage (MEDIA_ROOT), which every
# web process sees, not in one machine's /tmp.
IMPORT_EXPORT_TMP_STORAGE_CLASS = "import_export.tmp_storages.MediaStorage"
# The Chromium that the browser tests and scripts/screenshots.py drive (Debian's package).
CHROMIUM_PATH = env("CHROMIUM_PATH", "/usr/bin/chromium")
# Its switches for a headless run on a server (shared by both, so they cannot drift apart).
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
# Folder of pg_dump and pg_restore when those on PATH are older than the server; empty: PATH.
BACKUP_PG_BIN_DIR = env("BACKUP_PG_BIN_DIR")
# Seconds a PostgreSQL restore waits for a table that a running server holds, then rolls back.
BACKUP_RESTORE_LOCK_TIMEOUT = env_int("BACKUP_RESTORE_LOCK_TIMEOUT", 60)
WHITENOISE_USE_FINDERS = True
WHITENOISE_MANIFEST_STRICT = False

# HTTPS hardening is on whenever DEBUG is off; HTTPS=0 turns it off for a plain-HTTP test server.
HTTPS = env_bool("HTTPS", default=not DEBUG)
SECURE_SSL_REDIRECT = HTTPS
# A load balancer asks /healthz over plain HTTP on the backend's own port: a redirect would read
# as "unhealthy" (docs/deployment.md, "Health checks"). It carries no data and sets no cookie.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_HSTS_SECONDS = int(env("SECURE_HSTS_SECONDS", "31536000")) if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", default=False)
if env_bool("BEHIND_PROXY"):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SILENCED_SYSTEM_CHECKS = [] if SECURE_HSTS_PRELOAD else ["security.W021"]

# Audit of reads (audit.AccessLog): entries older than this many days are deleted by
# `manage.py purge_access_log` (run daily from cron, docs/deployment.md).
AUDIT_RETENTION_DAYS = env_int("AUDIT_RETENTION_DAYS", 730)
# The request header (as in request.META) holding the client's address when a proxy sets one,
# e.g. HTTP_X_REAL_IP; empty: the connection's address (REMOTE_ADDR).
AUDIT_CLIENT_IP_HEADER = env("AUDIT_CLIENT_IP_HEADER")
# --- Excel import (imports/) and request bodies ---
# Largest .xlsx accepted for import, as uploaded (compressed).
IMPORT_MAX_BYTES = env_int("IMPORT_MAX_BYTES", 20 * 1024 * 1024)
# Most rows read from one sheet, blank ones included.
IMPORT_MAX_ROWS = env_int("IMPORT_MAX_ROWS", 300_000)
# Largest unpacked size of any one part of the .xlsx (a sheet, the shared strings...).
IMPORT_MAX_UNPACKED_PART_BYTES = env_int("IMPORT_MAX_UNPACKED_PART_BYTES", 200 * 1024 * 1024)
# Largest unpacked size of all parts together.
IMPORT_MAX_UNPACKED_TOTAL_BYTES = env_int("IMPORT_MAX_UNPACKED_TOTAL_BYTES", 400 * 1024 * 1024)
# Largest unpacked shared-strings table: it is held in memory whole (about 3x its size).
IMPORT_MAX_SHARED_STRINGS_BYTES = env_int("IMPORT_MAX_SHARED_STRINGS_BYTES", 40 * 1024 * 1024)
# Most entries in the .xlsx archive (a real workbook has a few dozen).
IMPORT_MAX_PARTS = env_int("IMPORT_MAX_PARTS", 2000)
# Request bodies: form fields held in memory, and the file size past which uploads go to disk.
# The proxy's limit (nginx client_max_body_size, docs/deployment.md) must be at least
# IMPORT_MAX_BYTES plus a little; Django's check below only counts non-file fields.
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("DATA_UPLOAD_MAX_MEMORY_SIZE", 2 * 1024 * 1024)
FILE_UPLOAD_MAX_MEMORY_SIZE = env_int("FILE_UPLOAD_MAX_MEMORY_SIZE", 2 * 1024 * 1024)
# Most households in one Excel export of the household list.
EXPORT_MAX_HOUSEHOLDS = env_int("EXPORT_MAX_HOUSEHOLDS", 20_000)
# An export of more households than this (or of a list wider than one commune) is made by a
# background job, offered on the job's page; a smaller one is made in the request.
EXPORT_JOB_HOUSEHOLDS = env_int("EXPORT_JOB_HOUSEHOLDS", 2_000)
# Rows of each list (new, updated, invalid) shown on an import's preview page.
IMPORT_PREVIEW_ROWS = env_int("IMPORT_PREVIEW_ROWS", 300)
# Hours an uploaded import waits for its confirmation before its files are removed.
IMPORT_KEEP_HOURS = env_int("IMPORT_KEEP_HOURS", 24)
# A report the browser asks for and that is estimated to take longer than this many seconds is
# refused with the batch command to run instead (`manage.py report`).
REPORT_WEB_LIMIT_SECONDS = env_int("REPORT_WEB_LIMIT_SECONDS", 10)
# The plan's PDF is made by a background job when the report engine estimates it above this many
# seconds (plan/jobs.py); below, the page's PDF link serves it at once.
PLAN_PDF_JOB_SECONDS = env_int("PLAN_PDF_JOB_SECONDS", 3)
# Districts, provinces and the wide household list read their counts from the summary counts
# (households/summary.py); False computes them from the results again (checks, tests).
SUMMARY_READS = env_bool("SUMMARY_READS", default=True)
# Seconds the household list keeps its choice of ethnic groups for one scope in the cache.
ETHNICITY_CACHE_SECONDS = env_int("ETHNICITY_CACHE_SECONDS", 300)
# Seconds the household list keeps its choice of communes for one scope in the cache.
AREA_CHOICES_CACHE_SECONDS = env_int("AREA_CHOICES_CACHE_SECONDS", 300)
# Largest B1 score accepted (the income score of survey form B; the lines are 140 and 175).
B1_SCORE_MAX = env_int("B1_SCORE_MAX", 1000)

# --- Background jobs (jobs/, docs/deployment.md "The worker tier") ---
# The Celery broker: redis://127.0.0.1:6379/0 or amqp://user:pass@host:5672// (RabbitMQ). Empty:
# no broker, jobs run inside the web process (JOBS_EMBEDDED), so `make run` needs nothing more.
CELERY_BROKER_URL = env("CELERY_BROKER_URL")
# A job's message is acknowledged after it ran, and given back to the broker if the worker dies
# mid-job, so another worker takes it up (the job's record says how far it got).
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
# One job at a time per worker process: jobs are long, a prefetched one would wait behind another.
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# The queue the web sends jobs to and the worker reads (`celery -A povertyplan worker -Q ...`).
CELERY_TASK_DEFAULT_QUEUE = env("CELERY_QUEUE", "povertyplan")
# The Job row is the result: Celery keeps none.
CELERY_TASK_IGNORE_RESULT = True
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Seconds the web waits for the broker when it sends a job or /healthz checks it: a broker that
# is down fails the job with a clear message instead of holding the page.
CELERY_BROKER_CONNECTION_TIMEOUT = env_int("CELERY_BROKER_CONNECTION_TIMEOUT", 2)
# Redis gives an unacknowledged job back after this many seconds (its visibility timeout): longer
# than the longest job, or a running job would be handed to a second worker.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": env_int("CELERY_VISIBILITY_TIMEOUT", 6 * 3600)
}
# Without a broker: "thread" runs each job in a daemon thread of the web process (the default),
# "inline" runs it at once when its transaction commits (tests, scripts).
JOBS_EMBEDDED = env("JOBS_EMBEDDED", "thread")
# A running job whose heartbeat is older than this many seconds was interrupted (its worker or
# web process died): it may be run again, from the page or `manage.py jobs_retry`.
JOBS_STALE_SECONDS = env_int("JOBS_STALE_SECONDS", 120)
# A queued job no worker has claimed after this many seconds is taken for lost (the broker lost
# its message): it may be run again. Longer than the above, so that a job waiting its turn behind
# long ones is not shown as interrupted.
JOBS_QUEUED_STALE_SECONDS = env_int("JOBS_QUEUED_STALE_SECONDS", 900)
# Seconds between two writes of a running job's progress (the last state is always written).
JOBS_PROGRESS_INTERVAL = float(env("JOBS_PROGRESS_INTERVAL", "0.5"))
# Where job results are kept (default: MEDIA_ROOT/jobs, read on each use).
JOBS_RESULT_DIR = env("JOBS_RESULT_DIR")
# Days a finished job's result file is kept before `manage.py jobs_purge` removes it.
JOBS_KEEP_DAYS = env_int("JOBS_KEEP_DAYS", 14)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "WARNING")},
}

# --- Files, cache and sessions (docs/deployment.md, "Files, cache and sessions") ---
# Nothing a request needs lives only in one web process: with two or more web servers (or a
# worker), the cache and the sessions go to Redis and the files to a storage all of them reach.


def redis_cache(url: str, prefix: str) -> dict:
    """Django's own Redis cache at ``url`` (``redis://host:6379/1``), keys under ``prefix``.
    A Redis that stops answering fails a request after a few seconds instead of holding it."""
    return {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": url,
        "KEY_PREFIX": prefix,
        "OPTIONS": {"socket_connect_timeout": 5, "socket_timeout": 5},
    }


def session_engine(store: str, shared_cache: bool) -> str:
    """The session engine named by ``SESSION_STORE``. Sessions in a cache need a cache that every
    web process shares: a process's own memory would log a user out on the next server."""
    engines = {"db": "db", "cache": "cache", "cached_db": "cached_db"}
    if store not in engines:
        raise ImproperlyConfigured(f"SESSION_STORE must be one of {', '.join(engines)}.")
    if store != "db" and not shared_cache:
        raise ImproperlyConfigured(f"SESSION_STORE={store} needs REDIS_URL (a shared cache).")
    return f"django.contrib.sessions.backends.{engines[store]}"


def s3_storages(prefixes: dict[str, str]) -> dict[str, dict]:
    """``STORAGES`` entries in one S3-compatible bucket (django-storages, installed apart:
    ``pip install 'django-storages[s3]'``), each alias under its own prefix. Objects are private:
    the bucket's policy grants nothing to the public, and links, if any, are signed."""
    import importlib.util

    if importlib.util.find_spec("storages") is None:
        raise ImproperlyConfigured(
            "STORAGE_BACKEND=s3 needs django-storages: pip install 'django-storages[s3]'."
        )
    if not env("S3_BUCKET"):
        raise ImproperlyConfigured("STORAGE_BACKEND=s3 needs S3_BUCKET.")
    options = {
        "bucket_name": env("S3_BUCKET"),
        "endpoint_url": env("S3_ENDPOINT_URL") or None,
        "region_name": env("S3_REGION") or None,
        "access_key": env("S3_ACCESS_KEY_ID") or None,
        "secret_key": env("S3_SECRET_ACCESS_KEY") or None,
        "addressing_style": env("S3_ADDRESSING_STYLE") or None,  # "path" for most self-hosted
        "default_acl": None,
        "querystring_auth": True,
        "querystring_expire": env_int("S3_LINK_SECONDS", 300),
        # A file saved under a taken name gets another name, as on the file system.
        "file_overwrite": False,
    }
    return {
        alias: {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": {**options, "location": p}}
        for alias, p in prefixes.items()
    }


# REDIS_URL (e.g. redis://127.0.0.1:6379/1): the cache in Redis, shared by every process; empty:
# each process keeps its own cache in memory (one server, `make run`).
REDIS_URL = env("REDIS_URL")
# What the keys of this site start with in that Redis (several sites, or tests, may share it).
CACHE_KEY_PREFIX = env("CACHE_KEY_PREFIX", "povertyplan")
CACHES = {
    "default": (
        redis_cache(REDIS_URL, CACHE_KEY_PREFIX)
        if REDIS_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}
# SESSION_STORE: db (the database), cache (Redis alone), cached_db (read from Redis, written to
# both). Default: cache when REDIS_URL is set, else db.
SESSION_STORE = env("SESSION_STORE", "cache" if REDIS_URL else "db")
SESSION_ENGINE = session_engine(SESSION_STORE, shared_cache=bool(REDIS_URL))

# STORAGE_BACKEND: filesystem (MEDIA_ROOT and IMPORT_UPLOAD_DIR above) or s3 (one bucket:
# S3_BUCKET, S3_ENDPOINT_URL, S3_REGION, S3_ACCESS_KEY_ID, S3_SECRET_ACCESS_KEY; the uploads and
# generated files of every web server and worker in it, under media/, imports/ and jobs/).
STORAGE_BACKEND = env("STORAGE_BACKEND", "filesystem")
if STORAGE_BACKEND == "s3":
    STORAGES.update(s3_storages({"default": "media", "imports": "imports", "jobs": "jobs"}))
elif STORAGE_BACKEND != "filesystem":
    raise ImproperlyConfigured("STORAGE_BACKEND must be filesystem or s3.")
