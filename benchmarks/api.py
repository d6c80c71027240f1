"""HTTP benchmark of the API: gunicorn + wrk, each endpoint against its bare reference.

    .venv/bin/python benchmarks/api.py [--database-url postgres://root@127.0.0.1:5432/bench1m]
        [--cache-url redis://127.0.0.1:6379/1] [--requests 1000000] [--status completed]
        [--rounds 3] [--duration 10] [--connections 16] [--threads 1] [--workers 4]
        [--check] [--only clerk,official,lookup,service]

What it does:

1. Prepares the database (PostgreSQL; created if missing): migrations, the town data,
   the roles, and — when it holds no request yet — ``generate_history --requests N``
   (a million: about five minutes). A database with fewer requests is used as it is.
2. Makes two benchmark accounts with a new API key each: the clerk of the village with
   the most requests and an official (earlier benchmark keys are revoked).
3. Starts gunicorn (`--workers` sync workers, loopback) with
   ``huagang.settings.benchmark``: production settings (DEBUG off, persistent database
   connections, the Redis cache of `--cache-url`, throttles on — their rates raised so
   that nothing is refused, their cost still paid) plus the reference views of
   huagang/benchmark.py, bare Django views reading the same rows with ``.values()``.
4. Four cases, each an API endpoint and its reference, run with wrk (`--connections`,
   `--duration` s per run) in `--rounds` interleaved rounds after a warm-up:

   - clerk: ``GET /api/v1/requests/?village=…&status=…`` with the clerk's key (the
     village's most common status unless `--status`);
   - official: ``GET /api/v1/requests/`` with the official's key;
   - lookup: ``POST /api/v1/requests/lookup/`` {tracking_number, phone_last4},
     anonymous;
   - service: ``GET /api/v1/services/<code>/`` (the item with the most materials),
     anonymous.

   Before measuring, each list's first page must hold the same 20 requests as its
   reference's (the village filter is tried as the village's code, then its id).
5. Prints each case's median requests/s, p99 and gunicorn CPU per request, and the
   ratio to its reference. Targets: clerk and official ≥ 0.5 × the reference with
   p99 < 50 ms; lookup and service ≥ 0.6 ×.

``--cpu N`` measures nothing over HTTP either: each case's endpoint and its reference N
times each in this process, interleaved, and their CPU ms per call (gunicorn's share
only, not PostgreSQL's): a steadier guide than requests/s while other work shares the
machine.

``--profile N`` measures nothing over HTTP: it calls each case's endpoint N times in
this process under pyinstrument (a dev tool, not a dependency) and prints where the
time goes, then the SQL queries of one request.

Exit status: 1 with `--check` when a case misses its target; 2 when something failed
(an endpoint answering other than 200, wrk errors). An endpoint that answers 404 (not
built yet) is skipped with a message. Needs wrk (`apt-get install wrk`) and Redis. The
load generator shares the machine with gunicorn and PostgreSQL: compare ratios, not
absolute figures, across machines.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import sys
import tempfile
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from http_pages import (
    ROOT,
    _create_database,
    _environment,
    _Failure,
    _free_port,
    _start_gunicorn,
    _wait_until_up,
    measure_rounds,
)

# Made-up numbers no generated applicant (1990…), history staff (1980000…) or the
# workbench benchmark's staff (1970000000x) uses.
CLERK_PHONE, OFFICIAL_PHONE = "19500000001", "19500000002"
KEY_NAME = "benchmarks/api.py"
# Throttles stay on (their cache reads and writes are part of the cost) but refuse
# nothing: DRF keeps one timestamp per request in the window, so a per-second rate
# also keeps that list as short as a real key's.
RATE = "100000/s"


@dataclass
class Target:
    name: str
    path: str
    headers: dict[str, str] = field(default_factory=dict)
    body: dict | None = None  # POSTed as JSON when set
    rps: list[float] = field(default_factory=list)
    p99_ms: list[float] = field(default_factory=list)
    cpu_ms: list[float] = field(default_factory=list)


Caller = Callable[[Target], tuple[int, dict]]  # a target → its status and JSON


@dataclass
class Case:
    name: str
    api: Target
    reference: Target
    ratio: float  # the API's requests/s at least this × the reference's
    p99_ms: float | None  # and its p99 under this

    def ratio_measured(self) -> float:
        return _median(self.api.rps) / _median(self.reference.rps)

    def missed(self) -> list[str]:
        reasons = []
        if self.ratio_measured() < self.ratio:
            reasons.append(f"{self.ratio_measured():.2f}× < {self.ratio}×")
        if self.p99_ms is not None and _median(self.api.p99_ms) > self.p99_ms:
            reasons.append(f"p99 {_median(self.api.p99_ms):.1f} ms > {self.p99_ms} ms")
        return reasons


def main() -> int:
    args = _arguments()
    if not shutil.which("wrk"):
        print("wrk is not installed (apt-get install wrk).", file=sys.stderr)
        return 2
    env = _environment(args) | {
        f"HUAGANG_API_{scope}_RATE": RATE
        for scope in ("ANON", "USER", "KEY", "LOOKUP", "ANONYMOUS_CREATE")
    }
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    facts = _prepare(args)
    if args.profile:
        return _profile(args, facts)
    if args.cpu:
        return _cpu(args, facts)
    port = _free_port()
    server = _start_gunicorn(args, env, port)
    scripts = tempfile.TemporaryDirectory(prefix="bench-api-")
    try:
        base = f"http://127.0.0.1:{port}"
        _wait_until_up(base + "/benchmark/reference/", server)
        cases = _cases(args, facts, _http(base))
        if not cases:
            print("no API endpoint to measure yet")
            return 0
        print(
            f"{facts['requests']:,} requests; gunicorn {args.workers} sync workers; "
            f"wrk -t{args.threads} -c{args.connections} -d{args.duration}s; "
            f"{args.rounds} rounds, each case's API and reference interleaved"
        )
        targets = [t for case in cases for t in (case.reference, case.api)]
        options = {t.name: _options(t, Path(scripts.name)) for t in targets}
        measure_rounds(args, server, base, targets, warm_up=2, extra=options)
    except _Failure as exc:
        print(exc, file=sys.stderr)
        return 2
    finally:
        scripts.cleanup()
        server.terminate()
        server.wait(timeout=30)
    return _report(args, cases)


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--database-url",
        default=os.environ.get(
            "BENCH_DATABASE_URL", "postgres://root@127.0.0.1:5432/bench1m"
        ),
    )
    parser.add_argument(
        "--cache-url",
        default=os.environ.get("DJANGO_CACHE_URL", "redis://127.0.0.1:6379/1"),
        help="the portal's cache (production refuses a per-process one)",
    )
    parser.add_argument(
        "--requests",
        type=int,
        default=1_000_000,
        help="history generated into an empty database",
    )
    parser.add_argument("--status", help="the clerk's status filter")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--duration", type=int, default=10, help="seconds per run")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument(
        "--only", help="comma-separated cases: clerk, official, lookup, service"
    )
    parser.add_argument(
        "--check", action="store_true", help="exit 1 when a case misses its target"
    )
    parser.add_argument(
        "--profile",
        type=int,
        metavar="N",
        help="instead: each case's API endpoint N times in-process under pyinstrument "
        "(a dev tool: pip install pyinstrument), with its SQL queries",
    )
    parser.add_argument(
        "--cpu",
        type=int,
        metavar="N",
        help="instead: each case's API endpoint and its reference N times each "
        "in-process, interleaved in batches, and their CPU time per call (this "
        "process's only: PostgreSQL's and Redis's are not counted); steadier than "
        "requests/s on a busy machine",
    )
    return parser.parse_args()


def _prepare(args: argparse.Namespace) -> dict:
    """The database ready, the benchmark's keys and the objects each case reads."""
    _create_database(args.database_url)
    import django

    django.setup()
    from io import StringIO

    from django.core.management import call_command
    from django.db import connections

    from services.models import ServiceRequest

    (ROOT / "var").mkdir(exist_ok=True)
    call_command("compile_translations", stdout=StringIO())
    call_command("migrate", verbosity=0)
    call_command("load_town_data", stdout=StringIO())
    call_command("setup_roles", stdout=StringIO())
    call_command("collectstatic", "--no-input", verbosity=0)
    if not ServiceRequest.objects.exists():
        print(f"generating {args.requests:,} requests (generate_history) …", flush=True)
        call_command("generate_history", requests=args.requests, stdout=StringIO())
    facts = _facts(args)
    connections.close_all()
    return facts


def _facts(args: argparse.Namespace) -> dict:
    from django.db.models import Count

    from services.models import Material, ServiceItem, ServiceRequest
    from villages.actions import api_token_create, api_token_revoke, user_create
    from villages.choices import Role
    from villages.models import ApiToken, User, Village

    busiest = (
        ServiceRequest.objects.values("village_id")
        .annotate(n=Count("id"))
        .order_by("-n")
        .first()
    )
    village = Village.objects.get(pk=busiest["village_id"])
    status = (
        args.status
        or (
            ServiceRequest.objects.filter(village=village)
            .values("status")
            .annotate(n=Count("id"))
            .order_by("-n")
            .first()["status"]
        )
    )

    def key(phone: str, role: str, where: Village | None) -> str:
        account = User.objects.filter(phone=phone).first() or user_create(
            phone=phone, name="基准测试", role=role, password=None, village=where
        )
        for old in ApiToken.objects.filter(account=account, revoked_at__isnull=True):
            api_token_revoke(token=old)
        return api_token_create(name=KEY_NAME, account=account, by=None)[1]

    looked_up = ServiceRequest.objects.filter(village=village).order_by("-pk").first()
    item_id = (
        Material.objects.values("item_id")
        .annotate(n=Count("id"))
        .order_by("-n", "item_id")
        .first()["item_id"]
    )
    return {
        "requests": ServiceRequest.objects.count(),
        "village": village,
        "status": status,
        "clerk_key": key(CLERK_PHONE, Role.VILLAGE_CLERK, village),
        "official_key": key(OFFICIAL_PHONE, Role.OFFICIAL, None),
        "lookup": {
            "tracking_number": looked_up.tracking_number,
            "phone_last4": looked_up.applicant_phone[-4:],
        },
        "service": ServiceItem.objects.get(pk=item_id).code,
    }


def _cases(args: argparse.Namespace, facts: dict, call: Caller) -> list[Case]:
    """The cases whose endpoint exists, each checked to read what its reference
    reads; raises _Failure when an endpoint answers other than 200 or 404."""
    village, status = facts["village"], facts["status"]
    clerk = {"Authorization": f"Token {facts['clerk_key']}"}
    official = {"Authorization": f"Token {facts['official_key']}"}
    service = facts["service"]
    wanted = [
        (
            "clerk",
            [
                f"/api/v1/requests/?village={village.code}&status={status}",
                f"/api/v1/requests/?village={village.pk}&status={status}",
            ],
            clerk,
            None,
            f"/benchmark/api/requests/?village={village.pk}&status={status}",
            0.5,
            50.0,
        ),
        (
            "official",
            ["/api/v1/requests/"],
            official,
            None,
            "/benchmark/api/requests/",
            0.5,
            50.0,
        ),
        (
            "lookup",
            ["/api/v1/requests/lookup/"],
            {},
            facts["lookup"],
            "/benchmark/api/lookup/",
            0.6,
            None,
        ),
        (
            "service",
            [f"/api/v1/services/{service}/"],
            {},
            None,
            f"/benchmark/api/services/{service}/",
            0.6,
            None,
        ),
    ]
    only = set(args.only.split(",")) if args.only else None
    cases = []
    for name, paths, headers, body, reference_path, ratio, p99 in wanted:
        if only is not None and name not in only:
            continue
        reference = Target(f"{name} reference", reference_path, body=body)
        expected = call(reference)[1]
        path = _matching_path(call, name, paths, headers, body, expected)
        if path is None:
            continue
        api = Target(f"{name} API", path, headers=headers, body=body)
        cases.append(Case(name, api, reference, ratio, p99))
        print(f"{name}: {path}  vs  {reference_path}")
    return cases


def _matching_path(
    call: Caller,
    name: str,
    paths: list[str],
    headers: dict,
    body: dict | None,
    expected: dict,
) -> str | None:
    """The first of `paths` whose answer holds the reference's requests (a list: the
    same tracking numbers in the same order), else the first that answers 200 (with
    a warning); None if the endpoint does not exist (every path answers 404). Raises
    _Failure when none answers 200 and one answers other than 404."""
    answered, refused = [], []
    for path in paths:
        status, data = call(Target(name, path, headers=headers, body=body))
        if status == 200:
            answered.append(path)
            if "results" not in expected or _numbers(data) == _numbers(expected):
                return path
        elif status != 404:
            refused.append(f"{path} answered {status}: {str(data)[:300]}")
    if answered:
        print(
            f"warning: {name}: {answered[0]} does not list the same requests as its "
            "reference (another filter or ordering?): the ratio compares unlike work"
        )
        return answered[0]
    if refused:
        raise _Failure(f"{name}: " + "; ".join(refused))
    print(f"skipped {name}: {paths[0]} answers 404, the endpoint does not exist yet")
    return None


def _numbers(data: dict) -> list[str]:
    return [row.get("tracking_number") for row in data.get("results", [])]


def _http(base: str) -> Caller:
    """A caller over HTTP, to the server at `base`."""
    return lambda target: _call(base, target)


def _call(base: str, target: Target) -> tuple[int, dict]:
    data = None if target.body is None else json.dumps(target.body).encode()
    request = urllib.request.Request(
        urllib.request.quote(base + target.path, safe=":/?=&%"),
        data=data,
        headers={
            "X-Forwarded-Proto": "https",
            "Content-Type": "application/json",
            **target.headers,
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, json.loads(response.read() or b"{}")
    except urllib.error.HTTPError as exc:
        try:
            return exc.code, json.loads(exc.read() or b"{}")
        except ValueError:
            return exc.code, {}


def _options(target: Target, folder: Path) -> tuple[str, ...]:
    """wrk's options for `target`: its headers, and a Lua script for a JSON POST."""
    options: list[str] = []
    for name, value in target.headers.items():
        options += ["-H", f"{name}: {value}"]
    if target.body is not None:
        script = folder / f"{len(list(folder.iterdir()))}.lua"
        script.write_text(
            'wrk.method = "POST"\n'
            f"wrk.body = {_lua_string(json.dumps(target.body))}\n"
            'wrk.headers["Content-Type"] = "application/json"\n'
        )
        options += ["-s", str(script)]
    return tuple(options)


def _lua_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _in_process_caller():
    """A test client calling the endpoints in this process, as wrk would over HTTP."""
    from django.test import Client

    client = Client(HTTP_HOST="127.0.0.1", HTTP_X_FORWARDED_PROTO="https")

    def call(target: Target) -> tuple[int, dict]:
        headers = {
            f"HTTP_{k.upper().replace('-', '_')}": v for k, v in target.headers.items()
        }
        if target.body is None:
            response = client.get(target.path, **headers)
        else:
            response = client.post(
                target.path, json.dumps(target.body), "application/json", **headers
            )
        return response.status_code, response.json() if response.content else {}

    return call


def _cpu(args: argparse.Namespace, facts: dict) -> int:
    """Each case's API endpoint and its reference, `args.cpu` calls each in batches
    of 50, interleaved; the median batch's CPU ms per call and their ratio."""
    import time

    call = _in_process_caller()
    print(f"{'case':10} {'ref ms':>7} {'API ms':>7} {'ref/API':>8}")
    for case in _cases(args, facts, call):
        spent: dict[str, list[float]] = {"reference": [], "api": []}
        for _ in range(10):  # warm-up
            call(case.reference)
            call(case.api)
        for _ in range(max(1, args.cpu // 50)):
            for kind, target in (("reference", case.reference), ("api", case.api)):
                started = time.process_time()
                for _ in range(50):
                    call(target)
                spent[kind].append((time.process_time() - started) / 50 * 1000)
        ref, api = _median(spent["reference"]), _median(spent["api"])
        print(f"{case.name:10} {ref:7.2f} {api:7.2f} {ref / api:8.2f}")
    return 0


def _profile(args: argparse.Namespace, facts: dict) -> int:
    """Each case's API endpoint `args.profile` times in this process (the benchmark
    settings, a test client) under pyinstrument, after a warm-up; then the SQL of
    one request. Where the time goes, line by line."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from pyinstrument import Profiler

    call = _in_process_caller()
    for case in _cases(args, facts, call):
        for _ in range(20):
            call(case.api)
        profiler = Profiler(interval=0.0002)
        profiler.start()
        for _ in range(args.profile):
            call(case.api)
        profiler.stop()
        print(f"\n=== {case.name}: {case.api.path}, {args.profile} requests")
        shown = {
            "show_regex": r".*/(rest_framework|services|huagang|villages|redis)/.*",
            "filter_threshold": 0.02,
        }
        print(profiler.output_text(unicode=True, processor_options=shown))
        flat = profiler.output_text(flat=True, processor_options={"show_all": True})
        print("--- own time per function, the 25 largest")
        print("\n".join(flat.splitlines()[:32]))
        with CaptureQueriesContext(connection) as queries:
            call(case.api)
        print(f"--- {len(queries)} SQL queries of one request")
        for query in queries.captured_queries:
            print(f"{float(query['time']) * 1000:6.1f} ms  {query['sql'][:400]}")
    return 0


def _median(values: list[float]) -> float:
    return statistics.median(values)


def _report(args: argparse.Namespace, cases: list[Case]) -> int:
    print()
    print(
        f"{'case':10} {'':9} {'req/s':>8} {'p99 ms':>7} {'cpu ms':>7} {'ratio':>6} "
        f"{'target':>16}  req/s of each round"
    )
    missed = []
    for case in cases:
        reasons = case.missed()
        if reasons:
            missed.append(f"{case.name} ({'; '.join(reasons)})")
        target = f"≥{case.ratio}×" + (
            f", p99<{case.p99_ms:.0f}" if case.p99_ms is not None else ""
        )
        for kind, run in (("reference", case.reference), ("API", case.api)):
            runs = " ".join(f"{r:.0f}" for r in run.rps)
            ratio = f"{case.ratio_measured():6.2f}" if kind == "API" else ""
            verdict = ("MISSED" if reasons else "ok") if kind == "API" else ""
            print(
                f"{case.name:10} {kind:9} {_median(run.rps):8.0f} "
                f"{_median(run.p99_ms):7.1f} {_median(run.cpu_ms):7.2f} {ratio:>6} "
                f"{target if kind == 'API' else '':>16}  {runs}  {verdict}"
            )
    print(
        f"medians of {args.rounds} rounds; cpu ms: gunicorn workers' CPU per request; "
        "ratio: the API's req/s / its reference's"
    )
    if missed:
        print("missed: " + ", ".join(missed))
        return 1 if args.check else 0
    print("every case meets its target")
    return 0


if __name__ == "__main__":
    sys.exit(main())
