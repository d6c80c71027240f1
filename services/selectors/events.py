"""Reads for life events: the event with its questions and items, the plan the
answers make, and an application with its linked requests and their progress."""

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Exists, Max, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone

from villages.models import User

from .. import life_events, progress, time_limits, workflow
from ..access import applicant_q, service_requests_scope, statistics_q
from ..models import (
    HandlingMode,
    LifeEvent,
    LifeEventApplication,
    LifeEventItem,
    LifeEventLink,
    MaterialKind,
    RequestEvent,
    ServiceItem,
    ServiceRequest,
    Status,
)
from ..working_days import WorkCalendar


def life_events_published() -> QuerySet[LifeEvent]:
    return LifeEvent.objects.filter(is_active=True).order_by("order", "code")


def life_event_get(*, code: str) -> LifeEvent | None:
    """The published event with its questions, and its items with their materials
    (four queries)."""
    items = LifeEventItem.objects.select_related("item__body").prefetch_related(
        "item__materials"
    )
    return (
        life_events_published()
        .prefetch_related("questions", Prefetch("items", queryset=items))
        .filter(code=code)
        .first()
    )


def material_kinds_by_name() -> dict[str, list[tuple[str, str]]]:
    """A material's name (or key) → its kinds, as (code, name), in the kinds' order
    (one query)."""
    found: dict[str, list[tuple[str, str]]] = {}
    for kind in MaterialKind.objects.order_by("order", "code"):
        for name in kind.materials:
            found.setdefault(name, []).append((kind.code, kind.name))
    return found


@dataclass
class EventPlan:
    """What the answers make of an event: the applicable items (in the event's order)
    and their materials merged by kind. `complete`: every question answered."""

    event: LifeEvent
    questions: list[Any]
    answers: dict[str, str]
    complete: bool
    items: list[ServiceItem] = field(default_factory=list)
    materials: list[life_events.MergedMaterial] = field(default_factory=list)

    def needed_by(self, entry: life_events.MergedMaterial) -> list[ServiceItem]:
        return list(entry.needs)

    @property
    def rows(self) -> list[tuple[ServiceItem, str]]:
        """Each applicable item with the mode its request is made in (its label)."""
        return [
            (item, HandlingMode(life_events.preferred_mode(item.modes)).label)
            for item in self.items
        ]


def questions_of(event: LifeEvent) -> list[tuple[str, list[str]]]:
    return [
        (question.key, [option["value"] for option in question.options])
        for question in event.questions.all()
    ]


def life_event_plan(
    *,
    event: LifeEvent,
    given: Mapping[str, Any],
    kinds: dict[str, list[tuple[str, str]]] | None = None,
) -> EventPlan:
    """The plan for the answers in `given` (e.g. ``request.GET``); items only once
    every question is answered. Costs the kinds' query unless `kinds` is given."""
    questions = questions_of(event)
    answers = life_events.complete_answers(questions, given)
    plan = EventPlan(event, list(event.questions.all()), answers, False)
    if len(answers) < len(questions):
        return plan
    plan.complete = True
    plan.items = [
        entry.item
        for entry in event.items.all()
        if entry.item.is_active
        and life_events.linkable(entry.item)
        and life_events.applies(entry.when, answers)
    ]
    kinds = material_kinds_by_name() if kinds is None else kinds
    plan.materials = life_events.merge_materials(plan.items, kinds)
    return plan


# --- applications ----------------------------------------------------------------------


def with_links(rows: QuerySet[LifeEventApplication]) -> QuerySet[LifeEventApplication]:
    linked = LifeEventLink.objects.select_related(
        "service_request__item__body", "service_request__village"
    ).order_by("order")
    return rows.select_related("event", "village").prefetch_related(
        Prefetch("links", queryset=linked)
    )


def life_event_application_get(*, number: str) -> LifeEventApplication | None:
    """The application with its event and linked requests (two queries). Who may see
    it is for ``access`` to say."""
    return with_links(LifeEventApplication.objects.filter(number=number)).first()


def life_event_applications_of(*, user: User) -> QuerySet[LifeEventApplication]:
    """The applications whose linked requests are `user`'s as applicant (我的办件)."""
    mine = ServiceRequest.objects.filter(applicant_q(user)).values("pk")
    return with_links(
        LifeEventApplication.objects.filter(
            Q(account=user) | Q(links__service_request__in=mine)
        ).distinct()
    )


@dataclass
class EventProgress:
    """How far an application has come: each linked request, how many are done (办结),
    how many ended otherwise (不予受理, 撤回), and the expected completion (the latest
    due date of the open ones)."""

    requests: list[ServiceRequest]
    total: int
    done: int
    ended_otherwise: int
    expected: dt.date | None
    supplement_asked: list[ServiceRequest]

    @property
    def finished(self) -> bool:
        """No linked request is open any more."""
        return self.done + self.ended_otherwise == self.total

    @property
    def modes(self) -> set[str]:
        return {r.mode for r in self.requests}

    @property
    def windows(self) -> list[ServiceRequest]:
        """The 即时即办 requests: each is done at its body's window (its item's
        ``body``, e.g. 花岗派出所 for the 户口 items)."""
        return [r for r in self.requests if r.mode == HandlingMode.INSTANT]


def _expected(request: ServiceRequest, calendar: WorkCalendar) -> dt.date | None:
    """Its due date, or before acceptance the date the receipt promised."""
    if request.due_date is not None:
        return request.due_date
    return time_limits.start(
        today=timezone.localdate(request.submitted_at),
        promised_days=request.item.promised_days,
        calendar=calendar,
        label=request.tracking_number,
    ).due_date


def life_event_progress(
    application: LifeEventApplication, *, calendar: WorkCalendar | None = None
) -> EventProgress:
    """From the prefetched links (and the calendar, loaded unless given)."""
    requests = [link.service_request for link in application.links.all()]
    calendar = calendar or WorkCalendar.load()
    dues = [
        due
        for r in requests
        if r.status in workflow.OPEN and (due := _expected(r, calendar)) is not None
    ]
    return EventProgress(
        requests=requests,
        total=len(requests),
        done=sum(r.status == Status.COMPLETED for r in requests),
        ended_otherwise=sum(
            r.status in workflow.TERMINAL - {Status.COMPLETED} for r in requests
        ),
        expected=max(dues) if dues else None,
        supplement_asked=[r for r in requests if r.status == Status.SUPPLEMENT],
    )


def life_event_siblings(
    *, service_request: ServiceRequest, user: User | None
) -> tuple[LifeEventApplication | None, list[ServiceRequest]]:
    """The application `service_request` is linked under, and the other linked
    requests `user` may see (``access.service_requests_scope``); (None, []) if it is
    not part of an event. Two queries."""
    link = (
        LifeEventLink.objects.select_related("application__event")
        .filter(service_request=service_request)
        .first()
    )
    if link is None:
        return None, []
    siblings = (
        service_requests_scope(user=user)
        .filter(life_event_link__application=link.application_id)
        .exclude(pk=service_request.pk)
        .select_related("item")
        .order_by("life_event_link__order")
    )
    return link.application, list(siblings)


@dataclass
class EventFigures:
    """One event's applications in a period: how many, how many completed (every
    linked request 办结) and their average time to complete, in days, and how many
    ended otherwise (none open, one or more not accepted or withdrawn)."""

    name: str
    applications: int = 0
    finished: int = 0
    ended_otherwise: int = 0
    days: list[float] = field(default_factory=list)

    @property
    def average_days(self) -> float | None:
        return round(sum(self.days) / len(self.days), 1) if self.days else None


def life_event_figures(*, user: User | None, period: Any) -> list[EventFigures]:
    """Per event, the applications submitted in `period` (``statistics.Period``) of
    which the user's statistics cover a linked request (``access.statistics_q``).
    One query."""
    covered = ServiceRequest.objects.filter(
        statistics_q(user), life_event_link__application=OuterRef("pk")
    )
    rows = (
        LifeEventApplication.objects.filter(
            Exists(covered),
            submitted_at__gte=period.start,
            submitted_at__lt=period.end,
        )
        .annotate(
            open=Count(
                "links",
                filter=Q(links__service_request__status__in=list(workflow.OPEN)),
            ),
            not_done=Count(
                "links",
                filter=~Q(links__service_request__status=Status.COMPLETED),
            ),
            last=Max("links__service_request__completed_at"),
        )
        .values(
            "event__name", "event__order", "open", "not_done", "last", "submitted_at"
        )
        .order_by("event__order", "event__name")
    )
    figures: dict[str, EventFigures] = {}
    for row in rows:
        entry = figures.setdefault(row["event__name"], EventFigures(row["event__name"]))
        entry.applications += 1
        if row["open"] == 0 and row["not_done"]:
            entry.ended_otherwise += 1
        elif row["open"] == 0:
            entry.finished += 1
            if row["last"] is not None:
                entry.days.append(
                    (row["last"] - row["submitted_at"]).total_seconds() / 86400
                )
    return list(figures.values())


@dataclass(frozen=True)
class SupplementState:
    """A linked request awaiting a supplement: what the staff last asked for, and
    when the applicant last sent files since (None: not yet)."""

    asked: str
    sent: dt.datetime | None


def supplement_states(requests: list[ServiceRequest]) -> dict[int, SupplementState]:
    """Per request awaiting a supplement, its ``SupplementState`` (one query, none
    when there is no such request)."""
    if not requests:
        return {}
    timelines: dict[int, list[RequestEvent]] = {r.pk: [] for r in requests}
    for event in RequestEvent.objects.filter(
        request__in=requests, is_public=True
    ).order_by("created_at", "pk"):
        timelines[event.request_id].append(event)
    return {
        pk: SupplementState(
            progress.supplement_asked(found), progress.supplement_sent(found)
        )
        for pk, found in timelines.items()
    }
