"""Measure the portal's main pages: median time and SQL queries per request.

Runs against a throwaway database (default: SQLite in var/bench.sqlite3; pass
DATABASE_URL for PostgreSQL) with the real town data and N synthetic requests:

    .venv/bin/python benchmarks/pages.py [--requests 2000] [--repeat 20]

Prints one line per page. Numbers depend on the machine; compare runs on one machine.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "huagang.settings.base")
os.environ.setdefault("DATABASE_URL", f"sqlite:///{ROOT / 'var' / 'bench.sqlite3'}")
os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "testserver")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()

    import django

    django.setup()
    from io import StringIO

    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    (ROOT / "var").mkdir(exist_ok=True)
    call_command("migrate", verbosity=0)
    call_command("load_town_data", stdout=StringIO())
    call_command("setup_roles", stdout=StringIO())
    clerk, official = _people()
    _requests(args.requests)

    client = Client()
    pages = [
        ("home", "/", None),
        ("catalog", "/services/", None),
        ("search 低保", "/services/?q=低保", None),
        ("guide", "/services/HG-SB-001/", None),
        ("village page", "/villages/340123106001/", None),
        ("track: a request's progress", "/track/HGB000000001/", None),
        (
            "admin request list (village clerk)",
            "/admin/services/servicerequest/",
            clerk,
        ),
        ("admin request list (official)", "/admin/services/servicerequest/", official),
    ]
    # A resident's own browser: the lookup (number and the phone's last four digits)
    # opens their request's page; the other pages stay without a session.
    resident = Client()
    resident.post("/track/", {"number": "HGB000000001", "phone_last4": "0000"})
    print(f"{args.requests} requests in {connection.vendor}; median of {args.repeat}")
    for name, url, user in pages:
        if user:
            client.force_login(user)
        browser = resident if url.startswith("/track/") else client
        timings = []
        for _ in range(args.repeat):
            with CaptureQueriesContext(connection) as queries:
                start = time.perf_counter()
                response = browser.get(url)
                timings.append(time.perf_counter() - start)
            assert response.status_code == 200, (url, response.status_code)
        median_ms = statistics.median(timings) * 1000
        print(f"{name:38} {median_ms:7.1f} ms  {len(queries):3d} queries")


def _people():
    from tests.factories import UserFactory
    from villages.choices import Role
    from villages.models import User, Village

    User.objects.filter(phone__in=["13700000001", "13700000002"]).delete()
    village = Village.objects.get(code="340123106001")
    clerk = UserFactory(phone="13700000001", role=Role.VILLAGE_CLERK, village=village)
    official = UserFactory(phone="13700000002", role=Role.OFFICIAL)
    return clerk, official


def _requests(count: int) -> None:
    from services.models import ServiceRequest

    ServiceRequest.objects.filter(tracking_number__startswith="HGB").delete()
    ServiceRequest.objects.bulk_create(benchmark_requests("HGB", range(count)))


def benchmark_requests(prefix: str, numbers: range) -> list:
    """Unsaved accepted 定时代办 requests numbered `prefix` + n, spread over the
    items and the villages (also used by http_pages.py)."""
    from django.utils import timezone

    from services.models import ServiceItem, ServiceRequest
    from villages.models import Village

    items = list(ServiceItem.objects.filter(allows_agency=True).order_by("pk"))
    villages = list(Village.objects.order_by("pk"))
    now, today = timezone.now(), timezone.localdate()
    return [
        ServiceRequest(
            tracking_number=f"{prefix}{n:09d}",
            item=items[n % len(items)],
            village=villages[n % len(villages)],
            mode="agency",
            channel="online",
            status="accepted",
            applicant_name="基准",
            applicant_phone="13900000000",
            accepted_at=now,
            due_date=today,
        )
        for n in numbers
    ]


if __name__ == "__main__":
    main()
