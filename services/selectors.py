"""Reads for the service catalog: search, filters, guides and the home page figures."""

import datetime as dt
import re
from dataclasses import dataclass

from django.db.models import (
    Case,
    CharField,
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
from villages.validators import nfkc

from . import time_limits, workflow
from .models import (
    AgencyTrip,
    Body,
    Category,
    DueState,
    HandlingMode,
    HomeVisit,
    RequestEvent,
    ServiceItem,
    ServiceRequest,
    Status,
)
from .permissions import body_ids_of
from .working_days import WorkCalendar


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


def service_requests_visible_to(*, user: User | None) -> QuerySet[ServiceRequest]:
    """The requests `user` may see: the queryset form of ``permissions.actor_roles``.

    Officials see all; a village clerk their village's; a town-center clerk those for
    items of the bodies they serve; a resident their own.
    """
    requests = ServiceRequest.objects.all()
    if user is None or not user.is_authenticated or not user.is_active:
        return requests.none()
    if user.role == User.Role.OFFICIAL:
        return requests
    if user.role == User.Role.VILLAGE_CLERK:
        return requests.filter(Q(village_id=user.village_id) | Q(account=user))
    if user.role == User.Role.TOWN_CLERK:
        return requests.filter(Q(item__body__in=body_ids_of(user)) | Q(account=user))
    return requests.filter(account=user)


def service_requests_open_for_staff(
    *,
    user: User | None,
    today: dt.date | None = None,
    calendar: WorkCalendar | None = None,
) -> QuerySet[ServiceRequest]:
    """The open requests a clerk works on, oldest due first, with a `due_flag`
    (overdue / due_soon / on_time / unknown / "" when paused) computed in the query."""
    today = today or timezone.localdate()
    calendar = calendar or WorkCalendar.load()
    horizon = time_limits.due_soon_until(today=today, calendar=calendar)
    return (
        service_requests_visible_to(user=user)
        .filter(status__in=workflow.OPEN)
        .select_related("item__category", "item__body", "village", "assigned_to")
        .annotate(
            due_flag=Case(
                When(status__in=[Status.SUBMITTED, Status.SUPPLEMENT], then=Value("")),
                When(due_date__isnull=True, then=Value(DueState.UNKNOWN)),
                When(due_date__lt=today, then=Value(DueState.OVERDUE)),
                When(due_date__lte=horizon, then=Value(DueState.DUE_SOON)),
                default=Value(DueState.ON_TIME),
                output_field=CharField(),
            )
        )
        .order_by(F("due_date").asc(nulls_last=True), "submitted_at")
    )


def service_request_for_applicant(
    *, tracking_number: str, phone_last4: str
) -> ServiceRequest | None:
    """Look a request up by its number and the last four digits of the applicant's
    phone; both must match (the number alone reveals nothing). Both are NFKC-normalised
    like the stored phone (full-width digits work); the digits must then be ASCII."""
    number = nfkc(tracking_number).upper().replace(" ", "")
    digits = nfkc(phone_last4)
    if not re.fullmatch(r"[0-9]{4}", digits):
        return None
    return (
        ServiceRequest.objects.select_related("item", "village")
        .filter(tracking_number=number, applicant_phone__endswith=digits)
        .first()
    )


def service_request_timeline(
    *, service_request: ServiceRequest, public_only: bool
) -> QuerySet[RequestEvent]:
    events = service_request.events.select_related("actor")
    return events.filter(is_public=True) if public_only else events


def agency_trips_visible_to(*, user: User | None) -> QuerySet[AgencyTrip]:
    """Trips a user may see: a village clerk their village's; a town-center clerk those
    carrying a request of their bodies; an official all."""
    if user is None or not user.is_authenticated or not user.is_active:
        return AgencyTrip.objects.none()
    if user.role == User.Role.OFFICIAL:
        return AgencyTrip.objects.all()
    if user.role == User.Role.VILLAGE_CLERK:
        return AgencyTrip.objects.filter(village_id=user.village_id)
    if user.role == User.Role.TOWN_CLERK:
        carried = AgencyTrip.requests.through.objects.filter(
            servicerequest__item__body__in=body_ids_of(user)
        ).values("agencytrip_id")
        return AgencyTrip.objects.filter(pk__in=carried)
    return AgencyTrip.objects.none()


def home_visits_visible_to(*, user: User | None) -> QuerySet[HomeVisit]:
    return HomeVisit.objects.filter(
        request__in=service_requests_visible_to(user=user).values("pk")
    )
