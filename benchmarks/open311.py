"""Measure Open311 GeoReport v2 (/open311/v2/) on a database as it is.

    DATABASE_URL=postgres://root@127.0.0.1:5432/h_o311 \\
        .venv/bin/python benchmarks/open311.py [--repeat 20] [--explain]

Runs in-process (django.test.Client, DEBUG off, the anonymous throttle lifted, two
warm-up requests per address) against the database of DATABASE_URL — e.g. one filled
by ``generate_history --requests 1000000`` — and prints for each address the median
and 95th percentile of the server time, the median CPU time of this process (the
Python side; less affected by other load than the wall clock), the SQL queries and
the rows answered.
``--explain`` prints EXPLAIN ANALYZE (PostgreSQL) of each address's slowest query.
It writes nothing. Compare runs on one machine: the numbers depend on what else runs.
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
os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "testserver")
os.environ["DJANGO_DEBUG"] = "0"
os.environ["HUAGANG_API_ANON_RATE"] = "1000000/min"  # measure the work, not the limit


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--explain", action="store_true")
    args = parser.parse_args()
    import django

    django.setup()
    from django.db import connection
    from django.db.models import Count
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from services.models import ServiceRequest
    from services.selectors.open311 import WINDOW

    since = timezone.now() - WINDOW
    counts = (
        ServiceRequest.objects.filter(submitted_at__gte=since)
        .values("item__code")
        .annotate(n=Count("pk"))
        .order_by("n")
    )
    rare, common = counts.first(), counts.last()
    newest = ServiceRequest.objects.order_by("-submitted_at", "-id").first()
    if newest is None:
        print("No requests: run generate_history first.")
        return 1
    addresses = [
        "services.json",
        "services.xml",
        f"services/{common['item__code']}.json",
        "requests.json",
        "requests.xml",
        "requests.json?status=open",
        "requests.json?status=closed",
        f"requests.json?service_code={rare['item__code']}",
        f"requests.json?service_code={common['item__code']}",
        "requests.json?start_date=2024-01-01&end_date=2024-03-30",
        f"requests/{newest.pk}.json",
    ]
    client = Client()
    print(f"{connection.vendor}, {ServiceRequest.objects.count():,} requests")
    print(
        f"{'address':<58} {'median':>7} {'p95':>7} {'cpu':>6} {'queries':>7} {'rows':>5}"
    )
    for address in addresses:
        path = f"/open311/v2/{address}"
        for _warm_up in range(2):
            response = client.get(path)
            assert response.status_code == 200, (path, response.content[:300])
        times, cpu = [], []
        for _n in range(args.repeat):
            with CaptureQueriesContext(connection) as captured:
                started, cpu_started = time.perf_counter(), time.process_time()
                response = client.get(path)
                times.append(time.perf_counter() - started)
                cpu.append(time.process_time() - cpu_started)
        rows = response.content.count(b"service_request_id") or response.content.count(
            b"service_code"
        )
        ordered = sorted(times)
        p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
        print(
            f"{address:<58} {statistics.median(times) * 1000:7.1f} {p95 * 1000:7.1f}"
            f" {statistics.median(cpu) * 1000:6.1f} {len(captured):7d} {rows:5d}"
        )
        if args.explain and connection.vendor == "postgresql":
            _explain(connection, captured)
    return 0


def _explain(connection, captured) -> None:
    slowest = max(captured.captured_queries, key=lambda q: float(q["time"]))
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN ANALYZE " + slowest["sql"])
        for (line,) in cursor.fetchall():
            print("    " + line)


if __name__ == "__main__":
    sys.exit(main())
