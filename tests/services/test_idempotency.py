"""Concurrent double submission of one form (same key) makes one request, on PostgreSQL
where the posts really race."""

import threading
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection, connections

from services.actions import service_request_submit
from services.models import Notification, RequestEvent, ServiceRequest

pytestmark = [pytest.mark.postgres_only, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (concurrent writers); set DATABASE_URL")


def test_five_simultaneous_posts_of_one_form_make_one_request(
    items, village, village_clerk
):
    key, barrier = uuid.uuid4(), threading.Barrier(5)

    def post(_index: int) -> int:
        try:
            barrier.wait(10)
            return service_request_submit(
                item=items["agency"],
                village=village,
                mode="agency",
                channel="window",
                applicant_name="王大爷",
                applicant_phone="13955550000",
                entered_by=village_clerk,
                submission_key=key,
            ).pk
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=5) as pool:
        answers = list(pool.map(post, range(5)))
    request = ServiceRequest.objects.get()
    assert answers == [request.pk] * 5
    assert RequestEvent.objects.filter(request=request).count() == 1
    assert Notification.objects.filter(request=request).count() == 1


def test_simultaneous_posts_done_on_the_spot_make_one_completed_request(
    items, village, village_clerk
):
    """The workbench's 即时即办 done on the spot: submit and complete in one
    transaction; the posts that lose the race find the completed request."""
    from huagang.privacy import NOTICE_VERSION
    from services.actions import service_request_enter

    key, barrier = uuid.uuid4(), threading.Barrier(4)

    def post(_index: int) -> int:
        try:
            barrier.wait(10)
            return service_request_enter(
                item=items["instant"],
                village=village,
                mode="instant",
                channel="window",
                applicant_name="王大爷",
                applicant_phone="13955550000",
                applicant_id_number="11010519491231002X",
                consent_version=NOTICE_VERSION,
                entered_by=village_clerk,
                submission_key=key,
                done_on_the_spot=True,
                result="当场办结",
            ).pk
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=4) as pool:
        answers = list(pool.map(post, range(4)))
    request = ServiceRequest.objects.get()
    assert answers == [request.pk] * 4
    assert request.status == "completed" and request.consent_at is not None
    assert RequestEvent.objects.filter(request=request).count() == 2
