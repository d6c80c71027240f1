"""Settings shared by every environment, read from the environment.

Defaults are safe for development: SQLite in ``var/`` inside the project, Celery tasks run
eagerly, DEBUG off unless DJANGO_DEBUG=1. ``production.py`` refuses to start without real values.
"""

from datetime import timedelta
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()

SECRET_KEY = env.str(
    "DJANGO_SECRET_KEY", default="insecure-development-key-never-use-in-production"
)
DEBUG = env.bool("DJANGO_DEBUG", default=False)
# Residents' ID numbers at rest (huagang/crypto.py): Fernet keys, the current one first
# (older ones still read until `manage.py rotate_field_keys` has re-encrypted), and the
# key of the hash that finds a request by its whole ID number. The defaults are for
# development only: production settings refuse them.
HUAGANG_FIELD_KEYS = env.list(
    "HUAGANG_FIELD_KEYS", default=["ZGV2ZWxvcG1lbnQta2V5LW5ldmVyLWluLXByb2R1Y3Q="]
)
HUAGANG_HASH_KEY = env.str(
    "HUAGANG_HASH_KEY", default="insecure-development-hash-key-never-in-production"
)

ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_ratelimit",
    "axes",
    "csp",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "huagang",
    "villages",
    "services",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "huagang.health.HealthCheckMiddleware",  # /healthz, /readyz: before sessions
    "huagang.log_context.RequestContextMiddleware",  # the request id, for every log
    "huagang.guard.RequestBodyLimitMiddleware",  # before anything reads the body
    "csp.middleware.CSPMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "huagang.middleware.ChosenLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "huagang.middleware.RejectNulMiddleware",  # before anything reads the database
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",  # request.user.is_verified()
    "django.contrib.messages.middleware.MessageMiddleware",
    "huagang.guard.StaffIdleTimeoutMiddleware",  # may leave a message
    "huagang.guard.StaffSecondFactorMiddleware",  # after the idle sign-out
    "huagang.guard.PrivateResponsesMiddleware",  # no-store on personal responses
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "huagang.middleware.MethodNotAllowedPageMiddleware",  # a page for an empty 405
    "axes.middleware.AxesMiddleware",  # the lockout page; last, per its documentation
]

ROOT_URLCONF = "huagang.urls"
WSGI_APPLICATION = "huagang.wsgi.application"

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
                "huagang.elder_mode.elder_mode",
            ],
        },
    },
]

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}")
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # Writers take the lock when their transaction begins and others wait for it (up to
    # 20 s): in SQLite's default mode a second writer, e.g. a double-clicked save, failed
    # at once with "database is locked" and the clerk saw an error page.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"transaction_mode": "IMMEDIATE", "timeout": 20}
    )
DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("DJANGO_CONN_MAX_AGE", 0))
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# A read replica for the dashboard and the exports (huagang/replica.py).
if env.str("DATABASE_REPLICA_URL", default=""):
    DATABASES["replica"] = env.db_url("DATABASE_REPLICA_URL")
DATABASE_ROUTERS = ["huagang.replica.ReplicaRouter"]

AUTH_USER_MODEL = "villages.User"
# django-axes's backend first: it refuses a locked-out account or address before any
# password is checked (see the sign-in lockout settings below).
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Residents sign in here; the admin keeps its own sign-in page.
LOGIN_URL = "account:sign_in"
LOGIN_REDIRECT_URL = "mine:requests"
# Django's rules with the portal's words (您, and Chinese for every message).
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "villages.password_validation.MinimumLengthValidator"},
    {"NAME": "villages.password_validation.CommonPasswordValidator"},
    {"NAME": "villages.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = env.path("DJANGO_STATIC_ROOT", default=str(BASE_DIR / "staticfiles"))
MEDIA_URL = "media/"
MEDIA_ROOT = env.path("DJANGO_MEDIA_ROOT", default=str(VAR_DIR / "media"))

# Where `python manage.py backup` writes its dated folders unless given --to.
HUAGANG_BACKUP_DIR = env.str("HUAGANG_BACKUP_DIR", default="")

# Where `load_town_data` reads the town's data files.
TOWN_DATA_DIR = env.path("HUAGANG_DATA_DIR", default=str(BASE_DIR / "data"))

# The API (services/api/): who may call it is decided per view with services.access;
# these are the defaults every view shares.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "services.api.authentication.ApiKeyAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "services.api.pagination.ApiCursorPagination",
    "PAGE_SIZE": 20,
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": [
        "services.api.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_THROTTLE_CLASSES": [
        "services.api.throttling.AnonThrottle",
        "services.api.throttling.PerKeyOrUserThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env.str("HUAGANG_API_ANON_RATE", "60/min"),
        "user": env.str("HUAGANG_API_USER_RATE", "600/min"),
        "key": env.str("HUAGANG_API_KEY_RATE", "1200/min"),
        "lookup": env.str("HUAGANG_API_LOOKUP_RATE", "10/min"),
        "anonymous_create": env.str("HUAGANG_API_ANONYMOUS_CREATE_RATE", "10/hour"),
    },
    "EXCEPTION_HANDLER": "services.api.errors.exception_handler",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_VERSIONING_CLASS": None,
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}

SPECTACULAR_SETTINGS = {
    "TITLE": "花岗镇为民服务 API",
    "DESCRIPTION": (
        "The Huagang town public-service portal's API, version 1: the catalog of 123 "
        "services, requests and their workflow, trips and home visits, statistics. "
        "Errors are `{code, message, errors}`. Systems authenticate with "
        "`Authorization: Token hg_…`; keys are made by officials in the admin."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # No online-validator badge: the documentation fetches nothing from elsewhere.
    "SWAGGER_UI_SETTINGS": {"deepLinking": True, "validatorUrl": None},
    "PREPROCESSING_HOOKS": ["services.api.schema.only_api_v1"],
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "services.api.schema.add_common_errors",
    ],
    # One name per choice set used by several fields (accept_level, decide_level …).
    "ENUM_NAME_OVERRIDES": {
        "HandlingModeEnum": "services.choices.HandlingMode",
        # Two sets share the field name "level": where a request is handled (村/镇/县)
        # and a rating's five levels.
        "HandlingLevelEnum": "services.choices.Level",
        "RatingLevelEnum": "services.models.ratings.Rating.Level",
        "RequestStatusEnum": "services.choices.Status",
        "FollowUpStageEnum": "services.models.ratings.FollowUp.Stage",
        # The stages a follow-up can be moved on from (not yet answered).
        "FollowUpOpenStageEnum": ["open", "verified", "fixed"],
    },
}

# Celery: without a broker, tasks run eagerly in-process (the embedded default).
_broker = env.str("CELERY_BROKER_URL", default="")
CELERY_TASK_ALWAYS_EAGER = not _broker
# Never fall back to Celery's default broker (amqp://localhost): in-memory when eager.
CELERY_BROKER_URL = _broker or "memory://localhost/"
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_RESULT_BACKEND = None
CELERY_TASK_DEFAULT_QUEUE = env.str("CELERY_TASK_DEFAULT_QUEUE", "celery")
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1

# Logs (huagang/log_format.py, log_filters.py, log_context.py): each line names its
# request id, user id and task id; ID numbers and mobile numbers are masked in every
# line. DJANGO_LOG_FORMAT: "text" (readable, the default here) or "json" (one object a
# line, production's default).
LOG_FORMAT = env.str("DJANGO_LOG_FORMAT", default="text")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "text": {"()": "huagang.log_format.TextFormatter"},
        "json": {"()": "huagang.log_format.JsonFormatter"},
    },
    "filters": {
        "no_query_strings": {"()": "huagang.log_filters.NoQueryStrings"},
        "no_personal_numbers": {"()": "huagang.log_filters.NoPersonalNumbers"},
        "request_context": {"()": "huagang.log_filters.RequestContext"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": LOG_FORMAT,
            "filters": ["request_context", "no_personal_numbers"],
        },
        # Development only (production refuses HUAGANG_CODES_ON_CONSOLE): the
        # verification codes for a developer without an SMS gateway, number unmasked.
        "development_codes": {"class": "logging.StreamHandler", "formatter": "text"},
    },
    "root": {"handlers": ["console"], "level": env.str("DJANGO_LOG_LEVEL", "INFO")},
    # Request lines without their query strings: an admin search (?q=) may be a
    # resident's name or mobile number (huagang/log_filters.py).
    "loggers": {
        "django.server": {
            "handlers": ["console"],
            "filters": ["no_query_strings"],
            "level": "INFO",
            "propagate": False,
        },
        "huagang.verification.development": {
            "handlers": ["development_codes"],
            "propagate": False,
        },
    },
}
if LOG_FORMAT not in LOGGING["formatters"]:
    raise ImproperlyConfigured('DJANGO_LOG_FORMAT must be "text" or "json".')

# The shared cache: it counts failed tracking lookups (django-ratelimit), so in
# production every worker must see the same counts (Redis; production.py insists).
# It also holds the public pages' cached fragments (services/caching.py), which are
# never stale with any backend: their keys hold a catalog version read from the
# database on each request. Development and tests use one process's memory.
CACHES = {"default": env.cache("DJANGO_CACHE_URL", default="locmemcache://")}
if CACHES["default"]["BACKEND"].endswith("LocMemCache"):
    CACHES["default"].setdefault("OPTIONS", {}).setdefault("MAX_ENTRIES", 5000)
HUAGANG_FRAGMENT_CACHE = "default"
HUAGANG_FRAGMENT_SECONDS = env.int("HUAGANG_FRAGMENT_SECONDS", 24 * 3600)
# Django's own RedisCache increments atomically, which is what django-ratelimit needs;
# its check only knows django-redis and memcached by name (W001). E003 refuses a
# per-process cache: production.py refuses that itself, development accepts it.
SILENCED_SYSTEM_CHECKS = ["django_ratelimit.W001", "django_ratelimit.E003"]
# The client's address for the per-client limits: REMOTE_ADDR, or behind a proxy the
# header it sets (e.g. HTTP_X_REAL_IP); otherwise every resident shares one count.
RATELIMIT_IP_META_KEY = env.str("HUAGANG_CLIENT_IP_HEADER", default="") or None

# Verification codes (registration, password reset): see villages/verification.py.
HUAGANG_CODE_TTL_MINUTES = env.int("HUAGANG_CODE_TTL_MINUTES", 10)
HUAGANG_CODE_MAX_ATTEMPTS = env.int("HUAGANG_CODE_MAX_ATTEMPTS", 5)
HUAGANG_CODE_RATES_PER_PHONE = env.list(
    "HUAGANG_CODE_RATES_PER_PHONE", default=["1/m", "5/h"]
)
HUAGANG_CODE_RATES_PER_CLIENT = env.list(
    "HUAGANG_CODE_RATES_PER_CLIENT", default=["20/h"]
)
# Development only (`make run` turns it on; production refuses it): verification codes
# and their numbers are also written to the console, for a developer without a gateway.
HUAGANG_CODES_ON_CONSOLE = env.bool("HUAGANG_CODES_ON_CONSOLE", default=False)
# How villages sends a text message without importing services (see the module).
HUAGANG_TEXT_MESSAGE_SENDER = "services.notifications.notification_send"
# The HTTP benchmark's reference view (/benchmark/reference/): only the benchmark's
# own settings module (huagang/settings/benchmark.py) turns it on, never the environment.
HUAGANG_BENCHMARK = False

# Service requests
HUAGANG_MAX_UPLOAD_BYTES = env.int("HUAGANG_MAX_UPLOAD_MB", 10) * 1024 * 1024
# A whole request body (every file of one form and its fields) larger than this is
# refused with 413 from its Content-Length, before anything reads it
# (huagang/guard.py); nginx's client_max_body_size should say the same.
HUAGANG_MAX_REQUEST_BYTES = env.int("HUAGANG_MAX_REQUEST_MB", 15) * 1024 * 1024
# Form fields without files (and JSON bodies) kept in memory: Django refuses more (400).
DATA_UPLOAD_MAX_MEMORY_SIZE = env.int("DJANGO_DATA_UPLOAD_MAX_BYTES", 2 * 1024 * 1024)
# Uploaded files up to this size stay in memory; larger ones are written to a
# temporary file in FILE_UPLOAD_TEMP_DIR (the system's by default), which Django
# deletes when the request ends.
FILE_UPLOAD_MAX_MEMORY_SIZE = env.int("DJANGO_FILE_UPLOAD_MAX_MEMORY_BYTES", 2621440)
FILE_UPLOAD_TEMP_DIR = env.str("DJANGO_FILE_UPLOAD_TEMP_DIR", default="") or None
# Failed tracking lookups allowed per client address and per tracking number
# (django-ratelimit rates: "10/h", "5/30m"); then "try again in N minutes".
HUAGANG_TRACK_FAILURES_PER_CLIENT = env.str("HUAGANG_TRACK_FAILURES_PER_CLIENT", "20/h")
HUAGANG_TRACK_FAILURES_PER_NUMBER = env.str("HUAGANG_TRACK_FAILURES_PER_NUMBER", "5/h")
# Working days a supervisor has to verify, fix and answer a poor rating (差评).
HUAGANG_FOLLOW_UP_DAYS = env.int("HUAGANG_FOLLOW_UP_DAYS", 5)
# 留言咨询: a resident's question is answered within this many working days.
HUAGANG_QUESTION_ANSWER_DAYS = env.int("HUAGANG_QUESTION_ANSWER_DAYS", 5)
# The local hours a 上门特办 home visit may be booked within ("HH:MM-HH:MM").
HUAGANG_VISIT_HOURS = env.str("HUAGANG_VISIT_HOURS", "08:00-18:00")
# Where notifications go: the default writes to the outbox table only.
HUAGANG_SMS_BACKEND = env.str(
    "HUAGANG_SMS_BACKEND", "services.notifications.OutboxBackend"
)
HUAGANG_EMAIL_BACKEND = env.str(
    "HUAGANG_EMAIL_BACKEND", "services.notifications.OutboxBackend"
)
CELERY_BROKER_TRANSPORT_OPTIONS = {
    # With acks_late, a message a dead worker held is delivered again once it is older
    # than the visibility timeout, at the next restore sweep (every interval × throttle
    # seconds; kombu's defaults 10 × 10). Keep the timeout above the longest task.
    "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", 3600),
    "unacked_restore_interval": env.int("CELERY_UNACKED_RESTORE_INTERVAL", 10),
    "unacked_restore_throttle": env.int("CELERY_UNACKED_RESTORE_THROTTLE", 10),
}
CELERY_BEAT_SCHEDULE = {
    "sweep-time-limits": {
        "task": "services.tasks.sweep_time_limits",
        "schedule": env.int("HUAGANG_SWEEP_SECONDS", 1800),
    },
    "sweep-questions": {
        "task": "services.tasks.sweep_questions",
        "schedule": env.int("HUAGANG_SWEEP_SECONDS", 1800),
    },
    "remind-follow-ups": {
        "task": "services.tasks.remind_follow_ups",
        "schedule": 24 * 3600,
    },
    "update-daily-figures": {
        "task": "services.tasks.update_daily_figures",
        "schedule": 3600,
    },
}

# --- Sign-in lockout (django-axes; huagang/signin.py) ------------------------------------
# After this many failed sign-ins in a row for one account, or from one address, both
# the admin's and the residents' sign-in refuse even the right password until the
# cool-off has passed (or `manage.py axes_reset_username` / the admin's 访问尝试 lifts it).
AXES_FAILURE_LIMIT = env.int("HUAGANG_SIGNIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("HUAGANG_SIGNIN_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]  # each counted on its own
AXES_RESET_ON_SUCCESS = True
AXES_USERNAME_FORM_FIELD = "username"  # both forms post it; the model calls it phone
AXES_USERNAME_CALLABLE = "huagang.signin.signin_username"
AXES_CLIENT_IP_CALLABLE = "huagang.signin.signin_client_ip"
AXES_CLIENT_STR_CALLABLE = "huagang.signin.signin_client_str"
AXES_LOCKOUT_CALLABLE = "huagang.signin.signin_locked_out"
AXES_VERBOSE = False  # no banner at every start; failures and lockouts are still logged

# A second factor for staff (django-otp): an authenticator app's code (TOTP), or one of
# ten backup codes, after the password. Required of every official, clerk and admin
# user when this is on (on by default in production); villages/second_factor.py.
HUAGANG_STAFF_SECOND_FACTOR = env.bool("HUAGANG_STAFF_SECOND_FACTOR", default=False)
OTP_TOTP_ISSUER = "Huagang"  # what the authenticator app shows beside the account
OTP_ADMIN_HIDE_SENSITIVE_DATA = True  # the admin never shows a device's secret

# --- Content-Security-Policy (django-csp) and Permissions-Policy ------------------------
# Scripts and styles only from the portal's own static files: no inline <script>, no
# onclick= (tests/test_no_inline_script.py, tests/guard/test_csp.py), nothing from a
# CDN. data: images: the favicon is an inline SVG.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}
# Powerful browser features the portal never uses are off for it and for any frame.
PERMISSIONS_POLICY = {
    feature: []
    for feature in (
        "accelerometer",
        "autoplay",
        "camera",
        "display-capture",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "usb",
    )
}

# --- Sessions ------------------------------------------------------------------------------
# Officials and clerks are signed out after this many minutes without a request
# (huagang/guard.py); residents keep Django's two weeks (SESSION_COOKIE_AGE).
HUAGANG_STAFF_IDLE_MINUTES = env.int("HUAGANG_STAFF_IDLE_MINUTES", 30)
