"""Real concurrency on PostgreSQL: unique tracking numbers and row-locked transitions."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection, connections

from huagang.exceptions import Conflict
from services.actions import service_request_accept, service_request_submit
from services.models import RequestEvent, ServiceRequest, Status

pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture(autouse=True)
def postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip(
            "needs PostgreSQL (row locks, concurrent writers); set DATABASE_URL"
        )


def _in_thread(function):
    def run(*args):
        try:
            return function(*args)
        finally:
            connections.close_all()

    return run


def test_fifty_concurrent_submissions_get_fifty_distinct_numbers(items, village):
    barrier = threading.Barrier(50)

    @_in_thread
    def submit(index: int) -> str:
        barrier.wait(10)
        return service_request_submit(
            item=items["agency"].code,
            village=village.code,
            mode="agency",
            channel="online",
            applicant_name=f"申请人{index}",
            applicant_phone=f"139{index:08d}",
        ).tracking_number

    with ThreadPoolExecutor(max_workers=50) as pool:
        numbers = list(pool.map(submit, range(50)))
    assert len(set(numbers)) == 50
    assert ServiceRequest.objects.count() == 50
    assert RequestEvent.objects.filter(to_status=Status.SUBMITTED).count() == 50


def test_two_clerks_accepting_at_once_one_wins_one_conflicts(
    items, village, village_clerk, official
):
    request = service_request_submit(
        item=items["agency"],
        village=village,
        mode="agency",
        channel="window",
        applicant_name="李四",
        applicant_phone="13900000000",
    )
    barrier = threading.Barrier(2)

    @_in_thread
    def accept(user) -> str:
        barrier.wait(10)
        try:
            service_request_accept(
                service_request=request, by=user, expected_version=request.version
            )
            return "ok"
        except Conflict:
            return "conflict"

    with ThreadPoolExecutor(max_workers=2) as pool:
        outcomes = sorted(pool.map(accept, [village_clerk, official]))
    assert outcomes == ["conflict", "ok"]
    request.refresh_from_db()
    assert request.status == Status.ACCEPTED and request.version == 2
    assert request.events.filter(to_status=Status.ACCEPTED).count() == 1
    assert request.events.count() == 2
