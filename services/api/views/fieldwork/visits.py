"""上门特办 home visits for staff: the list, one visit, what happened at it
(``services/views/staff/visits.py`` calls the same actions; a visit is booked on its
request: POST requests/<n>/visits/, in ``views/steps.py``)."""

import datetime as dt

import django_filters
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.generics import ListAPIView
from rest_framework.request import Request
from rest_framework.response import Response

from huagang.dates import DB_END, DB_FIRST_DAY
from huagang.exceptions import Conflict, NotFound, NotPermitted

from .... import access, actions, workflow
from ....models import HomeVisit
from ....selectors.visits import home_visit_get
from ...pagination import ApiCursorPagination
from ...schema import errors
from ...serializers.fieldwork import (
    VisitAbsentInput,
    VisitDoneInput,
    VisitImpossibleInput,
    VisitResultSerializer,
    VisitSerializer,
)
from ._common import VISIT_ID, ChoiceFilter, StaffOnly, StaffView, check_id


class VisitPagination(ApiCursorPagination):
    ordering = ("starts_at", "pk")


class VisitFilter(django_filters.FilterSet):
    day = django_filters.DateFilter(
        method="filter_day", help_text="Visits starting on this local day."
    )
    outcome = ChoiceFilter(choices=HomeVisit.Outcome.choices)
    request = django_filters.CharFilter(
        field_name="request__tracking_number",
        max_length=20,
        help_text="A request's tracking number: its visits.",
    )

    class Meta:
        model = HomeVisit
        fields: list[str] = []

    def filter_day(self, queryset, name, value: dt.date):
        if not DB_FIRST_DAY <= value < DB_END:
            return queryset.none()
        start = timezone.make_aware(dt.datetime.combine(value, dt.time.min))
        return queryset.filter(
            starts_at__gte=start, starts_at__lt=start + dt.timedelta(days=1)
        )


class VisitListView(ListAPIView):
    permission_classes = [StaffOnly]
    serializer_class = VisitSerializer
    filterset_class = VisitFilter
    pagination_class = VisitPagination

    @extend_schema(
        summary="Home visits of the requests the caller may see (上门特办)",
        description="In order of their start; `day` for one day's round.",
        responses={200: VisitSerializer(many=True), **errors(400, 403)},
        tags=["visits"],
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        return access.home_visits_scope(user=self.request.user).select_related(
            "request__item", "request__village", "staff"
        )

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "user": self.request.user}


def visit_or_404(user, visit_id: int) -> HomeVisit:
    found = home_visit_get(user=user, pk=check_id(visit_id))
    if found is None:
        raise NotFound()
    return found


class VisitDetailView(StaffView):
    @extend_schema(
        parameters=[VISIT_ID],
        summary="One home visit",
        responses={200: VisitSerializer, **errors(403, 404)},
        tags=["visits"],
    )
    def get(self, request: Request, visit_id: int) -> Response:
        visit = visit_or_404(request.user, visit_id)
        return Response(VisitSerializer(visit, context={"user": request.user}).data)


def _refuse_outcome(user, visit: HomeVisit, outcome: str) -> None:
    """Why `user` may not record `outcome` now: 409 if the request's status no longer
    allows it, else 403."""
    case = visit.request
    if outcome == HomeVisit.Outcome.ABSENT:
        access.check(user, case, workflow.Activity.VISIT_ABSENT)
    elif outcome == HomeVisit.Outcome.DONE:
        access.step_target(user, case, workflow.Step.VISIT_DONE)
    else:
        access.step_target(user, case, workflow.Step.VISIT_IMPOSSIBLE)
    raise NotPermitted()


class _VisitOutcomeView(StaffView):
    """What happened at a planned visit (``home_visit_record``)."""

    outcome: str
    input_class: type[serializers.Serializer]

    def record(self, request: Request, visit_id: int) -> Response:
        visit = visit_or_404(request.user, visit_id)
        if visit.outcome != HomeVisit.Outcome.PLANNED:
            raise Conflict(_("This visit's outcome has already been recorded."))
        if self.outcome not in access.visit_outcomes(request.user, visit):
            _refuse_outcome(request.user, visit, self.outcome)
        body = self.input_class(data=request.data)
        body.is_valid(raise_exception=True)
        actions.home_visit_record(
            visit=visit,
            by=request.user,
            outcome=self.outcome,
            note=body.validated_data.get("note", ""),
        )
        visit = visit_or_404(request.user, visit_id)
        return Response(
            VisitResultSerializer(visit, context={"user": request.user}).data
        )


def _outcome_schema(summary: str, input_class):
    return extend_schema(
        summary=summary,
        description="From the visit's day on; 409 once its outcome is recorded.",
        parameters=[VISIT_ID],
        request=input_class,
        responses={200: VisitResultSerializer, **errors(400, 403, 404, 409)},
        tags=["visits"],
    )


class VisitDoneView(_VisitOutcomeView):
    outcome, input_class = HomeVisit.Outcome.DONE, VisitDoneInput

    @_outcome_schema(
        "The visit was done: the request is completed (note: the result)",
        VisitDoneInput,
    )
    def post(self, request: Request, visit_id: int) -> Response:
        return self.record(request, visit_id)


class VisitAbsentView(_VisitOutcomeView):
    outcome, input_class = HomeVisit.Outcome.ABSENT, VisitAbsentInput

    @_outcome_schema(
        "Nobody was at home: book a new date (POST requests/<n>/visits/)",
        VisitAbsentInput,
    )
    def post(self, request: Request, visit_id: int) -> Response:
        return self.record(request, visit_id)


class VisitImpossibleView(_VisitOutcomeView):
    outcome, input_class = HomeVisit.Outcome.IMPOSSIBLE, VisitImpossibleInput

    @_outcome_schema(
        "The visit was not possible: the request is back to 已受理 (note: why)",
        VisitImpossibleInput,
    )
    def post(self, request: Request, visit_id: int) -> Response:
        return self.record(request, visit_id)


urlpatterns = [
    path("visits/", VisitListView.as_view(), name="visits"),
    path("visits/<int:visit_id>/", VisitDetailView.as_view(), name="visit"),
    path("visits/<int:visit_id>/done/", VisitDoneView.as_view(), name="visit_done"),
    path(
        "visits/<int:visit_id>/absent/",
        VisitAbsentView.as_view(),
        name="visit_absent",
    ),
    path(
        "visits/<int:visit_id>/impossible/",
        VisitImpossibleView.as_view(),
        name="visit_impossible",
    ),
]
