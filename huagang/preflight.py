"""Check the production environment before anything starts (``make serve`` runs it).

``python -m huagang.preflight [settings module]`` (production's by default) prints one line naming what is missing or wrong and
exits 1, instead of the traceback each process would print on its own. It checks that
the variables production needs are set, then loads the settings module, which refuses
anything else it cannot run with (``huagang/settings/production.py``).
"""

import importlib
import os
import sys

from django.core.exceptions import ImproperlyConfigured

# What each required variable holds, for the message.
REQUIRED = {
    "DJANGO_SECRET_KEY": "a random value of at least 50 characters",
    "DJANGO_ALLOWED_HOSTS": "the portal's host names, comma-separated",
    "DATABASE_URL": "postgres://user@host:5432/name",
    "CELERY_BROKER_URL": "redis://host:6379/0",
    "DJANGO_CACHE_URL": "redis://host:6379/1",
    "HUAGANG_FIELD_KEYS": "Fernet key(s): manage.py rotate_field_keys --new-key",
    "HUAGANG_HASH_KEY": "a random value of at least 32 characters",
}
DEFAULT_SETTINGS = "huagang.settings.production"


def problems(environ: dict[str, str], module: str = DEFAULT_SETTINGS) -> str | None:
    """One line describing what stops `module` from loading in `environ`, or None.

    Loads the settings module in this process: call it once, in a process of its own.
    """
    missing = [name for name in REQUIRED if not environ.get(name, "").strip()]
    if missing:
        named = "; ".join(f"{name} ({REQUIRED[name]})" for name in missing)
        return f"not set: {named}. See README.md, Configuration."
    try:
        importlib.import_module(module)
    except ImproperlyConfigured as exc:
        return " ".join(str(exc).split())
    except Exception as exc:  # a malformed URL or number: still one line
        return f"{module} cannot be loaded: {type(exc).__name__}: {exc}"
    return None


def main() -> int:
    # An argument, not DJANGO_SETTINGS_MODULE: importing the huagang package (celery.py)
    # already set that to the development settings where it was unset.
    module = sys.argv[1] if len(sys.argv) > 1 else DEFAULT_SETTINGS
    message = problems(dict(os.environ), module)
    if message:
        print(f"error: {message}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
