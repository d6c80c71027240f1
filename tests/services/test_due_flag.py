"""One definition of overdue and due soon: the Python rule and its SQL form agree, and
the admin filter, the clerks' queue and the sweep all use it."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from services import time_limits
from services.models import DueState, ServiceRequest, Status
from services.selectors import service_requests_with_due_flag
from services.working_days import WorkCalendar

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 3, 10)  # a Tuesday; the next working day is Wednesday 11th
# Officials' calendar only (no guessing from the installed package): Thursday 12th a
# holiday, so Friday 13th is two working days away.
CALENDAR = WorkCalendar(overrides={dt.date(2026, 3, 12): False})


@pytest.fixture
def requests_at_every_distance(submit):
    made = []
    for status in (
        Status.SUBMITTED,
        Status.ACCEPTED,
        Status.SUPPLEMENT,
        Status.COMPLETED,
    ):
        for offset in (None, -3, -1, 0, 1, 2, 3, 10):
            request = submit("agency")
            due = None if offset is None else TODAY + dt.timedelta(days=offset)
            ServiceRequest.objects.filter(pk=request.pk).update(
                status=status,
                due_date=due,
                accepted_at=timezone.now(),
                completed_at=timezone.now() if status == Status.COMPLETED else None,
            )
            made.append(request.pk)
    return made


def test_the_sql_flag_and_the_python_state_agree(requests_at_every_distance):
    rows = service_requests_with_due_flag(
        ServiceRequest.objects.filter(pk__in=requests_at_every_distance),
        today=TODAY,
        calendar=CALENDAR,
    )
    flags = set()
    for request in rows:
        expected = time_limits.state_of(
            status=request.status, due=request.due_date, today=TODAY, calendar=CALENDAR
        )
        assert request.due_flag == expected, (request.status, request.due_date)
        flags.add(request.due_flag)
    assert flags == {
        DueState.NONE,
        DueState.UNKNOWN,
        DueState.OVERDUE,
        DueState.DUE_SOON,
        DueState.ON_TIME,
    }


def test_due_soon_is_today_or_the_next_working_day():
    assert time_limits.due_soon_until(today=TODAY, calendar=CALENDAR) == dt.date(
        2026, 3, 11
    )
    friday = dt.date(2026, 3, 13)
    assert time_limits.state(
        due=friday, today=dt.date(2026, 3, 11), calendar=CALENDAR
    ) == (
        DueState.DUE_SOON  # Thursday is a holiday: Friday is the next working day
    )


def test_the_admin_filter_uses_the_same_flag(official_client, submit):
    late, soon, fine = submit("agency"), submit("agency"), submit("agency")
    today = dt.date(2026, 3, 10)
    for request, days in ((late, -1), (soon, 0), (fine, 10)):
        ServiceRequest.objects.filter(pk=request.pk).update(
            status=Status.ACCEPTED,
            due_date=today + dt.timedelta(days=days),
            due_state=DueState.ON_TIME,  # what a sweep saw earlier: not the rule
        )
    url = reverse("admin:services_servicerequest_changelist")
    for value, expected in (("overdue", [late]), ("due_soon", [soon])):
        listed = list(
            official_client.get(url, {"due": value}).context["cl"].result_list
        )
        assert listed == expected, value
