"""Reads for the workbench's 上门特办 visits and 差评 follow-ups, scoped by ``access``.

Each list is one query whatever its length (plus what ``access`` caches per user), so
the pages cost the same at 3 or 300 rows.
"""

import datetime as dt

from django.db.models import (
    Case,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    When,
)
from django.utils import timezone

from villages.models import User

from .. import access
from ..models import FollowUp, HandlingMode, HomeVisit, ServiceRequest, Status


def _day_bounds(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """The first moment of `day` and of the next, in local time."""
    start = timezone.make_aware(dt.datetime.combine(day, dt.time.min))
    return start, timezone.make_aware(
        dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min)
    )


def home_cases_awaiting_visit(*, user: User | None) -> QuerySet[ServiceRequest]:
    """Accepted 上门特办 cases `user` may see with no visit planned: waiting for a
    first date, or for a new one after nobody was at home (``was_absent``).

    Oldest acceptance first: whoever has waited longest is visited first.
    """
    planned = HomeVisit.objects.filter(
        request=OuterRef("pk"), outcome=HomeVisit.Outcome.PLANNED
    )
    absent = HomeVisit.objects.filter(
        request=OuterRef("pk"), outcome=HomeVisit.Outcome.ABSENT
    )
    return (
        access.service_requests_scope(user=user)
        .filter(
            mode=HandlingMode.HOME,
            status__in=[Status.ACCEPTED, Status.VISIT_SCHEDULED],
        )
        .exclude(Exists(planned))
        .annotate(was_absent=Exists(absent))
        .select_related("item", "village")
        .order_by("accepted_at", "pk")
    )


def home_visits_on_day(*, user: User | None, day: dt.date) -> QuerySet[HomeVisit]:
    """The visits `user` may see that start on local `day`, by start time."""
    start, end = _day_bounds(day)
    return (
        access.home_visits_scope(user=user)
        .filter(starts_at__gte=start, starts_at__lt=end)
        .select_related("request__item", "request__village", "staff")
        .order_by("starts_at", "pk")
    )


def home_visits_of_request(*, service_request: ServiceRequest) -> list[HomeVisit]:
    """A case's visits, oldest first (the caller has checked the user may see it)."""
    return list(
        HomeVisit.objects.filter(request=service_request)
        .select_related("staff")
        .order_by("starts_at", "pk")
    )


def home_visit_get(*, user: User | None, pk: int) -> HomeVisit | None:
    """One visit, if `user` may see it (None otherwise: the page answers 404)."""
    return (
        access.home_visits_scope(user=user)
        .select_related("request__item", "request__village", "staff")
        .filter(pk=pk)
        .first()
    )


def home_case_get(*, user: User | None, pk: int) -> ServiceRequest | None:
    """One 上门特办 case, if `user` may see it."""
    return (
        access.service_requests_scope(user=user)
        .filter(pk=pk, mode=HandlingMode.HOME)
        .select_related("item", "village")
        .first()
    )


def follow_ups_for_staff(
    *, user: User | None, today: dt.date | None = None
) -> QuerySet[FollowUp]:
    """The 差评 follow-ups `user` handles: open ones first by deadline (one without a
    deadline last among them), then the answered ones. ``is_overdue`` marks
    an open one past its deadline."""
    today = today or timezone.localdate()
    answered = Q(stage=FollowUp.Stage.ANSWERED)
    return (
        access.follow_ups_scope(user=user)
        .select_related("rating__request__item", "rating__request__village")
        .annotate(
            is_answered=Case(
                When(answered, then=1), default=0, output_field=IntegerField()
            ),
            is_overdue=Case(
                When(~answered & Q(deadline__lt=today), then=1),
                default=0,
                output_field=IntegerField(),
            ),
        )
        .order_by("is_answered", F("deadline").asc(nulls_last=True), "pk")
    )


def follow_up_get(*, user: User | None, pk: int) -> FollowUp | None:
    return (
        access.follow_ups_scope(user=user)
        .select_related(
            "rating__request__item", "rating__request__village", "supervisor"
        )
        .filter(pk=pk)
        .first()
    )
