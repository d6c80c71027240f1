"""The shipped deployment files (deploy/, Procfile) agree with the settings and each
other, and nginx accepts the site."""

import configparser
import json
import os
import re
import runpy
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

from tests.test_settings import GOOD, run_python

ROOT = Path(settings.BASE_DIR)
SITE = ROOT / "deploy" / "nginx" / "huagang.conf"
UNITS = ROOT / "deploy" / "systemd"
NGINX = shutil.which("nginx") or next(
    (p for p in ("/usr/sbin/nginx", "/usr/local/sbin/nginx") if Path(p).exists()), None
)


def nginx_size(value: str) -> int:
    number, unit = re.fullmatch(r"(\d+)([kKmMgG]?)", value).groups()
    return int(number) * {"": 1, "k": 1024, "m": 1024**2, "g": 1024**3}[unit.lower()]


def directives(name: str) -> list[str]:
    return re.findall(rf"^\s*{name}\s+([^;]+);", SITE.read_text(), re.MULTILINE)


def test_the_body_limit_is_the_apps_request_limit():
    (limit,) = directives("client_max_body_size")
    assert nginx_size(limit) == settings.HUAGANG_MAX_REQUEST_BYTES
    assert settings.HUAGANG_MAX_REQUEST_BYTES > settings.HUAGANG_MAX_UPLOAD_BYTES


def test_media_is_never_served_from_disk():
    text = SITE.read_text()
    media = re.search(r"location /media/ \{(.*?)\}", text, re.DOTALL)
    assert media and media.group(1).split() == ["return", "404;"]
    assert str(settings.MEDIA_ROOT) not in text
    assert "var/media" not in text
    aliases = directives("alias")
    assert aliases == ["/srv/huagang/staticfiles/"]


def test_the_proxy_headers_are_the_ones_django_reads():
    headers = dict(line.split(None, 1) for line in directives("proxy_set_header"))
    assert headers["X-Forwarded-Proto"] == "$scheme"
    assert headers["X-Real-IP"] == "$remote_addr"
    assert headers["Host"] == "$host"
    probe = "from huagang.settings import production; print(production.SECURE_PROXY_SSL_HEADER)"
    result = run_python("-c", probe, **GOOD)
    assert result.stdout.strip() == "('HTTP_X_FORWARDED_PROTO', 'https')", result.stderr


def test_nginx_accepts_the_site(tmp_path):
    if NGINX is None:
        pytest.skip("needs nginx (apt-get install nginx-light; .ci/run installs it)")
    if shutil.which("openssl") is None:
        pytest.skip("needs openssl for a self-signed certificate")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        [
            *("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1"),
            *("-subj", "/CN=portal.example.org", "-keyout", key, "-out", cert),
        ],
        check=True,
        capture_output=True,
        timeout=60,
    )
    site = (
        SITE.read_text()
        .replace("/etc/ssl/huagang/fullchain.pem", str(cert))
        .replace("/etc/ssl/huagang/privkey.pem", str(key))
        .replace("/var/log/nginx/", f"{tmp_path}/")
    )
    (tmp_path / "site.conf").write_text(site)
    temp = " ".join(
        f"{kind}_temp_path {tmp_path}/{kind};"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    (tmp_path / "nginx.conf").write_text(
        f"pid {tmp_path}/nginx.pid;\n"
        f"error_log {tmp_path}/error.log;\n"
        "events {}\n"
        f"http {{\n  access_log off;\n  {temp}\n  include {tmp_path}/site.conf;\n}}\n"
    )
    result = subprocess.run(
        [
            *(NGINX, "-t", "-p", str(tmp_path), "-e", str(tmp_path / "error.log")),
            *("-c", str(tmp_path / "nginx.conf")),
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert "syntax is ok" in result.stderr
    assert "test is successful" in result.stderr


def _unit(name: str) -> configparser.ConfigParser:
    unit = configparser.ConfigParser(interpolation=None, strict=False)
    unit.optionxform = str
    unit.read_string((UNITS / name).read_text())
    return unit


def _procfile() -> dict[str, str]:
    lines = (ROOT / "Procfile").read_text().splitlines()
    return dict(line.split(": ", 1) for line in lines if line.strip())


@pytest.mark.parametrize(
    "unit, process",
    [
        ("huagang-web.service", "web"),
        ("huagang-worker.service", "worker"),
        ("huagang-beat.service", "beat"),
    ],
)
def test_the_systemd_units_run_what_make_serve_runs(unit, process):
    """The same commands as the Procfile, from the checkout's virtual environment,
    with the production settings and the environment file."""
    service = _unit(unit)["Service"]
    command = service["ExecStart"].removeprefix("/srv/huagang/.venv/bin/")
    # The Procfile's shell defaults (${X:-2}) are Environment= lines in the units.
    expected = re.sub(r"\$\{(\w+):-[^}]*\}", r"${\1}", _procfile()[process])
    assert command == expected
    assert service["WorkingDirectory"] == "/srv/huagang"
    assert service["EnvironmentFile"] == "/etc/huagang/huagang.env"
    text = (UNITS / unit).read_text()
    assert "\nEnvironment=DJANGO_SETTINGS_MODULE=huagang.settings.production\n" in text
    assert service["User"] == "huagang"
    assert (ROOT / "deploy" / "gunicorn.conf.py").exists()


def test_the_gunicorn_config_takes_its_workers_from_the_environment(monkeypatch):

    config = ROOT / "deploy" / "gunicorn.conf.py"
    monkeypatch.setenv("GUNICORN_WORKERS", "7")
    assert runpy.run_path(str(config))["workers"] == 7
    monkeypatch.delenv("GUNICORN_WORKERS")
    cpus = len(os.sched_getaffinity(0))
    assert runpy.run_path(str(config))["workers"] == 2 * cpus + 1


def test_gunicorn_s_own_lines_are_json_with_numbers_masked():
    """gunicorn's error log (start, workers, timeouts) in the portal's format."""
    probe = (
        "import logging, logging.config, runpy, sys\n"
        "config = runpy.run_path(sys.argv[1])\n"
        "logging.config.dictConfig(config['logconfig_dict'])\n"
        "logging.getLogger('gunicorn.error').info('Booting worker for 13955550123')\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe, str(ROOT / "deploy" / "gunicorn.conf.py")],
        cwd=ROOT,
        env={**os.environ, "DJANGO_LOG_FORMAT": "json"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    line = json.loads(result.stderr.strip())
    assert (line["level"], line["logger"]) == ("INFO", "gunicorn.error")
    assert "Booting worker" in line["message"]
    assert "13955550123" not in result.stderr


def test_a_new_gunicorn_worker_is_warmed_before_its_first_request():
    """post_worker_init imports the URLconf: otherwise the first request of every
    worker (at each max_requests restart too) waits about a second for it
    (docs/operations.md, "The load run")."""
    probe = (
        "import runpy, sys, django\n"
        "django.setup()\n"
        "config = runpy.run_path(sys.argv[1])\n"
        "assert 'huagang.urls' not in sys.modules\n"
        "config['post_worker_init'](None)\n"
        "assert 'huagang.urls' in sys.modules\n"
        "assert config['max_requests_jitter'] == config['max_requests'] // 2\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe, str(ROOT / "deploy" / "gunicorn.conf.py")],
        cwd=ROOT,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "huagang.settings.test"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
