"""Settings for the test suite: fast hashing, in-memory e-mail, eager Celery."""

from .base import *  # noqa: F403
from .base import DATABASES, VAR_DIR

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_AUTOREFRESH = True
LOGGING = {"version": 1, "disable_existing_loggers": False}
# The suite runs tasks in-process; tests/services/test_celery_worker.py starts a real
# worker with its own settings.
CELERY_TASK_ALWAYS_EAGER = True

# A file, not memory, so that a real Celery worker started by a test sees the same data.
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test-db.sqlite3")}

# Each test process's own memory, whatever DJANGO_CACHE_URL says; tests that need
# Redis configure it themselves.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "OPTIONS": {"MAX_ENTRIES": 5000},
    }
}

# Staff stay signed in however far a test travels in time; the idle sign-out's own
# tests (tests/guard/test_staff_idle.py) set the production value again.
HUAGANG_STAFF_IDLE_MINUTES = 100 * 365 * 24 * 60
