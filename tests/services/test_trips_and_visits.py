"""定时代办 trips with their chain of custody, and 上门特办 home visits."""

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from huagang.exceptions import Conflict, InvalidInput, NotPermitted
from services.actions import (
    agency_trip_add,
    agency_trip_hand_over,
    agency_trip_plan,
    agency_trip_return,
    home_visit_record,
    home_visit_schedule,
    service_request_accept,
    service_request_complete,
)
from services.actions.trips import next_trip_date
from services.models import HomeVisit, ServiceRequest, Status
from services.working_days import WorkCalendar

pytestmark = pytest.mark.django_db


@pytest.fixture
def accepted(submit, village_clerk):
    def _accepted(kind="agency", **overrides):
        request = submit(kind, **overrides)
        service_request_accept(service_request=request, by=village_clerk)
        request.refresh_from_db()
        return request

    return _accepted


def test_the_next_trip_is_on_the_villages_trip_weekday(village):
    village.sub_center.trip_weekdays = [2, 5]  # Tuesday and Friday
    # Wed 2026-09-30 → Fri 10-02 is National Day, Tue 10-06 too → Fri 10-09.
    assert next_trip_date(
        village=village, today=dt.date(2026, 9, 30), calendar=WorkCalendar()
    ) == dt.date(2026, 10, 9)
    assert next_trip_date(
        village=village, today=dt.date(2026, 3, 3), calendar=WorkCalendar()
    ) == dt.date(2026, 3, 3)


def test_the_chain_of_custody_resident_village_town_village_resident(
    accepted, village, village_clerk, town_clerk
):
    first, second = accepted(), accepted()
    trip = agency_trip_plan(village=village, by=village_clerk)
    assert agency_trip_plan(village=village, by=village_clerk) == trip  # once per day
    agency_trip_add(trip=trip, service_requests=[first, second], by=village_clerk)
    agency_trip_hand_over(
        trip=trip, by=village_clerk, received_by=town_clerk, documents=7
    )
    trip.refresh_from_db()
    assert (trip.handed_over_by, trip.received_by, trip.documents_out) == (
        village_clerk,
        town_clerk,
        7,
    )
    assert set(
        ServiceRequest.objects.filter(pk__in=[first.pk, second.pk]).values_list(
            "status", flat=True
        )
    ) == {Status.SENT_TO_TOWN}

    # Only the first result is ready; the second stays at the town.
    agency_trip_return(
        trip=trip,
        by=town_clerk,
        received_by=village_clerk,
        documents=3,
        results={first.pk: "审核通过，证件已制作"},
    )
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.status == Status.RETURNED_TO_VILLAGE
    assert first.result_note == "审核通过，证件已制作"
    assert second.status == Status.SENT_TO_TOWN

    later = agency_trip_plan(
        village=village,
        by=village_clerk,
        trip_date=trip.trip_date + dt.timedelta(days=3),
    )
    with time_machine.travel(timezone.now() + dt.timedelta(days=3)):  # that trip's day
        agency_trip_return(
            trip=later,
            by=town_clerk,
            received_by=village_clerk,
            documents=2,
            results={second.pk: "已办结"},
        )
    assert set(second.agency_trips.all()) == {trip, later}

    service_request_complete(
        service_request=first, by=village_clerk, result="已交申请人"
    )
    path = [
        (e.from_status, e.to_status, e.actor_role)
        for e in first.events.filter(kind="status").order_by("created_at", "pk")
    ]
    assert path == [
        ("", "submitted", "resident"),
        ("submitted", "accepted", "village_clerk"),
        ("accepted", "sent_to_town", "village_clerk"),
        ("sent_to_town", "returned_to_village", "town_clerk"),
        ("returned_to_village", "completed", "village_clerk"),
    ]


def test_a_trip_is_handed_over_once(accepted, village, village_clerk, town_clerk):
    trip = agency_trip_plan(village=village, by=village_clerk)
    agency_trip_add(trip=trip, service_requests=[accepted()], by=village_clerk)
    agency_trip_hand_over(
        trip=trip, by=village_clerk, received_by=town_clerk, documents=1
    )
    with pytest.raises(Conflict):
        agency_trip_hand_over(
            trip=trip, by=village_clerk, received_by=town_clerk, documents=1
        )
    with pytest.raises(Conflict):
        agency_trip_add(trip=trip, service_requests=[accepted()], by=village_clerk)


def test_a_trip_refuses_cases_that_do_not_belong(
    accepted, submit, village, village_clerk, other_village_clerk
):
    trip = agency_trip_plan(village=village, by=village_clerk)
    with pytest.raises(InvalidInput):
        agency_trip_add(
            trip=trip, service_requests=[submit("agency")], by=village_clerk
        )  # not accepted yet
    with pytest.raises(InvalidInput):
        agency_trip_add(
            trip=trip, service_requests=[accepted("home")], by=village_clerk
        )  # not a scheduled-agency case
    with pytest.raises(NotPermitted):
        agency_trip_plan(village=village, by=other_village_clerk)
    assert trip.requests.count() == 0


def test_the_receiver_must_be_town_staff(accepted, village, village_clerk, resident):
    trip = agency_trip_plan(village=village, by=village_clerk)
    agency_trip_add(trip=trip, service_requests=[accepted()], by=village_clerk)
    with pytest.raises(InvalidInput):
        agency_trip_hand_over(
            trip=trip, by=village_clerk, received_by=resident, documents=1
        )
    trip.refresh_from_db()
    assert trip.handed_over_at is None


@pytest.fixture
def at_town(accepted, village, village_clerk, town_clerk):
    """An accepted agency case handed to the town on today's trip: (case, trip)."""
    case = accepted()
    trip = agency_trip_plan(village=village, by=village_clerk)
    agency_trip_add(trip=trip, service_requests=[case], by=village_clerk)
    agency_trip_hand_over(
        trip=trip, by=village_clerk, received_by=town_clerk, documents=1
    )
    return case, trip


def test_only_the_town_returns_results(at_town, village_clerk):
    case, trip = at_town
    with pytest.raises(NotPermitted):
        agency_trip_return(
            trip=trip,
            by=village_clerk,
            received_by=village_clerk,
            documents=1,
            results={case.pk: "x"},
        )
    case.refresh_from_db()
    assert case.status == Status.SENT_TO_TOWN


def test_a_return_without_a_result_is_refused(at_town, village_clerk, town_clerk):
    """The resident is told the result; "已回村" alone tells them nothing."""
    case, trip = at_town
    with pytest.raises(InvalidInput) as excinfo:
        agency_trip_return(
            trip=trip,
            by=town_clerk,
            received_by=village_clerk,
            documents=1,
            results={case.pk: "  "},
        )
    assert set(excinfo.value.errors) == {"result"}
    case.refresh_from_db()
    trip.refresh_from_db()
    assert case.status == Status.SENT_TO_TOWN and trip.returned_at is None


def _window(days: int = 0):
    """Later today (an outcome may be recorded from the visit's day), or `days` on."""
    start = timezone.now() + dt.timedelta(days=days, hours=1)
    return {"starts_at": start, "ends_at": start + dt.timedelta(hours=2)}


def test_a_home_visit_done_completes_the_request(accepted, village_clerk):
    request = accepted("home")
    visit = home_visit_schedule(
        service_request=request,
        by=village_clerk,
        staff=village_clerk,
        reason="disability",
        **_window(),
    )
    request.refresh_from_db()
    assert request.status == Status.VISIT_SCHEDULED
    home_visit_record(visit=visit, by=village_clerk, outcome="done", note="已上门办结")
    request.refresh_from_db()
    assert request.status == Status.COMPLETED
    assert request.result_note == "已上门办结"


def test_a_visit_is_named_by_its_local_time(accepted, village_clerk):
    """Lists, messages and page titles name a visit by its Beijing time, not UTC."""
    request = accepted("home")
    starts = dt.datetime(2026, 3, 11, 10, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    home_visit_schedule(
        service_request=request,
        by=village_clerk,
        staff=village_clerk,
        reason="age",
        starts_at=starts,
        ends_at=starts + dt.timedelta(hours=1),
    )
    visit = HomeVisit.objects.get(request=request)  # read back: stored in UTC
    assert str(visit) == f"{request.tracking_number} 2026-03-11 10:00"


def test_a_resident_absent_is_rescheduled(accepted, village_clerk):
    request = accepted("home")
    visit = home_visit_schedule(
        service_request=request,
        by=village_clerk,
        staff=village_clerk,
        reason="age",
        **_window(),
    )
    with pytest.raises(Conflict):
        home_visit_schedule(
            service_request=request,
            by=village_clerk,
            staff=village_clerk,
            reason="age",
            **_window(2),
        )
    home_visit_record(visit=visit, by=village_clerk, outcome="absent")
    with pytest.raises(Conflict):
        home_visit_record(visit=visit, by=village_clerk, outcome="done")
    second = home_visit_schedule(
        service_request=request,
        by=village_clerk,
        staff=village_clerk,
        reason="age",
        **_window(3),
    )
    request.refresh_from_db()
    assert request.status == Status.VISIT_SCHEDULED
    assert list(request.home_visits.values_list("outcome", flat=True)) == [
        HomeVisit.Outcome.ABSENT,
        HomeVisit.Outcome.PLANNED,
    ]
    assert request.events.filter(kind="visit").count() == 2
    assert second.outcome == HomeVisit.Outcome.PLANNED


def test_a_visit_not_possible_returns_the_request_to_accepted(accepted, village_clerk):
    request = accepted("home")
    visit = home_visit_schedule(
        service_request=request,
        by=village_clerk,
        staff=village_clerk,
        reason="illness",
        **_window(),
    )
    home_visit_record(
        visit=visit, by=village_clerk, outcome="impossible", note="申请人已住院"
    )
    request.refresh_from_db()
    assert request.status == Status.ACCEPTED


def test_bad_visit_input_is_refused(accepted, village_clerk, other_village_clerk):
    request = accepted("home")
    start = timezone.now()
    with pytest.raises(InvalidInput) as excinfo:
        home_visit_schedule(
            service_request=request,
            by=village_clerk,
            staff=other_village_clerk,
            reason="whim",
            starts_at=start,
            ends_at=start - dt.timedelta(hours=1),
        )
    assert {"staff", "reason", "ends_at"} <= set(excinfo.value.errors)
    assert not request.home_visits.exists()


@time_machine.travel(dt.datetime(2026, 3, 2, 9, tzinfo=dt.UTC))
def test_the_clock_keeps_running_through_trips(
    accepted, village, village_clerk, town_clerk
):
    case = accepted()
    due = case.due_date
    trip = agency_trip_plan(village=village, by=village_clerk)
    agency_trip_add(trip=trip, service_requests=[case], by=village_clerk)
    with time_machine.travel(dt.datetime(2026, 3, 3, 1, tzinfo=dt.UTC)):  # trip day
        agency_trip_hand_over(
            trip=trip, by=village_clerk, received_by=town_clerk, documents=1
        )
    case.refresh_from_db()
    assert case.due_date == due


def test_a_trip_into_an_unknown_year_is_refused_with_a_clear_message(
    calendar_known_until_2098, village, village_clerk
):
    with time_machine.travel(dt.datetime(2098, 12, 31, 1, tzinfo=dt.UTC)):  # a Wed
        village.sub_center.trip_weekdays = [1]  # Mondays: the next is in 2099
        village.sub_center.save(update_fields=["trip_weekdays"])
        with pytest.raises(InvalidInput, match="2099"):
            agency_trip_plan(village=village, by=village_clerk)


def _changes(*objects) -> list:
    """What a refused step must leave alone: each object's row and the event count."""
    rows = [type(o).objects.filter(pk=o.pk).values().get() for o in objects]
    return [rows, [o.events.count() for o in objects if hasattr(o, "events")]]


def test_a_visits_outcome_waits_for_its_day(accepted, village_clerk):
    request = accepted("home")
    visit = home_visit_schedule(
        service_request=request,
        by=village_clerk,
        staff=village_clerk,
        reason="age",
        **_window(days=2),
    )
    request.refresh_from_db()
    before = _changes(visit, request)
    for outcome in ("done", "absent", "impossible"):
        with pytest.raises(InvalidInput, match="2026-03-12") as excinfo:
            home_visit_record(visit=visit, by=village_clerk, outcome=outcome)
        assert "outcome" in excinfo.value.errors
    assert _changes(visit, request) == before

    with time_machine.travel(timezone.now() + dt.timedelta(days=2)):
        home_visit_record(visit=visit, by=village_clerk, outcome="done", note="已办结")
    request.refresh_from_db()
    assert request.status == Status.COMPLETED


def test_a_visit_later_today_may_be_recorded_now(accepted, village_clerk):
    """The rule is the visit's local day: a clerk records it in the evening, or early
    (the last hour of the visiting hours, HUAGANG_VISIT_HOURS)."""
    request = accepted("home")
    today = timezone.localdate()
    start = dt.datetime.combine(
        today, dt.time(17, 0), tzinfo=timezone.get_current_timezone()
    )
    visit = home_visit_schedule(
        service_request=request,
        by=village_clerk,
        staff=village_clerk,
        reason="age",
        starts_at=start,
        ends_at=start + dt.timedelta(minutes=30),
    )
    home_visit_record(visit=visit, by=village_clerk, outcome="absent")
    visit.refresh_from_db()
    assert visit.outcome == HomeVisit.Outcome.ABSENT


def test_a_trip_is_not_handed_over_before_its_day(
    accepted, village, village_clerk, town_clerk
):
    case = accepted()
    trip = agency_trip_plan(
        village=village,
        by=village_clerk,
        trip_date=timezone.localdate() + dt.timedelta(days=2),
    )
    agency_trip_add(trip=trip, service_requests=[case], by=village_clerk)
    case.refresh_from_db()
    before = _changes(trip, case)
    with pytest.raises(InvalidInput, match="2026-03-12"):
        agency_trip_hand_over(
            trip=trip, by=village_clerk, received_by=town_clerk, documents=1
        )
    assert _changes(trip, case) == before

    with time_machine.travel(timezone.now() + dt.timedelta(days=2)):
        agency_trip_hand_over(
            trip=trip, by=village_clerk, received_by=town_clerk, documents=1
        )
    case.refresh_from_db()
    assert case.status == Status.SENT_TO_TOWN


def test_a_trips_return_is_not_recorded_before_its_day(
    accepted, village, village_clerk, town_clerk
):
    case = accepted()
    today = agency_trip_plan(village=village, by=village_clerk)
    agency_trip_add(trip=today, service_requests=[case], by=village_clerk)
    agency_trip_hand_over(
        trip=today, by=village_clerk, received_by=town_clerk, documents=1
    )
    later = agency_trip_plan(
        village=village,
        by=village_clerk,
        trip_date=today.trip_date + dt.timedelta(days=3),
    )
    case.refresh_from_db()
    before = _changes(later, case)
    with pytest.raises(InvalidInput, match="2026-03-13"):
        agency_trip_return(
            trip=later,
            by=town_clerk,
            received_by=village_clerk,
            documents=1,
            results={case.pk: "已办结"},
        )
    assert _changes(later, case) == before
    assert not later.requests.exists()
