"""gunicorn's settings for the portal, used by `make serve` (Procfile) and by
deploy/huagang-web.service: `gunicorn --config deploy/gunicorn.conf.py huagang.wsgi`.

Each value can be changed from the environment (the variables are in README.md).
"""

import os


def _cpus() -> int:
    try:
        return len(os.sched_getaffinity(0))  # the CPUs this process may run on
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
# Sync workers: (2 × CPUs) + 1, gunicorn's own advice for a mostly database-bound app.
workers = int(os.environ.get("GUNICORN_WORKERS") or 2 * _cpus() + 1)
# An .xlsx export of 50,000 rows takes about 15 s (docs/operations.md).
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
graceful_timeout = 30
# Restart a worker now and then, so that memory it grew is given back. The jitter is
# half the limit: with an even load the workers reach the limit together, and a small
# jitter restarts them all within a second (docs/operations.md, "The load run").
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "2000"))
max_requests_jitter = max_requests // 2
# Trust X-Forwarded-Proto / X-Forwarded-For only from the proxy (nginx on this host).
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
# No access log: a request line may carry a search term (docs/operations.md); the
# proxy keeps one without query strings. Errors go to stderr (journald, honcho).
accesslog = None
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
# Heartbeat files in memory, not on a disk that may stall.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None


def post_worker_init(worker) -> None:
    """Before a new worker takes its first request, do what Django otherwise does
    lazily during it: import the URLconf (and with it every view, about 0.6 s of CPU
    here), load the catalogue of the default language, and compile the templates of
    the busiest public pages.
    Without this the first request of every worker, at each start and at each
    `max_requests` restart, waited about a second (docs/operations.md, "The load
    run"). Touches neither the database nor the cache, so a worker still starts while
    they are down."""
    from django.conf import settings
    from django.template.loader import get_template
    from django.urls import get_resolver
    from django.utils import translation

    get_resolver().url_patterns  # noqa: B018  (the property imports the URLconf)
    with translation.override(settings.LANGUAGE_CODE):
        for name in _WARM_TEMPLATES:
            get_template(name)


# The busiest public pages' templates (base.html with them).
_WARM_TEMPLATES = (
    "services/home.html",
    "services/catalog.html",
    "services/detail.html",
)


# gunicorn's own lines (start, workers, timeouts) in the portal's format: one JSON object
# per line in production (DJANGO_LOG_FORMAT, huagang/log_format.py), with the personal
# numbers masked like every other line.
_formatter = (
    "huagang.log_format.TextFormatter"
    if os.environ.get("DJANGO_LOG_FORMAT", "json") == "text"
    else "huagang.log_format.JsonFormatter"
)
logconfig_dict = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"portal": {"()": _formatter}},
    "filters": {"no_personal_numbers": {"()": "huagang.log_filters.NoPersonalNumbers"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "portal",
            "filters": ["no_personal_numbers"],
            "stream": "ext://sys.stderr",
        }
    },
    "loggers": {
        "gunicorn.error": {
            "handlers": ["console"],
            "level": loglevel.upper(),
            "propagate": False,
        },
        "gunicorn.access": {"handlers": [], "propagate": False},
    },
}
