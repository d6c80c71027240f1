"""Real concurrency on PostgreSQL: unique tracking numbers and row-locked transitions."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection, connections

from huagang.exceptions import Conflict, InvalidTransition, StaleVersion
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
            channel="window",
            applicant_name=f"申请人{index}",
            applicant_phone=f"139{index:08d}",
        ).tracking_number

    with ThreadPoolExecutor(max_workers=50) as pool:
        numbers = list(pool.map(submit, range(50)))
    assert len(set(numbers)) == 50
    assert ServiceRequest.objects.count() == 50
    assert RequestEvent.objects.filter(to_status=Status.SUBMITTED).count() == 50


def _accept_at_once(users, request, expected_version):
    """Both users accept the same request at the same moment; what each one got."""
    barrier = threading.Barrier(len(users))

    @_in_thread
    def accept(user):
        barrier.wait(10)
        try:
            service_request_accept(
                service_request=request, by=user, expected_version=expected_version
            )
        except Exception as exc:  # any outcome: the test asserts which
            return user, exc
        return user, None

    with ThreadPoolExecutor(max_workers=len(users)) as pool:
        return list(pool.map(accept, users))


def test_two_clerks_accepting_at_once_one_wins_one_conflicts(
    items, village, village_clerk, official
):
    """Both send the version they saw. The loser waits on the row lock, then reads the
    winner's version: a StaleVersion ("changed by someone else"), raised before the
    workflow is consulted, so never an InvalidTransition."""
    request = service_request_submit(
        item=items["agency"],
        village=village,
        mode="agency",
        channel="window",
        applicant_name="李四",
        applicant_phone="13900000000",
    )
    outcomes = _accept_at_once([village_clerk, official], request, request.version)
    winners = [user for user, exc in outcomes if exc is None]
    errors = [exc for _user, exc in outcomes if exc is not None]
    assert len(winners) == 1 and len(errors) == 1, outcomes
    assert type(errors[0]) is StaleVersion and errors[0].code == "conflict"
    assert errors[0].version == 2
    assert errors[0].message == str(Conflict.default_message)  # the pages' wording
    request.refresh_from_db()
    assert request.status == Status.ACCEPTED and request.version == 2
    assert request.assigned_to == winners[0]
    assert request.events.filter(to_status=Status.ACCEPTED).count() == 1
    assert request.events.count() == 2


def test_without_a_version_the_second_accept_finds_the_status_changed(
    items, village, village_clerk, official
):
    """No version sent: the loser waits on the row lock, then the workflow refuses to
    accept an accepted request (InvalidTransition). This is what the test above must
    not take for its StaleVersion."""
    request = service_request_submit(
        item=items["agency"],
        village=village,
        mode="agency",
        channel="window",
        applicant_name="李四",
        applicant_phone="13900000000",
    )
    outcomes = _accept_at_once([village_clerk, official], request, None)
    errors = [exc for _user, exc in outcomes if exc is not None]
    assert len(errors) == 1, outcomes
    assert type(errors[0]) is InvalidTransition
    request.refresh_from_db()
    assert request.version == 2
    assert request.events.filter(to_status=Status.ACCEPTED).count() == 1


def test_two_staff_answering_a_question_at_once_answer_it_once(
    resident, village, village_clerk, official
):
    """留言咨询: the question's row lock lets one answer through; the other is a
    Conflict, and the asker is told once."""
    from services.actions import question_answer, question_ask
    from services.models import Notification, QuestionEvent
    from villages.verification import user_mark_phone_verified

    question = question_ask(
        kind="consult",
        title="低保",
        text="怎么申请？",
        village=village,
        account=user_mark_phone_verified(user=resident),
    )
    barrier = threading.Barrier(2)

    @_in_thread
    def answer(user):
        barrier.wait(10)
        try:
            question_answer(question=question, by=user, answer=f"{user.name}的答复")
        except Exception as exc:  # any outcome: the test asserts which
            return exc
        return None

    with ThreadPoolExecutor(max_workers=2) as pool:
        outcomes = list(pool.map(answer, [village_clerk, official]))
    assert sorted(type(outcome).__name__ for outcome in outcomes) == [
        "Conflict",
        "NoneType",
    ]
    assert QuestionEvent.objects.filter(kind="answered").count() == 1
    sent = Notification.objects.filter(recipient=resident.phone, channel="sms")
    assert sent.filter(idempotency_key__startswith="question-answered:").count() == 1
