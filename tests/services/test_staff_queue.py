"""A clerk's open requests: scoped to what they serve, flagged, in constant queries."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from services.access import service_requests_scope
from services.models import DueState, ServiceItem, ServiceRequest, Status
from services.selectors import (
    service_requests_open_for_staff,
)
from services.working_days import WorkCalendar

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 3, 4)  # a Wednesday
CALENDAR = WorkCalendar()


AUTO = object()


def make_requests(
    count: int, village, *, status=Status.ACCEPTED, due=AUTO, assigned_to=None
) -> None:
    items = list(ServiceItem.objects.filter(allows_agency=True)[:20])
    ServiceRequest.objects.bulk_create(
        ServiceRequest(
            tracking_number=f"HGT{village.pk:03d}{status[:2]}{n:05d}",
            item=items[n % len(items)],
            village=village,
            mode="agency",
            channel="window",
            status=status,
            applicant_name="测试",
            applicant_phone="13900000000",
            accepted_at=timezone.now(),
            due_date=TODAY + dt.timedelta(days=n % 9 - 3) if due is AUTO else due,
            completed_at=timezone.now() if status == Status.COMPLETED else None,
            assigned_to=assigned_to,
        )
        for n in range(count)
    )


def rendered_rows(user) -> int:
    """Evaluate the queue as a page would: every column of every row."""
    rows = service_requests_open_for_staff(user=user, today=TODAY, calendar=CALENDAR)
    cells = []
    for row in rows:
        cells.append(
            (
                row.item.name,
                row.item.category.name,
                row.item.body.name,
                row.village.name,
                row.assigned_to.name,
                row.due_flag,
            )
        )
    assert all(all(cell is not None for cell in c) for c in cells)
    return len(rows)


@pytest.mark.parametrize("count", [5, 200])
def test_the_queue_uses_the_same_number_of_queries(count, village, village_clerk):
    make_requests(count, village, assigned_to=village_clerk)
    with CaptureQueriesContext(connection) as queries:
        assert rendered_rows(village_clerk) == count
    assert len(queries) == 1, [q["sql"] for q in queries]


def test_flags_follow_the_working_day_calendar(village, village_clerk):
    make_requests(1, village, due=TODAY - dt.timedelta(days=1))
    make_requests(
        1, village, due=TODAY + dt.timedelta(days=1), status=Status.SENT_TO_TOWN
    )
    make_requests(
        1, village, due=TODAY + dt.timedelta(days=7), status=Status.VISIT_SCHEDULED
    )
    make_requests(1, village, due=None, status=Status.SUPPLEMENT)
    flags = [
        r.due_flag
        for r in service_requests_open_for_staff(
            user=village_clerk, today=TODAY, calendar=CALENDAR
        )
    ]
    assert flags == [DueState.OVERDUE, DueState.DUE_SOON, DueState.ON_TIME, ""]


def test_a_clerk_sees_only_their_village(
    village, other_village, village_clerk, other_village_clerk, official
):
    make_requests(3, village, assigned_to=village_clerk)
    make_requests(2, other_village, assigned_to=other_village_clerk)
    assert rendered_rows(village_clerk) == 3
    assert rendered_rows(other_village_clerk) == 2
    assert rendered_rows(official) == 5


def test_a_town_clerk_sees_the_items_of_their_bodies(village, town_clerk, items):
    make_requests(20, village)
    served = set(town_clerk.bodies.values_list("pk", flat=True))
    visible = service_requests_scope(user=town_clerk)
    assert visible.exists()
    assert all(r.item.body_id in served for r in visible.select_related("item"))
    expected = ServiceRequest.objects.filter(item__body__in=served).count()
    assert visible.count() == expected


def test_closed_requests_leave_the_queue(village, village_clerk):
    make_requests(2, village, status=Status.COMPLETED)
    make_requests(1, village, status=Status.WITHDRAWN)
    assert rendered_rows(village_clerk) == 0


def test_a_resident_sees_only_their_own(submit, resident):
    mine = submit("agency")
    submit("agency", account=None)
    assert list(service_requests_scope(user=resident)) == [mine]
