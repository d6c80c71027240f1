"""The dashboard's figures for other systems and scripts: the same figures, the same
period parameters (``from``, ``to``: this year to date by default, at most five years)
and the same limits per role as ``/dashboard/`` (``access.statistics_limits``: the
whole town for officials, a village clerk's village, a town-center clerk's bodies).
Residents and anonymous callers get none."""

import datetime as dt

from django.db.models import QuerySet
from django.urls import path
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from huagang.exceptions import InvalidInput, NotPermitted

from ... import access
from ...forms.dashboard import PeriodForm
from ...models import ServiceRequest
from ...selectors import statistics as selectors
from ...statistics import Period
from ...working_days import WorkCalendar
from ..pagination import ApiCursorPagination
from ..schema import errors
from ..serializers.statistics import (
    DashboardSerializer,
    OverdueCaseSerializer,
    figure_data,
)

TAGS = ["statistics"]


class MaySeeStatistics(BasePermission):
    """``access.may_see_statistics``; an anonymous caller gets 401, not 403."""

    message = NotPermitted.default_message

    def has_permission(self, request, view) -> bool:
        return access.may_see_statistics(request.user)


PERIOD_PARAMETERS = [
    OpenApiParameter(
        "from",
        OpenApiTypes.DATE,
        description="The first day (default: 1 January of this year).",
    ),
    OpenApiParameter(
        "to", OpenApiTypes.DATE, description="The last day (default: today)."
    ),
]


def _period(request: Request, today: dt.date) -> Period:
    form = PeriodForm(request.query_params, today=today)
    if not form.is_valid():
        raise InvalidInput({name: list(found) for name, found in form.errors.items()})
    return form.period


class Dashboard(APIView):
    permission_classes = [MaySeeStatistics]

    @extend_schema(
        tags=TAGS,
        summary="The dashboard's figures for a period",
        description="Requests received by village, body, item and mode; 定时代办 "
        "month by month against a year before; completions on time and working days "
        "by village and body; satisfaction; open poor-rating follow-ups; residents' "
        "questions answered on time (留言咨询); requests, "
        "overdue cases and satisfaction per grid (网格). Counted "
        "over the requests the caller's role covers (`scope`).",
        parameters=PERIOD_PARAMETERS,
        responses={200: DashboardSerializer, **errors(400, 403)},
    )
    def get(self, request: Request) -> Response:
        today = timezone.localdate()
        period = _period(request, today)
        found = selectors.dashboard_get(
            user=request.user, period=period, today=today, calendar=WorkCalendar.load()
        )
        villages, bodies = selectors.statistics_scope_codes(request.user)
        figures = [
            *found.received,
            found.agency.figure,
            *found.on_time,
            found.satisfaction,
            found.follow_ups,
            found.questions,
            found.by_grid,
        ]
        data = {
            "period": {"first": found.period.first, "last": found.period.last},
            "year_before": {
                "first": found.year_before.first,
                "last": found.year_before.last,
            },
            "scope": {"villages": villages, "bodies": bodies},
            "calendar_unknown": found.calendar_unknown,
            "agency": {
                "now": found.agency.now,
                "before": found.agency.before,
                "change_percent": found.agency.change,
            },
            "figures": [figure_data(figure) for figure in figures],
        }
        return Response(DashboardSerializer(data).data)


class OverduePagination(ApiCursorPagination):
    # The primary key: a cursor that holds however many cases share a due date.
    ordering = ("pk",)


class OverdueCases(generics.GenericAPIView):
    permission_classes = [MaySeeStatistics]
    pagination_class = OverduePagination
    serializer_class = OverdueCaseSerializer
    filter_backends: list = []

    def get_queryset(self) -> QuerySet[ServiceRequest]:
        return selectors.overdue_cases(
            user=self.request.user, today=self.today, calendar=self.calendar
        )

    @extend_schema(
        tags=TAGS,
        summary="Open cases past their due date, oldest request first",
        description="As the dashboard lists them (the one definition of overdue), "
        "over the requests the caller's role covers; the applicant's name masked.",
        responses={200: OverdueCaseSerializer(many=True), **errors(400, 403)},
    )
    def get(self, request: Request) -> Response:
        self.today, self.calendar = timezone.localdate(), WorkCalendar.load()
        cases = self.paginate_queryset(self.get_queryset())
        figure = selectors.overdue_figure(
            cases, today=self.today, calendar=self.calendar
        )
        rows = [
            {
                "tracking_number": case.tracking_number,
                "item_code": case.item.code,
                "item_name": case.item.name,
                "village_code": case.village.code,
                "village_name": case.village.name,
                "applicant": row[3],
                "due_date": case.due_date,
                "working_days_late": row[5],
            }
            for case, row in zip(cases, figure.rows, strict=True)
        ]
        return self.get_paginated_response(OverdueCaseSerializer(rows, many=True).data)


urlpatterns = [
    path("statistics/", Dashboard.as_view(), name="statistics"),
    path("statistics/overdue/", OverdueCases.as_view(), name="statistics-overdue"),
]
