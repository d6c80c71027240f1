"""Reads for the staff workbench's queue and case page (``services/views/staff/cases``).

Who sees what is ``services.access`` (``service_requests_scope``, ``queue_q``); the
due flag is ``time_limits.flag`` through ``service_requests_with_due_flag`` (one
definition of 黄牌 / 红牌 for the queue, the case page, the sweep and the admin).
"""

import datetime as dt
from dataclasses import dataclass
from typing import Literal

from django.db.models import Case, F, IntegerField, Prefetch, Q, QuerySet, Value, When

from villages.models import User
from villages.validators import ascii_digits, mask_mobile, mask_name

from .. import access
from ..models import (
    Attachment,
    DueState,
    Material,
    RequestEvent,
    ServiceItem,
    ServiceRequest,
)
from ..working_days import WorkCalendar
from . import service_requests_with_due_flag

QUEUE_PAGE_SIZE = 20

SearchKind = Literal["number", "event", "phone", "name"]

# The searches by a number: what they find is no personal data (not recorded).
BY_NUMBER = ("number", "event")


@dataclass(frozen=True)
class QueueSearch:
    """What a clerk typed in the queue's search box, and how it is read."""

    kind: SearchKind
    term: str

    @classmethod
    def parse(cls, typed: str) -> "QueueSearch | None":
        """A tracking number (HG…), a life event's number (HGE…: its linked
        requests), a phone number or its last digits (four or more digits), or else
        a name; None for nothing typed. A number may be its beginning."""
        term = access.tracking_number_normalize(typed or "")
        if not term:
            return None
        if term.startswith("HGE") and term[3:].isdigit():
            return cls("event", term)
        if term.startswith("HG") and term[2:].isdigit():
            return cls("number", term)
        digits = ascii_digits(term)
        if digits is not None and len(digits) >= 4:
            return cls("phone", digits)
        return cls("name", " ".join((typed or "").split()))

    @property
    def is_personal(self) -> bool:
        """A search by personal data: recorded (masked) in the record of reads."""
        return self.kind not in BY_NUMBER

    @property
    def masked(self) -> str:
        """The term as it may be shown, logged or recorded."""
        if self.kind in BY_NUMBER:
            return self.term
        if self.kind == "phone":
            if len(self.term) == 11:
                return mask_mobile(self.term)
            return "*" * (len(self.term) - 4) + self.term[-4:]
        return mask_name(self.term)

    def q(self) -> Q:
        if self.kind == "number":
            return Q(tracking_number__startswith=self.term)
        if self.kind == "event":
            return Q(life_event_link__application__number__startswith=self.term)
        if self.kind == "phone":
            if len(self.term) == 11:
                return Q(applicant_phone=self.term)
            return Q(applicant_phone__endswith=self.term)
        return Q(applicant_name__icontains=self.term)

    def as_session(self) -> dict[str, str]:
        return {"kind": self.kind, "term": self.term}

    @classmethod
    def from_session(cls, kept: object) -> "QueueSearch | None":
        if not isinstance(kept, dict) or kept.get("kind") not in (
            *BY_NUMBER,
            "phone",
            "name",
        ):
            return None
        term = kept.get("term")
        return cls(kept["kind"], term) if isinstance(term, str) and term else None


def _urgency() -> Case:
    """Overdue first, then due soon, then the rest (on the annotated ``due_flag``)."""
    return Case(
        When(due_flag=DueState.OVERDUE, then=Value(0)),
        When(due_flag=DueState.DUE_SOON, then=Value(1)),
        default=Value(2),
        output_field=IntegerField(),
    )


def service_requests_queue(
    *,
    user: User | None,
    status: str = "",
    mode: str = "",
    item: ServiceItem | None = None,
    submitted_from: dt.date | None = None,
    submitted_to: dt.date | None = None,
    search: QueueSearch | None = None,
    today: dt.date | None = None,
    calendar: WorkCalendar | None = None,
) -> QuerySet[ServiceRequest]:
    """The open requests on `user`'s queue (``access.queue_q``, within what they may
    see), filtered, each with its ``due_flag``: overdue first, then due soon, then
    by due date (none last), then oldest submitted. Every column a row shows is
    loaded in the same query."""
    requests = access.service_requests_scope(user=user).filter(access.queue_q(user))
    if status:
        requests = requests.filter(status=status)
    if mode:
        requests = requests.filter(mode=mode)
    if item is not None:
        requests = requests.filter(item=item)
    if submitted_from is not None:
        requests = requests.filter(submitted_at__date__gte=submitted_from)
    if submitted_to is not None:
        requests = requests.filter(submitted_at__date__lte=submitted_to)
    if search is not None:
        requests = requests.filter(search.q())
    requests = service_requests_with_due_flag(
        requests.select_related("item__body", "village"),
        today=today,
        calendar=calendar,
    )
    return requests.order_by(
        _urgency(), F("due_date").asc(nulls_last=True), "submitted_at", "pk"
    )


@dataclass(frozen=True)
class QueuePage:
    """One page of the queue, without counting the whole queue: one row more than
    the page is read to know whether there is a next page."""

    rows: list[ServiceRequest]
    number: int
    has_next: bool

    @property
    def has_previous(self) -> bool:
        return self.number > 1


def queue_page(
    requests: QuerySet[ServiceRequest], *, number: int, size: int = QUEUE_PAGE_SIZE
) -> QueuePage:
    start = (number - 1) * size
    rows = list(requests[start : start + size + 1])
    return QueuePage(rows=rows[:size], number=number, has_next=len(rows) > size)


def service_request_for_staff(
    *,
    user: User | None,
    tracking_number: str,
    today: dt.date | None = None,
    calendar: WorkCalendar | None = None,
) -> ServiceRequest | None:
    """The request with this number if `user` may see it as staff (None otherwise,
    also for one they only applied for), with its ``due_flag``, the item's
    materials, its files and its whole timeline (internal notes included): the
    same few queries whatever its history."""
    found = service_requests_with_due_flag(
        access.service_requests_scope(user=user)
        .filter(tracking_number=tracking_number)
        .select_related(
            "item__body",
            "item__category",
            "village",
            "grid",
            "assigned_to",
            "entered_by",
        )
        .prefetch_related(
            Prefetch("item__materials", queryset=Material.objects.order_by("order")),
            Prefetch(
                "attachments",
                queryset=Attachment.objects.select_related("material").order_by(
                    "uploaded_at", "pk"
                ),
            ),
            Prefetch(
                "events",
                queryset=RequestEvent.objects.select_related("actor").order_by(
                    "created_at", "pk"
                ),
            ),
        ),
        today=today,
        calendar=calendar,
    ).first()
    if found is None or not access.staff_roles_towards(user, found):
        return None
    return found
