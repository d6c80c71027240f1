"""Reads for the service catalog: search, filters, guides and the home page figures."""

import datetime as dt
from dataclasses import dataclass

from django.db.models import (
    Case,
    CharField,
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Concat
from django.db.models.lookups import IContains
from django.utils import timezone

from villages.models import Town, User, Village

from .. import time_limits, workflow
from ..access import requests_as_applicant, service_requests_scope
from ..models import (
    AgencyTrip,
    Attachment,
    Body,
    Category,
    DelegatedPower,
    HandlingMode,
    HomeVisit,
    Material,
    QuestionPublication,
    RequestEvent,
    SearchSynonym,
    ServiceItem,
    ServiceRequest,
)
from ..working_days import WorkCalendar


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


def service_items_requestable() -> QuerySet[ServiceItem]:
    """The published items a request can be made for on the portal or by another
    system: those with a handling mode of the town's. An item handled only in person
    at another body's window (the police station, a school) has none."""
    return service_items_published().filter(
        Q(allows_instant=True) | Q(allows_agency=True) | Q(allows_home=True)
    )


def service_items_search(
    *,
    q: str = "",
    category: Category | None = None,
    body: Body | None = None,
    mode: str = "",
    level: str = "",
) -> QuerySet[ServiceItem]:
    """Published items matching every word of `q` and every filter given, in one query.

    A word matches an item's code, or its name, keywords or category name holding the
    word or any word of its synonym group (``SearchSynonym``: 低保 finds what 最低生活
    保障 finds). Items whose name holds the catalog wording of the query's group come
    first, then items whose name holds the query or one of its synonyms, then the rest.
    """
    items = service_items_published()
    query = q.strip()
    for word in query.split():
        items = items.filter(
            Q(name__icontains=word)
            | Q(keywords__icontains=word)
            | Q(category__name__icontains=word)
            | Q(code__iexact=word)
            | Exists(_synonyms_found_in_item(word))
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
        group = _synonym_group(query)
        items = items.annotate(
            name_rank=Case(
                When(
                    Exists(group.filter(IContains(OuterRef("name"), F("term")))), then=0
                ),
                When(
                    Q(name__icontains=query)
                    | Exists(group.filter(IContains(OuterRef("name"), F("word")))),
                    then=1,
                ),
                default=2,
                output_field=IntegerField(),
            )
        ).order_by("name_rank", "category__order", "code")
    return items


def _synonym_group(word: str) -> QuerySet[SearchSynonym]:
    """The synonym rows of `word`'s group: those whose catalog wording is `word`, or is
    the wording `word` stands for. Each row holds two strings of the group, its word and
    its term; no rows when `word` is in no group."""
    # Exact matches, so that the unique index on the word serves (Chinese has no case).
    stands_for = SearchSynonym.objects.filter(word=word).values("term")
    return SearchSynonym.objects.filter(Q(term=word) | Q(term__in=stands_for))


def _synonyms_found_in_item(word: str) -> QuerySet[SearchSynonym]:
    """Rows of `word`'s group whose word or term the outer item's name, keywords or
    category name holds (a subquery for ``Exists``)."""
    text = Concat(
        OuterRef("name"),
        Value(" "),
        OuterRef("keywords"),
        Value(" "),
        OuterRef("category__name"),
        output_field=CharField(),
    )
    return _synonym_group(word).filter(
        IContains(text, F("word")) | IContains(text, F("term"))
    )


def service_item_guide(*, code: str) -> QuerySet[ServiceItem]:
    """The item with this code, ready to render its full guide (materials prefetched)."""
    return service_items_published().filter(code=code).prefetch_related("materials")


@dataclass(frozen=True)
class ServiceGuide:
    """Everything the guide page shows: the item, the town, and the villages a resident
    picks theirs from (each with its sub-center)."""

    item: ServiceItem
    town: Town | None
    villages: list[Village]


def service_guide_get(*, code: str) -> ServiceGuide | None:
    """The guide of the published item with this code, or None.

    Five queries whatever the item (the item with its category and body, its
    materials, its delegated powers with their departments, the town, the villages with their sub-centers), so picking a village
    costs nothing more: it is one of the villages loaded here.
    """
    # the published questions on the item ("相关问答 (N)") in the item's own query
    public_questions = (
        QuestionPublication.objects.filter(item=OuterRef("pk"))
        .order_by()
        .values("item")
        .annotate(n=Count("pk"))
        .values("n")
    )
    item = (
        service_item_guide(code=code)
        .annotate(public_question_count=Coalesce(Subquery(public_questions), 0))
        .prefetch_related(
            Prefetch(
                "delegated_powers",
                queryset=DelegatedPower.objects.select_related("department"),
            )
        )
        .first()
    )
    if item is None:
        return None
    villages = Village.objects.select_related("sub_center").order_by("order", "code")
    return ServiceGuide(item=item, town=Town.objects.first(), villages=list(villages))


def service_item_names() -> dict[str, str]:
    """The published items' names by code."""
    return dict(service_items_published().values_list("code", "name"))


def retired_item_targets() -> dict[str, str]:
    """The retired items' codes, each with the code of the item it was merged into
    (when that one is published)."""
    return dict(
        ServiceItem.objects.filter(
            is_active=False,
            retired_into__isnull=False,
            retired_into__is_active=True,
        ).values_list("code", "retired_into__code")
    )


def village_codes_in_order() -> list[str]:
    """The villages' division codes (what a village picker may send)."""
    return list(
        Village.objects.order_by("order", "code").values_list("code", flat=True)
    )


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


def categories_counted() -> QuerySet[Category]:
    """Categories, each with `item_count`, its published items (one query)."""
    return Category.objects.annotate(
        item_count=Count("items", filter=Q(items__is_active=True))
    )


def bodies_counted() -> QuerySet[Body]:
    """The bodies, each with `item_count`, the published items it handles (one
    query)."""
    return Body.objects.annotate(
        item_count=Count("items", filter=Q(items__is_active=True))
    )


def service_items_for_village(*, village: Village) -> QuerySet[ServiceItem]:
    """Items a resident can start at a village sub-center.

    That is every item accepted at village level, and every item the village staff
    carry to the town for the resident (定时代办) or handle at home (上门特办).
    """
    del village  # every sub-center offers the same list today; kept for later scoping
    return service_items_published().filter(
        Q(accept_level="village") | Q(allows_agency=True) | Q(allows_home=True)
    )


def service_items_most_used(
    *, limit: int = 6, now: dt.datetime | None = None
) -> QuerySet[ServiceItem]:
    """The `limit` published items with the most requests in the 365 days before `now`
    (every request counts, whatever became of it), the rest in catalog order: with no
    requests yet, simply the catalog's first items. One query."""
    since = (now or timezone.now()) - dt.timedelta(days=365)
    return (
        ServiceItem.objects.filter(is_active=True)
        .annotate(
            recent_requests=Count(
                "requests", filter=Q(requests__submitted_at__gte=since)
            )
        )
        .only("code", "name")
        .order_by("-recent_requests", "category__order", "code")[:limit]
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
        bodies=Body.objects.exclude(kind=Body.Kind.STATIONED).count(),
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
    """What a receipt promises before a clerk has accepted the request: the due date
    ``time_limits.start`` (the rule the acceptance uses) gives for acceptance on the
    day of submission, which is also the date for acceptance on the next working day.
    None while the holiday calendar does not know the year it reaches into."""
    return time_limits.start(
        today=timezone.localdate(service_request.submitted_at),
        promised_days=service_request.item.promised_days,
        calendar=calendar or WorkCalendar.load(),
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
    return _with_progress(ServiceRequest.objects.all(), tracking_number).first()


def service_request_of_applicant(
    *, user: User | None, tracking_number: str
) -> QuerySet[ServiceRequest]:
    """The signed-in applicant's request with this number (empty for anyone else's),
    loaded like ``service_request_for_applicant``, with its rating."""
    return _with_progress(
        requests_as_applicant(user=user).select_related("rating__follow_up"),
        tracking_number,
    )


def _with_progress(
    requests: QuerySet[ServiceRequest], tracking_number: str
) -> QuerySet[ServiceRequest]:
    return (
        requests.select_related("item", "village__sub_center")
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
    )


def service_requests_of_applicant(*, user: User | None) -> QuerySet[ServiceRequest]:
    """我的办件: the requests of which `user` is the applicant (submitted with the
    account, or entered for its verified number), newest first, with their rating
    and the life event each belongs to, if any."""
    return (
        requests_as_applicant(user=user)
        .select_related(
            "item",
            "village",
            "rating__follow_up",
            "life_event_link__application__event",
        )
        .order_by("-submitted_at", "-pk")
    )
