"""定时代办: a village's scheduled trips carrying cases to the town center and back."""

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from huagang.dates import check_date_window
from huagang.exceptions import Conflict, InvalidInput
from villages.choices import Role
from villages.models import User, Village
from villages.validators import is_weekday_list

from ..access import (
    check_papers_arrived,
    may_check_in,
    may_fill_trip,
    require,
    roles_towards,
    serves_town,
    serves_village,
    tracking_number_normalize,
)
from ..models import (
    AgencyTrip,
    EventKind,
    HandlingMode,
    ServiceRequest,
    Status,
    TripCheck,
)
from ..workflow import Activity, Step, check_activity
from ..working_days import UnknownCalendarYear, WorkCalendar
from ._core import change_status, lock_request, record_event

MAX_DEPARTED = 8  # trips already handed over that the next-trip search skips


def next_trip_date(
    *, village: Village, today: dt.date, calendar: WorkCalendar
) -> dt.date:
    """The first working day on or after `today` that is one of the village's trip days."""
    sub_center = getattr(village, "sub_center", None)
    raw = (sub_center.trip_weekdays or []) if sub_center else []
    if not is_weekday_list(raw):
        raise InvalidInput(
            _(
                "%(village)s's trip days are not weekdays 1 to 7; correct them in the "
                "admin (service sub-centers)."
            )
            % {"village": village.name},
            code="bad_trip_days",
        )
    weekdays = set(raw) or {1, 2, 3, 4, 5}
    day = today
    for _step in range(60):
        try:
            if day.isoweekday() in weekdays and calendar.is_workday(day):
                return day
        except UnknownCalendarYear as exc:
            raise InvalidInput(str(exc), code="calendar_unknown") from None
        day += dt.timedelta(days=1)
    raise InvalidInput(_("No trip day in the next 60 days; check the trip weekdays."))


def agency_trip_next(
    *, village: Village, calendar: WorkCalendar | None = None
) -> AgencyTrip:
    """The village's next trip that has not left yet (today's, or the next trip
    day's once today's was handed over), found without writing anything: a saved
    trip, or an unsaved one (``pk`` None) for a day that has no trip yet, which
    ``agency_trip_plan`` creates when cases are put on it (a page's GET only shows
    its date)."""
    calendar = calendar or WorkCalendar.load()
    day = timezone.localdate()
    # A trip whose day passed without being handed over keeps its cases (they cannot
    # go on another trip): it stays the next trip until it leaves.
    missed = (
        AgencyTrip.objects.filter(
            village=village,
            trip_date__lt=day,
            handed_over_at__isnull=True,
            requests__isnull=False,
        )
        .order_by("trip_date")
        .first()
    )
    if missed is not None:
        return missed
    for _attempt in range(MAX_DEPARTED):
        found = next_trip_date(village=village, today=day, calendar=calendar)
        trip = AgencyTrip.objects.filter(village=village, trip_date=found).first()
        if trip is None:
            return AgencyTrip(village=village, trip_date=found)
        if not trip.handed_over_at:
            return trip
        day = found + dt.timedelta(days=1)
    raise Conflict(_("The next trips have all left; choose a trip date."))


@transaction.atomic
def agency_trip_plan(
    *,
    village: Village,
    by: User,
    trip_date: dt.date | None = None,
    calendar: WorkCalendar | None = None,
) -> AgencyTrip:
    """The village's trip on `trip_date`, created once; by default its next trip that
    has not left yet (``agency_trip_next``), created if it does not exist yet.

    A given `trip_date` must lie in the appointment window (``huagang.dates``).
    """
    require(serves_village(by, village.pk))
    if trip_date is not None:
        check_date_window(trip_date=trip_date)
        return AgencyTrip.objects.get_or_create(village=village, trip_date=trip_date)[0]
    trip = agency_trip_next(village=village, calendar=calendar)
    if trip.pk is None:
        trip = AgencyTrip.objects.get_or_create(
            village=village, trip_date=trip.trip_date
        )[0]
    return trip


@transaction.atomic
def agency_trips_put_on_next(
    *,
    service_requests: list[ServiceRequest],
    by: User,
    expected_versions: dict[int, int] | None = None,
) -> list[AgencyTrip]:
    """Put each case on its village's next trip: all of them, or (on any refusal)
    none, and no trip is left behind empty. `expected_versions` (request id →
    version): Conflict for a case changed since."""
    by_village: dict[int, list[ServiceRequest]] = {}
    for service_request in service_requests:
        by_village.setdefault(service_request.village_id, []).append(service_request)
    trips = []
    for cases in by_village.values():
        trip = agency_trip_plan(village=cases[0].village, by=by)
        trips.append(
            agency_trip_add(
                trip=trip,
                service_requests=cases,
                by=by,
                expected_versions=expected_versions,
            )
        )
    return trips


def _lock_trip(trip: AgencyTrip) -> AgencyTrip:
    return (
        AgencyTrip.objects.select_for_update().select_related("village").get(pk=trip.pk)
    )


@transaction.atomic
def agency_trip_add(
    *,
    trip: AgencyTrip,
    service_requests: list[ServiceRequest],
    by: User,
    expected_versions: dict[int, int] | None = None,
) -> AgencyTrip:
    """Put accepted 定时代办 cases of the trip's village on a trip not yet handed over.
    `expected_versions` (request id → version): Conflict for a case changed since."""
    trip = _lock_trip(trip)
    if trip.handed_over_at:
        raise Conflict(_("This trip has already been handed over to the town."))
    for service_request in service_requests:
        locked = lock_request(
            service_request, (expected_versions or {}).get(service_request.pk)
        )
        roles = roles_towards(by, locked)
        if (
            locked.mode != HandlingMode.AGENCY
            or locked.village_id != trip.village_id
            or locked.status != Status.ACCEPTED
        ):
            raise InvalidInput(
                _("%(number)s is not an accepted scheduled-agency case of %(village)s.")
                % {"number": locked.tracking_number, "village": trip.village.name}
            )
        check_activity(Activity.PUT_ON_TRIP, locked.status, roles)
        open_trips = locked.agency_trips.filter(handed_over_at__isnull=True)
        if open_trips.filter(pk=trip.pk).exists():
            continue  # already on this trip
        if open_trips.exists():
            raise Conflict(
                _("%(number)s is already on another trip that has not left yet.")
                % {"number": locked.tracking_number}
            )
        trip.requests.add(locked)
        record_event(
            locked,
            kind=EventKind.TRIP,
            by=by,
            roles=roles,
            public=False,
            note=_("Put on the trip of %(date)s.") % {"date": trip.trip_date},
        )
    return trip


@transaction.atomic
def agency_trip_remove(
    *, trip: AgencyTrip, service_request: ServiceRequest, by: User
) -> AgencyTrip:
    """Take a case off a trip that has not been handed over: it waits for a trip
    again (``agency_cases_to_carry``); an event on the case records it.

    Raises NotPermitted unless `by` may fill the trip (``access.may_fill_trip``),
    Conflict once the trip was handed over, InvalidInput if the case is not on it.
    """
    trip = _lock_trip(trip)
    require(may_fill_trip(by, trip))
    if trip.handed_over_at:
        raise Conflict(
            _("This trip has already been handed over: its cases stay on it.")
        )
    locked = lock_request(service_request)
    if not trip.requests.filter(pk=locked.pk).exists():
        raise InvalidInput(
            _("%(number)s is not on this trip.") % {"number": locked.tracking_number}
        )
    trip.requests.remove(locked)
    record_event(
        locked,
        kind=EventKind.TRIP,
        by=by,
        roles=roles_towards(by, locked),
        public=False,
        note=_("Taken off the trip of %(date)s.") % {"date": trip.trip_date},
    )
    return trip


MAX_DOCUMENTS = 32767  # the column is a small integer


def _count(documents: int) -> int:
    if not isinstance(documents, int) or not 0 <= documents <= MAX_DOCUMENTS:
        raise InvalidInput({"documents": [_("Enter how many documents change hands.")]})
    return documents


def trip_day_reached(trip: AgencyTrip) -> bool:
    """Whether the trip's day has come: before it, the papers cannot have left (nor
    come back), so neither the hand-over nor the return can be recorded."""
    return timezone.localdate() >= trip.trip_date


@transaction.atomic
def agency_trip_hand_over(
    *, trip: AgencyTrip, by: User, received_by: User | None = None, documents: int
) -> AgencyTrip:
    """Village → town: every accepted case on the trip becomes 已转递 and goes on the
    trip's list (``carried_out``), custody recorded.

    `received_by` may be left out: the town clerk who finishes checking the trip in
    is then recorded as its receiver (``agency_trip_check_finish``). Raises
    InvalidInput before the trip's day: the papers cannot have left yet.
    """
    trip = _lock_trip(trip)
    if trip.handed_over_at:
        raise Conflict(_("This trip has already been handed over to the town."))
    if not trip_day_reached(trip):
        raise InvalidInput(
            _("This trip is on %(date)s; it can be handed over from that day.")
            % {"date": trip.trip_date}
        )
    if received_by is not None and not serves_town(received_by):
        raise InvalidInput(
            {"received_by": [_("The receiver must be town-center staff.")]}
        )
    cases = list(trip.requests.filter(status=Status.ACCEPTED))
    if not cases:
        raise InvalidInput(_("There is no accepted case on this trip."))
    note = _("Carried to the town center on the trip of %(date)s.") % {
        "date": trip.trip_date
    }
    for case in cases:
        locked = lock_request(case)
        change_status(
            locked,
            to=Status.SENT_TO_TOWN,
            step=Step.HAND_OVER,
            by=by,
            roles=roles_towards(by, locked),
            note=note,
            changes={"town_decided_at": None},  # a decision is made for this journey
        )
    trip.carried_out.add(*cases)
    trip.handed_over_at = timezone.now()
    trip.handed_over_by, trip.received_by = by, received_by
    trip.documents_out = _count(documents)
    trip.save(
        update_fields=[
            "handed_over_at",
            "handed_over_by",
            "received_by",
            "documents_out",
        ]
    )
    return trip


@transaction.atomic
def agency_trip_return(
    *,
    trip: AgencyTrip,
    by: User,
    received_by: User | None = None,
    documents: int,
    results: dict[int, str],
) -> AgencyTrip:
    """Town → village: the cases in `results` (request id → result) come back 已回村.

    A case handed over on an earlier trip may come back with this one; it is then added
    to this trip too, so its custody shows both journeys; every case returned goes on
    the trip's return list (``carried_back``). `received_by` may be left out: the
    village clerk who finishes checking the return in is then recorded. Raises
    InvalidInput before the trip's day.
    """
    trip = _lock_trip(trip)
    if trip.returned_at:
        raise Conflict(_("This trip's return has already been recorded."))
    if not trip_day_reached(trip):
        raise InvalidInput(
            _("This trip is on %(date)s; its return can be recorded from that day.")
            % {"date": trip.trip_date}
        )
    if received_by is not None and not serves_village(received_by, trip.village_id):
        raise InvalidInput(
            {"received_by": [_("The receiver must serve this village.")]}
        )
    if not results:
        raise InvalidInput(_("Choose the cases whose results come back."))
    if not all((result or "").strip() for result in results.values()):
        raise InvalidInput(
            {
                "result": [
                    _(
                        "Write the result the resident will be told: what was decided "
                        "and how they receive it."
                    )
                ]
            }
        )
    for request_id, result in results.items():
        locked = lock_request(ServiceRequest(pk=request_id))
        if locked.village_id != trip.village_id:
            raise InvalidInput(
                _("%(number)s belongs to another village.")
                % {"number": locked.tracking_number}
            )
        change_status(
            locked,
            to=Status.RETURNED_TO_VILLAGE,
            step=Step.RETURN,
            by=by,
            roles=roles_towards(by, locked),
            note=result,
            changes={"result_note": (result or "").strip()},
        )
        trip.requests.add(locked)
        trip.carried_back.add(locked)
    trip.returned_at = timezone.now()
    trip.returned_by, trip.return_received_by = by, received_by
    trip.documents_back = _count(documents)
    trip.save(
        update_fields=[
            "returned_at",
            "returned_by",
            "return_received_by",
            "documents_back",
        ]
    )
    return trip


# --- the town's decision and the return of decided cases -------------------------------

MAX_RESULT = 2000


@transaction.atomic
def service_request_town_decide(
    *,
    service_request: ServiceRequest,
    by: User,
    result: str,
    expected_version: int | None = None,
) -> ServiceRequest:
    """Record the town's decision on a case handed over to it (已转递): the result the
    resident will be told. The case then waits for its village's next trip back
    (``agency_trip_send_back``). Recording again replaces the result.

    Raises NotPermitted unless `by` serves the item's body (or is an official),
    InvalidTransition unless the case is at the town, Conflict while its papers are
    missing (``access.check_papers_arrived``) or when the case is no longer at
    `expected_version`, InvalidInput for no result.
    """
    locked = lock_request(service_request, expected_version)
    roles = roles_towards(by, locked)
    check_activity(Activity.DECIDE, locked.status, roles)
    check_papers_arrived(locked)
    result = (result or "").strip()
    if not result or len(result) > MAX_RESULT:
        raise InvalidInput(
            {
                "result": [
                    _(
                        "Write the result the resident will be told (at most "
                        "%(max)d characters)."
                    )
                    % {"max": MAX_RESULT}
                ]
            }
        )
    locked.result_note = result
    locked.town_decided_at = timezone.now()
    locked.version += 1
    locked.save(
        update_fields=["result_note", "town_decided_at", "version", "updated_at"]
    )
    record_event(
        locked, kind=EventKind.DECISION, by=by, roles=roles, public=False, note=result
    )
    return locked


@transaction.atomic
def agency_trip_send_back(
    *,
    trip: AgencyTrip,
    by: User,
    service_requests: list[ServiceRequest],
    documents: int,
) -> AgencyTrip:
    """Town → village with the town's recorded decisions: ``agency_trip_return``
    with each case's result taken from its decision. Raises InvalidInput for a case
    whose decision is not recorded."""
    results = {}
    for service_request in service_requests:
        locked = lock_request(service_request)
        if locked.status != Status.SENT_TO_TOWN or locked.town_decided_at is None:
            raise InvalidInput(
                _("%(number)s has no recorded decision of the town.")
                % {"number": locked.tracking_number}
            )
        results[locked.pk] = locked.result_note
    return agency_trip_return(trip=trip, by=by, documents=documents, results=results)


# --- checking each case in where a trip arrives ----------------------------------------


class CheckOutcome:
    RECEIVED = "received"  # on the list, checked in now
    AGAIN = "again"  # checked in before: nothing changes
    LATE = "late"  # on the list, checked in after the check-in was finished
    NOT_ON_LIST = "not_on_list"  # a real case this trip's list does not name
    UNKNOWN = "unknown"  # no case has this number


@dataclass(frozen=True)
class CheckIn:
    outcome: str
    number: str
    case: ServiceRequest | None = None


def trip_leg_list(trip: AgencyTrip, leg: str):
    """The cases the trip's list names for `leg` (a queryset)."""
    if leg == TripCheck.Leg.OUT:
        return trip.carried_out.all()
    return trip.carried_back.all()


def trip_leg_missing(trip: AgencyTrip, leg: str):
    """The listed cases not checked in on `leg` (yet)."""
    checked = TripCheck.objects.filter(trip=trip, leg=leg).values("request_id")
    return trip_leg_list(trip, leg).exclude(pk__in=checked)


CHECKED_FIELD = {
    TripCheck.Leg.OUT: ("arrival_checked_at", "received_by"),
    TripCheck.Leg.BACK: ("return_checked_at", "return_received_by"),
}


def _leg(value: str) -> TripCheck.Leg:
    try:
        return TripCheck.Leg(value)
    except ValueError:
        raise InvalidInput(_("Unknown direction of a trip.")) from None


def _acting_roles(by: User) -> frozenset[Role]:
    return frozenset({Role(by.role)})


@transaction.atomic
def agency_trip_check_in(
    *, trip: AgencyTrip, leg: str, number: str, by: User
) -> CheckIn:
    """One case checked in by its number (typed or scanned) where the trip arrives.

    A case on the trip's list for `leg` is received; a real case not on it is
    recorded too, flagged (``on_list`` false); a number no case has is only
    answered. Checking the same case in again changes nothing. A listed case may
    still be checked in after the check-in was finished (it was missing).
    Raises NotPermitted unless ``access.may_check_in``, InvalidInput for no number.
    """
    leg = _leg(leg)
    trip = _lock_trip(trip)
    require(may_check_in(by, trip, leg))
    number = tracking_number_normalize(number or "")
    if not number:
        raise InvalidInput({"number": [_("Type or scan a tracking number.")]})
    case = ServiceRequest.objects.filter(tracking_number=number[:20]).first()
    if case is None or len(number) > 20:
        return CheckIn(CheckOutcome.UNKNOWN, number[:20])
    on_list = trip_leg_list(trip, leg).filter(pk=case.pk).exists()
    _check, created = TripCheck.objects.get_or_create(
        trip=trip,
        request=case,
        leg=leg,
        defaults={"on_list": on_list, "checked_by": by},
    )
    if not created:
        return CheckIn(CheckOutcome.AGAIN, number, case)
    where = _("at the town center") if leg == TripCheck.Leg.OUT else _("at the village")
    values = {"where": where, "date": trip.trip_date, "village": trip.village.name}
    if on_list:
        note = _("Checked in %(where)s from the trip of %(date)s.") % values
    else:
        note = (
            _(
                "Checked in %(where)s with the trip of %(village)s of %(date)s, though "
                "not on its list."
            )
            % values
        )
    record_event(
        case,
        kind=EventKind.TRIP,
        by=by,
        roles=_acting_roles(by),
        public=False,
        note=note,
    )
    if not on_list:
        return CheckIn(CheckOutcome.NOT_ON_LIST, number, case)
    finished = getattr(trip, CHECKED_FIELD[leg][0]) is not None
    return CheckIn(
        CheckOutcome.LATE if finished else CheckOutcome.RECEIVED, number, case
    )


@transaction.atomic
def agency_trip_check_finish(
    *, trip: AgencyTrip, leg: str, by: User
) -> list[ServiceRequest]:
    """Close the check-in of `leg`: the listed cases not checked in are missing
    (each gets an event; they may still be checked in later). Who finishes is the
    receiver, unless one was named at the hand-over or return.

    Returns the missing cases. Raises Conflict if the check-in was finished already.
    """
    leg = _leg(leg)
    trip = _lock_trip(trip)
    require(may_check_in(by, trip, leg))
    checked_field, receiver_field = CHECKED_FIELD[leg]
    if getattr(trip, checked_field) is not None:
        raise Conflict(_("This check-in has already been finished."))
    setattr(trip, checked_field, timezone.now())
    if getattr(trip, f"{receiver_field}_id") is None:
        setattr(trip, receiver_field, by)
    trip.save(update_fields=[checked_field, receiver_field])
    missing = list(trip_leg_missing(trip, leg))
    note = _("Missing when the trip of %(date)s was checked in.") % {
        "date": trip.trip_date
    }
    for case in missing:
        record_event(
            case,
            kind=EventKind.TRIP,
            by=by,
            roles=_acting_roles(by),
            public=False,
            note=note,
        )
    return missing
