"""A real Celery worker on Redis: a status change gives exactly one notification, even
when the worker is killed in the middle of sending it and started again."""

import os
import re
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from huagang.celery import app as celery_app
from services.actions import service_request_accept
from services.models import Notification

REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/15")


def _redis_or_skip():
    import redis

    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1)
    try:
        client.ping()
    except redis.RedisError:
        pytest.skip(f"needs Redis at {REDIS_URL} (bash .ci/run starts one)")
    return client


def _database_url() -> str:
    db = connection.settings_dict
    if db["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{db['NAME']}"
    user = db.get("USER") or ""
    host = db.get("HOST") or "127.0.0.1"
    return f"postgres://{user}@{host}:{db.get('PORT') or 5432}/{db['NAME']}"


class Worker:
    def __init__(self, marker: Path, log: Path, queue: str):
        self.marker, self.log, self.queue = marker, log, queue
        self.sent_log = marker.with_name("sent.log")
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "huagang.settings.base",
            "DATABASE_URL": _database_url(),
            "CELERY_BROKER_URL": REDIS_URL,
            "CELERY_VISIBILITY_TIMEOUT": "4",
            "CELERY_UNACKED_RESTORE_INTERVAL": "1",
            "CELERY_UNACKED_RESTORE_THROTTLE": "1",
            "HUAGANG_SMS_BACKEND": "tests.services.slow_backend.SlowOnceBackend",
            "HUAGANG_TEST_SLOW_MARKER": str(self.marker),
            "HUAGANG_TEST_SENT_LOG": str(self.sent_log),
            "CELERY_TASK_DEFAULT_QUEUE": self.queue,
        }
        command = [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "huagang",
            "worker",
            "--pool=solo",
            "--without-mingle",
            "--without-gossip",
            "--without-heartbeat",
            "--loglevel=INFO",
        ]
        handle = self.log.open("a")
        self.process = subprocess.Popen(
            command,
            cwd=settings.BASE_DIR,
            env=env,
            stdout=handle,
            stderr=subprocess.STDOUT,
        )
        wait_for(
            lambda: "ready." in self.log.read_text(),
            30,
            "the worker to start",
            self.log,
        )

    def kill(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(10)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.kill()


def _tail(path: Path) -> str:
    return "\n".join(path.read_text().splitlines()[-15:]) if path.exists() else ""


def wait_for(condition, seconds: float, what: str, log: Path | None = None) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}\n{_tail(log) if log else ''}")


@pytest.fixture
def worker(tmp_path, transactional_db):
    _redis_or_skip()
    marker = tmp_path / "marker"
    # A queue of its own, so that no other worker on this Redis takes the test's tasks.
    queue = f"test-{uuid.uuid4().hex[:12]}"
    worker = Worker(marker, tmp_path / "worker.log", queue)
    keys = ("task_always_eager", "broker_url", "task_default_queue")
    saved = {k: celery_app.conf[k] for k in keys}
    _configure(task_always_eager=False, broker_url=REDIS_URL, task_default_queue=queue)
    worker.start()
    yield worker
    worker.stop()
    _configure(**saved)


def _configure(**conf) -> None:
    """Point this process's Celery app at a broker, dropping pooled connections that an
    earlier test may have opened to the default one."""
    celery_app.conf.update(**conf)
    celery_app._pool = None
    celery_app.__dict__.pop("amqp", None)  # rebuilt with the new default queue


def sms_for(event) -> list[Notification]:
    return list(Notification.objects.filter(idempotency_key=f"event:{event.pk}:sms"))


def test_one_status_change_one_notification_even_if_the_worker_dies(
    worker, submit, village_clerk
):
    request = submit("agency", account=None)  # no account: SMS only
    submitted = request.events.get()
    wait_for(lambda: sms_for(submitted), 30, "the submission SMS", worker.log)
    assert len(sms_for(submitted)) == 1

    worker.marker.write_text("armed")
    service_request_accept(service_request=request, by=village_clerk)
    accepted = request.events.get(to_status="accepted")
    wait_for(
        lambda: worker.marker.read_text() == "sleeping",
        30,
        "the task to start",
        worker.log,
    )
    worker.kill()  # SIGKILL in the middle of sending: the task was never acknowledged
    # The outbox row was committed before the gateway was called (no transaction is
    # held across the call); it waits, unsent, for the redelivered task.
    assert [n.state for n in sms_for(accepted)] == [Notification.State.PENDING]

    worker.start()  # the message comes back after the visibility timeout
    wait_for(lambda: sms_for(accepted), 60, "the redelivered task", worker.log)
    time.sleep(6)  # past another visibility timeout: no second delivery, no second SMS
    notes = sms_for(accepted)
    assert len(notes) == 1
    assert notes[0].state == Notification.State.SENT
    # What the gateway delivered: each message once, the interrupted one included.
    delivered = worker.sent_log.read_text().split()
    assert delivered.count(f"event:{accepted.pk}:sms") == 1
    assert delivered.count(f"event:{submitted.pk}:sms") == 1
    assert Notification.objects.filter(request=request).count() == 2


def test_the_workers_log_lines_name_the_task_and_the_request_that_queued_it(
    worker, client, submit, village_clerk
):
    """A clerk's step queues the notification from a request with an X-Request-ID;
    the worker's line about sending it carries that id and its own task id
    (huagang/log_context.py; the worker logs through Django's LOGGING)."""
    request = submit("agency", account=None)
    wait_for(
        lambda: sms_for(request.events.get()), 30, "the submission SMS", worker.log
    )
    client.force_login(village_clerk)
    step = f"/staff/cases/{request.tracking_number}/accept/"
    response = client.post(
        step, {"accept-version": request.version}, HTTP_X_REQUEST_ID="clerk-step-0001"
    )
    assert response.status_code == 302 and response["X-Request-ID"] == "clerk-step-0001"
    accepted = request.events.get(to_status="accepted")
    wait_for(lambda: sms_for(accepted), 30, "the acceptance SMS", worker.log)
    sent = f"notification {sms_for(accepted)[0].pk} sent (sms)"
    wait_for(lambda: sent in worker.log.read_text(), 10, "the log line", worker.log)
    line = next(line for line in worker.log.read_text().splitlines() if sent in line)
    assert re.search(r"\[request=clerk-step-0001 task=[0-9a-f-]{36}\]$", line), line
