"""Load run against `make serve`: the production stack on loopback, 60 seconds of wrk.

    .venv/bin/python benchmarks/load.py [--database-url postgres://root@127.0.0.1:5432/load]
        [--requests 200000] [--seconds 60] [--connections 32] [--workers N]
        [--cache-url redis://127.0.0.1:6379/3] [--json var/load-report.json]

What it does:

1. Prepares a PostgreSQL database (created if missing): migrations, the real town
   data, roles, and `--requests` generated requests (`generate_history`, realistic
   timelines, trips, visits and ratings; made once and reused by later runs), and a
   village clerk of its own (19900000001, a random password each run, no
   authenticator yet).
2. Starts `make serve` with an env file it writes under var/ (the production settings:
   gunicorn with its workers from the CPU count unless `--workers`, the Celery worker
   and beat on Redis; migrations, roles and static files first, as an operator's start
   does) and waits for /readyz.
3. Signs the clerk in over HTTP and enrols an authenticator (production asks staff
   for a second factor), and proves one request on the tracking page with its number
   and the applicant's last four digits, as a resident would.
4. Runs wrk (`--connections` connections, 2 threads) for `--seconds` in all, split
   evenly between the home page, a guide page, the tracking result page (the proven
   session) and the clerk's case list (`/staff/`, the signed-in session), each after
   a 2 s warm-up, and prints requests/s, p50, p99 and the number of requests for each,
   with the CPU time per request of gunicorn's workers and of PostgreSQL's processes
   (read from /proc: what sizes the web machines and the database); with `--json`,
   writes them there too.
5. Stops everything it started (Ctrl-C to honcho, then SIGKILL to what is left).

Needs wrk (`apt-get install wrk`). wrk, gunicorn, the worker and PostgreSQL share the
machine: the figures are this machine's, not a web machine's alone (docs/operations.md,
"The load run").
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urljoin, urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from http_pages import (  # noqa: E402  (this folder)
    _cpu_seconds,
    _create_database,
    _free_port,
)

CLERK_PHONE = "19900000001"
GUIDE = "/services/HG-SB-001/"
# Fixed, for the load run's own database only (it outlives a run): the generated ID
# numbers are encrypted with it.
FIELD_KEY = "bG9hZC1ydW4ta2V5LW5vdC1mb3ItcHJvZHVjdGlvbiE="
HASH_KEY = "load-run-hash-key-not-for-production-use"


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default="postgres://root@127.0.0.1:5432/load")
    parser.add_argument("--cache-url", default="redis://127.0.0.1:6379/3")
    parser.add_argument("--broker-url", default="redis://127.0.0.1:6379/4")
    parser.add_argument("--requests", type=int, default=200_000)
    parser.add_argument("--seconds", type=int, default=60, help="all pages together")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--workers", type=int, default=0, help="0: from the CPUs")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    return parser.parse_args()


def _settings_environment(args: argparse.Namespace) -> dict[str, str]:
    return {
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(60),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DATABASE_URL": args.database_url,
        "DJANGO_CACHE_URL": args.cache_url,
        "CELERY_BROKER_URL": args.broker_url,
        "HUAGANG_FIELD_KEYS": FIELD_KEY,
        "HUAGANG_HASH_KEY": HASH_KEY,
        "DJANGO_STATIC_ROOT": str(ROOT / "var" / "load-static"),
        "DJANGO_LOG_LEVEL": "WARNING",
        "CELERY_BEAT_SCHEDULE_FILE": str(ROOT / "var" / "load-celerybeat-schedule"),
    }


# --- 1. the database ------------------------------------------------------------------


def _prepare_database(args: argparse.Namespace) -> tuple[str, str]:
    """Migrate, load the town, generate the history once; a clerk with a new password
    and no authenticator. Returns the clerk's password and a tracking number of the
    clerk's village with its applicant's last four digits, "number:digits"."""
    _create_database(args.database_url)
    import django

    django.setup()
    from io import StringIO

    from django.core.management import call_command
    from django.db import connections
    from django_otp.plugins.otp_static.models import StaticDevice
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from services.models import ServiceRequest
    from villages.actions import user_set_role
    from villages.choices import Role
    from villages.models import User, Village

    call_command("compile_translations", stdout=StringIO())
    call_command("migrate", verbosity=0)
    call_command("load_town_data", stdout=StringIO())
    call_command("setup_roles", stdout=StringIO())
    existing = ServiceRequest.objects.count()
    if existing < args.requests:
        started = time.monotonic()
        call_command(
            "generate_history",
            requests=args.requests - existing,
            stdout=StringIO(),
        )
        print(
            f"generated {args.requests - existing} requests in "
            f"{time.monotonic() - started:.0f} s"
        )
    village = Village.objects.get(code="340123106001")
    password = secrets.token_urlsafe(16)
    clerk = User.objects.filter(phone=CLERK_PHONE).first()
    if clerk is None:
        clerk = User.objects.create_user(
            phone=CLERK_PHONE, password=password, name="压测代办员（演示）"
        )
    clerk.set_password(password)
    clerk.save(update_fields=["password"])
    user_set_role(user=clerk, role=Role.VILLAGE_CLERK, village=village)
    TOTPDevice.objects.filter(user=clerk).delete()
    StaticDevice.objects.filter(user=clerk).delete()
    proven = (
        ServiceRequest.objects.filter(village=village)
        .exclude(applicant_phone="")
        .order_by("-pk")
        .values_list("tracking_number", "applicant_phone")
        .first()
    )
    total = ServiceRequest.objects.count()
    print(f"{total} requests in {args.database_url.rsplit('/', 1)[-1]}")
    connections.close_all()
    return password, f"{proven[0]}:{proven[1][-4:]}"


# --- 2. make serve --------------------------------------------------------------------


def _serve(args: argparse.Namespace, port: int) -> subprocess.Popen:
    env_file = ROOT / "var" / "load.env"
    values = _settings_environment(args) | {"GUNICORN_BIND": f"127.0.0.1:{port}"}
    if args.workers:
        values["GUNICORN_WORKERS"] = str(args.workers)
    env_file.write_text("".join(f"{k}={v}\n" for k, v in values.items()))
    env_file.chmod(0o600)
    log = (ROOT / "var" / "load-serve.log").open("w")
    clean = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    return subprocess.Popen(
        ["make", "--no-print-directory", "serve", f"ENV_FILE={env_file}"],
        cwd=ROOT,
        env=clean,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def _stop(server: subprocess.Popen) -> None:
    if server.poll() is not None:
        return
    os.killpg(server.pid, signal.SIGINT)
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait(timeout=10)


# --- 3. people over HTTP --------------------------------------------------------------


class Client:
    """A browser's cookies over plain HTTP to gunicorn, as nginx forwards HTTPS."""

    def __init__(self, base: str):
        self.base, self.cookies = base, {}

    def request(self, method: str, path: str, **kwargs):
        import requests

        url = urljoin(self.base, path)
        headers = {
            "X-Forwarded-Proto": "https",
            "Referer": "https://" + urlsplit(url).netloc + urlsplit(url).path,
        }
        response = requests.request(
            method,
            url,
            headers=headers,
            cookies=dict(self.cookies),
            allow_redirects=False,
            timeout=60,
            **kwargs,
        )
        self.cookies.update({c.name: c.value for c in response.cookies})
        return response

    def post_form(self, path: str, fields: dict[str, str]):
        page = self.request("GET", path)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
        return self.request(
            "POST", path, data={"csrfmiddlewaretoken": token.group(1), **fields}
        )

    def cookie_header(self) -> str:
        return "; ".join(f"{k}={v}" for k, v in self.cookies.items())


def _wait_until_ready(base: str, server: subprocess.Popen, seconds: float) -> None:
    import requests

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"make serve exited with {server.returncode}")
        try:
            if requests.get(base + "/readyz", timeout=5).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.5)
    raise SystemExit(f"make serve was not ready within {seconds:.0f} s")


def _clerk_session(base: str, password: str) -> Client:
    """Sign in, then enrol the authenticator the way the smoke test does."""
    from django_otp.oath import totp

    clerk = Client(base)
    signed_in = clerk.post_form(
        "/account/sign-in/", {"username": CLERK_PHONE, "password": password}
    )
    assert signed_in.status_code == 302, f"sign-in: {signed_in.status_code}"
    setup = clerk.request("GET", "/account/second-factor/setup/")
    secret = re.search(r'data-testid="secret">([A-Z2-7 ]+)<', setup.text).group(1)
    key = secret.replace(" ", "")
    key = base64.b32decode(key + "=" * (-len(key) % 8))
    enrolled = clerk.post_form(
        "/account/second-factor/setup/", {"code": f"{totp(key):06d}"}
    )
    assert enrolled.status_code == 200, f"enrolment: {enrolled.status_code}"
    assert clerk.request("GET", "/staff/").status_code == 200
    return clerk


def _resident_session(base: str, proven: str) -> tuple[Client, str]:
    number, digits = proven.split(":")
    resident = Client(base)
    found = resident.post_form("/track/", {"number": number, "phone_last4": digits})
    assert found.status_code == 302, f"tracking lookup: {found.status_code}"
    return resident, urlsplit(found.headers["Location"]).path


# --- 4. wrk ---------------------------------------------------------------------------

_RPS = re.compile(r"Requests/sec:\s+([\d.]+)")
_COUNT = re.compile(r"(\d+) requests in")
_NON_2XX = re.compile(r"Non-2xx or 3xx responses:\s+(\d+)")
_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def _percentile(output: str, which: str) -> float:
    match = re.search(rf"^\s+{which}%\s+([\d.]+)(us|ms|s)\s*$", output, re.MULTILINE)
    return float(match.group(1)) * _UNITS[match.group(2)]


WRK_LOG = ROOT / "var" / "load-wrk.log"


def _wrk(url: str, seconds: int, connections: int, cookie: str = "") -> dict:
    command = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency"]
    command += ["-H", "X-Forwarded-Proto: https"]
    if cookie:
        command += ["-H", f"Cookie: {cookie}"]
    output = subprocess.run(
        [*command, url], capture_output=True, text=True, check=True
    ).stdout
    with WRK_LOG.open("a") as log:
        log.write(f"--- {url} ({seconds} s)\n{output}\n")
    bad = _NON_2XX.search(output)
    return {
        "requests_per_s": float(_RPS.search(output).group(1)),
        "p50_ms": _percentile(output, "50"),
        "p99_ms": _percentile(output, "99"),
        "requests": int(_COUNT.search(output).group(1)),
        "not_2xx": int(bad.group(1)) if bad else 0,
    }


def _gunicorn_master() -> int:
    """The gunicorn master that `make serve` started (through honcho)."""
    found = subprocess.run(
        ["pgrep", "-f", "gunicorn --config deploy/gunicorn.conf.py"],
        capture_output=True,
        text=True,
    ).stdout.split()
    masters = [
        int(pid)
        for pid in found
        if _parent_name(int(pid)) != "gunicorn" and _name(int(pid)) not in SHELLS
    ]
    return min(masters)


SHELLS = {"sh", "bash", "dash"}


def _name(pid: int) -> str:
    return Path(f"/proc/{pid}/comm").read_text().strip()


def _parent_name(pid: int) -> str:
    stat = Path(f"/proc/{pid}/stat").read_text()
    return _name(int(stat.rsplit(")", 1)[1].split()[1]))


def _backend_cpu(database_url: str) -> dict[int, float]:
    """CPU seconds so far of each PostgreSQL backend connected to the load run's
    database (gunicorn's workers keep theirs: CONN_MAX_AGE), by process id."""
    import environ
    import psycopg2

    config = environ.Env.db_url_config(database_url)
    connection = psycopg2.connect(
        dbname="postgres",
        host=config.get("HOST") or None,
        port=config.get("PORT") or None,
        user=config.get("USER") or None,
    )
    try:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pid FROM pg_stat_activity WHERE datname = %s", [config["NAME"]]
            )
            pids = [row[0] for row in cursor.fetchall()]
    finally:
        connection.close()
    ticks = os.sysconf("SC_CLK_TCK")
    cpu = {}
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        cpu[pid] = (int(fields[11]) + int(fields[12])) / ticks
    return cpu


def _database_seconds(before: dict[int, float], after: dict[int, float]) -> float:
    """The backends' CPU between two readings (a backend that started in between
    counts whole)."""
    return sum(seconds - before.get(pid, 0.0) for pid, seconds in after.items())


def main() -> int:
    args = _arguments()
    if not shutil.which("wrk"):
        print("wrk is not installed (apt-get install wrk).", file=sys.stderr)
        return 2
    (ROOT / "var").mkdir(exist_ok=True)
    os.environ.update(
        _settings_environment(args)
        | {"DJANGO_SETTINGS_MODULE": "huagang.settings.production"}
    )
    password, proven = _prepare_database(args)
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    server = _serve(args, port)
    try:
        started = time.monotonic()
        _wait_until_ready(base, server, 300)
        print(f"make serve ready in {time.monotonic() - started:.0f} s at {base}")
        clerk = _clerk_session(base, password)
        resident, result_path = _resident_session(base, proven)
        targets = [
            ("home", "/", ""),
            ("guide", GUIDE, ""),
            ("tracking result", result_path, resident.cookie_header()),
            ("staff case list", "/staff/", clerk.cookie_header()),
        ]
        for name, path, _cookie in targets:
            page = (clerk if path == "/staff/" else resident).request("GET", path)
            if page.status_code != 200:
                raise SystemExit(f"{name} ({path}) answered {page.status_code}")
        each = max(1, args.seconds // len(targets))
        figures = {}
        WRK_LOG.write_text("")
        master = _gunicorn_master()
        for name, path, cookie in targets:
            _wrk(base + path, 2, args.connections, cookie)  # warm-up
            web, database = _cpu_seconds(master), _backend_cpu(args.database_url)
            figures[name] = result = _wrk(base + path, each, args.connections, cookie)
            count = max(result["requests"], 1)
            result["web_cpu_ms"] = (_cpu_seconds(master) - web) * 1000 / count
            result["db_cpu_ms"] = (
                _database_seconds(database, _backend_cpu(args.database_url))
                * 1000
                / count
            )
            print(f"  {name}: done", flush=True)
    finally:
        _stop(server)
    total = sum(f["requests"] for f in figures.values())
    print(
        f"\nwrk -t2 -c{args.connections}, {each} s a page ({each * len(targets)} s), "
        f"gunicorn workers: {args.workers or 'from the CPUs'}, "
        f"{args.requests:,} requests in the database"
    )
    print(
        f"{'page':<18}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}{'requests':>10}"
        f"{'web CPU ms':>12}{'PG CPU ms':>11}"
    )
    for name, f in figures.items():
        print(
            f"{name:<18}{f['requests_per_s']:>9.0f}{f['p50_ms']:>9.1f}"
            f"{f['p99_ms']:>9.1f}{f['requests']:>10}"
            f"{f['web_cpu_ms']:>12.1f}{f['db_cpu_ms']:>11.2f}"
        )
    print(f"{'all':<18}{total / (each * len(targets)):>9.0f}{'':>18}{total:>10}")
    if args.json:
        args.json.write_text(json.dumps(figures, ensure_ascii=False, indent=2))
    failed = {n: f["not_2xx"] for n, f in figures.items() if f["not_2xx"]}
    if failed:
        print(f"answers that were not 2xx: {failed}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
