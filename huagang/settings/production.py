"""Production settings: refuse to start without real secrets, hosts and PostgreSQL."""

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import CACHES, DATABASES, HUAGANG_HASH_KEY, LOGGING, MIDDLEWARE, env

DEBUG = False

SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="")
if not SECRET_KEY or SECRET_KEY.startswith("insecure-") or len(SECRET_KEY) < 50:
    raise ImproperlyConfigured(
        "DJANGO_SECRET_KEY must be set to a random value of at least 50 characters."
    )

if not env.str("HUAGANG_FIELD_KEYS", default="") or any(
    key.startswith("ZGV2ZWxvcG1lbnQta2V5") for key in env.list("HUAGANG_FIELD_KEYS")
):
    raise ImproperlyConfigured(
        "HUAGANG_FIELD_KEYS must be set: the key(s) that encrypt residents' ID numbers "
        "(make one with `manage.py rotate_field_keys --new-key`)."
    )
if len(env.str("HUAGANG_HASH_KEY", default="")) < 32 or HUAGANG_HASH_KEY.startswith(
    "insecure-"
):
    raise ImproperlyConfigured(
        "HUAGANG_HASH_KEY must be set to a random value of at least 32 characters "
        "(it keys the hash that finds a request by its ID number)."
    )

ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=[])
if not ALLOWED_HOSTS:
    raise ImproperlyConfigured(
        "DJANGO_ALLOWED_HOSTS must list the portal's host names."
    )

# Tasks go to a worker through Redis: base.py runs them eagerly in-process without a
# broker, which production must never do silently (a crash loses them, a slow gateway
# holds up the page).
if not env.str("CELERY_BROKER_URL", default=""):
    raise ImproperlyConfigured(
        "CELERY_BROKER_URL must point to Redis (redis://…) in production: tasks are "
        "never run in the web process."
    )
CELERY_TASK_ALWAYS_EAGER = False

if (
    not env.str("DATABASE_URL", default="")
    or "postgresql" not in DATABASES["default"]["ENGINE"]
):
    raise ImproperlyConfigured(
        "DATABASE_URL must point to a PostgreSQL database (postgres://…) in production."
    )
if not CACHES["default"]["BACKEND"].endswith(
    ("RedisCache", "MemcacheCache", "MCCache")
):
    raise ImproperlyConfigured(
        "DJANGO_CACHE_URL must point to Redis (redis://…) in production: the limits on "
        "tracking lookups and on verification codes are counted there and every "
        "worker must share them."
    )
SILENCED_SYSTEM_CHECKS = ["django_ratelimit.W001"]  # Django's RedisCache is atomic

if env.bool("HUAGANG_CODES_ON_CONSOLE", default=False):
    raise ImproperlyConfigured(
        "HUAGANG_CODES_ON_CONSOLE writes verification codes and mobile numbers to the "
        "log: it is for development only."
    )
HUAGANG_CODES_ON_CONSOLE = False

# Persistent connections: a worker keeps its connection between requests (checked
# before reuse), which the API's lists need to stay fast.
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DJANGO_CONN_MAX_AGE", 60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if "replica" in DATABASES:
    DATABASES["replica"]["CONN_MAX_AGE"] = DATABASES["default"]["CONN_MAX_AGE"]
    DATABASES["replica"]["CONN_HEALTH_CHECKS"] = True

# WhiteNoise serves the collected static files from gunicorn, right after security.
MIDDLEWARE = [
    MIDDLEWARE[0],
    "whitenoise.middleware.WhiteNoiseMiddleware",
    *MIDDLEWARE[1:],
]

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
# Uploaded materials on the local disk (DJANGO_MEDIA_ROOT), or, for several web
# machines, in an S3-compatible bucket (pip install '.[s3]'): private objects, never
# public URLs; residents and staff get a file only through the permission-checked
# download view, which reads it through the storage (docs/operations.md).
MEDIA_STORAGE = env.str("HUAGANG_MEDIA_STORAGE", default="local")
if MEDIA_STORAGE == "s3":
    bucket = env.str("HUAGANG_S3_BUCKET", default="")
    if not bucket:
        raise ImproperlyConfigured(
            "HUAGANG_S3_BUCKET must name the bucket when HUAGANG_MEDIA_STORAGE=s3."
        )
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": bucket,
            "endpoint_url": env.str("HUAGANG_S3_ENDPOINT_URL", default="") or None,
            "region_name": env.str("HUAGANG_S3_REGION", default="") or None,
            "access_key": env.str("HUAGANG_S3_ACCESS_KEY", default="") or None,
            "secret_key": env.str("HUAGANG_S3_SECRET_KEY", default="") or None,
            "location": env.str("HUAGANG_S3_PREFIX", default="materials"),
            "default_acl": "private",
            "querystring_auth": True,
            "querystring_expire": 60,
            "file_overwrite": False,
            "object_parameters": {"CacheControl": "no-store, private"},
        },
    }
elif MEDIA_STORAGE != "local":
    raise ImproperlyConfigured('HUAGANG_MEDIA_STORAGE must be "local" or "s3".')

# Officials and clerks sign in with a second factor unless an operator turns it off.
HUAGANG_STAFF_SECOND_FACTOR = env.bool("HUAGANG_STAFF_SECOND_FACTOR", default=True)

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
# Probes on the loopback port speak plain HTTP (huagang/health.py).
SECURE_REDIRECT_EXEMPT = [r"^healthz/?$", r"^readyz/?$"]
SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"

# One JSON object a line (huagang/log_format.py) unless DJANGO_LOG_FORMAT says "text".
LOG_FORMAT = env.str("DJANGO_LOG_FORMAT", default="json")
LOGGING["handlers"]["console"]["formatter"] = LOG_FORMAT
if LOG_FORMAT not in LOGGING["formatters"]:
    raise ImproperlyConfigured('DJANGO_LOG_FORMAT must be "text" or "json".')
