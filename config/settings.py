"""Nyth settings: everything comes from the environment, with production-safe defaults.

Production is the default. Two switches relax it:
- ``NYTH_DEMO=1``: the synthetic demo on http://127.0.0.1:8000 (plain HTTP, 2FA optional,
  a fixed development secret key). Never set it where real data lives.
- ``DEBUG=1``: Django's debug pages for development.
"""

from __future__ import annotations

import ipaddress
import os
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value else default


def env_list(name: str, default: str = "") -> list[str]:
    return [part.strip() for part in os.environ.get(name, default).split(",") if part.strip()]


DEBUG = env_bool("DEBUG")
NYTH_DEMO = env_bool("NYTH_DEMO")
# Served over HTTPS behind a proxy in production; the demo and tests run on plain HTTP.
NYTH_HTTPS = env_bool("NYTH_HTTPS", default=not (NYTH_DEMO or DEBUG))

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if NYTH_DEMO or DEBUG:
        SECRET_KEY = "nyth-demo-only-insecure-key-never-use-with-real-data-0123456789abcdef"  # noqa: S105
    else:
        raise ImproperlyConfigured("SECRET_KEY must be set (or NYTH_DEMO=1 for the synthetic demo).")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost" if (NYTH_DEMO or DEBUG) else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
# A form whose token failed gets a translated page saying nothing was saved, not Django's bare 403.
CSRF_FAILURE_VIEW = "core.views.csrf_failure"

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.forms",  # widget templates for the GOV.UK form renderer
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp_webauthn",  # passkeys as a second factor (ADR 020)
    "axes",
    "simple_history",
    # Background work through Django's task API (django-tasks, the backport of Django 6's
    # django.tasks): the database queue is the embedded default, RQ on Redis is the option.
    "django_tasks",
    "django_tasks_db",
    # Nyth's own apps, one per bounded context (see docs/architecture.md).
    "core",
    "jobs",  # background work: enqueue after commit, worker leases and the reaper, the email outbox
    "audit",
    "accounts",
    "people",
    "referrals",
    "consent",
    "assessments",
    "contacts",
    "plans",
    "safety",
    "episodes",
    "workforce",
    "outcomes",  # outcome measures, measurement points, reliable change
    "events",  # significant events in a young person's life (the measures count them)
    "reporting",  # the service's measures for managers and commissioners (aggregates only)
    "selfassess",  # the NEST/NYTH self-assessment: the framework as data, rounds, maturity over time
    "myspace",  # the young person's and the carer's own space
    # The top of the stack: they import the apps above, nothing imports them (docs/architecture.md).
    "dashboard",  # the home page, built from each app's panels.py
    "demo",  # demo seeding: seed_support calls each app's demo.seed
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Django's, telling a database outage (503) from a session ended elsewhere (400): core/middleware.py
    "core.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    # Every page is private unless its view is marked @login_not_required.
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "accounts.middleware.TwoFactorRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Young people and carers open their own space and nothing else (404 elsewhere), are signed
    # out sooner when idle, and their pages are never stored (after messages: it adds one).
    "myspace.middleware.SpaceOnlyMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # A 404 from the scope for a record that exists is recorded after the response (ADR 013).
    "people.middleware.RefusedAttemptMiddleware",
    # Axes must be last: it turns a lockout into its own response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "core.context_processors.nyth",
                "dashboard.context_processors.navigation",
                "people.context_processors.emergency_access",
            ],
            # {% lang_attr obj %} on every page that shows text people wrote (ADR 015).
            "builtins": ["core.templatetags.nyth_text", "core.templatetags.govuk_forms"],
        },
    }
]
# GOV.UK Design System markup for every form field (core/templates/govuk/forms/).
FORM_RENDERER = "core.forms.GovukFormRenderer"

# --- Database: SQLite file under var/ by default, PostgreSQL in production via DATABASE_URL.
(BASE_DIR / "var").mkdir(exist_ok=True)
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'var' / 'nyth.sqlite3'}",
        conn_max_age=env_int("DB_CONN_MAX_AGE", 60),
        # Re-check pooled connections so the service recovers by itself after a database outage.
        conn_health_checks=True,
    )
}
# Every request runs in one transaction: a failure part-way never leaves a half-written change.
DATABASES["default"]["ATOMIC_REQUESTS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"timeout": 20, "transaction_mode": "IMMEDIATE", "init_command": "PRAGMA journal_mode=WAL;"}
    )
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and not env_bool("NYTH_DATABASE_JIT", False):
    # PostgreSQL's JIT compiles a plan once its estimated cost passes jit_above_cost. Nyth's
    # queries are short page queries and report queries of many small subplans: compiling the
    # latter cost 27 s of a 23 s wall-clock outcome indicator at national scale (1,260
    # functions; the query itself ran in about 3 s), and helps none (docs/national-scale.md).
    # Off for Nyth's own connections unless NYTH_DATABASE_JIT=1; the server's setting stays.
    _options = DATABASES["default"].setdefault("OPTIONS", {})
    _options["options"] = (str(_options.get("options", "")) + " -c jit=off").strip()
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# Two roles on PostgreSQL (ADR 011): DATABASE_URL is the application's role, which owns nothing;
# DATABASE_OWNER_URL (optional, the same database) is the owner's, used only by what runs DDL:
# migrate, createcachetable, restore and database_roles swap the default connection's
# credentials to it (core/db_roles.py). Never give it to the web or worker processes.
NYTH_DATABASE_APP_USER = str(DATABASES["default"].get("USER") or "")
NYTH_DATABASE_OWNER: dict[str, str] | None = None
if os.environ.get("DATABASE_OWNER_URL"):
    _owner = dj_database_url.parse(os.environ["DATABASE_OWNER_URL"])
    for _key in ("ENGINE", "NAME", "HOST", "PORT"):
        if str(_owner.get(_key) or "") != str(DATABASES["default"].get(_key) or ""):
            raise ImproperlyConfigured(
                f"DATABASE_OWNER_URL must name the same database as DATABASE_URL (its {_key} differs): "
                "only the user and password may differ."
            )
    NYTH_DATABASE_OWNER = {"USER": str(_owner.get("USER") or ""), "PASSWORD": str(_owner.get("PASSWORD") or "")}

# --- Accounts, passwords and sign-in.
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "accounts:login"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Two-factor authentication is mandatory for every account outside the demo, except for the roles
# listed here, for whom it is offered but optional (ADR 019: young people by default). Only the
# roles of the people the service supports may be listed: staff always need it.
NYTH_REQUIRE_2FA = env_bool("NYTH_REQUIRE_2FA", default=not NYTH_DEMO)
NYTH_2FA_OPTIONAL_ROLES = frozenset(env_list("NYTH_2FA_OPTIONAL_ROLES", "young_person"))
if not NYTH_2FA_OPTIONAL_ROLES <= {"young_person", "carer"}:
    raise ImproperlyConfigured(
        "NYTH_2FA_OPTIONAL_ROLES may list only young_person and carer: staff always need two-factor sign-in."
    )
OTP_TOTP_ISSUER = "Nyth"

# Sign-in limits (ADR 006). django-axes locks an *address* after too many failures for any user
# names; accounts.throttle adds the part axes lacks: a per-user slow-down across addresses (a
# short, growing cool-off, never a hard lock, so nobody can lock a named worker out for good),
# and tells the service's managers when an account is being attacked.
AXES_FAILURE_LIMIT = env_int("NYTH_LOGIN_ADDRESS_FAILURE_LIMIT", env_int("NYTH_LOGIN_FAILURE_LIMIT", 20))
AXES_COOLOFF_TIME = env_int("NYTH_LOGIN_COOLOFF_MINUTES", 15) / 60  # hours
AXES_LOCKOUT_PARAMETERS = ["ip_address"]
AXES_LOCKOUT_CALLABLE = "accounts.views.locked_out"
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "core.net.axes_client_address"
AXES_VERBOSE = False
# Per user, from any address: after this many failures within the window the next attempts wait
# a cool-off that starts at NYTH_LOGIN_USER_COOLOFF_SECONDS and doubles with each further failure
# (capped at the window). Managers are told once per window.
NYTH_LOGIN_USER_FAILURE_LIMIT = env_int("NYTH_LOGIN_USER_FAILURE_LIMIT", 10)
NYTH_LOGIN_USER_WINDOW_MINUTES = env_int("NYTH_LOGIN_USER_WINDOW_MINUTES", 60)
NYTH_LOGIN_USER_COOLOFF_SECONDS = env_int("NYTH_LOGIN_USER_COOLOFF_SECONDS", 60)

# Our own reverse proxies (addresses or CIDRs). X-Forwarded-For is believed only when the
# connection comes from one of them, and then only right of the last one (core/net.py).
NYTH_TRUSTED_PROXIES = env_list("NYTH_TRUSTED_PROXIES")
for _proxy in NYTH_TRUSTED_PROXIES:
    try:
        ipaddress.ip_network(_proxy, strict=False)
    except ValueError:
        raise ImproperlyConfigured(f"NYTH_TRUSTED_PROXIES: {_proxy!r} is not an address or CIDR.") from None

# Idle timeout: the session expires this many minutes after the last request.
NYTH_SESSION_IDLE_MINUTES = env_int("NYTH_SESSION_IDLE_MINUTES", 30)
SESSION_COOKIE_AGE = NYTH_SESSION_IDLE_MINUTES * 60
# Sessions live in the database, never in Redis alone: Redis going down must not sign anyone out
# or lose a half-typed form (ADR 006).
SESSION_ENGINE = "django.contrib.sessions.backends.db"
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

# --- Break-glass (emergency access by the duty/on-call worker).
NYTH_BREAK_GLASS_HOURS = env_int("NYTH_BREAK_GLASS_HOURS", 4)
# A worker's emergency access is a repeat (the service's managers are emailed at once, and the
# review page flags it) when they open the same record again within NYTH_BREAK_GLASS_REPEAT_HOURS,
# or open their NYTH_BREAK_GLASS_DAILY_ALERT-th record in that time (ADR 013).
NYTH_BREAK_GLASS_REPEAT_HOURS = env_int("NYTH_BREAK_GLASS_REPEAT_HOURS", 24)
NYTH_BREAK_GLASS_DAILY_ALERT = env_int("NYTH_BREAK_GLASS_DAILY_ALERT", 3)
# Failed identifications allowed in any NYTH_BREAK_GLASS_FAILURE_WINDOW_SECONDS, per worker and per
# client address (core.ratelimit, core.net.client_address); then a 429 until the window has room.
NYTH_BREAK_GLASS_FAILURES_PER_WORKER = env_int("NYTH_BREAK_GLASS_FAILURES_PER_WORKER", 5)
NYTH_BREAK_GLASS_FAILURES_PER_ADDRESS = env_int("NYTH_BREAK_GLASS_FAILURES_PER_ADDRESS", 10)
NYTH_BREAK_GLASS_FAILURE_WINDOW_SECONDS = env_int("NYTH_BREAK_GLASS_FAILURE_WINDOW_SECONDS", 3600)
# Email (the next-morning emergency access report, referral outcomes). The demo prints emails
# to the console; production sets an SMTP relay. NYTH_SITE_URL makes links in emails absolute.
EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if (NYTH_DEMO or DEBUG)
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
# For the file backend (the worker tests read what a worker process sent).
EMAIL_FILE_PATH = os.environ.get("EMAIL_FILE_PATH", str(BASE_DIR / "var" / "mail"))
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "nyth@localhost")
NYTH_SITE_URL = os.environ.get("NYTH_SITE_URL", "http://127.0.0.1:8000").rstrip("/")


# Passkeys (django-otp-webauthn, ADR 020): a second factor after the password, never a way in
# without it. A passkey belongs to a domain (the relying party ID: NYTH_SITE_URL's host), which
# cannot be an IP address, so a site at 127.0.0.1 uses localhost (open the demo at localhost).
# The browser says which page asked; only these origins are believed. NYTH_WEBAUTHN_ORIGINS adds
# others under the same domain (another port, as the browser tests use).
def webauthn_relying_party(site_url: str) -> tuple[str, str]:
    """The relying party ID and the origin passkeys are made at, for the site at ``site_url``."""
    site = urlsplit(site_url)
    host = site.hostname or "localhost"
    try:
        ipaddress.ip_address(host)
    except ValueError:
        rp_id = host
    else:
        rp_id = "localhost"  # browsers refuse an IP address as a relying party ID
    return rp_id, f"{site.scheme}://{rp_id}{f':{site.port}' if site.port else ''}"


OTP_WEBAUTHN_RP_ID, _WEBAUTHN_ORIGIN = webauthn_relying_party(NYTH_SITE_URL)
OTP_WEBAUTHN_RP_NAME = "Nyth"
OTP_WEBAUTHN_ALLOWED_ORIGINS = [_WEBAUTHN_ORIGIN, *env_list("NYTH_WEBAUTHN_ORIGINS")]
OTP_WEBAUTHN_ALLOW_PASSWORDLESS_LOGIN = False
OTP_WEBAUTHN_HELPER_CLASS = "accounts.passkeys.PasskeyHelper"
OTP_WEBAUTHN_TIMEOUT_SECONDS = 5 * 60

# --- Security headers. Secure cookies and HSTS whenever served over HTTPS.
SESSION_COOKIE_SECURE = NYTH_HTTPS
CSRF_COOKIE_SECURE = NYTH_HTTPS
LANGUAGE_COOKIE_SECURE = NYTH_HTTPS
SECURE_SSL_REDIRECT = NYTH_HTTPS
SECURE_HSTS_SECONDS = 31_536_000 if NYTH_HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = NYTH_HTTPS
SECURE_HSTS_PRELOAD = NYTH_HTTPS
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("NYTH_BEHIND_PROXY") else None
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Content-Security-Policy (django-csp): no inline script or style anywhere.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}

# --- Languages: Welsh and English are equal.
LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("cy", _("Welsh"))]
LOCALE_PATHS = [
    BASE_DIR / "locale",  # Nyth's own messages (managed with makemessages)
    BASE_DIR / "locale-django",  # Welsh for Django messages its own cy catalogue lacks
]
USE_I18N = True
USE_TZ = True
TIME_ZONE = "Europe/London"
# Nyth sets no language cookie (every address carries its language; ADR 010). Django still reads
# one that an older version left, until it expires.
LANGUAGE_COOKIE_NAME = "nyth_language"
LANGUAGE_COOKIE_AGE = 365 * 24 * 60 * 60
LANGUAGE_COOKIE_SAMESITE = "Lax"

# --- Static files: GOV.UK Frontend built by `make assets`, served by WhiteNoise (no CDN).
STATIC_URL = "/static/"
# `manage.py collectstatic` writes here (with a manifest of hashed names in production).
STATIC_ROOT = Path(os.environ.get("NYTH_STATIC_ROOT") or BASE_DIR / "var" / "staticfiles")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if (DEBUG or NYTH_DEMO or env_bool("NYTH_TESTING"))
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = DEBUG or NYTH_DEMO or env_bool("NYTH_TESTING")

MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"

# Query strings carry what users searched for (names): stripped from every log record
# (core/log_filters.py); gunicorn's access log leaves them out too (deploy/gunicorn.conf.py).
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"strip_query_strings": {"()": "core.log_filters.StripQueryStrings"}},
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["strip_query_strings"], "formatter": "plain"}
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}

# --- Referrals and the waiting list.
# An initial consultation is due within this many working days of accepting a referral.
NYTH_INITIAL_CONSULTATION_WORKING_DAYS = env_int("NYTH_INITIAL_CONSULTATION_WORKING_DAYS", 10)
# The data-quality page (reporting/quality.py) lists referrals still without a decision this many
# working days after they were received; by default the same target as the initial consultation's.
NYTH_DATA_QUALITY_UNDECIDED_DAYS = env_int("NYTH_DATA_QUALITY_UNDECIDED_DAYS", NYTH_INITIAL_CONSULTATION_WORKING_DAYS)
# Looked-after child reviews, Care Planning, Placement and Case Review (Wales) Regulations 2015:
# the first within 28 days of becoming looked after, the second within 3 months of the first,
# then at least every 6 months (England's differ). A plan review is suggested this many days
# before the next one, so the therapeutic need is part of it.
NYTH_LAC_REVIEW_FIRST_DAYS = env_int("NYTH_LAC_REVIEW_FIRST_DAYS", 28)
NYTH_LAC_REVIEW_SECOND_MONTHS = env_int("NYTH_LAC_REVIEW_SECOND_MONTHS", 3)
NYTH_LAC_REVIEW_THEN_MONTHS = env_int("NYTH_LAC_REVIEW_THEN_MONTHS", 6)
NYTH_PLAN_REVIEW_BEFORE_LAC_DAYS = env_int("NYTH_PLAN_REVIEW_BEFORE_LAC_DAYS", 14)
# --- Outcome measurement schedules (outcomes/schedule.py, docs/outcomes.md).
# A review point falls due this many days after the last point's due date when no point is
# waiting: 90 days, about one school term, so a typical 6–12 month episode is measured at the
# start, at one to three reviews and at the end, without measuring more often than change can show.
NYTH_OUTCOMES_REVIEW_INTERVAL_DAYS = env_int("NYTH_OUTCOMES_REVIEW_INTERVAL_DAYS", 90)
# A plan review adds no review point when one is already waiting or done this close to it.
NYTH_OUTCOMES_REVIEW_MERGE_DAYS = env_int("NYTH_OUTCOMES_REVIEW_MERGE_DAYS", 14)
# A point is shown as "due" from this many days before its date; after its date it is overdue.
NYTH_OUTCOMES_DUE_WINDOW_DAYS = env_int("NYTH_OUTCOMES_DUE_WINDOW_DAYS", 14)
# Safe small numbers (core/disclosure.py, ADR 018): counts from 1 to this minus 1 are shown as
# "[c]" wherever counts of people are shown (feedback summaries, reports).
NYTH_SMALL_NUMBER_THRESHOLD = env_int("NYTH_SMALL_NUMBER_THRESHOLD", 5)
# Reports (reporting/periods.py): the month the reporting year starts, 4 (April, the financial year) or 1.
NYTH_REPORTING_YEAR_START_MONTH = env_int("NYTH_REPORTING_YEAR_START_MONTH", 4)
# Suppressed reports (commissioners, every export): shown counts rounded to the nearest N (0: not
# rounded; 5 as some returns ask). Suppression is decided on the true counts first.
NYTH_REPORT_ROUND_TO = env_int("NYTH_REPORT_ROUND_TO", 0)
# Exported files are kept this many days for the person who asked, then their bytes are deleted.
NYTH_EXPORT_KEEP_DAYS = env_int("NYTH_EXPORT_KEEP_DAYS", 7)
# Anonymous feedback: answers accepted per address in any 60-minute moving window.
NYTH_FEEDBACK_PER_HOUR = env_int("NYTH_FEEDBACK_PER_HOUR", 5)
# Extra closure days (ISO dates) on top of weekends and Welsh bank holidays.
NYTH_EXTRA_CLOSURE_DAYS = env_list("NYTH_EXTRA_CLOSURE_DAYS")
# Public referral form: submissions allowed per address per hour.
NYTH_PUBLIC_REFERRALS_PER_HOUR = env_int("NYTH_PUBLIC_REFERRALS_PER_HOUR", 5)
# How a public referrer reaches the service, given in the email that acknowledges their request
# (empty: the email says to reply to it).
NYTH_SERVICE_CONTACT_PHONE = os.environ.get("NYTH_SERVICE_CONTACT_PHONE", "")
NYTH_SERVICE_CONTACT_EMAIL = os.environ.get("NYTH_SERVICE_CONTACT_EMAIL", "")
# Password reset: requests allowed per address per hour; a link lasts 24 hours and works once.
NYTH_PASSWORD_RESETS_PER_HOUR = env_int("NYTH_PASSWORD_RESETS_PER_HOUR", 5)
PASSWORD_RESET_TIMEOUT = 24 * 60 * 60

# --- Shared cache (ADR 006). Every process (web workers and the task worker) sees the same cache:
# Redis when NYTH_REDIS_URL is set, otherwise the database cache (its table is made by
# core's migration, so `migrate` is enough). core.cache.DegradingRedisCache answers a cache miss
# instead of raising when Redis is down, so a page that uses the cache still renders.
NYTH_REDIS_URL = os.environ.get("NYTH_REDIS_URL", "")
NYTH_REDIS_TIMEOUT_SECONDS = float(os.environ.get("NYTH_REDIS_TIMEOUT_SECONDS", "0.5"))
if NYTH_REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "core.cache.DegradingRedisCache",
            "LOCATION": NYTH_REDIS_URL,
            "OPTIONS": {
                "socket_connect_timeout": NYTH_REDIS_TIMEOUT_SECONDS,
                "socket_timeout": NYTH_REDIS_TIMEOUT_SECONDS,
            },
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "nyth_cache"}}
# The public referral limit and other moving windows: Redis (the `limits` library) when
# configured, with the database as the fallback when it is not or is down (core/ratelimit.py).
NYTH_RATELIMIT_REDIS_URL = os.environ.get("NYTH_RATELIMIT_REDIS_URL", NYTH_REDIS_URL)

# --- Background work (django-tasks). The database queue needs nothing but the database and one
# worker (`manage.py db_worker`, started by `make demo` and `make serve`); deployments that
# outgrow it set NYTH_TASK_BACKEND=rq with NYTH_REDIS_URL (worker: `manage.py rqworker --with-scheduler`).
NYTH_TASK_BACKEND = os.environ.get("NYTH_TASK_BACKEND", "database")
NYTH_RQ_MAINTENANCE_SECONDS = env_int("NYTH_RQ_MAINTENANCE_SECONDS", 600)
NYTH_RQ_JOB_MONITORING_SECONDS = env_int("NYTH_RQ_JOB_MONITORING_SECONDS", 30)
if NYTH_TASK_BACKEND == "rq":
    if not NYTH_REDIS_URL:
        raise ImproperlyConfigured("NYTH_TASK_BACKEND=rq needs NYTH_REDIS_URL.")
    INSTALLED_APPS.append("django_rq")
    TASKS = {"default": {"BACKEND": "jobs.rq_backend.RetryingRQBackend", "QUEUES": ["default"]}}
    RQ_QUEUES = {"default": {"URL": NYTH_REDIS_URL, "DEFAULT_TIMEOUT": 3600}}
    # rqworker must run jobs with django-tasks-rq's job class (the default one cannot call a Task).
    # Our worker class takes the intervals that bound re-queueing a killed worker's job
    # (jobs.rq_backend.NythWorker, ADR 007): abandoned after MONITORING + 60 s, re-queued at the
    # next maintenance run (RQ's defaults: 30 s and 600 s).
    RQ = {"JOB_CLASS": "django_tasks_rq.backend.Job", "WORKER_CLASS": "jobs.rq_backend.NythWorker"}
elif NYTH_TASK_BACKEND == "database":
    TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
else:
    raise ImproperlyConfigured("NYTH_TASK_BACKEND must be 'database' or 'rq'.")

# Recovery of killed workers (jobs/recovery.py): a worker beats its lease every HEARTBEAT seconds;
# a running task whose worker's lease is older than LEASE seconds is re-queued by the reaper
# (every REAP seconds in each worker, and `manage.py reap_tasks`), at most MAX_ATTEMPTS claims.
NYTH_TASK_LEASE_SECONDS = env_int("NYTH_TASK_LEASE_SECONDS", 60)
NYTH_TASK_HEARTBEAT_SECONDS = float(os.environ.get("NYTH_TASK_HEARTBEAT_SECONDS", NYTH_TASK_LEASE_SECONDS / 4))
NYTH_TASK_REAP_SECONDS = float(os.environ.get("NYTH_TASK_REAP_SECONDS", NYTH_TASK_LEASE_SECONDS))
NYTH_TASK_MAX_ATTEMPTS = env_int("NYTH_TASK_MAX_ATTEMPTS", 3)
# Uploaded CSV files (personal data) are deleted this many days after their import finished
# (`manage.py purge_uploads`, run daily); the report and the counts are kept.
NYTH_UPLOAD_RETENTION_DAYS = env_int("NYTH_UPLOAD_RETENTION_DAYS", 7)

# --- The audit trail's keys and jobs (ADR 012). Events are chained by a sequencer (the worker,
# or `manage.py seal_audit`) with HMAC-SHA256 under a key held outside the database: either
# NYTH_AUDIT_HMAC_KEY="id:secret" or NYTH_AUDIT_HMAC_KEY_FILE, a file of "id:secret" lines whose
# last line is the key in use (earlier lines verify older events: rotation). The web processes
# never need it. The demo and the tests use a fixed development key (never in production:
# audit.chain raises ImproperlyConfigured when it is missing).
NYTH_AUDIT_HMAC_KEY = os.environ.get("NYTH_AUDIT_HMAC_KEY", "")
NYTH_AUDIT_HMAC_KEY_FILE = os.environ.get("NYTH_AUDIT_HMAC_KEY_FILE", "")
NYTH_AUDIT_DEV_KEY_ALLOWED = NYTH_DEMO or DEBUG or env_bool("NYTH_TESTING")
# How often the worker chains new events (seconds).
NYTH_AUDIT_SEAL_SECONDS = float(os.environ.get("NYTH_AUDIT_SEAL_SECONDS", "2"))
# Every NYTH_AUDIT_SWEEP_SECONDS the worker also chains events of the last NYTH_AUDIT_SWEEP_HOURS
# whose transaction committed after later events were chained (audit.chain.SealScope).
NYTH_AUDIT_SWEEP_SECONDS = float(os.environ.get("NYTH_AUDIT_SWEEP_SECONDS", "300"))
NYTH_AUDIT_SWEEP_HOURS = env_int("NYTH_AUDIT_SWEEP_HOURS", 48)
# Signed checkpoints (`manage.py audit_checkpoint`): where they are written, the Ed25519 private
# key only the checkpoint job can read, and the public key verify_audit checks them with.
NYTH_AUDIT_CHECKPOINT_DIR = os.environ.get("NYTH_AUDIT_CHECKPOINT_DIR", "")
NYTH_AUDIT_CHECKPOINT_KEY = os.environ.get("NYTH_AUDIT_CHECKPOINT_KEY", "")
NYTH_AUDIT_CHECKPOINT_PUBLIC_KEY = os.environ.get("NYTH_AUDIT_CHECKPOINT_PUBLIC_KEY", "")
# Enrolment codes (accounts.enrolment): how long a code to set up an authenticator stays valid.
NYTH_ENROLMENT_CODE_HOURS = env_int("NYTH_ENROLMENT_CODE_HOURS", 72)
# The young person's own space (docs/my-space.md): an invitation link lasts this many days, and
# young people may be invited from the youngest age (the start of secondary school in Wales,
# Year 7) to the oldest the service supports (to 25).
NYTH_SPACE_INVITATION_DAYS = env_int("NYTH_SPACE_INVITATION_DAYS", 7)
NYTH_SPACE_MIN_AGE = env_int("NYTH_SPACE_MIN_AGE", 11)
NYTH_SPACE_MAX_AGE = env_int("NYTH_SPACE_MAX_AGE", 25)
# Young people and carers are signed out after this many idle minutes (staff: NYTH_SESSION_IDLE_MINUTES),
# and Exit this page leaves for this neutral site (GOV.UK's own example) once the session has ended.
NYTH_SPACE_IDLE_MINUTES = env_int("NYTH_SPACE_IDLE_MINUTES", 15)
NYTH_SPACE_EXIT_URL = os.environ.get("NYTH_SPACE_EXIT_URL", "https://www.bbc.co.uk/weather")
# Issue 14, the young person's voice (docs/my-space.md): a check-in is read within this many Welsh
# working days; the service's cover hours ("mon-fri 09:00-17:00", bank holidays excluded); out of
# hours the on-call rota in Nyth, else the emergency duty team's number if set; an alert nobody
# picks up this many minutes after someone is watching goes to the service's managers.
NYTH_SPACE_READ_WITHIN_WORKING_DAYS = env_int("NYTH_SPACE_READ_WITHIN_WORKING_DAYS", 2)
NYTH_SPACE_COVER_HOURS = os.environ.get("NYTH_SPACE_COVER_HOURS", "mon-fri 09:00-17:00")
NYTH_SPACE_ALERT_SEEN_WITHIN_MINUTES = env_int("NYTH_SPACE_ALERT_SEEN_WITHIN_MINUTES", 60)
NYTH_SPACE_ALERT_ESCALATE_MINUTES = env_int("NYTH_SPACE_ALERT_ESCALATE_MINUTES", 60)
NYTH_SPACE_EMERGENCY_DUTY_TEAM_PHONE = os.environ.get("NYTH_SPACE_EMERGENCY_DUTY_TEAM_PHONE", "")
NYTH_SPACE_DRAFT_HOURS = env_int("NYTH_SPACE_DRAFT_HOURS", 24)
# A young person under 16 withdraws a consent themselves only while the judgement of their
# competence recorded with it is at most this many days old; older, it is a request to the
# practitioner (consent.services.young_person_withdrawal).
NYTH_SPACE_COMPETENCE_MAX_AGE_DAYS = env_int("NYTH_SPACE_COMPETENCE_MAX_AGE_DAYS", 365)
# Emails to young people and carers (myspace/notify.py): from a neutral sender (empty: DEFAULT_FROM_EMAIL),
# "something new" at most once every this many hours; a space account is put to a manager for review
# when the young person is older than NYTH_SPACE_MAX_AGE or their last episode closed this many days ago.
NYTH_SPACE_NOTIFY_FROM = os.environ.get("NYTH_SPACE_NOTIFY_FROM", "")
NYTH_SPACE_NOTIFY_EVERY_HOURS = env_int("NYTH_SPACE_NOTIFY_EVERY_HOURS", 12)
NYTH_SPACE_REVIEW_AFTER_CLOSE_DAYS = env_int("NYTH_SPACE_REVIEW_AFTER_CLOSE_DAYS", 180)
