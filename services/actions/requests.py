"""Status changes of a service request that need no trip or visit (those are in
``trips`` and ``visits``; submitting is in ``submission``)."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from huagang.exceptions import InvalidInput, InvalidTransition
from villages.models import User

from .. import time_limits
from ..models import (
    DueState,
    EventKind,
    ServiceRequest,
    Status,
)
from ..working_days import WorkCalendar
from ._core import (
    change_status,
    lock_request,
    record_event,
    require_staff_role,
    roles_of,
)


@transaction.atomic
def service_request_accept(
    *,
    service_request: ServiceRequest,
    by: User,
    expected_version: int | None = None,
    calendar: WorkCalendar | None = None,
) -> ServiceRequest:
    """Accept a submitted request, assign it and start its promised-days clock.

    A due date in a year the calendar does not know is left empty with a note for
    officials (the periodic sweep fills it in once they add the year).
    """
    locked = lock_request(service_request, expected_version)
    today = timezone.localdate()
    clock = time_limits.start(
        today=today,
        promised_days=locked.item.promised_days,
        calendar=calendar or WorkCalendar.load(),
        label=locked.tracking_number,
    )
    change_status(
        locked,
        to=Status.ACCEPTED,
        by=by,
        roles=roles_of(by, locked),
        changes={
            "accepted_at": timezone.now(),
            "clock_started_on": today,
            "assigned_to": locked.assigned_to or by,
            **clock.fields(),
        },
    )
    return locked


@transaction.atomic
def service_request_reject(
    *,
    service_request: ServiceRequest,
    by: User,
    reason: str,
    expected_version: int | None = None,
) -> ServiceRequest:
    """不予受理 with the reason the resident will read (required)."""
    locked = lock_request(service_request, expected_version)
    change_status(
        locked,
        to=Status.REJECTED,
        by=by,
        roles=roles_of(by, locked),
        note=reason,
        changes={"result_note": (reason or "").strip(), "due_state": DueState.NONE},
    )
    return locked


@transaction.atomic
def service_request_ask_supplement(
    *,
    service_request: ServiceRequest,
    by: User,
    what: str,
    expected_version: int | None = None,
    calendar: WorkCalendar | None = None,
) -> ServiceRequest:
    """Ask for missing materials (待补正): the clock pauses with its days left kept."""
    locked = lock_request(service_request, expected_version)
    left = time_limits.days_left(
        due_date=locked.due_date,
        today=timezone.localdate(),
        calendar=calendar or WorkCalendar.load(),
    )
    change_status(
        locked,
        to=Status.SUPPLEMENT,
        by=by,
        roles=roles_of(by, locked),
        note=what,
        changes={
            "paused_days_left": left,
            "due_date": None,
            "due_state": DueState.NONE,
        },
    )
    return locked


@transaction.atomic
def service_request_resume(
    *,
    service_request: ServiceRequest,
    by: User,
    note: str = "",
    expected_version: int | None = None,
    calendar: WorkCalendar | None = None,
) -> ServiceRequest:
    """The supplement is complete: back to 已受理, the clock runs on from where it
    stopped (with the item's full limit if it never started)."""
    locked = lock_request(service_request, expected_version)
    left = locked.paused_days_left
    clock = time_limits.start(
        today=timezone.localdate(),
        promised_days=locked.item.promised_days if left is None else left,
        calendar=calendar or WorkCalendar.load(),
        label=locked.tracking_number,
    )
    change_status(
        locked,
        to=Status.ACCEPTED,
        by=by,
        roles=roles_of(by, locked),
        note=note,
        changes={
            # Kept while the due date cannot be computed: the sweep needs it later.
            "paused_days_left": left if clock.due_date is None else None,
            "clock_started_on": timezone.localdate(),
            **clock.fields(),
        },
    )
    return locked


@transaction.atomic
def service_request_complete(
    *,
    service_request: ServiceRequest,
    by: User,
    result: str = "",
    expected_version: int | None = None,
) -> ServiceRequest:
    """已办结: done on the spot, or the result handed to the resident."""
    locked = lock_request(service_request, expected_version)
    now = timezone.now()
    change_status(
        locked,
        to=Status.COMPLETED,
        by=by,
        roles=roles_of(by, locked),
        note=result,
        changes={
            "completed_at": now,
            "due_state": DueState.NONE,
            "accepted_at": locked.accepted_at or now,
            "assigned_to": locked.assigned_to or by,
            "result_note": (result or locked.result_note).strip(),
        },
    )
    return locked


@transaction.atomic
def service_request_withdraw(
    *,
    service_request: ServiceRequest,
    by: User | None,
    reason: str = "",
    as_applicant: bool = False,
    expected_version: int | None = None,
) -> ServiceRequest:
    """已撤回, by the applicant (signed in, or proven by number and phone) or a clerk
    on their behalf."""
    locked = lock_request(service_request, expected_version)
    change_status(
        locked,
        to=Status.WITHDRAWN,
        by=by,
        roles=roles_of(by, locked, as_applicant=as_applicant),
        note=reason,
        changes={"due_state": DueState.NONE},
    )
    return locked


@transaction.atomic
def service_request_add_note(
    *,
    service_request: ServiceRequest,
    by: User,
    note: str,
    public: bool = False,
) -> ServiceRequest:
    """A note on the timeline (internal unless `public`); needs a staff role."""
    locked = lock_request(service_request)
    roles = roles_of(by, locked)
    require_staff_role(roles)
    if not (note or "").strip():
        raise InvalidInput({"note": [_("Write the note.")]})
    record_event(
        locked,
        kind=EventKind.NOTE,
        by=by,
        roles=roles,
        note=note.strip(),
        public=public,
    )
    return locked


# The status changes a generic form (the admin's) may offer; trips and visits have
# their own actions because they need more than a note.
GENERIC = {
    (Status.SUBMITTED, Status.ACCEPTED): "accept",
    (Status.SUPPLEMENT, Status.ACCEPTED): "resume",
    (Status.SUBMITTED, Status.REJECTED): "reject",
    (Status.ACCEPTED, Status.REJECTED): "reject",
    (Status.SUPPLEMENT, Status.REJECTED): "reject",
    (Status.ACCEPTED, Status.SUPPLEMENT): "supplement",
    (Status.SENT_TO_TOWN, Status.SUPPLEMENT): "supplement",
    (Status.VISIT_SCHEDULED, Status.SUPPLEMENT): "supplement",
    (Status.SUBMITTED, Status.COMPLETED): "complete",
    (Status.ACCEPTED, Status.COMPLETED): "complete",
    (Status.RETURNED_TO_VILLAGE, Status.COMPLETED): "complete",
}


def service_request_transition(
    *,
    service_request: ServiceRequest,
    to: str,
    by: User,
    note: str = "",
    expected_version: int | None = None,
) -> ServiceRequest:
    """Make the status change to `to` through the action that owns it."""
    if to == Status.WITHDRAWN:
        return service_request_withdraw(
            service_request=service_request,
            by=by,
            reason=note,
            expected_version=expected_version,
        )
    name = GENERIC.get((Status(service_request.status), Status(to)))
    if name is None:
        raise InvalidTransition(_("This step is recorded with a trip or a home visit."))
    common = {
        "service_request": service_request,
        "by": by,
        "expected_version": expected_version,
    }
    if name == "accept":
        return service_request_accept(**common)
    if name == "resume":
        return service_request_resume(note=note, **common)
    if name == "reject":
        return service_request_reject(reason=note, **common)
    if name == "supplement":
        return service_request_ask_supplement(what=note, **common)
    return service_request_complete(result=note, **common)
