"""定时代办 trips for staff: the list and one trip, putting cases on and taking them
off, the hand-over to the town, the return, the check-in of each case by its number
where the trip arrives (``services/views/staff/trips.py`` calls the same actions)."""

import django_filters
from django.db.models import Q, QuerySet
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.generics import ListAPIView
from rest_framework.request import Request
from rest_framework.response import Response

import huagang.converters  # noqa: F401  (registers tracking_number)
from huagang.exceptions import Conflict, InvalidTransition, NotFound

from .... import access, actions, workflow
from ....actions.trips import trip_day_reached
from ....models import AgencyTrip, ServiceRequest, Status, TripCheck
from ....selectors import trips as trip_selectors
from ....selectors.trips import _with_counts
from ....views.staff.trips import FLAGS as CHECK_FLAGS  # the workbench's words
from ...pagination import ApiCursorPagination
from ...schema import errors
from ...serializers.fieldwork import (
    CheckInFinishInput,
    CheckInFinishResultSerializer,
    CheckInInput,
    CheckInResultSerializer,
    HandOverInput,
    ReturnInput,
    TripCasesInput,
    TripDetailSerializer,
    TripSerializer,
)
from ._common import TRIP_ID, ChoiceFilter, StaffOnly, StaffView, check_id

OUT, BACK = TripCheck.Leg.OUT, TripCheck.Leg.BACK


def trip_or_404(user, trip_id: int) -> AgencyTrip:
    """A trip `user` may see (``access.agency_trips_scope``)."""
    found = (
        access.agency_trips_scope(user=user)
        .select_related(
            "village",
            "handed_over_by",
            "received_by",
            "returned_by",
            "return_received_by",
        )
        .filter(pk=check_id(trip_id))
        .first()
    )
    if found is None:
        raise NotFound()
    return found


def fillable(user, trip_id: int) -> AgencyTrip:
    """A trip `user` may fill and hand over: 404 if they may not see it, 403 if they
    see it (a town clerk of a body it carries) but may not fill it."""
    trip = trip_or_404(user, trip_id)
    access.require(access.may_fill_trip(user, trip))
    return trip


def check_may_check_in(user, trip: AgencyTrip, leg: str) -> None:
    """409 before the trip reached that end (nobody can check it in yet), else 403
    unless ``access.may_check_in``."""
    if leg == OUT and trip.handed_over_at is None:
        raise InvalidTransition(_("This trip has not been handed over yet."))
    if leg == BACK and trip.returned_at is None:
        raise InvalidTransition(_("This trip's return has not been recorded yet."))
    access.require(access.may_check_in(user, trip, leg))


def trip_detail(request: Request, trip: AgencyTrip) -> dict:
    user = request.user
    trip.refresh_from_db()
    trip.planned = [] if trip.handed_over_at else trip_selectors.trip_cases(trip=trip)
    trip.out, trip.back = (
        trip_selectors.off_list_seen(
            sheet=trip_selectors.trip_check_sheet(trip=trip, leg=leg), user=user
        )
        for leg in (OUT, BACK)
    )
    steps = access.trip_steps(user, trip)
    fills = not trip.handed_over_at and access.may_fill_trip(user, trip)
    today = trip_day_reached(trip)  # the actions' own rule: not before the trip day
    trip.may = {
        "add_cases": fills,
        "remove_cases": fills,
        "hand_over": today and workflow.Step.HAND_OVER in steps,
        "send_back": today and workflow.Step.RETURN in steps,
        "check_in_out": access.may_check_in(user, trip, OUT),
        "check_in_back": access.may_check_in(user, trip, BACK),
    }
    return TripDetailSerializer(trip, context={"user": user}).data


def chosen_cases(
    candidates: QuerySet[ServiceRequest], numbers: list[str], why: str
) -> list[ServiceRequest]:
    """The cases with these numbers among `candidates`; 400 naming any other."""
    wanted = [access.tracking_number_normalize(n) for n in numbers]
    found = {
        c.tracking_number: c for c in candidates.filter(tracking_number__in=wanted)
    }
    unknown = [n for n in dict.fromkeys(wanted) if n not in found]
    if unknown:
        raise serializers.ValidationError(
            {"cases": [why % {"number": number} for number in unknown]}
        )
    return [found[n] for n in dict.fromkeys(wanted)]


class TripPagination(ApiCursorPagination):
    ordering = ("-trip_date", "-pk")


def strict_boolean(moment: str, help_text: str) -> django_filters.ChoiceFilter:
    """true / false on whether `moment` is recorded; anything else is a 400 (a
    boolean filter would silently ignore it)."""

    def by_moment(queryset, name, value):
        return queryset.filter(**{f"{moment}__isnull": value == "false"})

    return django_filters.ChoiceFilter(
        choices=[("true", "true"), ("false", "false")],
        method=by_moment,
        help_text=help_text,
        error_messages={"invalid_choice": gettext_lazy("Give true or false.")},
    )


TASKS = {
    "fill": lambda user: access.trips_to_fill(user=user),
    "check_in_out": lambda user: access.trips_to_check_in(user=user, leg=OUT),
    "check_in_back": lambda user: access.trips_to_check_in(user=user, leg=BACK),
}


class TripFilter(django_filters.FilterSet):
    village = django_filters.CharFilter(
        field_name="village__code", max_length=12, help_text="A village's code."
    )
    trip_date_after = django_filters.DateFilter(
        field_name="trip_date", lookup_expr="gte"
    )
    trip_date_before = django_filters.DateFilter(
        field_name="trip_date", lookup_expr="lte"
    )
    handed_over = strict_boolean("handed_over_at", "Handed over to the town (true).")
    returned = strict_boolean("returned_at", "Its return recorded (true).")
    task = ChoiceFilter(
        choices=[(task, task) for task in TASKS],
        method="filter_task",
        help_text="fill: trips the caller may fill and hand over; check_in_out / "
        "check_in_back: trips the caller may check in at the town / at the village.",
    )

    class Meta:
        model = AgencyTrip
        fields: list[str] = []

    def filter_task(self, queryset, name, value):
        mine = TASKS[value](self.request.user)
        return queryset.filter(pk__in=mine.values("pk"))


class TripListView(ListAPIView):
    """GET trips/: the trips the caller may see, newest first."""

    permission_classes = [StaffOnly]
    serializer_class = TripSerializer
    filterset_class = TripFilter
    pagination_class = TripPagination

    @extend_schema(
        summary="Trips the caller may see (定时代办)",
        description="Those of a village the caller serves and those carrying a case "
        "they may see (access.agency_trips_scope), newest first.",
        responses={200: TripSerializer(many=True), **errors(400, 403)},
        tags=["trips"],
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        return _with_counts(access.agency_trips_scope(user=self.request.user))


class TripDetailView(StaffView):
    @extend_schema(
        parameters=[TRIP_ID],
        summary="One trip: who gave and received, its lists and their check-ins",
        responses={200: TripDetailSerializer, **errors(403, 404)},
        tags=["trips"],
    )
    def get(self, request: Request, trip_id: int) -> Response:
        return Response(trip_detail(request, trip_or_404(request.user, trip_id)))


class TripCasesView(StaffView):
    @extend_schema(
        parameters=[TRIP_ID],
        summary="Put cases on a trip that has not been handed over",
        description="Accepted 定时代办 cases of the trip's village not on another "
        "trip that has not left; staff serving the village. A case already on this "
        "trip stays on it (posting again changes nothing).",
        request=TripCasesInput,
        responses={200: TripDetailSerializer, **errors(400, 403, 404, 409)},
        tags=["trips"],
    )
    def post(self, request: Request, trip_id: int) -> Response:
        trip = fillable(request.user, trip_id)
        body = TripCasesInput(data=request.data)
        body.is_valid(raise_exception=True)
        candidates = ServiceRequest.objects.filter(
            Q(
                pk__in=trip_selectors.agency_cases_to_carry(
                    village=trip.village
                ).values("pk")
            )
            | Q(pk__in=trip.requests.filter(status=Status.ACCEPTED).values("pk"))
        )
        why = _(
            "%(number)s is not an accepted case of this village waiting for a trip."
        )
        cases = chosen_cases(candidates, body.validated_data["cases"], why)
        actions.agency_trip_add(trip=trip, service_requests=cases, by=request.user)
        return Response(trip_detail(request, trip))


class TripCaseRemoveView(StaffView):
    @extend_schema(
        parameters=[TRIP_ID],
        summary="Take a case off a trip before its hand-over",
        description="It waits for a trip again. 409 once the trip was handed over.",
        responses={200: TripDetailSerializer, **errors(403, 404, 409)},
        tags=["trips"],
    )
    def delete(self, request: Request, trip_id: int, tracking_number: str) -> Response:
        trip = fillable(request.user, trip_id)
        case = trip.requests.filter(tracking_number=tracking_number).first()
        if case is None:
            raise NotFound(_("This case is not on this trip."))
        actions.agency_trip_remove(trip=trip, service_request=case, by=request.user)
        return Response(trip_detail(request, trip))


class TripHandOverView(StaffView):
    @extend_schema(
        parameters=[TRIP_ID],
        summary="Hand the trip over to the town (its accepted cases → 已转递)",
        description="From the trip's day on, by staff serving its village; 409 once "
        "handed over.",
        request=HandOverInput,
        responses={200: TripDetailSerializer, **errors(400, 403, 404, 409)},
        tags=["trips"],
    )
    def post(self, request: Request, trip_id: int) -> Response:
        trip = fillable(request.user, trip_id)
        body = HandOverInput(data=request.data)
        body.is_valid(raise_exception=True)
        actions.agency_trip_hand_over(
            trip=trip, by=request.user, documents=body.validated_data["documents"]
        )
        return Response(trip_detail(request, trip))


class TripReturnView(StaffView):
    @extend_schema(
        parameters=[TRIP_ID],
        summary="Send decided cases back to the village with this trip (→ 已回村)",
        description="Town-center staff who may return the cases (their bodies'; an "
        "official, all), each with the decision recorded (POST requests/<n>/"
        "decide/), whose result the resident is told. 409 before the hand-over and "
        "once the return is recorded.",
        request=ReturnInput,
        responses={200: TripDetailSerializer, **errors(400, 403, 404, 409)},
        tags=["trips"],
    )
    def post(self, request: Request, trip_id: int) -> Response:
        trip = trip_or_404(request.user, trip_id)
        if trip.returned_at:
            raise Conflict(_("This trip's return has already been recorded."))
        if not trip.handed_over_at:
            raise InvalidTransition(_("This trip has not been handed over yet."))
        access.require(workflow.Step.RETURN in access.trip_steps(request.user, trip))
        body = ReturnInput(data=request.data)
        body.is_valid(raise_exception=True)
        candidates = trip_selectors.trip_decided_cases(trip=trip, user=request.user)
        why = _("%(number)s has no recorded decision of the town.")
        cases = chosen_cases(candidates, body.validated_data["cases"], why)
        actions.agency_trip_send_back(
            trip=trip,
            by=request.user,
            service_requests=cases,
            documents=body.validated_data["documents"],
        )
        return Response(trip_detail(request, trip))


def checkable(request: Request, trip_id: int, input_class) -> tuple:
    """The trip and the checked body of a check-in call: 404 for a trip the caller
    may not see, 400 for bad input, then 409 / 403 (``check_may_check_in``)."""
    trip = trip_or_404(request.user, trip_id)
    body = input_class(data=request.data)
    body.is_valid(raise_exception=True)
    check_may_check_in(request.user, trip, body.validated_data["leg"])
    return trip, body.validated_data


class TripCheckInView(StaffView):
    @extend_schema(
        parameters=[TRIP_ID],
        summary="Check one case in by its number where the trip arrives",
        description="leg out: at the town center (town-center staff who see the "
        "trip, once handed over); leg back: at the village (staff serving it, once "
        "the return is recorded). Checking a case in again changes nothing "
        "(result `again`).",
        request=CheckInInput,
        responses={200: CheckInResultSerializer, **errors(400, 403, 404, 409)},
        tags=["trips"],
    )
    def post(self, request: Request, trip_id: int) -> Response:
        trip, data = checkable(request, trip_id, CheckInInput)
        result = actions.agency_trip_check_in(
            trip=trip, leg=data["leg"], number=data["number"], by=request.user
        )
        message = str(CHECK_FLAGS[result.outcome][1]) % {"number": result.number}
        data = {"result": result.outcome, "number": result.number, "message": message}
        return Response(CheckInResultSerializer(data).data)


class TripCheckInFinishView(StaffView):
    @extend_schema(
        parameters=[TRIP_ID],
        summary="Finish a leg's check-in: the listed cases not checked in are missing",
        description="Who finishes is the receiver, unless one was named. 409 once "
        "finished.",
        request=CheckInFinishInput,
        responses={200: CheckInFinishResultSerializer, **errors(400, 403, 404, 409)},
        tags=["trips"],
    )
    def post(self, request: Request, trip_id: int) -> Response:
        trip, data = checkable(request, trip_id, CheckInFinishInput)
        missing = actions.agency_trip_check_finish(
            trip=trip, leg=data["leg"], by=request.user
        )
        return Response(
            {
                "missing": [case.tracking_number for case in missing],
                "trip": trip_detail(request, trip),
            }
        )


urlpatterns = [
    path("trips/", TripListView.as_view(), name="trips"),
    path("trips/<int:trip_id>/", TripDetailView.as_view(), name="trip"),
    path("trips/<int:trip_id>/cases/", TripCasesView.as_view(), name="trip_cases"),
    path(
        "trips/<int:trip_id>/cases/<tracking_number:tracking_number>/",
        TripCaseRemoveView.as_view(),
        name="trip_case",
    ),
    path(
        "trips/<int:trip_id>/hand-over/",
        TripHandOverView.as_view(),
        name="trip_hand_over",
    ),
    path("trips/<int:trip_id>/return/", TripReturnView.as_view(), name="trip_return"),
    path(
        "trips/<int:trip_id>/check-in/",
        TripCheckInView.as_view(),
        name="trip_check_in",
    ),
    path(
        "trips/<int:trip_id>/check-in/finish/",
        TripCheckInFinishView.as_view(),
        name="trip_check_in_finish",
    ),
]
