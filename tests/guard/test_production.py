"""Production settings: `check --deploy` finds nothing, and the guards sit where they
must in the middleware (a fresh interpreter, as a server starts)."""

import json
import os
import secrets
import subprocess
import sys

from django.conf import settings

from tests.test_settings import GOOD, load_settings


def _environment() -> dict:
    environment = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(
            ("DJANGO_", "DATABASE_URL", "CELERY_", "HUAGANG_FIELD_", "HUAGANG_HASH_")
        )
    }
    # A random key, as CI's deploy check uses (GOOD's "xxx…" is refused by W009).
    return environment | GOOD | {"DJANGO_SECRET_KEY": secrets.token_urlsafe(50)}


def test_check_deploy_finds_no_warning():
    result = subprocess.run(
        [
            sys.executable,
            "manage.py",
            "check",
            "--deploy",
            "--fail-level",
            "WARNING",
            "--settings=huagang.settings.production",
        ],
        cwd=settings.BASE_DIR,
        env=_environment(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_the_body_limit_comes_before_anything_that_reads_the_body():
    probe = (
        "import importlib, json; "
        "print(json.dumps(importlib.import_module('huagang.settings.production')"
        ".MIDDLEWARE))"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=settings.BASE_DIR,
        env=_environment(),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    middleware = json.loads(result.stdout)
    limit = middleware.index("huagang.guard.RequestBodyLimitMiddleware")
    # Only these come first, and none of them reads the body.
    assert set(middleware[:limit]) <= {
        "django.middleware.security.SecurityMiddleware",
        "whitenoise.middleware.WhiteNoiseMiddleware",
        "huagang.health.HealthCheckMiddleware",
        "huagang.log_context.RequestContextMiddleware",
    }
    assert middleware.index("csp.middleware.CSPMiddleware") < middleware.index(
        "django.middleware.csrf.CsrfViewMiddleware"
    )
    assert load_settings("huagang.settings.production", **GOOD).returncode == 0
