"""Reads for Open311 GeoReport v2 (``services/open311/``): the catalog as services and
the public face of requests.

Nothing about the applicant is ever read here: a request is its number, item, mode,
village, status and times (``REQUEST_COLUMNS``), so nothing personal can reach an
Open311 answer by mistake. Anyone may read these, with or without a key, as the
specification wants (GET needs no key): the rows say which kind of matter a village's
sub-center handles when, never for whom.
"""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Max, QuerySet
from django.utils import timezone

from villages.models import Village

from .. import time_limits, workflow
from ..models import ServiceItem, ServiceRequest, Status
from ..working_days import WorkCalendar
from . import service_items_requestable

# The columns an Open311 request is made of; nothing else is selected.
REQUEST_COLUMNS = (
    "pk",
    "status",
    "mode",
    "submitted_at",
    "updated_at",
    "due_date",
    "item__code",
    "item__name",
    "item__promised_days",
    "item__body__name",
    "village__code",
    "village__name",
)
# The most requests one answer lists (the specification's "first 1000 requests").
REQUESTS_CAP = 1000
# The default and widest window of requested times (the specification's 90 days).
WINDOW = dt.timedelta(days=90)


def open311_services() -> QuerySet[ServiceItem]:
    """The items a request can be made for (published, with a handling mode), in
    catalog order, with their category and body (one query)."""
    return service_items_requestable().order_by("category__order", "code")


def open311_service(*, code: str) -> ServiceItem | None:
    """The requestable item with this code, its materials prefetched (whether it asks
    for the ID number depends on them): two queries."""
    return (
        service_items_requestable()
        .filter(code=code)
        .prefetch_related("materials")
        .first()
    )


def open311_service_ids(*, codes: list[str]) -> dict[str, int]:
    """The ids of the requestable items among `codes`, by code (one query)."""
    return dict(
        service_items_requestable().filter(code__in=codes).values_list("code", "pk")
    )


def open311_villages() -> list[Village]:
    """The town's villages and communities in their order (one query)."""
    return list(Village.objects.order_by("order", "code"))


def open311_catalog_changed() -> dt.datetime | None:
    """When an item last changed (the discovery document's changeset)."""
    return ServiceItem.objects.aggregate(last=Max("updated_at"))["last"]


@dataclass(frozen=True)
class RequestQuery:
    """What a GET of requests asks for. `ids` overrides everything else (as the
    specification says); otherwise requests submitted in [`since`, `until`], of the
    items `item_ids` (None: all), open, closed or both (`statuses`, from ``OPEN311``)."""

    ids: tuple[int, ...] | None = None
    item_ids: tuple[int, ...] | None = None
    since: dt.datetime | None = None
    until: dt.datetime | None = None
    statuses: frozenset[str] = frozenset({"open", "closed"})


# Our statuses as Open311's two: closed once nothing more will happen.
OPEN311 = {"open": workflow.OPEN, "closed": workflow.TERMINAL}


def open311_status(status: str) -> str:
    return "closed" if status in workflow.TERMINAL else "open"


def open311_requests(*, query: RequestQuery) -> list[dict]:
    """The requests `query` asks for, newest first, at most ``REQUESTS_CAP``, as dicts
    of ``REQUEST_COLUMNS`` plus ``expected_on`` (the due date, or for a request not
    accepted yet the date its receipt promised; None while the clock is paused or the
    calendar does not know the year).

    One query for the rows (``open311_request_rows``), and two more for the
    working-day calendar when a row awaits acceptance: at most three, whatever the
    number of rows.
    """
    found = list(open311_request_rows(query=query))
    _add_expected_dates(found)
    return found


def open311_request_rows(*, query: RequestQuery) -> QuerySet:
    """The rows of ``open311_requests``: read along the newest-first index
    (``request_newest_first``) within the time window, which also gives the order."""
    rows = ServiceRequest.objects.all()
    if query.ids is not None:
        rows = rows.filter(pk__in=query.ids)
    else:
        rows = rows.filter(submitted_at__gte=query.since, submitted_at__lte=query.until)
        if query.item_ids is not None:
            rows = rows.filter(item_id__in=query.item_ids)
        if query.statuses != frozenset(OPEN311):
            wanted = set().union(*(OPEN311[s] for s in query.statuses))
            rows = rows.filter(status__in=sorted(wanted))
    newest_first = rows.order_by("-submitted_at", "-id")
    return newest_first.values(*REQUEST_COLUMNS)[:REQUESTS_CAP]


def open311_request(*, pk: int) -> dict | None:
    """One request as ``open311_requests`` gives it, or None."""
    found = open311_requests(query=RequestQuery(ids=(pk,)))
    return found[0] if found else None


def _add_expected_dates(rows: list[dict]) -> None:
    calendar = None
    promised: dict[tuple[dt.date, int], dt.date | None] = {}
    for row in rows:
        row["expected_on"] = row["due_date"]
        if row["status"] != Status.SUBMITTED or row["due_date"] is not None:
            continue
        # What the receipt promised (``service_request_expected_completion``: the
        # clock started on the day of submission), the same for many rows.
        key = (timezone.localdate(row["submitted_at"]), row["item__promised_days"])
        if key not in promised:
            calendar = calendar or WorkCalendar.load()
            promised[key] = time_limits.start(
                today=key[0],
                promised_days=key[1],
                calendar=calendar,
                label=str(row["pk"]),
            ).due_date
        row["expected_on"] = promised[key]
