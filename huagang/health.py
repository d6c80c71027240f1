"""Health checks for load balancers, systemd and the operator: ``/healthz`` and ``/readyz``.

- ``/healthz``: the process is alive and answers. Touches nothing else (no database,
  no cache): a restart is the cure only when this fails.
- ``/readyz``: the database, the shared cache and the Celery broker are reachable, each
  probed on a connection of its own within ``READY_TIMEOUT`` seconds, side by side. 200
  when all are, otherwise 503 naming the ones that are not, in a small JSON body:
  ``{"status": "unavailable", "failing": ["database"], "checks": {...}}``.

Both are answered by a middleware right after Django's SecurityMiddleware, before
sessions, CSRF, the language, authentication and every view (so no rate limit): no
cookie is set and nothing is logged per request. Production exempts them from the HTTPS
redirect (``SECURE_REDIRECT_EXEMPT``), so a probe on the loopback port works. They tell
nothing about the portal's data; a failure is logged with the exception's class only.
"""

import logging
import threading
import time
import uuid
from collections.abc import Callable

from django.conf import settings
from django.core.cache import caches
from django.db import connections
from django.db.utils import load_backend
from django.http import HttpRequest, HttpResponse, JsonResponse

logger = logging.getLogger("huagang.health")

READY_TIMEOUT = 2.0  # seconds, for each check (they run at the same time)
HEALTH_PATHS = {"/healthz": "alive", "/healthz/": "alive"}
HEALTH_PATHS |= {"/readyz": "ready", "/readyz/": "ready"}


def check_database() -> None:
    """Connect to the default database afresh and run ``SELECT 1``.

    A connection of its own, made in the calling thread and closed after: the pooled
    connections of the request threads are not shared across threads.
    """
    params = connections.settings["default"]
    backend = load_backend(params["ENGINE"])
    options = dict(params.get("OPTIONS") or {})
    if backend.DatabaseWrapper.vendor == "postgresql":
        options["connect_timeout"] = max(2, int(READY_TIMEOUT))  # libpq's minimum
    wrapper = backend.DatabaseWrapper({**params, "OPTIONS": options}, "default")
    try:
        with wrapper.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    finally:
        wrapper.close()


def check_cache(cache=None) -> None:
    """Write, read back and delete a key of its own in the shared cache.

    A cache backend that swallows errors would answer None: that counts as a failure.
    """
    cache = cache if cache is not None else caches["default"]
    key, token = f"huagang:readyz:{uuid.uuid4().hex}", uuid.uuid4().hex
    cache.set(key, token, 30)
    if cache.get(key) != token:
        raise ConnectionError("the cache did not keep a value")
    cache.delete(key)


def check_broker() -> None:
    """Open a connection and a channel to the Celery broker (Redis answers a PING)."""
    from kombu import Connection

    options = dict(getattr(settings, "CELERY_BROKER_TRANSPORT_OPTIONS", {}) or {})
    options |= {
        "socket_timeout": READY_TIMEOUT,
        "socket_connect_timeout": READY_TIMEOUT,
    }
    with Connection(
        settings.CELERY_BROKER_URL,
        connect_timeout=READY_TIMEOUT,
        transport_options=options,
    ) as connection:
        connection.ensure_connection(max_retries=1, interval_start=0, interval_step=0)
        connection.default_channel  # noqa: B018  (opening it is the check)


def readiness() -> dict[str, str]:
    """Each dependency's state: "ok", "error" or "timeout", all probed at once."""
    cache = caches["default"]  # this thread's; Django's cache backends are thread-safe
    checks: dict[str, Callable[[], None]] = {
        "database": check_database,
        "cache": lambda: check_cache(cache),
        "broker": check_broker,
    }
    results: dict[str, str] = {}

    def run(name: str, check: Callable[[], None]) -> None:
        try:
            check()
        except Exception as exc:
            logger.warning("readyz: %s unreachable (%s)", name, type(exc).__name__)
            results[name] = "error"
        else:
            results[name] = "ok"

    threads = [
        threading.Thread(target=run, args=item, daemon=True, name=f"readyz-{item[0]}")
        for item in checks.items()
    ]
    for thread in threads:
        thread.start()
    # One deadline for all: the checks' own timeouts come first.
    deadline = time.monotonic() + READY_TIMEOUT + 0.5
    for thread in threads:
        thread.join(max(0.0, deadline - time.monotonic()))
    states = {name: results.get(name, "timeout") for name in checks}
    for name, state in states.items():
        if state == "timeout":
            logger.warning("readyz: %s did not answer in time", name)
    return states


def _answer(body: dict, status: int = 200) -> JsonResponse:
    response = JsonResponse(body, status=status)
    response["Cache-Control"] = "no-store"
    return response


class HealthCheckMiddleware:
    """Answer ``/healthz`` and ``/readyz`` before anything else reads the request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        kind = HEALTH_PATHS.get(request.path_info)
        if kind is None:
            return self.get_response(request)
        if request.method not in ("GET", "HEAD"):
            response = _answer({"status": "method not allowed"}, status=405)
            response["Allow"] = "GET, HEAD"
            return response
        if kind == "alive":
            return _answer({"status": "ok"})
        checks = readiness()
        failing = [name for name, state in checks.items() if state != "ok"]
        if failing:
            body = {"status": "unavailable", "failing": failing, "checks": checks}
            return _answer(body, status=503)
        return _answer({"status": "ok", "checks": checks})
