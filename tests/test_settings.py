"""Production settings refuse unsafe configurations; development defaults are safe.

Each case imports the settings in a fresh interpreter, as a server would at start-up.
"""

import json
import os
import subprocess
import sys

import pytest
from django.conf import settings

GOOD = {
    "DJANGO_SECRET_KEY": "x" * 60,
    "DJANGO_ALLOWED_HOSTS": "portal.example.org",
    "DATABASE_URL": "postgres://portal@db.example.org:5432/portal",
    "DJANGO_CACHE_URL": "redis://redis.example.org:6379/1",
    "HUAGANG_FIELD_KEYS": "cHJvZHVjdGlvbi1maWVsZC1rZXktZm9yLXRlc3RzLTE=",
    "HUAGANG_HASH_KEY": "h" * 40,
    "CELERY_BROKER_URL": "redis://redis.example.org:6379/0",
}
PROBE = (
    "import json, importlib, sys\n"
    "m = importlib.import_module(sys.argv[1])\n"
    "print(json.dumps({'debug': m.DEBUG, 'engine': m.DATABASES['default']['ENGINE'],"
    " 'db': str(m.DATABASES['default']['NAME']), 'eager': m.CELERY_TASK_ALWAYS_EAGER,"
    " 'secure': m.SESSION_COOKIE_SECURE if hasattr(m, 'SESSION_COOKIE_SECURE') else None,"
    " 'language': m.LANGUAGE_CODE, 'tz': m.TIME_ZONE,"
    " 'conn_max_age': m.DATABASES['default'].get('CONN_MAX_AGE'),"
    " 'conn_health_checks': m.DATABASES['default'].get('CONN_HEALTH_CHECKS'),"
    " 'second_factor': m.HUAGANG_STAFF_SECOND_FACTOR}))\n"
)


def run_python(*arguments: str, **env: str | None) -> subprocess.CompletedProcess:
    """Python in a fresh process with `env` instead of this one's settings variables
    (a None value leaves the variable out)."""
    environment = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(
            (
                "DJANGO_",
                "DATABASE_URL",
                "CELERY_",
                "HUAGANG_FIELD_",
                "HUAGANG_HASH_",
                "HUAGANG_MEDIA_",
                "HUAGANG_S3_",
                "HUAGANG_STAFF_SECOND_FACTOR",
            )
        )
    }
    environment.update({k: v for k, v in env.items() if v is not None})
    return subprocess.run(
        [sys.executable, *arguments],
        cwd=settings.BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )


def load_settings(module: str, **env: str | None) -> subprocess.CompletedProcess:
    return run_python("-c", PROBE, module, **env)


def test_production_starts_with_real_values():
    result = load_settings("huagang.settings.production", **GOOD)
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout)
    assert values["debug"] is False
    assert values["engine"].endswith("postgresql")
    assert values["secure"] is True
    # Persistent connections, checked before reuse (the API's lists count on them).
    assert values["conn_max_age"] >= 60
    assert values["conn_health_checks"] is True
    assert values["eager"] is False
    # Staff sign in with a second factor unless an operator turns it off.
    assert values["second_factor"] is True
    off = load_settings(
        "huagang.settings.production", **GOOD, HUAGANG_STAFF_SECOND_FACTOR="false"
    )
    assert json.loads(off.stdout)["second_factor"] is False


@pytest.mark.parametrize(
    "overrides, message",
    [
        ({"DJANGO_SECRET_KEY": None}, "DJANGO_SECRET_KEY"),
        ({"DJANGO_SECRET_KEY": "short"}, "DJANGO_SECRET_KEY"),
        ({"DJANGO_ALLOWED_HOSTS": None}, "DJANGO_ALLOWED_HOSTS"),
        ({"DATABASE_URL": None}, "PostgreSQL"),
        ({"DATABASE_URL": "sqlite:////tmp/portal.sqlite3"}, "PostgreSQL"),
        ({"DJANGO_CACHE_URL": None}, "DJANGO_CACHE_URL"),
        ({"DJANGO_CACHE_URL": "locmemcache://"}, "DJANGO_CACHE_URL"),
        ({"HUAGANG_CODES_ON_CONSOLE": "1"}, "HUAGANG_CODES_ON_CONSOLE"),
        ({"HUAGANG_FIELD_KEYS": None}, "HUAGANG_FIELD_KEYS"),
        (
            {"HUAGANG_FIELD_KEYS": "ZGV2ZWxvcG1lbnQta2V5LW5ldmVyLWluLXByb2R1Y3Q="},
            "HUAGANG_FIELD_KEYS",
        ),
        ({"HUAGANG_HASH_KEY": None}, "HUAGANG_HASH_KEY"),
        ({"HUAGANG_HASH_KEY": "short"}, "HUAGANG_HASH_KEY"),
        # Never the development fallback of running tasks in the web process.
        ({"CELERY_BROKER_URL": None}, "CELERY_BROKER_URL"),
        ({"CELERY_BROKER_URL": ""}, "CELERY_BROKER_URL"),
    ],
    ids=[
        "no secret",
        "short secret",
        "no hosts",
        "no database",
        "sqlite",
        "no shared cache",
        "per-process cache",
        "codes on the console",
        "no field key",
        "the development field key",
        "no hash key",
        "short hash key",
        "no broker",
        "empty broker",
    ],
)
def test_production_refuses_unsafe_configuration(overrides, message):
    result = load_settings("huagang.settings.production", **{**GOOD, **overrides})
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert message in result.stderr


def test_development_defaults():
    result = load_settings("huagang.settings.base")
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout)
    assert values["engine"].endswith("sqlite3")
    assert values["db"].endswith("var/db.sqlite3")
    assert values["eager"] is True
    assert (values["language"], values["tz"]) == ("zh-hans", "Asia/Shanghai")
    assert values["second_factor"] is False  # `make run`'s demo accounts sign in


def test_a_broker_turns_off_eager_tasks():
    result = load_settings(
        "huagang.settings.base", CELERY_BROKER_URL="redis://127.0.0.1:6379/0"
    )
    assert json.loads(result.stdout)["eager"] is False


def preflight(**env: str | None) -> subprocess.CompletedProcess:
    return run_python("-m", "huagang.preflight", **env)


@pytest.mark.parametrize(
    "missing",
    [
        "DATABASE_URL",
        "CELERY_BROKER_URL",
        "DJANGO_SECRET_KEY",
        "DJANGO_ALLOWED_HOSTS",
        "DJANGO_CACHE_URL",
        "HUAGANG_FIELD_KEYS",
        "HUAGANG_HASH_KEY",
    ],
)
def test_make_serve_names_a_missing_variable_in_one_line(missing):
    """`make serve` runs this check before starting anything."""
    result = preflight(**{**GOOD, missing: None})
    assert result.returncode == 1
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: not set: ")
    assert missing in lines[0]
    assert "Traceback" not in result.stderr
    others = set(GOOD) - {missing}
    assert not any(name in lines[0] for name in others)


def test_make_serve_reports_what_the_settings_refuse_in_one_line():
    result = preflight(**{**GOOD, "DATABASE_URL": "sqlite:////tmp/portal.sqlite3"})
    assert result.returncode == 1
    assert result.stderr.count("\n") == 1
    assert "DATABASE_URL" in result.stderr
    assert "PostgreSQL" in result.stderr
    assert "Traceback" not in result.stderr


def test_make_serve_starts_with_real_values():
    result = preflight(**GOOD)
    assert (result.returncode, result.stderr) == (0, "")


S3 = {
    "HUAGANG_MEDIA_STORAGE": "s3",
    "HUAGANG_S3_BUCKET": "huagang-materials",
    "HUAGANG_S3_ENDPOINT_URL": "https://s3.town.example.org",
    "HUAGANG_S3_ACCESS_KEY": "demo-access",
    "HUAGANG_S3_SECRET_KEY": "demo-secret",
}
S3_PROBE = (
    "import importlib, json, sys\n"
    "m = importlib.import_module('huagang.settings.production')\n"
    "from storages.backends.s3 import S3Storage\n"
    "storage = S3Storage(**m.STORAGES['default']['OPTIONS'])\n"
    "print(json.dumps({'backend': m.STORAGES['default']['BACKEND'],"
    " 'acl': storage.default_acl, 'signed': storage.querystring_auth,"
    " 'expire': storage.querystring_expire, 'bucket': storage.bucket_name,"
    " 'url': storage.url('2026/ID-card.jpg')}))\n"
)


def test_materials_go_to_a_private_bucket_when_asked():
    """Several web machines share the materials in an S3-compatible bucket: private
    objects, and any address the storage makes is signed and short-lived (the portal
    itself streams files through its permission-checked view)."""
    result = run_python("-c", S3_PROBE, **GOOD, **S3)
    assert result.returncode == 0, result.stderr
    found = json.loads(result.stdout)
    assert found["backend"] == "storages.backends.s3.S3Storage"
    assert (found["acl"], found["signed"], found["bucket"]) == (
        "private",
        True,
        "huagang-materials",
    )
    assert found["expire"] <= 60
    assert found["url"].startswith("https://s3.town.example.org/huagang-materials/")
    assert "Signature" in found["url"]


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"HUAGANG_S3_BUCKET": None}, "HUAGANG_S3_BUCKET"),
        ({"HUAGANG_MEDIA_STORAGE": "ftp"}, "HUAGANG_MEDIA_STORAGE"),
    ],
)
def test_a_half_configured_bucket_is_refused_by_name(overrides, message):
    result = load_settings("huagang.settings.production", **{**GOOD, **S3, **overrides})
    assert result.returncode != 0
    assert message in result.stderr


def test_materials_stay_on_the_local_disk_by_default():
    result = run_python(
        "-c",
        "import importlib; m = importlib.import_module('huagang.settings.production');"
        " print(m.STORAGES['default']['BACKEND'])",
        **GOOD,
    )
    assert result.stdout.strip() == "django.core.files.storage.FileSystemStorage"
