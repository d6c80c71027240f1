"""Reads for the API's requests endpoints (``services/api/views/requests.py``).

Who sees which request is ``services.access`` (``service_requests_scope``); the due
flag is ``time_limits`` (``flag`` in SQL for lists, ``state_of`` for one request),
the same definitions the workbench uses. The list reads exactly the columns its rows
show, in one query, as plain dicts: the API's hottest path does no more than a bare
``.values()`` view would.
"""

import datetime as dt
import hashlib
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db.models import QuerySet
from django.utils import timezone

from villages.models import User, Village
from villages.validators import normalize_id_number, normalize_mobile

from .. import access, time_limits
from ..models import HandlingMode, Rating, RequestEvent, ServiceItem, ServiceRequest
from ..working_days import WorkCalendar
from . import service_request_timeline

# The columns a row of the requests list shows (with its due flag and sort key).
LIST_COLUMNS = (
    "pk",
    "tracking_number",
    "item_id",
    "village_id",
    "mode",
    "status",
    "version",
    "applicant_name",
    "applicant_phone",
    "submitted_at",
    "updated_at",
    "due_date",
)


# Built once: resolving the columns costs more than applying the caller's scope to a
# copy of it. No join: an item's and a village's code and name come from
# ``catalog_names``.
_LIST = ServiceRequest.objects.values(*LIST_COLUMNS)

# --- the items' and villages' codes and names, kept for a minute ---------------------

NAMES_SECONDS = 60


@dataclass(frozen=True)
class CatalogNames:
    """Code and name by id, and id by code, of every item and village: a few hundred
    rows, read at most once a minute per process instead of two joins in every list
    query. A save of an item or a village forgets them in its process
    (``services.apps``); elsewhere a rename shows within ``NAMES_SECONDS``, and an id
    or code not known yet is read afresh at once."""

    items: dict[int, tuple[str, str]]
    villages: dict[int, tuple[str, str]]
    item_ids: dict[str, int]
    village_ids: dict[str, int]

    @classmethod
    def load(cls) -> "CatalogNames":
        items = {
            pk: (code, name)
            for pk, code, name in ServiceItem.objects.values_list("pk", "code", "name")
        }
        villages = {
            pk: (code, name)
            for pk, code, name in Village.objects.values_list("pk", "code", "name")
        }
        return cls(
            items=items,
            villages=villages,
            item_ids={code: pk for pk, (code, _name) in items.items()},
            village_ids={code: pk for pk, (code, _name) in villages.items()},
        )


_names: tuple[float, CatalogNames] | None = None


def catalog_names(
    *, item_ids: Iterable[int] = (), village_ids: Iterable[int] = ()
) -> CatalogNames:
    """The kept ``CatalogNames``, read afresh when older than ``NAMES_SECONDS`` or
    when one of the given ids is not in them."""
    global _names
    kept = _names
    if (
        kept is not None
        and time.monotonic() - kept[0] < NAMES_SECONDS
        and all(pk in kept[1].items for pk in item_ids)
        and all(pk in kept[1].villages for pk in village_ids)
    ):
        return kept[1]
    _names = (time.monotonic(), CatalogNames.load())
    return _names[1]


def catalog_names_forget(**kwargs) -> None:
    """Read the codes and names afresh on the next call (a receiver of saves)."""
    global _names
    _names = None


def village_id_of(code: str) -> int | None:
    """The id of the village with this code (None if there is none)."""
    return _id_of("village_ids", code)


def item_id_of(code: str) -> int | None:
    """The id of the item with this code (None if there is none)."""
    return _id_of("item_ids", code)


def _id_of(by_code: str, code: str) -> int | None:
    """An id from ``CatalogNames.<by_code>``, read afresh once if `code` is not in it."""
    found = getattr(catalog_names(), by_code).get(code)
    if found is None:
        catalog_names_forget()
        found = getattr(catalog_names(), by_code).get(code)
    return found


# --- the holiday calendar, kept for a minute -----------------------------------------

CALENDAR_SECONDS = 60
_calendar_lock = threading.Lock()
_calendar: tuple[float, WorkCalendar] | None = None


def api_calendar() -> WorkCalendar:
    """The officials' working-day calendar, read at most once a minute per process.

    The due flags of a list need only which day is the next working day; reading
    the calendar's two tables on every call of the API's busiest endpoints would
    cost more than the page itself. An edit of the calendar in the admin reaches the
    API's flags within ``CALENDAR_SECONDS`` (the sweep and the workbench read it
    afresh)."""
    global _calendar
    kept = _calendar
    if kept is not None and time.monotonic() - kept[0] < CALENDAR_SECONDS:
        return kept[1]
    with _calendar_lock:
        _calendar = (time.monotonic(), WorkCalendar.load())
        return _calendar[1]


def api_calendar_forget() -> None:
    """Read the calendar afresh on the next call (tests, after editing it)."""
    global _calendar
    _calendar = None


# --- lists --------------------------------------------------------------------------


def service_requests_api_list(*, user: User | None) -> QuerySet:
    """The requests of `user`'s list, as dicts of ``LIST_COLUMNS``; unordered (the
    pagination orders). For staff, those they serve (``access.staff_requests_q``: a
    village clerk's village, a town-center clerk's bodies, every one for an
    official); for anyone else, those they applied for
    (``access.requests_as_applicant``). Staff find their own applications on 我的办件
    or by number: a list of both would be an OR no index reads in order.

    A row's due flag is ``due_flags(rows)``: in Python, for the page's rows only,
    which costs less than the SQL form (``time_limits.flag``) in every query."""
    if access.is_staff_member(user):
        return _LIST.filter(access.staff_requests_q(user))
    return access.requests_as_applicant(user=user).values(*LIST_COLUMNS)


def due_flags(rows: Iterable[dict], *, today: dt.date | None = None) -> list[str]:
    """``time_limits.state_of`` of each row of a list page ("" while its clock is
    not running)."""
    today = today or timezone.localdate()
    calendar = api_calendar()
    return [
        time_limits.state_of(
            status=row["status"], due=row["due_date"], today=today, calendar=calendar
        )
        for row in rows
    ]


def service_request_api_events(
    *, service_request: ServiceRequest, staff: bool
) -> QuerySet[RequestEvent]:
    """The request's timeline: every event, internal notes included, for `staff`
    (a staff role towards it, ``access.staff_roles_towards``); else the public ones."""
    return service_request_timeline(
        service_request=service_request, public_only=not staff
    )


def service_request_rating(*, service_request: ServiceRequest) -> Rating | None:
    """The request's rating with its follow-up, if it was rated."""
    return (
        Rating.objects.select_related("follow_up")
        .filter(request=service_request)
        .first()
    )


# --- one request --------------------------------------------------------------------


def service_request_api_get(
    *, user: User | None, tracking_number: str
) -> ServiceRequest | None:
    """The request with this number if `user` may see it, with its item and village
    (one query; None otherwise)."""
    return (
        access.service_requests_scope(user=user)
        .select_related("item", "village")
        .filter(tracking_number=tracking_number)
        .first()
    )


def service_request_by_number(*, tracking_number: str) -> ServiceRequest | None:
    """The request with this number, whoever asks: only for a caller whose session
    holds an applicant's proof, which ``access`` then checks against it."""
    return (
        ServiceRequest.objects.select_related("item", "village")
        .filter(tracking_number=tracking_number)
        .first()
    )


def service_request_due_flag(
    service_request: ServiceRequest, *, today: dt.date | None = None
) -> str:
    """``time_limits.state_of`` for one request ("" while its clock is not running)."""
    return time_limits.state_of(
        status=service_request.status,
        due=service_request.due_date,
        today=today or timezone.localdate(),
        calendar=api_calendar(),
    )


# --- a retried create ---------------------------------------------------------------


def _normalized(normalize, value: str) -> str | None:
    try:
        return normalize(value) if value else ""
    except ValidationError:
        return None


def _sha256(upload: UploadedFile) -> str:
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return digest.hexdigest()


def service_request_same_submission(
    service_request: ServiceRequest,
    *,
    item: str,
    village: str,
    mode: str,
    applicant_name: str,
    applicant_phone: str,
    applicant_id_number: str,
    applicant_address: str,
    description: str,
    visit_weekdays: Iterable[int] | None,
    visit_time: str,
    uploads: list[tuple[UploadedFile, int | None]],
) -> bool:
    """Whether these values (as ``service_request_submit`` takes them) describe the
    request `service_request` already stores: a retried create, not another request
    under a reused key. Values are compared as the action stores them (the phone and
    ID number normalized, text stripped, the visit days only for 上门特办), the files
    by their content and material."""
    home = mode == HandlingMode.HOME
    stored_files = sorted(
        service_request.attachments.values_list("material_id", "sha256"),
        key=repr,
    )
    sent_files = sorted(
        ((material_id, _sha256(upload)) for upload, material_id in uploads), key=repr
    )
    return (
        service_request.item.code == item
        and service_request.village.code == village
        and service_request.mode == mode
        and service_request.applicant_name == applicant_name
        and service_request.applicant_phone
        == _normalized(normalize_mobile, applicant_phone)
        and service_request.applicant_id_number
        == _normalized(normalize_id_number, applicant_id_number)
        and service_request.applicant_address == applicant_address.strip()
        and service_request.description == description.strip()
        and service_request.visit_weekdays
        == (sorted(set(visit_weekdays or [])) if home else [])
        and service_request.visit_time == (visit_time if home else "")
        and stored_files == sent_files
    )
