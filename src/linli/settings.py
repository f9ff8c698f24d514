"""Linli settings: one module, every knob an environment variable with a safe default.

Defaults give a laptop demo on SQLite with Celery running tasks eagerly; a real
deployment sets DATABASE_URL (PostgreSQL), REDIS_URL (Celery broker and cache),
SECRET_KEY, ALLOWED_HOSTS and DEBUG=0. See docs/deployment.md.
"""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BASE_DIR.parent.parent
VAR_DIR = Path(os.environ.get("LINLI_VAR_DIR", PROJECT_DIR / "var"))


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    lowered = raw.strip().lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name}={raw!r} is not a boolean (use 1/0, true/false)")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name}={raw!r} is not an integer") from exc


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", True)
SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off")
    SECRET_KEY = "linli-insecure-development-key-do-not-use-in-production"
# Personal data at rest (docs/personal-data.md): base64 keys, `linli keys generate` prints a
# pair. Without LINLI_DATA_KEY a development machine derives both from SECRET_KEY.
LINLI_DATA_KEY = env_str("LINLI_DATA_KEY")
LINLI_HASH_KEY = env_str("LINLI_HASH_KEY")
if not LINLI_DATA_KEY and not DEBUG:
    raise ImproperlyConfigured(
        "LINLI_DATA_KEY must be set when DEBUG is off (generate one with `linli keys generate`)"
    )

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")
SITE_NAME = env_str("LINLI_SITE_NAME", "邻里 Linli")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "axes",
    "linli.core",
    "linli.registry",
    "linli.consultation",
    "linli.renewal",
    "linli.elevators",
    "linli.aftercare",
    "linli.accounts",
    "linli.web",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Who, from where and which request, for the audit trail of every write (docs/audit.md).
    "linli.core.middleware.AuditContextMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "linli.accounts.middleware.SessionTimeoutMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes requires: it turns a locked-out sign-in into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "linli.urls"
WSGI_APPLICATION = "linli.wsgi.application"

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
                "linli.web.context_processors.site",
            ],
        },
    },
]

DATABASE_URL = env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'linli.sqlite3'}")
DATABASES = {
    "default": dj_database_url.parse(DATABASE_URL, conn_max_age=env_int("DB_CONN_MAX_AGE", 60))
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A laptop demo: WAL lets the dev server read while an import writes.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env_str("REDIS_URL")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "linli",
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    # First: refuses a locked-out username + address before any password is checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    "linli.accounts.scopes.RoleBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "web:dashboard"
LOGOUT_REDIRECT_URL = "login"

# Lockout (django-axes, docs/security.md): LOGIN_FAILURE_LIMIT failed sign-ins for one username
# from one address lock that pair for LOGIN_LOCKOUT_MINUTES; every attempt during the lockout
# restarts the clock. `linli axes_reset` (or axes_reset_username USER) unlocks early.
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("LOGIN_LOCKOUT_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "linli.accounts.lockout.lockout_response"
AXES_CLIENT_IP_CALLABLE = "linli.accounts.lockout.client_ip"
AXES_VERBOSE = False  # no start-up banner on every `linli` command; failures are still logged
# Reverse proxies in front of Linli that append to X-Forwarded-For (0: use the peer address;
# the header is then ignored, because a client can write anything into it).
LINLI_PROXY_COUNT = env_int("LINLI_PROXY_COUNT", 0)

SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 8 * 3600)
# Signed out after this many seconds without a request (linli.accounts.middleware).
SESSION_IDLE_TIMEOUT = env_int("SESSION_IDLE_TIMEOUT", 30 * 60)
SESSION_COOKIE_SECURE = not DEBUG
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SECURE = not DEBUG
CSRF_FAILURE_VIEW = "linli.accounts.views.csrf_failure"
SESSION_COOKIE_HTTPONLY = True
SECURE_HSTS_SECONDS = 0 if DEBUG else env_int("SECURE_HSTS_SECONDS", 31536000)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("BEHIND_TLS_PROXY", False) else None
)

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(VAR_DIR / "static")))
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(VAR_DIR / "media")))
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# Largest site photo accepted with a progress report (renewal/exif.py), in MB.
LINLI_PHOTO_MAX_MB = env_int("LINLI_PHOTO_MAX_MB", 15)
DATA_UPLOAD_MAX_MEMORY_SIZE = 50 * 1024 * 1024
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "linli.accounts.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.SearchFilter",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_PAGINATION_CLASS": "linli.core.api.Pagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "linli.core.api.exception_handler",
    "COERCE_DECIMAL_TO_STRING": True,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Linli 邻里 API",
    "DESCRIPTION": "Registry, renovation and after-care of Xigong's old residential compounds.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # Choice sets used by several fields get one named schema component.
    "ENUM_NAME_OVERRIDES": {
        "FundingSourceEnum": "linli.renewal.models.FundingSource",
        "StageEnum": "linli.renewal.gates.Stage",
        "SupervisionKindEnum": "linli.renewal.models.SupervisionKind",
        "ReportKindEnum": "linli.renewal.models.ReportKind",
        "MeetingKindEnum": "linli.consultation.models.MeetingKind",
        "QuestionKindEnum": "linli.consultation.models.QuestionKind",
        "AssetKindEnum": "linli.aftercare.models.AssetKind",
        "ScheduleKindEnum": "linli.aftercare.models.ScheduleKind",
        "SubsidyKindEnum": "linli.elevators.models.SubsidyKind",
        "DocumentKindEnum": "linli.elevators.models.DocumentKind",
        "ElevatorCaseStatusEnum": "linli.elevators.models.CaseStatus",
    },
}

# Celery: Redis when REDIS_URL is set, otherwise tasks run eagerly in-process so the
# SQLite demo needs no broker.
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = REDIS_URL or None
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Periodic jobs (run `celery -A linli beat` next to the workers), in CELERY_TIMEZONE.
CELERY_BEAT_SCHEDULE = {
    # Supervision (督办): lights and supervision items, before the working day starts.
    "renewal-supervision-check": {
        "task": "linli.renewal.tasks.supervision_check",
        "schedule": crontab(hour=7, minute=0),
    },
    # Owner votes: open the scheduled ones, close those past their end, finalise after the
    # public notice. Ballot casting also opens a due vote itself, so the 5-minute step only
    # decides how soon a closed vote's result is stored.
    "consultation-advance-votes": {
        "task": "linli.consultation.tasks.advance_votes",
        "schedule": crontab(minute="*/5"),
    },
}

# Map: the demo draws compounds on a plain canvas; set a tile URL template (for an
# intranet tile server) to get a base map, e.g. http://tiles.intra/{z}/{x}/{y}.png
LINLI_MAP_TILE_URL = env_str("LINLI_MAP_TILE_URL")
LINLI_MAP_TILE_ATTRIBUTION = env_str("LINLI_MAP_TILE_ATTRIBUTION", "")
LINLI_DEMO_PASSWORD = env_str("LINLI_DEMO_PASSWORD", "linli-demo-2026")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # django-axes logs every successful sign-in at INFO; failures and lockouts are WARNING.
        "axes": {"level": "WARNING"},
    },
}
