"""Measure the clerks' workbench, the dashboard and the officials' request list.

    DATABASE_URL=postgres://root@127.0.0.1:5432/bench1m \\
        .venv/bin/python benchmarks/workbench.py [--repeat 20] [--check] [--explain]
    .venv/bin/python benchmarks/workbench.py [--requests 5000]    # SQLite

Runs in-process (django.test.Client, DEBUG off, after two warm-up requests) against the
database of DATABASE_URL as it is — e.g. one filled by ``generate_history
--requests 1000000`` — adding only three benchmark staff accounts (a clerk of the busiest
village, a town-center clerk, an official). Without DATABASE_URL it prepares SQLite in
var/workbench.sqlite3 with `--requests` generated requests.

For each screen it prints the median and 95th percentile of the server time over
`--repeat` requests (once, if the first took over 5 s), the number of SQL queries
(not counted for a screen measured once), and the median's ratio to the bare
20-row reference view (huagang/benchmark.py). A screen whose URL does not resolve or
answers 404 is reported "not available" (the screens are being built in parallel; run
again once they are merged). `--check` exits 1 if an available screen misses its
target (clerk queue and case page 50 ms, other clerk screens 100 ms, dashboard and
officials' list 300 ms); 2 if a screen answers with a server error (a 302 or 403 is
reported and not measured). `--explain`
prints EXPLAIN ANALYZE (PostgreSQL) of the slowest queries of each screen over target.

Numbers depend on the machine and on what else runs on it: compare runs on one machine.
"""

import argparse
import os
import statistics
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "huagang.settings.base")
os.environ.setdefault("DATABASE_URL", f"sqlite:///{ROOT / 'var' / 'workbench.sqlite3'}")
os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "testserver")
os.environ["DJANGO_DEBUG"] = "0"

# Benchmark staff: made-up numbers no generated applicant or demo account uses.
CLERK_PHONE, TOWN_PHONE, OFFICIAL_PHONE = "19700000001", "19700000002", "19700000003"
QUEUE_MS, CLERK_MS, LIST_MS = 50, 100, 300
TOO_SLOW_S = 5  # a screen slower than this on its first request is measured once


@dataclass
class Screen:
    name: str
    who: str  # clerk, town, official or anonymous
    urls: list  # (url name, args) to try in order, or a plain path
    target_ms: float | None
    query: str = ""
    status: str = ""
    times: list[float] = field(default_factory=list)
    queries: list = field(default_factory=list)

    @property
    def median(self) -> float:
        return statistics.median(self.times) * 1000

    @property
    def p95(self) -> float:
        ordered = sorted(self.times)
        return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))] * 1000

    @property
    def missed(self) -> bool:
        return (
            bool(self.times)
            and self.target_ms is not None
            and self.median > self.target_ms
        )


def main() -> int:
    args = _arguments()
    import django

    django.setup()
    from django.conf import settings

    settings.HUAGANG_BENCHMARK = True  # mounts the reference view (huagang/urls.py)
    settings.DEBUG = False
    from django.db import connection

    if connection.vendor == "sqlite":
        _prepare_sqlite(args.requests)
    people = _people()
    screens = _screens(people)
    print(
        f"{_count()} requests in {connection.vendor}; {args.repeat} runs each "
        "after 2 warm-up runs; server time in-process"
    )
    failed = False
    for screen in screens:
        failed |= _measure(screen, people, args.repeat)
    reference = screens[0].median if screens[0].times else None
    _print(screens, reference)
    if args.explain and connection.vendor == "postgresql":
        for screen in screens:
            if screen.missed:
                _explain(screen)
    if failed:
        return 2
    if args.check and any(screen.missed for screen in screens):
        return 1
    return 0


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument(
        "--requests", type=int, default=5000, help="SQLite only: history size"
    )
    parser.add_argument("--check", action="store_true")
    parser.add_argument("--explain", action="store_true")
    return parser.parse_args()


def _prepare_sqlite(requests: int) -> None:
    from io import StringIO

    from django.core.management import call_command

    (ROOT / "var").mkdir(exist_ok=True)
    call_command("migrate", verbosity=0)
    call_command("load_town_data", stdout=StringIO())
    call_command("setup_roles", stdout=StringIO())
    missing = requests - _count()
    if missing > 0:
        call_command("generate_history", requests=missing, stdout=StringIO())


def _count() -> int:
    from services.models import ServiceRequest

    return ServiceRequest.objects.count()


def _people() -> dict:
    """The benchmark's staff and the cases they look at: the busiest village's clerk,
    a town clerk serving every body, an official; the village's newest 定时代办 case
    with the longest timeline among its last hundred, and the newest case at the
    town center (已转递) for the town clerk."""
    from django.db.models import Count

    from services.models import (
        AgencyTrip,
        Body,
        FollowUp,
        HomeVisit,
        ServiceRequest,
    )
    from villages.actions import user_create
    from villages.choices import Role
    from villages.models import User

    busiest = (
        ServiceRequest.objects.values("village_id")
        .annotate(n=Count("id"))
        .order_by("-n")
        .first()
    )
    village_id = busiest["village_id"]

    def account(phone, role, village=None):
        user = User.objects.filter(phone=phone).first()
        if user is None:
            user = user_create(
                phone=phone, name="基准测试", role=role, password=None, village=village
            )
        return user

    from villages.models import Village

    clerk = account(CLERK_PHONE, Role.VILLAGE_CLERK, Village.objects.get(pk=village_id))
    town = account(TOWN_PHONE, Role.TOWN_CLERK)
    for body in Body.objects.all():
        body.clerks.add(town)
    recent = ServiceRequest.objects.filter(
        village_id=village_id, mode="agency"
    ).order_by("-submitted_at", "-id")[:100]
    case = (
        ServiceRequest.objects.filter(pk__in=[r.pk for r in recent])
        .annotate(n=Count("events"))
        .order_by("-n", "-pk")
        .first()
    )
    trip = (
        AgencyTrip.objects.filter(village_id=village_id, handed_over_at__isnull=False)
        .order_by("-trip_date")
        .first()
    )
    visit = (
        HomeVisit.objects.filter(request__village_id=village_id)
        .order_by("-starts_at")
        .first()
    )
    follow_up = (
        FollowUp.objects.filter(rating__request__village_id=village_id)
        .order_by("-pk")
        .first()
    )
    town_case = (
        ServiceRequest.objects.filter(status="sent_to_town")
        .order_by("-submitted_at", "-id")
        .first()
    )
    return {
        "trip": trip.pk if trip else 0,
        "visit": visit.pk if visit else 0,
        "follow_up": follow_up.pk if follow_up else 0,
        "town_case": town_case,
        "clerk": clerk,
        "town": town,
        "official": account(OFFICIAL_PHONE, Role.OFFICIAL),
        "village_id": village_id,
        "case": case,
    }


def _screens(people: dict) -> list[Screen]:
    from django.utils import timezone

    year = timezone.localdate().year - 1  # the last full year
    village = people["village_id"]

    def case_urls(case) -> list:
        number = case.tracking_number if case else "none"
        names = ("staff:case", "staff:case_detail", "staff:case_page")
        return [(name, [number]) for name in names] + [f"/staff/cases/{number}/"]

    admin = "/admin/services/servicerequest/"
    return [
        Screen(
            "reference: bare 20-row view", "anonymous", ["/benchmark/reference/"], None
        ),
        Screen("clerk queue /staff/", "clerk", [("staff:queue", [])], QUEUE_MS),
        Screen("case page", "clerk", case_urls(people["case"]), QUEUE_MS),
        Screen(
            "case page (town clerk, sent_to_town)",
            "town",
            case_urls(people["town_case"]),
            QUEUE_MS,
        ),
        Screen(
            "clerk queue ?q=<name>",
            "clerk",
            [("staff:queue", [])],
            QUEUE_MS,
            query="?q=王",
        ),
        Screen(
            "clerk queue ?status",
            "clerk",
            [("staff:queue", [])],
            QUEUE_MS,
            "?status=accepted",
        ),
        Screen(
            "receipt", "clerk", _numbered("staff:receipt", people["case"]), CLERK_MS
        ),
        Screen("walk-in entry form", "clerk", [("staff:entry", [])], CLERK_MS),
        Screen(
            "walk-in entry, item chosen",
            "clerk",
            [("staff:entry_item", ["HG-YB-001"])],
            CLERK_MS,
        ),
        Screen("trips", "clerk", [("staff:trips", [])], CLERK_MS),
        Screen("trip page", "clerk", [("staff:trip", [people["trip"]])], CLERK_MS),
        Screen(
            "trip hand-over list (print)",
            "clerk",
            [("staff:trip_list", [people["trip"]])],
            CLERK_MS,
        ),
        Screen("home visits", "clerk", [("staff:visits", [])], CLERK_MS),
        Screen("visit sheet", "clerk", [("staff:visit_sheet", [])], CLERK_MS),
        Screen("visit page", "clerk", [("staff:visit", [people["visit"]])], CLERK_MS),
        Screen("follow-ups", "clerk", [("staff:follow_ups", [])], CLERK_MS),
        Screen(
            "follow-up page",
            "clerk",
            [("staff:follow_up", [people["follow_up"]])],
            CLERK_MS,
        ),
        Screen("town clerk queue", "town", [("staff:queue", [])], CLERK_MS),
        Screen("town center cases", "town", [("staff:town", [])], CLERK_MS),
        Screen("town arrivals", "town", [("staff:trip_arrivals", [])], CLERK_MS),
        Screen(
            f"dashboard {year}",
            "official",
            [("dashboard:index", [])],
            LIST_MS,
            query=f"?from={year}-01-01&to={year}-12-31",
        ),
        Screen("admin list", "official", [admin], LIST_MS),
        Screen(
            "admin list ?status",
            "official",
            [admin],
            LIST_MS,
            "?status__exact=accepted",
        ),
        Screen(
            "admin list ?village",
            "official",
            [admin],
            LIST_MS,
            query=f"?village__id__exact={village}",
        ),
        Screen(
            "admin list ?overdue", "official", [admin], LIST_MS, query="?due=overdue"
        ),
        Screen("admin list (village clerk)", "clerk", [admin], LIST_MS),
    ]


def _numbered(name: str, case) -> list:
    return [(name, [case.tracking_number if case else "none"])]


def _resolve(screen: Screen) -> str | None:
    from django.urls import NoReverseMatch, reverse

    for url in screen.urls:
        if isinstance(url, str):
            return url + screen.query
        try:
            return reverse(url[0], args=url[1]) + screen.query
        except NoReverseMatch:
            continue
    return None


def _measure(screen: Screen, people: dict, repeat: int) -> bool:
    """Time `screen`; True if it failed (a server error)."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    path = _resolve(screen)
    if path is None:
        screen.status = "not available (no URL)"
        return False
    client = Client()
    if screen.who != "anonymous":
        client.force_login(people[screen.who])
    start = time.perf_counter()
    response = client.get(path)
    first = time.perf_counter() - start
    if response.status_code == 200 and first > TOO_SLOW_S:
        # one run is enough to know; twenty would take all day
        screen.times.append(first)
        screen.status = "ok"
        print(f"{screen.name}: {first:.1f} s on the first request, measured once")
        return False
    response = client.get(path)
    if response.status_code == 404:
        screen.status = "not available (404)"
        return False
    if response.status_code != 200:
        screen.status = f"answered {response.status_code}, not measured"
        return response.status_code >= 500
    for _run in range(repeat):
        with CaptureQueriesContext(connection) as captured:
            start = time.perf_counter()
            client.get(path)
            screen.times.append(time.perf_counter() - start)
        screen.queries = list(captured.captured_queries)
    screen.status = "ok"
    return False


def _print(screens: list[Screen], reference: float | None) -> None:
    print(
        f"{'screen':36} {'median':>9} {'p95':>9} {'queries':>7} {'× ref':>7} "
        f"{'target':>8}  result"
    )
    for screen in screens:
        if not screen.times:
            print(
                f"{screen.name:36} {'':>9} {'':>9} {'':>7} {'':>7} {'':>8}  {screen.status}"
            )
            continue
        ratio = f"{screen.median / reference:6.1f}×" if reference else ""
        target = f"{screen.target_ms:5.0f} ms" if screen.target_ms else ""
        verdict = (
            "" if screen.target_ms is None else ("MISSED" if screen.missed else "ok")
        )
        print(
            f"{screen.name:36} {screen.median:6.1f} ms {screen.p95:6.1f} ms "
            f"{len(screen.queries):7d} {ratio:>7} {target:>8}  {verdict}"
        )


def _explain(screen: Screen) -> None:
    from django.db import connection

    slowest = sorted(screen.queries, key=lambda q: float(q["time"]), reverse=True)[:3]
    print(f"\n--- {screen.name}: slowest queries of the last run")
    for query in slowest:
        print(f"\n{float(query['time']) * 1000:.1f} ms: {query['sql'][:600]}")
        if not query["sql"].lstrip().upper().startswith("SELECT"):
            continue
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + query["sql"])
            for (line,) in cursor.fetchall():
                print("   ", line)


if __name__ == "__main__":
    started = time.monotonic()
    code = main()
    print(f"(took {time.monotonic() - started:.0f} s)")
    sys.exit(code)
