"""Settings for zhibiao, read from the environment.

Every deployment difference (database, secret, hosts, demo mode) is an environment variable so
that the same code runs on a laptop, in CI and on a government intranet server. See README.md,
section "Configuration", for the list.
"""

import datetime
import hashlib
import os
import secrets
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("ZHIBIAO_VAR_DIR", BASE_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)


def env_bool(name: str, default: bool = False) -> bool:
    """Read a yes/no variable; anything but an explicit yes is no, so typos fail safe."""
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def env_dates(name: str) -> frozenset[datetime.date]:
    """A comma-separated list of YYYY-MM-DD dates; a wrong one stops the start, by name."""
    try:
        return frozenset(datetime.date.fromisoformat(item) for item in env_list(name))
    except ValueError as error:
        raise ImproperlyConfigured(f"{name}: {error}; write dates as 2027-02-08") from None


def _secret_key() -> str:
    """Use SECRET_KEY if given; otherwise keep a random key in var/ so sessions survive restarts.

    The file is created once with O_EXCL, so two gunicorn workers starting together agree on it.
    """
    key = os.environ.get("SECRET_KEY")
    if key:
        return key
    path = VAR_DIR / "secret_key"
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        key = path.read_text().strip()
        if not key:
            raise ImproperlyConfigured(f"{path} is empty; delete it or set SECRET_KEY.") from None
        return key
    key = secrets.token_urlsafe(50)
    with os.fdopen(fd, "w") as handle:
        handle.write(key)
    return key


SECRET_KEY = _secret_key()
DEBUG = env_bool("DEBUG")
# Demo mode allows loading the demo data and logging in with the demo accounts. Production never
# sets it, and then demo accounts cannot log in even if their rows exist.
DEMO_MODE = env_bool("ZHIBIAO_DEMO")
# The demo loads the shipped catalogue of standards (3,500 real entries, about a second);
# the test suite turns it off for the many tests that load the demo for other reasons.
DEMO_CATALOGUE = env_bool("ZHIBIAO_DEMO_CATALOGUE", default=True)
# The demo runs a first screening and records six month-end snapshots of the dashboard's figures
# (about two seconds); the test suite turns this off too.
DEMO_HISTORY = env_bool("ZHIBIAO_DEMO_HISTORY", default=True)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
# A refused form (expired page, no cookie) answers in the site's frame, in Chinese.
CSRF_FAILURE_VIEW = "zhibiao.core.views.csrf_failure"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    # "ninja" in INSTALLED_APPS makes the API docs use the bundled Swagger UI, not a CDN.
    "ninja",
    # Counts failed sign-ins per user name and address and locks them out for a while (its
    # attempts are listed, and deleted to unlock, in the admin site).
    "axes",
    "zhibiao.core",
    "zhibiao.audit",
    "zhibiao.jobs",
    "zhibiao.notifications",
    "zhibiao.directory",
    "zhibiao.accounts",
    "zhibiao.policies",
    "zhibiao.committee",
    "zhibiao.events",
    "zhibiao.bases",
    "zhibiao.profiles",
    "zhibiao.measures",
    "zhibiao.applications",
    "zhibiao.awards",
    "zhibiao.supply",
    "zhibiao.standards",
    "zhibiao.news",
    "zhibiao.dashboard",
    "zhibiao.verification",
    "zhibiao.risks",
    "zhibiao.whatif",
    "zhibiao.demo",
    "zhibiao.portal",
    "zhibiao.ops",
]

MIDDLEWARE = [
    "zhibiao.ops.logs.RequestIdMiddleware",  # first: the request id and line cover everything
    # Before the host check: load balancers ask each server by its address (zhibiao.ops).
    "zhibiao.ops.middleware.HealthCheckMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "zhibiao.core.middleware.RequestSizeLimitMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "zhibiao.core.apierrors.ApiErrorMiddleware",
    "zhibiao.core.middleware.NulCharacterMiddleware",  # inside: its 400 is translated, enveloped
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "zhibiao.accounts.middleware.SessionLifetimeMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    # Last, as django-axes asks: it answers a locked-out sign-in with the lockout page.
    "axes.middleware.AxesMiddleware",
    # Innermost, so that a stored visitor's page passes through every middleware above as a
    # rendered one does (the CSRF cookie, the security headers, the request id).
    "zhibiao.core.pagecache.AnonymousPageCacheMiddleware",
]

ROOT_URLCONF = "zhibiao.urls"
WSGI_APPLICATION = "zhibiao.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "zhibiao" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "zhibiao.core.context_processors.platform",
                "zhibiao.notifications.context_processors.unread",
                # After Django's own csrf: a page that may be stored gets a placeholder.
                "zhibiao.core.pagecache.csrf_placeholder",
            ],
        },
    },
]

# Every select's empty choice reads "请选择", not Django's "---------" (zhibiao.core.forms).
FORM_RENDERER = "zhibiao.core.forms.FormRenderer"

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'zhibiao.sqlite3'}",
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers go on while one writer writes; IMMEDIATE takes the write lock at BEGIN, so
    # two writers queue instead of failing half-way with "database is locked".
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    # First, so that a locked-out sign-in is refused before its password is even checked.
    "axes.backends.AxesStandaloneBackend",
    "zhibiao.accounts.backends.DemoAwareModelBackend",
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "portal:workbench"
LOGOUT_REDIRECT_URL = "portal:home"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "zhibiao" / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": os.environ.get(
            "STATICFILES_BACKEND", "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
MEDIA_ROOT = VAR_DIR / "media"
MEDIA_URL = "/media/"

# Sign-in throttling (django-axes): this many wrong passwords for one user name from one address
# lock that pair out for this many minutes, the right password included. Administrators unlock
# earlier by deleting the attempts in the admin site (or `manage.py axes_reset_username NAME`).
AXES_FAILURE_LIMIT = int(os.environ.get("ZHIBIAO_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = datetime.timedelta(
    minutes=int(os.environ.get("ZHIBIAO_LOGIN_LOCKOUT_MINUTES", "15"))
)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "zhibiao.accounts.views.locked_out"
AXES_DISABLE_ACCESS_LOG = True  # successful sign-ins are not logged twice; failures are counted
AXES_VERBOSE = False

# A session ends after this many hours without a request (requests renew it, at most every
# five minutes), and in any case this many hours after signing in (zhibiao.accounts.middleware).
SESSION_COOKIE_AGE = int(float(os.environ.get("ZHIBIAO_SESSION_IDLE_HOURS", "8")) * 3600)
SESSION_MAX_AGE = int(float(os.environ.get("ZHIBIAO_SESSION_MAX_HOURS", "24")) * 3600)
SESSION_COOKIE_HTTPONLY = True
# Served over HTTPS (production): cookies only over HTTPS, plain HTTP redirected, and browsers
# told to come back over HTTPS only (HSTS). Off for `make run`, which serves http://localhost.
SECURE_COOKIES = env_bool("SECURE_COOKIES")
SESSION_COOKIE_SECURE = SECURE_COOKIES
CSRF_COOKIE_SECURE = SECURE_COOKIES
SECURE_SSL_REDIRECT = SECURE_COOKIES
SECURE_HSTS_SECONDS = (
    int(os.environ.get("ZHIBIAO_HSTS_SECONDS", str(365 * 24 * 3600))) if SECURE_COOKIES else 0
)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("ZHIBIAO_HSTS_SUBDOMAINS", default=True)
if env_bool("ZHIBIAO_TLS_PROXY"):
    # Behind a reverse proxy that ends TLS and says so in X-Forwarded-Proto.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Asking browsers to preload HSTS is a commitment for the whole domain, taken by its owner at
# hstspreload.org, not by this application: check --deploy's reminder of it is silenced.
SILENCED_SYSTEM_CHECKS = ["security.W021"]
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
# Content-Security-Policy (django-csp): every script, style, font and image comes from the site
# itself (no CDN, no inline script or style attribute); pictures may also be data: URLs
# (Bootstrap's form controls draw theirs so).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# Uploads are bounded here, in one place; each limit is an environment variable.
UPLOAD_MAX_BYTES = int(os.environ.get("ZHIBIAO_UPLOAD_MAX_BYTES", str(20 * 1024 * 1024)))
UPLOAD_MAX_UNZIPPED_BYTES = int(
    os.environ.get("ZHIBIAO_UPLOAD_MAX_UNZIPPED_BYTES", str(200 * 1024 * 1024))
)
UPLOAD_MAX_ZIP_RATIO = int(os.environ.get("ZHIBIAO_UPLOAD_MAX_ZIP_RATIO", "200"))
# Room for the form fields and multipart framing around the largest allowed file.
REQUEST_OVERHEAD_BYTES = 1024 * 1024
IMPORT_MAX_ROWS = int(os.environ.get("ZHIBIAO_IMPORT_MAX_ROWS", "200000"))
IMPORT_MAX_SECONDS = float(os.environ.get("ZHIBIAO_IMPORT_MAX_SECONDS", "120"))
# The validity check of standards: what one document may make it read, and from which size an
# upload is checked in the background (with a progress page) instead of during the request.
STANDARDS_CHECK_MAX_CHARS = int(os.environ.get("ZHIBIAO_CHECK_MAX_CHARS", "20000000"))
STANDARDS_CHECK_MAX_PAGES = int(os.environ.get("ZHIBIAO_CHECK_MAX_PAGES", "2000"))
STANDARDS_CHECK_MAX_CELLS = int(os.environ.get("ZHIBIAO_CHECK_MAX_CELLS", "2000000"))
STANDARDS_CHECK_MAX_SECONDS = float(os.environ.get("ZHIBIAO_CHECK_MAX_SECONDS", "120"))
# What one stream of a PDF may unpack to (pypdf's own bound is 75 MB: a 200 KB file then held
# half a gigabyte while it was read); no page of a standard's text comes near it.
STANDARDS_CHECK_MAX_PDF_STREAM_BYTES = int(
    os.environ.get("ZHIBIAO_CHECK_MAX_PDF_STREAM_BYTES", str(16 * 1024 * 1024))
)
STANDARDS_CHECK_INLINE_BYTES = int(os.environ.get("ZHIBIAO_CHECK_INLINE_BYTES", str(512 * 1024)))
# Uploaded documents and reports that only their owner may download (never under MEDIA_URL).
PRIVATE_ROOT = Path(os.environ.get("ZHIBIAO_PRIVATE_ROOT", VAR_DIR / "private"))
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# Length of the public notice (公示) of an application, in working days (zhibiao.core.workdays:
# the State Council's holiday schedule; these add a year's schedule before the package has it).
PUBLICITY_WORKING_DAYS = int(os.environ.get("ZHIBIAO_PUBLICITY_WORKING_DAYS", "5"))
CALENDAR_HOLIDAYS = env_dates("ZHIBIAO_HOLIDAYS")  # 2027-02-08,2027-02-09,… days off
CALENDAR_WORKDAYS = env_dates("ZHIBIAO_WORKDAYS")  # weekend days worked in exchange (调休)
# What counts as an award already received, for the measures' exclusivity ("only the difference
# is paid") and yearly caps: by default money paid (disbursed, with a payment reference), since
# "received" is what the enterprise is told and only a payment makes it true. An approved award
# waiting for payment blocks a second application for its project meanwhile (by name), so the
# default pays no project twice. Turn this on where the budget commits money at approval, to
# count approved awards against the caps as well.
RECEIVED_INCLUDES_APPROVED = env_bool("ZHIBIAO_RECEIVED_INCLUDES_APPROVED")

# District quality award (zhibiao.awards): experts who score each entry at least, and the spread
# between experts' scores of an item (percentage points) above which they must agree in a
# consensus discussion. The public notice lasts PUBLICITY_WORKING_DAYS, as an application's.
ZHIBIAO_AWARD_MIN_EXPERTS = int(os.environ.get("ZHIBIAO_AWARD_MIN_EXPERTS", "3"))
ZHIBIAO_AWARD_SPREAD_THRESHOLD = int(os.environ.get("ZHIBIAO_AWARD_SPREAD_THRESHOLD", "20"))

# Supply platform: hours a candidate has to answer an offer before it is flagged overdue.
SUPPLY_RESPONSE_HOURS = int(os.environ.get("ZHIBIAO_SUPPLY_RESPONSE_HOURS", "48"))

# Training (zhibiao.events): check-in opens this many minutes before an event starts and closes
# when it ends. Towards a base's course subsidy a course counts only if announced this many days
# ahead and attended by at least this many enterprises other than the host.
CHECKIN_OPENS_MINUTES = int(os.environ.get("ZHIBIAO_CHECKIN_OPENS_MINUTES", "60"))
COURSE_NOTICE_DAYS = int(os.environ.get("ZHIBIAO_COURSE_NOTICE_DAYS", "7"))
COURSE_MIN_ENTERPRISES = int(os.environ.get("ZHIBIAO_COURSE_MIN_ENTERPRISES", "3"))
# Warnings for district staff on a course: one mobile number on this many training events in a
# year; registrations made less than this many minutes before the start; this many check-ins at
# the desk within one minute.
COURSE_REPEAT_PHONE_EVENTS = int(os.environ.get("ZHIBIAO_COURSE_REPEAT_PHONE_EVENTS", "3"))
COURSE_LATE_REGISTRATION_MINUTES = int(
    os.environ.get("ZHIBIAO_COURSE_LATE_REGISTRATION_MINUTES", "30")
)
COURSE_BURST_CHECKINS = int(os.environ.get("ZHIBIAO_COURSE_BURST_CHECKINS", "10"))

# Background jobs (zhibiao.jobs, issue 14). "celery": Celery worker processes apart from the
# web server run them (`celery -A zhibiao worker`; `make run` starts one); "inline": the request
# that starts a job runs it once its transaction commits (the tests, debugging).
JOBS_MODE = os.environ.get("ZHIBIAO_JOBS_MODE", "celery")
if JOBS_MODE not in {"celery", "inline"}:
    raise ImproperlyConfigured(f"ZHIBIAO_JOBS_MODE: {JOBS_MODE!r} is neither celery nor inline")
# A job is tried this many times at most (a worker died under it, or the broker delivered it
# again); the next delivery marks it failed instead of starting it once more.
JOBS_MAX_ATTEMPTS = int(os.environ.get("ZHIBIAO_JOBS_MAX_ATTEMPTS", "3"))
# A screening of more enterprises than this is split into chunks of this many (by ranges of
# their ids), each a task of its own that any worker takes (zhibiao.measures.services.screening);
# 0 screens the whole population in one task.
SCREENING_CHUNK_SIZE = int(os.environ.get("ZHIBIAO_SCREENING_CHUNK_SIZE", "50000"))
# Celery, configured from the CELERY_ names (zhibiao/celery.py). The default broker is kombu's
# filesystem transport, messages as files under var/celery: `make run` runs the web server and
# the worker on one machine, and this needs no service installed. Production sets
# CELERY_BROKER_URL to Redis (redis://127.0.0.1:6379/0) so that several machines share it.
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "filesystem://")
# Results: a job's progress and outcome live in its Job row, so the result store is only for
# operators' tools (flower, `celery result`); Redis when REDIS_URL names one, else none.
CELERY_RESULT_BACKEND = os.environ.get("REDIS_URL") or None
CELERY_TASK_IGNORE_RESULT = not CELERY_RESULT_BACKEND
# How many jobs one worker runs at once (its processes); more wait in the broker's queue.
CELERY_WORKER_CONCURRENCY = int(os.environ.get("ZHIBIAO_JOBS_CONCURRENCY", "2"))
# A worker takes one message at a time and acknowledges it only once the job has ended, so that
# a worker that dies hands the job back to the broker rather than losing it; `run` takes a job
# at most once at a time (zhibiao.jobs.services).
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
# Time limits of one job, in seconds: at the soft one the job is told (it fails with a message),
# at the hard one its process is killed and the job marked failed.
CELERY_TASK_SOFT_TIME_LIMIT = int(os.environ.get("ZHIBIAO_JOBS_SOFT_TIME_LIMIT", "1800"))
CELERY_TASK_TIME_LIMIT = int(os.environ.get("ZHIBIAO_JOBS_TIME_LIMIT", "2100"))
CELERY_TASK_TRACK_STARTED = True
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
if CELERY_BROKER_URL.startswith("filesystem:"):
    _queue_dir = VAR_DIR / "celery" / "queue"
    for _name in ("queue", "processed", "control"):
        (VAR_DIR / "celery" / _name).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_queue_dir),
        "data_folder_out": str(_queue_dir),
        "processed_folder": str(VAR_DIR / "celery" / "processed"),
        "control_folder": str(VAR_DIR / "celery" / "control"),
        "store_processed": False,
    }
else:
    # Redis hands an unacknowledged message to another worker after this long: longer than a
    # job may run, so that a slow job is not started twice while it still runs.
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": CELERY_TASK_TIME_LIMIT + 600}
# Scheduled work, run by `celery -A zhibiao beat` (or a worker with -B) instead of cron lines.
from celery.schedules import crontab  # noqa: E402  (kept in this block of the jobs' settings)

CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
CELERY_BEAT_SCHEDULE = {
    # Jobs whose worker died: started again, or failed once they have used their attempts.
    "sweep-jobs": {"task": "zhibiao.jobs.tasks.sweep_jobs", "schedule": 300.0},
    # Late answers and deliveries of service demands (supply).
    "flag-overdue": {"task": "zhibiao.supply.tasks.flag_overdue", "schedule": 3600.0},
    # Standards whose implementation or withdrawal date has come change status.
    "standards-dated-statuses": {
        "task": "zhibiao.standards.tasks.apply_dated_statuses",
        "schedule": crontab(minute=5, hour=0),
    },
    # Announcement files previewed and never applied, after a day.
    "standards-forget-pending-announcements": {
        "task": "zhibiao.standards.tasks.forget_pending_announcements",
        "schedule": crontab(minute=45, hour=0),
    },
    # Each enterprise's weekly digest of changes to the standards it holds (Monday morning).
    "standards-alert-digest": {
        "task": "zhibiao.standards.tasks.send_alert_digest",
        "schedule": crontab(minute=30, hour=7, day_of_week=1),
    },
    # Yesterday's figures for the dashboard's history, after midnight.
    "snapshot-indicators": {
        "task": "zhibiao.dashboard.tasks.snapshot_indicators",
        "schedule": crontab(minute=15, hour=0),
    },
}
CELERY_TIMEZONE = TIME_ZONE

# An API token created without an expiry date lasts this many days.
API_TOKEN_DAYS = 90
# The latest expiry an owner may choose: a token that never expires is a key that leaks forever.
API_TOKEN_MAX_DAYS = 366

# The dashboard's figures are kept this many seconds, then rebuilt in the background while the
# old ones still answer: a new record shows within about this long. 0 computes on every request.
DASHBOARD_CACHE_SECONDS = int(os.environ.get("ZHIBIAO_DASHBOARD_CACHE_SECONDS", "45"))
# A breakdown shown to a committee expert leaves out a town's or a section's figure when fewer
# than this many enterprises stand behind it: it would be those few enterprises' own.
DASHBOARD_MIN_ENTERPRISES = int(os.environ.get("ZHIBIAO_DASHBOARD_MIN_ENTERPRISES", "3"))
# Visitors' pages kept in the shared cache (zhibiao.core.pagecache): current until the next
# business operation commits, and at most this many seconds old (0: never kept).
PAGE_CACHE_SECONDS = int(os.environ.get("ZHIBIAO_PAGE_CACHE_SECONDS", "60"))

# Shared state (issue 14): what every app server must see alike lives in one cache, never in a
# process's memory alone: the dashboard's figures, the search's posting lists, and sessions
# (cached_db: read from the cache, written through to the database, which stays the record).
# REDIS_URL (redis://host:6379/0) puts it in Redis, for several servers. Without it, a file
# cache under the var dir, which the gunicorn workers of one machine share with nothing to
# install (`make run`). A process keeps a copy only after checking the shared version.
REDIS_URL = os.environ.get("REDIS_URL", "")
# Two databases served from one Redis (a benchmark's fresh database beside the real one) must
# not answer with each other's figures: the keys carry the database by default.
_DATABASE_NAMED = "|".join(str(DATABASES["default"].get(k) or "") for k in ("HOST", "PORT", "NAME"))
CACHE_KEY_PREFIX = os.environ.get("ZHIBIAO_CACHE_PREFIX") or (
    "zb-" + hashlib.sha256(_DATABASE_NAMED.encode()).hexdigest()[:10]
)
if REDIS_URL:
    CACHES = {
        "default": {
            # Redis away costs speed, not pages: a miss, logged (zhibiao.core.cache).
            "BACKEND": "zhibiao.core.cache.TolerantRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": CACHE_KEY_PREFIX,
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 5},
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "cache"),
            "KEY_PREFIX": CACHE_KEY_PREFIX,
            # Sessions live here too; past this many files a third are dropped at random, which
            # only costs a rebuild or a database read (every entry has its source elsewhere).
            "OPTIONS": {"MAX_ENTRIES": 20_000},
        }
    }
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
# Failed sign-ins stay counted in the database, not the cache: the database is shared by every
# server already, and the admin site's list of attempts (unlocking by deleting them) and the
# audit of failures are those rows, which axes' cache handler does not write.
AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"

# Every answer under this prefix is JSON (zhibiao.core.apierrors).
API_PREFIX = "/api/v1/"
NINJA_PAGINATION_CLASS = "zhibiao.core.apischema.BoundedPagination"
NINJA_PAGINATION_PER_PAGE = 50
NINJA_PAGINATION_MAX_LIMIT = 500

EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "zhibiao@localhost")

PLATFORM_NAME = _("Zhibiao")
DISTRICT_NAME = _("Fengxian District")

# Operations (zhibiao.ops, README "Operations"). /healthz reports the background jobs degraded
# when a job has waited in the queue longer than this; it answers over plain HTTP even where
# HTTPS is enforced, for a load balancer that checks the servers behind it directly.
HEALTHZ_QUEUE_WAIT_MINUTES = int(os.environ.get("ZHIBIAO_HEALTHZ_QUEUE_WAIT_MINUTES", "10"))
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^healthz/ping$"]
# Each Celery worker records that it lives this often (zhibiao.ops.beats); /healthz counts a
# worker silent for three beats as gone.
WORKER_BEAT_SECONDS = int(os.environ.get("ZHIBIAO_WORKER_BEAT_SECONDS", "15"))
# Logs: JSON lines (time, level, logger, message, request_id, and a request's method, path,
# status and duration_ms) for a log collector, or text for a terminal. LOG_FORMAT=json|text;
# json unless in demo mode or DEBUG (`make run` shows text).
LOG_FORMAT = os.environ.get("LOG_FORMAT") or ("text" if DEMO_MODE or DEBUG else "json")
if LOG_FORMAT not in {"json", "text"}:
    raise ImproperlyConfigured(f"LOG_FORMAT={LOG_FORMAT!r}: write json or text")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "zhibiao.ops.logs.RequestIdFilter"}},
    "formatters": {
        "json": {
            "()": "zhibiao.ops.logs.JsonFormatter",
            "fmt": "%(levelname)s %(name)s %(message)s %(request_id)s",
            "rename_fields": {"levelname": "level", "name": "logger"},
            "timestamp": "time",
            "json_ensure_ascii": False,
        },
        "text": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["request_id"],
            "formatter": LOG_FORMAT,
        }
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
