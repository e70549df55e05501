"""Settings for the e-procedure platform.

One module, driven only by environment variables (see ``.env.example``).
Every default is the embedded development setup: SQLite, local files,
in-process cache and background work. Production switches each edge on by
setting its variable: ``DATABASE_URL``, ``S3_BUCKET``, ``REDIS_URL``,
``CELERY_BROKER_URL``.
"""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("DJANGO_VAR_DIR", BASE_DIR / "var"))


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value else default


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in env_str(name, default).split(",") if item.strip()]


# --- Core -----------------------------------------------------------------

DEBUG = env_bool("DJANGO_DEBUG", False)

SECRET_KEY = env_str("DJANGO_SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY is required unless DJANGO_DEBUG is on "
            "(see .env.example)."
        )
    # Development only: a fixed key is harmless on a developer's loopback.
    SECRET_KEY = "django-insecure-development-key-not-for-production"

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    # Project apps first: viewflow ships its own 403.html and registration/*.
    "core",
    "accounts",
    "organisation",
    "forms_builder",
    "procedures",
    "documents",
    "workflow",
    "records",
    "stats",
    "api",
    "demo",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_bootstrap5",
    "viewflow",
    "viewflow.workflow",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_tasks",
    "django_tasks_db",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "core.input_characters.RefuseUnstorableCharactersMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "core.middleware.ContentSecurityPolicyMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

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
                "core.context_processors.platform",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------
# SQLite by default. WAL lets readers and one writer work side by side, and
# IMMEDIATE transactions take the write lock at BEGIN, so two processes queue
# for it (busy timeout) instead of failing with "database is locked" when a
# read transaction tries to upgrade to a write.

DATABASE_URL = env_str("DATABASE_URL")
if DATABASE_URL:
    _db = dj_database_url.parse(
        DATABASE_URL,
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 600),
        conn_health_checks=True,
    )
    if _db["ENGINE"] == "django.db.backends.postgresql":
        _lock_ms = env_int("DATABASE_LOCK_TIMEOUT_MS", 5000)
        _statement_ms = env_int("DATABASE_STATEMENT_TIMEOUT_MS", 30000)
        _db.setdefault("OPTIONS", {})["options"] = (
            f"-c lock_timeout={_lock_ms} -c statement_timeout={_statement_ms}"
        )
        _db["TEST"] = {"NAME": env_str("DATABASE_TEST_NAME") or None}
else:
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    _db = {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": VAR_DIR / "db.sqlite3",
        "OPTIONS": {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": (
                "PRAGMA journal_mode=WAL;"
                "PRAGMA synchronous=NORMAL;"
                "PRAGMA foreign_keys=ON;"
            ),
        },
    }
DATABASES = {"default": _db}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Authentication -------------------------------------------------------

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "workflow.backends.OrganisationPermissionBackend",
]
# External identity provider (OpenID Connect) for residents, when configured.
OIDC_RP_CLIENT_ID = env_str("OIDC_RP_CLIENT_ID")
if OIDC_RP_CLIENT_ID:
    INSTALLED_APPS.append("mozilla_django_oidc")
    AUTHENTICATION_BACKENDS.append("accounts.oidc.ResidentOIDCBackend")
    OIDC_RP_CLIENT_SECRET = env_str("OIDC_RP_CLIENT_SECRET")
    OIDC_OP_ISSUER = env_str("OIDC_OP_ISSUER")
    OIDC_OP_AUTHORIZATION_ENDPOINT = env_str("OIDC_OP_AUTHORIZATION_ENDPOINT")
    OIDC_OP_TOKEN_ENDPOINT = env_str("OIDC_OP_TOKEN_ENDPOINT")
    OIDC_OP_USER_ENDPOINT = env_str("OIDC_OP_USER_ENDPOINT")
    OIDC_OP_JWKS_ENDPOINT = env_str("OIDC_OP_JWKS_ENDPOINT")
    OIDC_RP_SIGN_ALGO = env_str("OIDC_RP_SIGN_ALGO", "RS256")
    OIDC_RP_SCOPES = "openid email profile"
    OIDC_PROVIDER_NAME = env_str("OIDC_PROVIDER_NAME", "外部ID")
# Every call to the provider is bounded (the library's default waits forever).
OIDC_TIMEOUT = env_int("OIDC_TIMEOUT_SECONDS", 10)
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "core:home"
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation."
        "UserAttributeSimilarityValidator"
    },
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# --- Staff authentication (second factor, lockout, sessions) --------------
# Every staff and administrator account signs in with a password and a second
# factor (TOTP from an authenticator app, or a recovery code) through
# django-otp; residents may opt in. See docs/security.md.
INSTALLED_APPS += [
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
]
# Django admin through our own site: superusers with a verified second factor,
# signed in at /manage/login/ (the admin's own login form is not used).
INSTALLED_APPS[INSTALLED_APPS.index("django.contrib.admin")] = (
    "accounts.apps.StaffAdminConfig"
)
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.contrib.auth.middleware.AuthenticationMiddleware") + 1,
    "django_otp.middleware.OTPMiddleware",
)
MIDDLEWARE.insert(
    MIDDLEWARE.index("django_otp.middleware.OTPMiddleware") + 1,
    "accounts.middleware.SecondFactorMiddleware",
)
OTP_TOTP_ISSUER = env_str("OTP_TOTP_ISSUER", "電子申請")
# Passkeys and security keys (WebAuthn) as a second factor, scoped to the
# site's host name; never as a password replacement.
INSTALLED_APPS += ["django_otp_webauthn"]
# Browsers allow WebAuthn on https:// and on http://localhost only (not on an
# IP address): the development server's passkeys work at localhost:8000.
_webauthn_origin = (
    SITE_URL
    if SITE_URL.startswith(("https://", "http://localhost"))
    else "http://localhost:8000"
)
OTP_WEBAUTHN_RP_ID = urlsplit(_webauthn_origin).hostname
OTP_WEBAUTHN_RP_NAME = OTP_TOTP_ISSUER
OTP_WEBAUTHN_ALLOWED_ORIGINS = [_webauthn_origin]
OTP_WEBAUTHN_ALLOW_PASSWORDLESS_LOGIN = False
# Failed logins lock one (account, client address) pair for a cool-off, never
# an account everywhere (accounts.lockout). Counts live in the default cache:
# Redis when REDIS_URL is set, shared by every process.
INSTALLED_APPS += ["axes"]
AUTHENTICATION_BACKENDS.insert(0, "accounts.lockout.LockoutBackend")
MIDDLEWARE.append("axes.middleware.AxesMiddleware")
BEHIND_PROXY = env_bool("DJANGO_BEHIND_PROXY")
AXES_HANDLER = "axes.handlers.cache.AxesCacheHandler"
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 10)
AXES_COOLOFF_TIME = env_int("LOGIN_COOLOFF_MINUTES", 15) / 60  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "accounts.lockout.client_ip"
AXES_USERNAME_CALLABLE = "accounts.lockout.client_username"
AXES_LOCKOUT_CALLABLE = "accounts.lockout.lockout_response"
if not env_str("REDIS_URL"):
    # The embedded setup is one process, whose in-process cache is the whole
    # count; several processes need REDIS_URL (README, production).
    SILENCED_SYSTEM_CHECKS = ["axes.W001"]
# Staff sessions end after this long without a request, and this long after
# sign-in whatever the activity; the second factor is asked again before a
# final decision (決裁) or a new API token when older than STAFF_REAUTH_MINUTES.
STAFF_SESSION_IDLE_MINUTES = env_int("STAFF_SESSION_IDLE_MINUTES", 30)
STAFF_SESSION_MAX_HOURS = env_int("STAFF_SESSION_MAX_HOURS", 12)
STAFF_REAUTH_MINUTES = env_int("STAFF_REAUTH_MINUTES", 10)
# Sign-up and password-reset mails asked for per hour, per client address and
# per e-mail address (accounts.limits).
ACCOUNT_MAILS_PER_ADDRESS_HOURLY = env_int("ACCOUNT_MAILS_PER_ADDRESS_HOURLY", 10)
ACCOUNT_MAILS_PER_EMAIL_HOURLY = env_int("ACCOUNT_MAILS_PER_EMAIL_HOURLY", 3)
# Longest validity a staff member may choose for an API token.
API_STAFF_TOKEN_MAX_DAYS = env_int("API_STAFF_TOKEN_MAX_DAYS", 90)
# An OpenID Connect provider that asserts a multi-factor sign-in (ID token
# ``amr`` with mfa/otp/hwk, or an ``acr`` listed here) satisfies the second
# factor of accounts signing in through it; off unless switched on.
OIDC_PROVIDER_MFA = env_bool("OIDC_PROVIDER_MFA", False)
OIDC_MFA_ACR_VALUES = env_list("OIDC_MFA_ACR_VALUES")
# Django admin at /django-admin/: on in development, off in production unless
# switched on (a second door into every table is not needed day to day).
DJANGO_ADMIN_ENABLED = env_bool("DJANGO_ADMIN_ENABLED", DEBUG)

# --- Internationalisation -------------------------------------------------
# Japanese is the language of the prefecture's procedures; English second.
# Message ids are written in Japanese (see docs/i18n.md).

LANGUAGE_CODE = "ja"
LANGUAGES = [("ja", _("日本語")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Tokyo"
USE_I18N = True
USE_TZ = True

# --- Static and uploaded files --------------------------------------------
# Uploaded files (attachments, issued documents) are private: they are never
# served by URL from the storage directly to the browser without a
# permission-checked view (local) or an expiring signed URL (S3).

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "core.staticfiles.AppDirectoriesFinder",  # without viewflow's unused files
]
MEDIA_ROOT = VAR_DIR / "media"

S3_BUCKET = env_str("S3_BUCKET")
if S3_BUCKET:
    from botocore.config import Config as _BotoConfig

    _default_storage = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": S3_BUCKET,
            "endpoint_url": env_str("S3_ENDPOINT_URL") or None,
            "region_name": env_str("S3_REGION", "ap-northeast-1"),
            "access_key": env_str("S3_ACCESS_KEY_ID") or None,
            "secret_key": env_str("S3_SECRET_ACCESS_KEY") or None,
            "default_acl": None,  # bucket policy decides: private
            "querystring_auth": True,
            "querystring_expire": env_int("S3_URL_EXPIRE_SECONDS", 300),
            "file_overwrite": False,
            "addressing_style": env_str("S3_ADDRESSING_STYLE", "path"),
            # A hung endpoint must not hold a request for minutes: botocore's
            # defaults (60 s reads, retries) blocked an upload for 183 s.
            "client_config": _BotoConfig(
                connect_timeout=env_int("S3_CONNECT_TIMEOUT", 2),
                read_timeout=env_int("S3_READ_TIMEOUT", 5),
                retries={
                    "max_attempts": env_int("S3_MAX_ATTEMPTS", 2),
                    "mode": "standard",
                },
                signature_version="s3v4",
            ),
        },
    }
else:
    _default_storage = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": MEDIA_ROOT, "base_url": None},
    }
STORAGES = {
    "default": _default_storage,
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "core.staticfiles.ManifestStaticFilesStorage"
        )
    },
}
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 25 * 1024 * 1024
FILE_UPLOAD_PERMISSIONS = 0o600

# Virus scanner for uploads, chosen by dotted path (none by default).
UPLOAD_SCANNER = env_str("UPLOAD_SCANNER", "core.uploads.NoScanner")
# clamd for core.uploads.ClamdScanner; an unreachable clamd refuses the upload.
CLAMD_HOST = env_str("CLAMD_HOST", "127.0.0.1")
CLAMD_PORT = env_int("CLAMD_PORT", 3310)
CLAMD_TIMEOUT_SECONDS = env_int("CLAMD_TIMEOUT_SECONDS", 30)

# --- Cache and background work --------------------------------------------

REDIS_URL = env_str("REDIS_URL")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            # A hung Redis fails the request in seconds (answered 503 by
            # core.views.server_error); redis-py waits forever by default.
            "OPTIONS": {
                "socket_connect_timeout": env_int("REDIS_TIMEOUT_SECONDS", 2),
                "socket_timeout": env_int("REDIS_TIMEOUT_SECONDS", 2),
            },
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Background work goes through ``core.background``: to Celery when a broker
# is configured, otherwise to the task queue below. The embedded default is
# the database queue, worked by `manage.py run_worker` (started by `make
# run`), so no request renders a notice or talks to the mail server. Tests
# use the immediate backend (pyproject.toml), except where they check the
# queue itself.
TASKS = {
    "default": {
        "BACKEND": env_str("DJANGO_TASKS_BACKEND", "django_tasks_db.DatabaseBackend")
    }
}
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL")
CELERY_TASK_EAGER_PROPAGATES = False
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = TIME_ZONE
CELERY_RESULT_BACKEND = None
# `celery -A config beat`: the safety net that issues notices whose queued
# task was lost (broker down at commit, worker killed) and failed ones due
# for a retry. Each document is claimed by one worker only.
CELERY_BEAT_SCHEDULE = {
    "issue-pending-documents": {
        "task": "documents.tasks.issue_pending_documents",
        "schedule": env_int("DOCUMENT_POLL_SECONDS", 60),
    },
    # Mail the queue lost or that is due for a retry (core.outbox).
    "deliver-outbox": {
        "task": "core.tasks.deliver_due_messages",
        "schedule": env_int("OUTBOX_POLL_SECONDS", 60),
    },
    # Sent mail holds personal data: kept OUTBOX_KEEP_DAYS, then deleted.
    "purge-sent-outbox": {
        "task": "core.tasks.purge_sent_messages",
        "schedule": 3600,
    },
    # Deadline reminders and escalation (workflow.deadlines); each is sent
    # once however many schedulers run. Also `manage.py send_reminders`.
    "send-reminders": {
        "task": "workflow.tasks.send_reminders",
        "schedule": env_int("REMINDER_POLL_SECONDS", 900),
    },
    # New tasks whose announcement was lost, and the staff's daily digests.
    "notify-staff": {
        "task": "workflow.tasks.notify_staff",
        "schedule": env_int("STAFF_NOTIFY_POLL_SECONDS", 300),
    },
    # The KPI figures of yesterday and today, recomputed (stats.services).
    "stats-rollup": {
        "task": "stats.tasks.rollup_recent_days",
        "schedule": env_int("STATS_ROLLUP_SECONDS", 3600),
    },
}
# The resident is reminded this many days before a 補正期限.
AMENDMENT_REMINDER_DAYS = env_int("AMENDMENT_REMINDER_DAYS", 3)

# --- E-mail ---------------------------------------------------------------

EMAIL_BACKEND = env_str(
    "DJANGO_EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_TIMEOUT = 10
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "noreply@e-shinsei.example.jp")
# Mail goes through the outbox (core.outbox): retried with back-off, then
# left for an administrator at /manage/outbox/.
OUTBOX_RETRY_BASE_SECONDS = env_int("OUTBOX_RETRY_BASE_SECONDS", 30)
OUTBOX_RETRY_MAX_SECONDS = env_int("OUTBOX_RETRY_MAX_SECONDS", 3600)
OUTBOX_MAX_ATTEMPTS = env_int("OUTBOX_MAX_ATTEMPTS", 20)
# Days a sent message (its body holds personal data) is kept.
OUTBOX_KEEP_DAYS = env_int("OUTBOX_KEEP_DAYS", 30)
# Chat notifications to sections (issue 15): incoming webhooks through the
# outbox; Chatwork's API needs a token.
WEBHOOK_TIMEOUT_SECONDS = env_int("WEBHOOK_TIMEOUT_SECONDS", 10)
# Webhook addresses must be https; a receiver on this machine (http or https
# on 127.0.0.1, ::1, localhost) only in development and the tests.
WEBHOOK_ALLOW_LOOPBACK = env_bool("WEBHOOK_ALLOW_LOOPBACK", DEBUG)
CHATWORK_API_TOKEN = env_str("CHATWORK_API_TOKEN")
CHATWORK_API_URL = env_str("CHATWORK_API_URL", "https://api.chatwork.com/v2")
# The daily digest of new tasks for staff who chose it (working days).
STAFF_DIGEST_TIME = env_str("STAFF_DIGEST_TIME", "08:30")

# --- Security -------------------------------------------------------------
# Secure by default when DEBUG is off; each can be relaxed by its variable
# (for example behind a TLS-terminating proxy on a private network).

SECURE_PROXY_SSL_HEADER = (
    ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("DJANGO_BEHIND_PROXY") else None
)
SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", not DEBUG)
SECURE_HSTS_SECONDS = env_int("DJANGO_SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = env_bool("DJANGO_SECURE_HSTS_PRELOAD", not DEBUG)
SESSION_COOKIE_SECURE = env_bool("DJANGO_SECURE_COOKIES", not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = 60 * 60 * 8
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; "
    "script-src 'self'; object-src 'none'; base-uri 'self'; "
    "form-action 'self'; frame-ancestors 'none'"
)

# --- Forms ----------------------------------------------------------------

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# --- Audit log ------------------------------------------------------------
# The audit chain is keyed (HMAC-SHA256): someone who can write the table but
# does not hold the key cannot recompute the chain after editing it.
# AUDIT_HMAC_KEYS is "id:secret,id:secret"; new rows use AUDIT_HMAC_KEY_ID
# (the first id by default); older ids stay listed so their rows verify after
# a rotation. Without it, a key derived from SECRET_KEY is used and
# `check --deploy` warns (rotating SECRET_KEY would orphan those rows).

AUDIT_HMAC_KEYS = {
    key_id.strip(): secret.strip()
    for key_id, _, secret in (
        item.partition(":") for item in env_list("AUDIT_HMAC_KEYS")
    )
}
AUDIT_HMAC_KEY_ID = env_str("AUDIT_HMAC_KEY_ID") or next(iter(AUDIT_HMAC_KEYS), "")

# --- Logging --------------------------------------------------------------

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("DJANGO_LOG_LEVEL", "INFO")},
    "loggers": {
        "fontTools": {"level": "WARNING"},
        "weasyprint": {"level": "WARNING"},
    },
}

# --- The platform ---------------------------------------------------------

PREFECTURE_NAME = env_str("PREFECTURE_NAME", "架空県")
PREFECTURE_NAME_EN = env_str("PREFECTURE_NAME_EN", "Kakū Prefecture")
# 全国地方公共団体コード (JIS X 0402 with its check digit; 99 is no real
# prefecture) and the open data's suppression threshold: see docs/kpi.md.
PREFECTURE_CODE = env_str("PREFECTURE_CODE", "990001")
# A draft never submitted and untouched this many days counts as abandoned
# (stats: drafts abandoned, by the last page with an answer).
STATS_DRAFT_ABANDONED_DAYS = env_int("STATS_DRAFT_ABANDONED_DAYS", 30)
OPENDATA_SUPPRESSION_THRESHOLD = env_int("OPENDATA_SUPPRESSION_THRESHOLD", 5)
OPENDATA_LICENSE = "https://creativecommons.org/licenses/by/4.0/"

# --- Official documents ---------------------------------------------------
# Fonts used to print documents, in fallback order. IPAex lacks some JIS X
# 0213 characters (𠮷); Noto CJK has them. Installed by `make run` from
# Debian's fonts-ipaexfont and fonts-noto-cjk (both licences allow embedding).

DOCUMENT_FONT_SUPPLEMENT = (
    BASE_DIR
    / env_str(
        "DOCUMENT_FONT_SUPPLEMENT",
        str(VAR_DIR / "fonts" / "NotoSerifCJKjp-JIS2004-Regular.otf"),
    )
).resolve()
DOCUMENT_FONTS = [
    {
        "family": "IPAexMincho",
        "path": "/usr/share/fonts/opentype/ipaexfont-mincho/ipaexm.ttf",
    },
    # Noto's characters for names that IPAex lacks (𠮷 …), in a small font
    # made from the installed Noto by `manage.py build_font_supplement` (make
    # run and make test build it; production runs it once): the full Noto
    # face made every document with such a name 70 ms slower
    # (bench/README.md). Until it is built, the full Noto below prints them.
    {
        "family": "Noto Serif CJK JP JIS2004",
        "path": str(DOCUMENT_FONT_SUPPLEMENT),
    },
    {
        "family": "Noto Serif CJK JP",
        "path": "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc",
        "index": 0,
    },
    {
        "family": "IPAexGothic",
        "path": "/usr/share/fonts/opentype/ipaexfont-gothic/ipaexg.ttf",
    },
]

# --- Applications and cases -----------------------------------------------

# The engine that opens, resumes and cancels the case of an application.
PROCEDURES_CASE_ENGINE = env_str(
    "PROCEDURES_CASE_ENGINE", "workflow.engine.ViewflowCaseEngine"
)
# Checks run before a procedure version is published (procedures.publishing):
# the workflow checks the route against the form and the organisation.
PROCEDURES_PUBLISH_CHECKS = ["workflow.checks.route_publish_problems"]
# What the procedure's manage page shows of a version (the route's picture).
PROCEDURES_VERSION_PANELS = ["workflow.picture.version_panel"]
# A draft untouched this many days is deleted (`manage.py drafts_purge`,
# daily), its resident told DRAFT_REMINDER_DAYS beforehand.
DRAFT_RETENTION_DAYS = env_int("DRAFT_RETENTION_DAYS", 90)
DRAFT_REMINDER_DAYS = env_int("DRAFT_REMINDER_DAYS", 14)
# An electronically delivered notice not downloaded this many days after its
# issue gets one reminder (`manage.py documents_remind_unread`, daily).
DOCUMENT_UNREAD_REMINDER_DAYS = env_int("DOCUMENT_UNREAD_REMINDER_DAYS", 7)

# --- Document signing ---
# Issued documents (documents app): the signer is chosen by dotted path, as
# authentication backends are; an HSM (PKCS#11) signer replaces the default.
# With DOCUMENT_SIGNING_PKCS12 unset, a development certificate marked "NOT
# FOR PRODUCTION" is created under var/signing/ on first use.
DOCUMENT_SIGNER = env_str("DOCUMENT_SIGNER", "documents.signing.Pkcs12Signer")
DOCUMENT_SIGNING_PKCS12 = env_str("DOCUMENT_SIGNING_PKCS12")
DOCUMENT_SIGNING_PASSWORD = env_str("DOCUMENT_SIGNING_PASSWORD")
# Extra trusted root certificates (PEM/DER files, comma-separated) for
# verification; the roots inside the PKCS#12 file are always trusted.
DOCUMENT_SIGNING_TRUST_ROOTS = env_list("DOCUMENT_SIGNING_TRUST_ROOTS")
# RFC 3161 time-stamp service; no time-stamp when empty. The time-out bounds
# each request to it: a service that is down fails the signing (SigningError)
# and issuing retries later, instead of holding a worker.
DOCUMENT_TSA_URL = env_str("DOCUMENT_TSA_URL")
DOCUMENT_TSA_TIMEOUT_SECONDS = env_int("DOCUMENT_TSA_TIMEOUT_SECONDS", 10)
# HSM signing (DOCUMENT_SIGNER=documents.signing.Pkcs11Signer): the vendor's
# PKCS#11 module (.so), the token, the labels of the private key and of its
# certificate (the key's label when empty), and the user PIN.
DOCUMENT_PKCS11_MODULE = env_str("DOCUMENT_PKCS11_MODULE")
DOCUMENT_PKCS11_TOKEN_LABEL = env_str("DOCUMENT_PKCS11_TOKEN_LABEL")
DOCUMENT_PKCS11_KEY_LABEL = env_str("DOCUMENT_PKCS11_KEY_LABEL")
DOCUMENT_PKCS11_CERT_LABEL = env_str("DOCUMENT_PKCS11_CERT_LABEL")
DOCUMENT_PKCS11_PIN = env_str("DOCUMENT_PKCS11_PIN")
# Printed issuer and the official seal (公印) image (PNG/SVG); with no image a
# drawn seal with the issuer's title is printed.
DOCUMENT_ISSUER = env_str("DOCUMENT_ISSUER", f"{PREFECTURE_NAME}知事")
DOCUMENT_SEAL_IMAGE = env_str("DOCUMENT_SEAL_IMAGE")
# An administrator's document template that renders longer than this is
# stopped and reported as a template error (docs/documents.md); the HTML it
# gives WeasyPrint is bounded too, which bounds the layout's time.
DOCUMENT_TEMPLATE_TIMEOUT_SECONDS = env_int("DOCUMENT_TEMPLATE_TIMEOUT_SECONDS", 2)
DOCUMENT_MAX_HTML_BYTES = env_int("DOCUMENT_MAX_HTML_BYTES", 2_000_000)
# Back-off between attempts to issue a document (doubling, capped).
DOCUMENT_RETRY_BASE_SECONDS = env_int("DOCUMENT_RETRY_BASE_SECONDS", 30)
DOCUMENT_RETRY_MAX_SECONDS = env_int("DOCUMENT_RETRY_MAX_SECONDS", 3600)
# A "working" document whose worker died: the poll takes it over after the
# lease; staff may from the retry button after the grace, which is longer
# than one attempt can last (S3, TSA and rendering are all time-limited).
DOCUMENT_CLAIM_LEASE_SECONDS = env_int("DOCUMENT_CLAIM_LEASE_SECONDS", 300)
DOCUMENT_CLAIM_GRACE_SECONDS = env_int("DOCUMENT_CLAIM_GRACE_SECONDS", 60)

# --- REST API ---
# /api/v1/ (the api app): tokens for systems, the session for the browser.
# Throttles count in the default cache, which is Redis when REDIS_URL is set.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "api.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    "DEFAULT_PARSER_CLASSES": [
        "api.parsers.JSONParser",
        "rest_framework.parsers.MultiPartParser",
        "rest_framework.parsers.FormParser",
    ],
    "DEFAULT_SCHEMA_CLASS": "api.schema.ApiAutoSchema",
    "EXCEPTION_HANDLER": "api.errors.api_exception_handler",
    "DEFAULT_THROTTLE_RATES": {
        "api_submit": env_str("API_THROTTLE_SUBMIT", "30/hour"),
        "api_token_create": env_str("API_THROTTLE_TOKEN_CREATE", "10/hour"),
        "api_verify": env_str("API_THROTTLE_VERIFY", "30/minute"),
    },
}
SPECTACULAR_SETTINGS = {
    "TITLE": f"{PREFECTURE_NAME} 電子申請 API",
    "DESCRIPTION": "Residents apply and follow their applications; caseworkers "
    "work their queue and decide; anyone verifies an issued document. "
    "See docs/api.md.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    # Swagger UI from our own origin (drf-spectacular-sidecar): the CSP is self-only.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}
