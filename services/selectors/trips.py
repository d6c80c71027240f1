"""Reads for the 定时代办 trips: the village's next trip and what can go on it, the
lists a receiving clerk checks in against, the cases at the town, and one case's
journey. Every function takes what ``services.access`` already scoped."""

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import F, Func, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from villages.models import User, Village

from ..access import (
    papers_missing_expression,
    service_requests_scope,
    town_cases_scope,
    trips_to_check_in,
)
from ..actions.trips import CHECKED_FIELD, trip_leg_list
from ..models import AgencyTrip, HandlingMode, ServiceRequest, Status, TripCheck
from . import service_requests_with_due_flag

RECENT_DAYS = 14  # trips still shown to check in after their day, if not finished


def agency_cases_to_carry(*, village: Village) -> QuerySet[ServiceRequest]:
    """The village's accepted 定时代办 cases not on a trip that has not left yet."""
    on_open_trip = AgencyTrip.requests.through.objects.filter(
        agencytrip__handed_over_at__isnull=True
    ).values("servicerequest_id")
    return (
        ServiceRequest.objects.filter(
            village=village, mode=HandlingMode.AGENCY, status=Status.ACCEPTED
        )
        .exclude(pk__in=on_open_trip)
        .select_related("item")
        .order_by("accepted_at", "pk")
    )


def trip_cases(*, trip: AgencyTrip) -> list[ServiceRequest]:
    """The trip's list out: what it carried once handed over; before, the accepted
    cases on it (those the hand-over will carry)."""
    if trip.handed_over_at:
        cases = trip.carried_out.all()
    else:
        cases = trip.requests.filter(status=Status.ACCEPTED)
    return list(cases.select_related("item").order_by("pk"))


def trip_back_cases(*, trip: AgencyTrip) -> list[ServiceRequest]:
    return list(trip.carried_back.select_related("item").order_by("pk"))


def _count(rows: QuerySet, column: str) -> Coalesce:
    """The number of `rows` (filtered on ``OuterRef("pk")``) as a scalar subquery:
    each relation is counted on its own, through its index on the trip (`column`,
    the trip's key: no table read where the index answers), instead of joining them
    all to the trip and counting distinct rows of their product."""
    counted = (
        rows.order_by()
        .annotate(n=Func(F(column), function="COUNT", output_field=IntegerField()))
        .values("n")
    )
    return Coalesce(Subquery(counted), 0)


def _with_counts(trips: QuerySet[AgencyTrip]) -> QuerySet[AgencyTrip]:
    """`trips` with the size of their lists and of their check-ins: one subquery
    per figure, so a page of trips costs the same whatever the trips carried."""
    trip = OuterRef("pk")
    checks = TripCheck.objects.filter(trip=trip)
    out = AgencyTrip.carried_out.through.objects
    back = AgencyTrip.carried_back.through.objects
    return trips.select_related("village").annotate(
        out_count=_count(out.filter(agencytrip=trip), "agencytrip_id"),
        back_count=_count(back.filter(agencytrip=trip), "agencytrip_id"),
        arrived_count=_count(
            checks.filter(leg=TripCheck.Leg.OUT, on_list=True), "trip_id"
        ),
        back_arrived_count=_count(
            checks.filter(leg=TripCheck.Leg.BACK, on_list=True), "trip_id"
        ),
        off_list_count=_count(checks.filter(on_list=False), "trip_id"),
    )


def trips_past(*, village: Village) -> QuerySet[AgencyTrip]:
    """The village's trips that left, newest first, with their counts."""
    return _with_counts(
        AgencyTrip.objects.filter(village=village, handed_over_at__isnull=False)
    ).order_by("-trip_date")


def _recent(leg: str) -> Q:
    checked, _receiver = CHECKED_FIELD[leg]
    moment = "handed_over_at" if leg == TripCheck.Leg.OUT else "returned_at"
    since = timezone.now() - dt.timedelta(days=RECENT_DAYS)
    today = timezone.localdate()
    return Q(**{f"{moment}__date": today}) | Q(
        **{f"{checked}__isnull": True, f"{moment}__gte": since}
    )


def trips_arriving(*, user: User) -> QuerySet[AgencyTrip]:
    """Trips handed over to the town today, and recent ones not checked in yet."""
    trips = trips_to_check_in(user=user, leg=TripCheck.Leg.OUT)
    return _with_counts(trips.filter(_recent(TripCheck.Leg.OUT))).order_by(
        "-handed_over_at"
    )


def trips_coming_back(*, user: User, village: Village) -> QuerySet[AgencyTrip]:
    """The village's trips back from the town today, and recent ones not checked in."""
    trips = trips_to_check_in(user=user, leg=TripCheck.Leg.BACK)
    return _with_counts(
        trips.filter(_recent(TripCheck.Leg.BACK), village=village)
    ).order_by("-returned_at")


@dataclass
class CheckSheet:
    """A trip's list for one leg as the receiving clerk sees it."""

    received: list[TripCheck] = field(default_factory=list)
    waiting: list[ServiceRequest] = field(default_factory=list)
    off_list: list[TripCheck] = field(default_factory=list)
    listed: int = 0
    finished: bool = False


def trip_check_sheet(*, trip: AgencyTrip, leg: str) -> CheckSheet:
    """Which listed cases arrived, which not (yet), and what came off the list
    (two queries, whatever the number of cases)."""
    listed = list(trip_leg_list(trip, leg).select_related("item").order_by("pk"))
    checks = list(
        TripCheck.objects.filter(trip=trip, leg=leg)
        .select_related("request__item", "checked_by")
        .order_by("-checked_at", "-pk")
    )
    arrived = {check.request_id for check in checks}
    return CheckSheet(
        received=[check for check in checks if check.on_list],
        waiting=[case for case in listed if case.pk not in arrived],
        off_list=[check for check in checks if not check.on_list],
        listed=len(listed),
        finished=getattr(trip, CHECKED_FIELD[leg][0]) is not None,
    )


def off_list_seen(*, sheet: CheckSheet, user: User) -> CheckSheet:
    """Give each off-list check of `sheet` the case as `seen` (with its item and
    village) if `user` may see that case, else None: the row then shows only the
    number typed (one query, whatever the number of rows)."""
    wanted = [check.request_id for check in sheet.off_list]
    seen = {}
    if wanted:
        cases = service_requests_scope(user=user).filter(pk__in=wanted)
        seen = {case.pk: case for case in cases.select_related("item", "village")}
    for check in sheet.off_list:
        check.seen = seen.get(check.request_id)
    return sheet


@dataclass
class TownCases:
    to_decide: QuerySet[ServiceRequest]
    ready: QuerySet[ServiceRequest]


def town_cases(*, user: User) -> TownCases:
    """The cases at the town for the bodies `user` serves: waiting for the decision
    (with their `due_flag`, as in the queue), and decided, ready to go back on their
    village's next trip."""
    cases = town_cases_scope(user=user).select_related("item__body", "village")
    return TownCases(
        to_decide=service_requests_with_due_flag(
            cases.filter(town_decided_at__isnull=True)
        )
        .annotate(papers_missing=papers_missing_expression())
        .order_by("due_date", "pk"),
        ready=cases.filter(town_decided_at__isnull=False).order_by(
            "village__order", "town_decided_at", "pk"
        ),
    )


def trip_decided_cases(*, trip: AgencyTrip, user: User) -> QuerySet[ServiceRequest]:
    """The trip's village's cases at the town, decided, that `user` may send back."""
    return (
        town_cases_scope(user=user)
        .filter(village_id=trip.village_id, town_decided_at__isnull=False)
        .select_related("item")
        .order_by("town_decided_at", "pk")
    )


@dataclass
class Leg:
    """One trip of a case's journey, with the case's check-in at its end."""

    trip: AgencyTrip
    check: TripCheck | None
    checked_at_end: bool  # the receiving side finished checking the trip in

    @property
    def missing(self) -> bool:
        return self.checked_at_end and self.check is None


@dataclass
class Journey:
    planned: AgencyTrip | None
    out: list[Leg]
    back: list[Leg]
    off_list: list[TripCheck]

    @property
    def missing(self) -> bool:
        return any(leg.missing for leg in (*self.out, *self.back))


def case_journey(*, case: ServiceRequest) -> Journey:
    """A 定时代办 case's trips to the town and back, its check-ins and flags (four
    queries)."""
    people = ("handed_over_by", "received_by", "returned_by", "return_received_by")
    checks = list(
        TripCheck.objects.filter(request=case).select_related(
            "checked_by", "trip__village"
        )
    )
    found = {(check.trip_id, check.leg): check for check in checks}

    def legs(trips, leg: str) -> list[Leg]:
        checked = CHECKED_FIELD[leg][0]
        return [
            Leg(trip, found.get((trip.pk, leg)), getattr(trip, checked) is not None)
            for trip in trips.select_related(*people).order_by("trip_date")
        ]

    return Journey(
        planned=case.agency_trips.filter(handed_over_at__isnull=True).first(),
        out=legs(case.trips_out, TripCheck.Leg.OUT),
        back=legs(case.trips_back, TripCheck.Leg.BACK),
        off_list=[check for check in checks if not check.on_list],
    )
