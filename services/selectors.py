"""Reads for the service catalog: search, filters, guides and the home page figures."""

import datetime as dt
from dataclasses import dataclass

from django.db.models import (
    Case,
    Count,
    F,
    IntegerField,
    Prefetch,
    Q,
    QuerySet,
    Value,
    When,
)
from django.utils import timezone

from villages.models import User, Village

from . import time_limits, workflow
from .access import service_requests_scope
from .models import (
    AgencyTrip,
    Attachment,
    Body,
    Category,
    HandlingMode,
    HomeVisit,
    Material,
    RequestEvent,
    ServiceItem,
    ServiceRequest,
)
from .working_days import UnknownCalendarYear, WorkCalendar


@dataclass(frozen=True)
class CatalogFigures:
    villages: int
    items: int
    bodies: int
    categories: int
    instant: int
    agency: int
    home: int


def service_items_published() -> QuerySet[ServiceItem]:
    return ServiceItem.objects.filter(is_active=True).select_related("category", "body")


def service_items_search(
    *,
    q: str = "",
    category: Category | None = None,
    body: Body | None = None,
    mode: str = "",
    level: str = "",
) -> QuerySet[ServiceItem]:
    """Published items matching every word of `q` and every filter given.

    A word matches an item's code, name, keywords or category name; items whose name
    contains the whole query come first.
    """
    items = service_items_published()
    query = q.strip()
    for word in query.split():
        items = items.filter(
            Q(name__icontains=word)
            | Q(keywords__icontains=word)
            | Q(category__name__icontains=word)
            | Q(code__iexact=word)
        )
    if category is not None:
        items = items.filter(category=category)
    if body is not None:
        items = items.filter(body=body)
    if mode in HandlingMode.values:
        items = items.filter(**{f"allows_{mode}": True})
    if level:
        items = items.filter(accept_level=level)
    if query:
        items = items.annotate(
            name_rank=Case(
                When(name__icontains=query, then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            )
        ).order_by("name_rank", "category__order", "code")
    return items


def service_item_guide(*, code: str) -> QuerySet[ServiceItem]:
    """The item with this code, ready to render its full guide (materials prefetched)."""
    return service_items_published().filter(code=code).prefetch_related("materials")


def service_item_names() -> dict[str, str]:
    """The published items' names by code."""
    return dict(service_items_published().values_list("code", "name"))


def categories_with_items() -> QuerySet[Category]:
    """Categories in order, each with its published items (for the home page)."""
    return Category.objects.prefetch_related(
        Prefetch(
            "items",
            queryset=ServiceItem.objects.filter(is_active=True)
            .only("code", "name", "category_id", "promised_days")
            .order_by("code"),
            to_attr="published_items",
        )
    ).order_by("order")


def service_items_for_village(*, village: Village) -> QuerySet[ServiceItem]:
    """Items a resident can start at a village sub-center.

    That is every item accepted at village level, and every item the village staff
    carry to the town for the resident (定时代办) or handle at home (上门特办).
    """
    del village  # every sub-center offers the same list today; kept for later scoping
    return service_items_published().filter(
        Q(accept_level="village") | Q(allows_agency=True) | Q(allows_home=True)
    )


def catalog_figures() -> CatalogFigures:
    """Figures for the home page, computed from the data (four queries)."""
    modes = ServiceItem.objects.filter(is_active=True).aggregate(
        items=Count("pk"),
        instant=Count("pk", filter=Q(allows_instant=True)),
        agency=Count("pk", filter=Q(allows_agency=True)),
        home=Count("pk", filter=Q(allows_home=True)),
    )
    return CatalogFigures(
        villages=Village.objects.count(),
        bodies=Body.objects.count(),
        categories=Category.objects.count(),
        **modes,
    )


# --- service requests -----------------------------------------------------------------


def service_requests_with_due_flag(
    queryset: QuerySet[ServiceRequest],
    *,
    today: dt.date | None = None,
    calendar: WorkCalendar | None = None,
) -> QuerySet[ServiceRequest]:
    """`queryset` with a `due_flag` (overdue / due_soon / on_time / unknown, or "" when
    the clock is not running) computed in the query by ``time_limits.flag``."""
    return queryset.annotate(
        due_flag=time_limits.flag(
            today=today or timezone.localdate(),
            calendar=calendar or WorkCalendar.load(),
        )
    )


def service_requests_open_for_staff(
    *,
    user: User | None,
    today: dt.date | None = None,
    calendar: WorkCalendar | None = None,
) -> QuerySet[ServiceRequest]:
    """The open requests a clerk works on, oldest due first, with their `due_flag`."""
    requests = (
        service_requests_scope(user=user)
        .filter(status__in=workflow.OPEN)
        .select_related("item__category", "item__body", "village", "assigned_to")
        .order_by(F("due_date").asc(nulls_last=True), "submitted_at")
    )
    return service_requests_with_due_flag(requests, today=today, calendar=calendar)


def service_request_expected_completion(
    *, service_request: ServiceRequest, calendar: WorkCalendar | None = None
) -> dt.date | None:
    """The due date if the request is accepted on the working day it was submitted:
    what a receipt promises before a clerk has accepted it. None while the holiday
    calendar does not know the year it reaches into."""
    calendar = calendar or WorkCalendar.load()
    try:  # sent on a holiday: accepted on the next working day
        accepted_on = calendar.add(timezone.localdate(service_request.submitted_at), 0)
    except UnknownCalendarYear:
        return None
    return time_limits.start(
        today=accepted_on,
        promised_days=service_request.item.promised_days,
        calendar=calendar,
        label=service_request.tracking_number,
    ).due_date


def service_request_timeline(
    *, service_request: ServiceRequest, public_only: bool
) -> QuerySet[RequestEvent]:
    """The request's events, oldest first; `public_only`: those shown to the resident."""
    events = service_request.events.select_related("actor")
    return events.filter(is_public=True) if public_only else events


def service_request_for_applicant(*, tracking_number: str) -> ServiceRequest | None:
    """The request with this number, loaded with what its progress page shows (the
    item's materials, the files, the trips and the visits) in five queries whatever
    its history. Who may see it is for ``access`` to say."""
    return (
        ServiceRequest.objects.select_related("item", "village__sub_center")
        .prefetch_related(
            Prefetch("item__materials", queryset=Material.objects.order_by("order")),
            Prefetch(
                "attachments",
                queryset=Attachment.objects.select_related("material").order_by(
                    "uploaded_at", "pk"
                ),
            ),
            Prefetch("agency_trips", queryset=AgencyTrip.objects.order_by("trip_date")),
            Prefetch("home_visits", queryset=HomeVisit.objects.order_by("starts_at")),
        )
        .filter(tracking_number=tracking_number)
        .first()
    )
