"""/healthz (alive) and /readyz (database, cache and broker reachable), outside sessions,
CSRF, the language and the rate limits."""

import socket
import time

import pytest
from django.db import OperationalError, connection
from django.test import override_settings

from huagang import health


def closed_port() -> int:
    """A loopback port nothing listens on."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_healthz_answers_without_the_database_or_a_session(client):
    # No django_db mark: pytest-django fails any database access in this test.
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert response["Cache-Control"] == "no-store"
    assert not response.cookies  # no session, CSRF or language cookie
    assert "Vary" not in response  # nothing read from cookies or the language


def test_healthz_ignores_cookies_language_and_csrf(client):
    client.cookies["sessionid"] = "no-such-session"
    client.cookies["django_language"] = "en"
    assert client.head("/healthz").status_code == 200
    assert client.get("/healthz/").status_code == 200
    response = client.post("/healthz")  # no CSRF token: refused as a method, not 403
    assert response.status_code == 405
    assert response["Allow"] == "GET, HEAD"


def test_healthz_answers_a_probe_by_address(client):
    """A load balancer probes the machine's address, not the portal's host name."""
    response = client.get("/healthz", headers={"host": "10.1.2.3:8000"})
    assert response.status_code == 200
    assert client.get("/", headers={"host": "10.1.2.3:8000"}).status_code == 400


def test_healthz_is_not_rate_limited(client):
    for _ in range(100):
        assert client.get("/healthz").status_code == 200


@pytest.mark.django_db
def test_readyz_all_reachable(client):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "checks": {"database": "ok", "cache": "ok", "broker": "ok"},
    }
    assert not response.cookies
    assert response["Cache-Control"] == "no-store"


def _refuse(*args, **kwargs):
    raise OperationalError("connection refused")


@pytest.mark.django_db
def test_readyz_names_a_failing_database(client, monkeypatch, caplog):
    monkeypatch.setattr(health, "check_database", _refuse)
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json() == {
        "status": "unavailable",
        "failing": ["database"],
        "checks": {"database": "error", "cache": "ok", "broker": "ok"},
    }
    assert "readyz: database unreachable (OperationalError)" in caplog.text


@pytest.mark.postgres_only
@pytest.mark.django_db
def test_readyz_database_on_a_closed_port(client, monkeypatch):
    if connection.vendor != "postgresql":
        pytest.skip("a database at a port: needs PostgreSQL (DATABASE_URL)")
    params = health.connections.settings["default"]
    monkeypatch.setitem(params, "PORT", str(closed_port()))
    started = time.monotonic()
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["failing"] == ["database"]
    assert time.monotonic() - started < health.READY_TIMEOUT + 1


@pytest.mark.django_db
def test_readyz_names_a_failing_cache_on_a_closed_port(client):
    redis = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{closed_port()}/0",
        }
    }
    with override_settings(CACHES=redis):
        response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["failing"] == ["cache"]
    assert response.json()["checks"]["cache"] == "error"


@pytest.mark.django_db
def test_readyz_names_a_failing_broker_on_a_closed_port(client):
    with override_settings(CELERY_BROKER_URL=f"redis://127.0.0.1:{closed_port()}/0"):
        response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["failing"] == ["broker"]


@pytest.mark.django_db
def test_readyz_names_several_failures_together(client, monkeypatch):
    monkeypatch.setattr(health, "check_database", _refuse)
    with override_settings(CELERY_BROKER_URL=f"redis://127.0.0.1:{closed_port()}/0"):
        response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["failing"] == ["database", "broker"]


@pytest.mark.django_db
def test_readyz_gives_up_on_a_check_that_hangs(client, monkeypatch):
    monkeypatch.setattr(health, "READY_TIMEOUT", 0.5)
    monkeypatch.setattr(health, "check_broker", lambda: time.sleep(10))
    monkeypatch.setattr(health, "check_database", lambda: time.sleep(10))
    started = time.monotonic()
    response = client.get("/readyz")
    # The checks run side by side under one deadline: READY_TIMEOUT + 0.5 s.
    assert time.monotonic() - started < 1.8
    assert response.status_code == 503
    assert response.json()["checks"]["broker"] == "timeout"
    assert response.json()["checks"]["database"] == "timeout"
    assert {"database", "broker"} <= set(response.json()["failing"])


def test_health_checks_bypass_sessions_and_csrf_in_the_middleware_order(settings):
    order = settings.MIDDLEWARE
    position = order.index("huagang.health.HealthCheckMiddleware")
    later = order[position + 1 :]
    for name in (
        "django.contrib.sessions.middleware.SessionMiddleware",
        "django.middleware.csrf.CsrfViewMiddleware",
        "huagang.middleware.ChosenLanguageMiddleware",
        "django.contrib.auth.middleware.AuthenticationMiddleware",
    ):
        assert name in later
