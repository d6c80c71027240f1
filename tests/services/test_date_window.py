"""Dates people enter stay in a sensible window; a stored date never breaks a page.

Found in review: a home visit booked for 0001-01-01 was accepted, after which the visit
list and the request's page answered 500 on PostgreSQL (1 BC once in UTC).
"""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from huagang.dates import appointment_window
from huagang.exceptions import InvalidInput
from services.actions import (
    agency_trip_plan,
    home_visit_schedule,
    service_request_accept,
)
from services.models import AgencyTrip, CalendarDay, CalendarYear, HomeVisit

pytestmark = pytest.mark.django_db
BEIJING = ZoneInfo("Asia/Shanghai")
ABSURD_DAYS = [dt.date(1, 1, 1), dt.date(1900, 1, 1), dt.date(9999, 12, 31)]


@pytest.fixture
def home_case(submit, village_clerk):
    request = submit("home")
    service_request_accept(service_request=request, by=village_clerk)
    return request


def _at(day: dt.date, hour: int = 9, minute: int = 0) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=BEIJING)


def _schedule(request, clerk, starts_at, ends_at):
    return home_visit_schedule(
        service_request=request,
        by=clerk,
        staff=clerk,
        starts_at=starts_at,
        ends_at=ends_at,
        reason="age",
    )


def test_the_appointment_window_is_from_today_to_two_years_ahead():
    """Nothing is booked in the past: the resident would be told of a visit on a day
    that has gone (found by a reviewer: a visit booked four weeks back)."""
    assert appointment_window(dt.date(2026, 3, 10)) == (
        dt.date(2026, 3, 10),
        dt.date(2028, 3, 9),
    )


@pytest.mark.parametrize("day", ABSURD_DAYS, ids=str)
def test_a_visit_on_an_absurd_day_is_refused_with_field_errors(
    home_case, village_clerk, day
):
    start = _at(day, 0, 0) if day.year == 1 else _at(day, 9)
    end = _at(day, 23, 59)
    with pytest.raises(InvalidInput) as excinfo:
        _schedule(home_case, village_clerk, start, end)
    assert set(excinfo.value.errors) == {"starts_at", "ends_at"}
    assert "2026-03-10" in excinfo.value.errors["starts_at"][0]
    assert not HomeVisit.objects.exists()


def test_a_visit_ending_years_later_is_refused(home_case, village_clerk):
    start = timezone.now() + dt.timedelta(days=1)
    with pytest.raises(InvalidInput) as excinfo:
        _schedule(home_case, village_clerk, start, _at(dt.date(9999, 12, 31), 23))
    assert set(excinfo.value.errors) == {"ends_at"}


def test_a_visit_at_the_edges_of_the_window_is_booked(home_case, village_clerk):
    first, last = appointment_window()
    # within the visiting hours (HUAGANG_VISIT_HOURS, 08:00-18:00)
    visit = _schedule(home_case, village_clerk, _at(first, 8), _at(first, 9))
    assert visit.pk
    visit.outcome = HomeVisit.Outcome.ABSENT  # so that the next one may be booked
    visit.save(update_fields=["outcome"])
    assert _schedule(home_case, village_clerk, _at(last, 17), _at(last, 18)).pk
    with pytest.raises(InvalidInput):
        _schedule(home_case, village_clerk, _at(last, 17), _at(last + dt.timedelta(1)))


def test_the_admin_refuses_a_visit_in_year_1_with_a_field_error(
    client, home_case, village_clerk
):
    client.force_login(village_clerk)
    response = client.post(
        reverse("admin:services_homevisit_add"),
        {
            "request": home_case.pk,
            "staff": village_clerk.pk,
            "reason": "age",
            "starts_at_0": "0001-01-01",
            "starts_at_1": "00:00:00",
            "ends_at_0": "0001-01-01",
            "ends_at_1": "01:00:00",
        },
    )
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert "starts_at" in errors and "ends_at" in errors
    assert "2026-03-10" in str(errors["starts_at"])
    assert not HomeVisit.objects.exists()


@pytest.mark.parametrize("day", ABSURD_DAYS, ids=str)
def test_a_trip_on_an_absurd_day_is_refused(village, village_clerk, day):
    with pytest.raises(InvalidInput) as excinfo:
        agency_trip_plan(village=village, by=village_clerk, trip_date=day)
    assert set(excinfo.value.errors) == {"trip_date"}
    assert not AgencyTrip.objects.exists()


def test_trips_at_the_edges_of_the_window_are_planned(village, village_clerk):
    first, last = appointment_window()
    for day in (first, last):
        assert agency_trip_plan(village=village, by=village_clerk, trip_date=day).pk
    for day in (first - dt.timedelta(1), last + dt.timedelta(1)):
        with pytest.raises(InvalidInput):
            agency_trip_plan(village=village, by=village_clerk, trip_date=day)


@pytest.mark.parametrize(
    "day, accepted",
    [
        ("1999-12-31", False),
        ("2000-01-01", True),
        ("2099-12-31", True),
        ("2100-01-01", False),
        ("9999-12-31", False),
    ],
)
def test_officials_enter_calendar_days_from_2000_to_2099(
    official_client, day, accepted
):
    response = official_client.post(
        reverse("admin:services_calendarday_add"),
        {"date": day, "name": "测试", "is_workday": ""},
    )
    assert CalendarDay.objects.filter(name="测试").exists() == accepted
    if not accepted:
        assert response.status_code == 200
        assert "2000-01-01" in str(response.context["adminform"].form.errors["date"])


@pytest.mark.parametrize(
    "year, accepted", [(1999, False), (2000, True), (2099, True), (2100, False)]
)
def test_officials_enter_calendar_years_from_2000_to_2099(
    official_client, year, accepted
):
    response = official_client.post(
        reverse("admin:services_calendaryear_add"), {"year": year, "note": "测试"}
    )
    assert CalendarYear.objects.filter(year=year).exists() == accepted
    if not accepted:
        assert "year" in response.context["adminform"].form.errors


def _visit_row(request, staff, starts_at, ends_at):
    """Straight into the table, past every action: only the constraints stand guard."""
    return HomeVisit.objects.create(
        request=request, staff=staff, starts_at=starts_at, ends_at=ends_at, reason="age"
    )


@pytest.mark.parametrize(
    "starts_at, ends_at",
    [
        (_at(dt.date(1, 1, 1), 0), _at(dt.date(1, 1, 1), 1)),
        (_at(dt.date(1999, 12, 31), 23), _at(dt.date(2000, 1, 1), 9)),
        (_at(dt.date(2099, 12, 31), 23), _at(dt.date(9999, 12, 31), 9)),
    ],
    ids=["year 1", "before 2000", "after 2099"],
)
def test_the_database_refuses_absurd_visit_dates(
    home_case, village_clerk, starts_at, ends_at
):
    # On SQLite, year 1 does not even get that far: Django's UTC conversion overflows.
    with pytest.raises((IntegrityError, OverflowError)), transaction.atomic():
        _visit_row(home_case, village_clerk, starts_at, ends_at)


@pytest.mark.parametrize(
    "model, values",
    [
        (CalendarDay, {"date": dt.date(1, 1, 1), "is_workday": False}),
        (CalendarDay, {"date": dt.date(2100, 1, 1), "is_workday": False}),
        (CalendarYear, {"year": 1999}),
        (CalendarYear, {"year": 2100}),
    ],
)
def test_the_database_refuses_absurd_calendar_rows(model, values):
    with pytest.raises(IntegrityError), transaction.atomic():
        model.objects.create(**values)


@pytest.mark.parametrize("day", [dt.date(1999, 12, 31), dt.date(2100, 1, 1)])
def test_the_database_refuses_absurd_trip_dates(village, day):
    with pytest.raises(IntegrityError), transaction.atomic():
        AgencyTrip.objects.create(village=village, trip_date=day)


def test_visits_at_the_edges_show_on_the_list_and_the_request_page(
    client, official, submit, village_clerk
):
    """On PostgreSQL this is the review's 500: run it there too."""
    first, last = appointment_window()
    edges = [
        # the appointment window, as the actions allow it
        (_at(first, 0), _at(first, 1)),
        (_at(last, 22), _at(last, 23, 59)),
        # the database's own bounds, in UTC
        (
            dt.datetime(2000, 1, 1, tzinfo=dt.UTC),
            dt.datetime(2000, 1, 1, 1, tzinfo=dt.UTC),
        ),
        (
            dt.datetime(2099, 12, 31, 22, tzinfo=dt.UTC),
            dt.datetime(2099, 12, 31, 23, 59, 59, tzinfo=dt.UTC),
        ),
    ]
    requests = []
    for starts_at, ends_at in edges:
        request = submit("home")
        service_request_accept(service_request=request, by=village_clerk)
        _visit_row(request, village_clerk, starts_at, ends_at)
        requests.append(request)
    client.force_login(official)
    listing = client.get(reverse("admin:services_homevisit_changelist"))
    assert listing.status_code == 200
    assert listing.context["cl"].result_count == len(edges)
    html = listing.content.decode()
    for year in (first.year, last.year, 2000, 2100):  # 2099-12-31 22:00 UTC is 2100
        assert str(year) in html
    for request in requests:
        page = client.get(
            reverse("admin:services_servicerequest_change", args=[request.pk])
        )
        assert page.status_code == 200
        assert request.tracking_number in page.content.decode()
