"""HTTP benchmark of the public pages: gunicorn + wrk, against a bare reference view.

    .venv/bin/python benchmarks/http_pages.py [--database-url postgres://root@127.0.0.1:5432/bench]
        [--cache-url redis://127.0.0.1:6379/1] [--requests 200000] [--rounds 3] [--duration 10] [--connections 16]
        [--threads 1] [--workers 4] [--target 0.6] [--p99-ms 50] [--report-only]

What it does:

1. Prepares the database (created if missing; PostgreSQL): migrations, the real town
   data, and `--requests` synthetic service requests (tracking numbers HGB…, generated
   in bulk once and reused by later runs).
2. Collects the static files and starts gunicorn (`--workers` sync workers) with
   `huagang.settings.benchmark`: the production settings (DEBUG off, cached template
   loader, WhiteNoise, the Redis cache of `--cache-url`) plus the reference view, a bare
   Django view returning 20 requests as JSON, mounted only by that settings module.
3. Runs wrk against the reference view and each page in `--rounds` interleaved rounds
   (reference, home, catalog, …, then again), after one warm-up pass, and prints the
   median requests/s and median p99 latency of each, and each page's ratio to the
   reference's median requests/s.
4. Exits 1 when a page is below `--target` × the reference or its p99 is above
   `--p99-ms` (unless `--report-only`), 2 when something failed (a page that does not
   answer 200, wrk errors). A page that answers 404 (not built yet) is skipped with a
   message.

Needs wrk (`apt-get install wrk`). The load generator shares the machine with gunicorn
and PostgreSQL: compare ratios, not absolute figures, across machines.
"""

from __future__ import annotations

import argparse
import os
import re
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
REFERENCE = ("reference", "/benchmark/reference/")
PAGES = [
    ("home", "/"),
    ("catalog", "/services/"),
    ("guide", "/services/HG-SB-001/"),
    ("search 低保", "/services/?q=低保"),
    ("track", "/track/"),
]
TRACKING_PREFIX = "HGB"


@dataclass
class Target:
    name: str
    path: str
    rps: list[float] = field(default_factory=list)
    p99_ms: list[float] = field(default_factory=list)
    cpu_ms: list[float] = field(default_factory=list)

    @property
    def median_rps(self) -> float:
        return statistics.median(self.rps)

    @property
    def median_p99(self) -> float:
        return statistics.median(self.p99_ms)

    @property
    def median_cpu(self) -> float:
        return statistics.median(self.cpu_ms)


def main() -> int:
    args = _arguments()
    if not shutil.which("wrk"):
        print("wrk is not installed (apt-get install wrk).", file=sys.stderr)
        return 2
    env = _environment(args)
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    _prepare_database(args)
    port = _free_port()
    server = _start_gunicorn(args, env, port)
    try:
        base = f"http://127.0.0.1:{port}"
        _wait_until_up(base + REFERENCE[1], server)
        targets = [Target(*REFERENCE)]
        for name, path in PAGES:
            status = _status(base + path)
            if status == 404:
                print(f"skipped {name} ({path}): 404, the page does not exist yet")
                continue
            if status != 200:
                print(f"{name} ({path}) answered {status}", file=sys.stderr)
                return 2
            targets.append(Target(name, path))
        print(
            f"gunicorn {args.workers} sync workers; wrk -t{args.threads} "
            f"-c{args.connections} -d{args.duration}s; {args.rounds} rounds; "
            f"cache {args.cache_url}"
        )
        measure_rounds(args, server, base, targets, warm_up=max(2, args.duration // 3))
    except _Failure as exc:
        print(exc, file=sys.stderr)
        return 2
    finally:
        server.terminate()
        server.wait(timeout=30)
    return _report(args, targets)


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--database-url",
        default=os.environ.get(
            "BENCH_DATABASE_URL", "postgres://root@127.0.0.1:5432/bench"
        ),
    )
    parser.add_argument(
        "--cache-url",
        default=os.environ.get("DJANGO_CACHE_URL", "redis://127.0.0.1:6379/1"),
        help="the portal's cache (production refuses a per-process one)",
    )
    parser.add_argument("--requests", type=int, default=200_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--duration", type=int, default=10, help="seconds per run")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--target", type=float, default=0.6)
    parser.add_argument("--p99-ms", type=float, default=50.0)
    parser.add_argument(
        "--report-only", action="store_true", help="never fail on a missed target"
    )
    return parser.parse_args()


def _environment(args: argparse.Namespace) -> dict[str, str]:
    env = {
        "DJANGO_SETTINGS_MODULE": "huagang.settings.benchmark",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(60),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DJANGO_STATIC_ROOT": str(ROOT / "var" / "bench-static"),
        "DJANGO_LOG_LEVEL": "WARNING",
        # Fixed, for the benchmark's own databases only (they outlive a run).
        "HUAGANG_FIELD_KEYS": "YmVuY2htYXJrLWtleS1ub3QtZm9yLXByb2R1Y3Rpb24=",
        "HUAGANG_HASH_KEY": "benchmark-hash-key-not-for-production-use",
        # Production settings need a broker; no worker runs, nothing the pages do
        # queues a task.
        "CELERY_BROKER_URL": "redis://127.0.0.1:6379/2",
    }
    return {key: os.environ.get(key, value) for key, value in env.items()} | {
        "DATABASE_URL": args.database_url,
        "DJANGO_CACHE_URL": args.cache_url,
    }


def _prepare_database(args: argparse.Namespace) -> None:
    _create_database(args.database_url)
    import django

    django.setup()
    from io import StringIO

    from django.core.management import call_command
    from django.db import connections

    (ROOT / "var").mkdir(exist_ok=True)
    call_command("compile_translations", stdout=StringIO())
    call_command("migrate", verbosity=0)
    call_command("load_town_data", stdout=StringIO())
    call_command("collectstatic", "--no-input", verbosity=0)
    created = _ensure_requests(args.requests)
    print(f"{args.requests} benchmark requests ({created} created now)")
    connections.close_all()


def _create_database(url: str) -> None:
    """CREATE DATABASE when it does not exist (connecting to `postgres`)."""
    import environ
    import psycopg2

    config = environ.Env.db_url_config(url)
    if "postgresql" not in config["ENGINE"]:
        raise SystemExit("The HTTP benchmark needs PostgreSQL (--database-url).")
    params = {
        "host": config.get("HOST") or None,
        "port": config.get("PORT") or None,
        "user": config.get("USER") or None,
        "password": config.get("PASSWORD") or None,
    }
    connection = psycopg2.connect(dbname="postgres", **params)
    connection.autocommit = True
    try:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT 1 FROM pg_database WHERE datname = %s", [config["NAME"]]
            )
            if cursor.fetchone() is None:
                cursor.execute(f'CREATE DATABASE "{config["NAME"]}"')
    finally:
        connection.close()


def _ensure_requests(count: int, batch: int = 10_000) -> int:
    """Make sure `count` benchmark requests exist; returns how many were created."""
    from pages import benchmark_requests  # this folder's other benchmark

    from services.models import ServiceRequest

    existing = ServiceRequest.objects.filter(
        tracking_number__startswith=TRACKING_PREFIX
    ).count()
    for start in range(existing, count, batch):
        numbers = range(start, min(start + batch, count))
        ServiceRequest.objects.bulk_create(benchmark_requests(TRACKING_PREFIX, numbers))
    return max(0, count - existing)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _start_gunicorn(
    args: argparse.Namespace, env: dict[str, str], port: int
) -> subprocess.Popen:
    command = [
        PYTHON,
        "-m",
        "gunicorn",
        "huagang.wsgi",
        "--workers",
        str(args.workers),
        "--worker-class",
        "sync",
        "--bind",
        f"127.0.0.1:{port}",
        "--log-level",
        "warning",
    ]
    return subprocess.Popen(command, cwd=ROOT, env={**os.environ, **env})


class _Failure(Exception):
    pass


def _request(url: str) -> urllib.request.Request:
    # As behind the HTTPS proxy: production settings redirect plain HTTP.
    return urllib.request.Request(url, headers={"X-Forwarded-Proto": "https"})


def _status(url: str) -> int:
    try:
        with urllib.request.urlopen(_request(_quote(url)), timeout=30) as response:
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code


def _wait_until_up(url: str, server: subprocess.Popen, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise _Failure(f"gunicorn exited with {server.returncode}")
        try:
            if _status(url) == 200:
                return
        except OSError:
            pass
        time.sleep(0.3)
    raise _Failure(f"gunicorn did not answer {url} within {seconds} s")


def _quote(url: str) -> str:
    return urllib.request.quote(url, safe=":/?=&%")


_RPS = re.compile(r"Requests/sec:\s+([\d.]+)")
_COUNT = re.compile(r"(\d+) requests in")
_P99 = re.compile(r"^\s+99%\s+([\d.]+)(us|ms|s)\s*$", re.MULTILINE)
_NON_2XX = re.compile(r"Non-2xx or 3xx responses:\s+(\d+)")
_ERRORS = re.compile(r"Socket errors:.*")
_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def measure_rounds(
    args: argparse.Namespace,
    server: subprocess.Popen,
    base: str,
    targets: list,
    *,
    warm_up: int,
    extra: dict[str, tuple[str, ...]] | None = None,
) -> None:
    """Warm each target up (connections, caches, lazy imports), then `args.rounds`
    rounds of every target in turn (interleaved), appending each run's requests/s,
    p99 and gunicorn CPU per request to the target; `extra`: wrk options by target
    name."""
    extra = extra or {}
    for target in targets:
        _wrk(
            args, base + target.path, duration=warm_up, extra=extra.get(target.name, ())
        )
    for round_number in range(1, args.rounds + 1):
        for target in targets:
            cpu_before = _cpu_seconds(server.pid)
            rps, p99, count = _wrk(
                args,
                base + target.path,
                duration=args.duration,
                extra=extra.get(target.name, ()),
            )
            target.rps.append(rps)
            target.p99_ms.append(p99)
            target.cpu_ms.append(
                (_cpu_seconds(server.pid) - cpu_before) * 1000 / max(count, 1)
            )
        print(f"round {round_number} done", flush=True)


def _wrk(
    args: argparse.Namespace, url: str, *, duration: int, extra: tuple[str, ...] = ()
) -> tuple[float, float, int]:
    """Requests per second, p99 latency (ms) and requests of a wrk run on `url`;
    `extra`: more wrk options (headers, a Lua script)."""
    command = [
        "wrk",
        f"-t{args.threads}",
        f"-c{args.connections}",
        f"-d{duration}s",
        "--latency",
        "-H",
        "X-Forwarded-Proto: https",
        *extra,
        _quote(url),
    ]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    rps, p99 = _RPS.search(output), _P99.search(output)
    if not rps or not p99:
        raise _Failure(f"cannot read wrk's output for {url}:\n{output}")
    if bad := _NON_2XX.search(output):
        raise _Failure(f"{url}: {bad.group(1)} answers were not 2xx:\n{output}")
    if errors := _ERRORS.search(output):
        print(f"  {url}: {errors.group(0)}", file=sys.stderr)
    count = int(_COUNT.search(output).group(1))
    return float(rps.group(1)), float(p99.group(1)) * _UNITS[p99.group(2)], count


def _cpu_seconds(master: int) -> float:
    """CPU time (user + system) used so far by gunicorn's workers.

    Less disturbed than requests/s by other work on the machine: the CPU a worker
    spends per request is the page's own cost (PostgreSQL's is not counted).
    """
    ticks = os.sysconf("SC_CLK_TCK")
    try:
        children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    except OSError:
        return 0.0
    total = 0
    for pid in children:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # a worker that was just replaced
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / ticks


def _report(args: argparse.Namespace, targets: list[Target]) -> int:
    reference, pages = targets[0], targets[1:]
    print()
    print(
        f"{'page':14} {'path':24} {'req/s':>8} {'p99 ms':>8} {'ratio':>6} "
        f"{'cpu ms':>7} {'ratio':>6}  req/s of each round"
    )
    missed = []
    for target in targets:
        ratio = target.median_rps / reference.median_rps
        cpu_ratio = reference.median_cpu / target.median_cpu if target.median_cpu else 0
        runs = " ".join(f"{r:.0f}" for r in target.rps)
        print(
            f"{target.name:14} {target.path:24} {target.median_rps:8.0f} "
            f"{target.median_p99:8.1f} {ratio:6.2f} {target.median_cpu:7.2f} "
            f"{cpu_ratio:6.2f}  {runs}"
        )
        if target in pages and (ratio < args.target or target.median_p99 > args.p99_ms):
            missed.append(target.name)
    print(
        f"target: each page ≥ {args.target:.2f} × the reference's req/s "
        f"and p99 ≤ {args.p99_ms:.0f} ms (medians of {args.rounds} rounds); "
        "cpu ms: gunicorn workers' CPU per request, and the reference's / the page's"
    )
    if missed:
        print("missed: " + ", ".join(missed))
        return 0 if args.report_only else 1
    print("all pages meet the target")
    return 0


if __name__ == "__main__":
    sys.exit(main())
