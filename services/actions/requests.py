"""Status changes of a service request that need no trip or visit (those are in
``trips`` and ``visits``; submitting is in ``submission``)."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from huagang.exceptions import InvalidInput, InvalidTransition, StaleVersion
from villages.models import User

from .. import time_limits
from ..access import ApplicantProof, roles_towards
from ..models import (
    Delivery,
    DueState,
    EventKind,
    HandlingMode,
    ServiceRequest,
    Status,
)
from ..workflow import Activity, Step, check_activity, transition
from ..working_days import WorkCalendar
from ._core import change_status, lock_request, record_event


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
        step=Step.ACCEPT,
        roles=roles_towards(by, locked),
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
        step=Step.REJECT,
        roles=roles_towards(by, locked),
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
        step=Step.SUPPLEMENT,
        roles=roles_towards(by, locked),
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
        step=Step.RESUME,
        roles=roles_towards(by, locked),
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
    delivered_how: str | None = None,
    expected_version: int | None = None,
) -> ServiceRequest:
    """已办结: done on the spot, or the result handed to the resident.

    `delivered_how` (``Delivery``) says how a 定时代办 result that came back to the
    village reached the resident; a screen that completes such a case asks for it
    and passes what was chosen ("" is refused). None is the admin's generic step
    form, which does not ask yet. Raises InvalidInput for a delivery that is not a
    ``Delivery`` choice, or given for a case that was not carried to the town.
    """
    locked = lock_request(service_request, expected_version)
    _check_delivery(locked, delivered_how)
    now = timezone.now()
    change_status(
        locked,
        to=Status.COMPLETED,
        by=by,
        step=Step.COMPLETE,
        roles=roles_towards(by, locked),
        note=result,
        changes={
            "completed_at": now,
            "due_state": DueState.NONE,
            "accepted_at": locked.accepted_at or now,
            "assigned_to": locked.assigned_to or by,
            "result_note": (result or locked.result_note).strip(),
            **({"delivered_how": delivered_how} if delivered_how else {}),
        },
    )
    return locked


def _check_delivery(locked: ServiceRequest, delivered_how: str | None) -> None:
    if delivered_how is None:
        return
    if locked.mode != HandlingMode.AGENCY:
        if delivered_how:
            raise InvalidInput(
                {
                    "delivered_how": [
                        _("Only a result brought back from the town is delivered.")
                    ]
                }
            )
        return
    if delivered_how not in Delivery.values:
        raise InvalidInput(
            {"delivered_how": [_("Say how the result reached the resident.")]}
        )


@transaction.atomic
def service_request_withdraw(
    *,
    service_request: ServiceRequest,
    by: User | None,
    reason: str = "",
    proof: ApplicantProof | None = None,
    expected_version: int | None = None,
) -> ServiceRequest:
    """已撤回, by the applicant (signed in, or holding the `proof` a lookup by number
    and phone gave) or a clerk on their behalf."""
    locked = lock_request(service_request, expected_version)
    change_status(
        locked,
        to=Status.WITHDRAWN,
        by=by,
        step=Step.WITHDRAW,
        roles=roles_towards(by, locked, proof=proof),
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
    expected_version: int | None = None,
) -> ServiceRequest:
    """A note on the timeline (internal unless `public`); needs a staff role.

    A note changes no version; `expected_version` refuses a note written on a page
    of the request as it was before someone changed it (StaleVersion)."""
    locked = lock_request(service_request, expected_version)
    roles = roles_towards(by, locked)
    check_activity(Activity.NOTE, locked.status, roles)
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


def service_request_transition(
    *,
    service_request: ServiceRequest,
    to: str,
    by: User,
    note: str = "",
    expected_version: int | None = None,
    delivered_how: str | None = None,
) -> ServiceRequest:
    """Make the status change to `to` through the action that owns its step (only the
    steps a form can take with a note: ``workflow.FORM_STEPS``); `delivered_how` goes
    to ``service_request_complete`` (refused for any other step).

    Raises StaleVersion first if the request changed since `expected_version` (its
    status may then not allow the step any more), before any other check; unless the
    change was this very step, just taken by `by` from that version (a double-clicked
    save), which returns the request as it is."""
    try:
        if expected_version is not None and service_request.version != expected_version:
            raise StaleVersion(version=service_request.version)
        found = transition(service_request.mode, service_request.status, to)
        action = _FORM_ACTIONS.get(found.step) if found else None
        if action is None:
            raise InvalidTransition(
                _("This step is recorded with a trip or a home visit.")
            )
        extra = {}
        if delivered_how is not None:
            if found.step != Step.COMPLETE:
                raise InvalidInput(
                    {"delivered_how": [_("Only a completion records a delivery.")]}
                )
            extra["delivered_how"] = delivered_how
        return action(
            service_request=service_request,
            by=by,
            note=note,
            expected_version=expected_version,
            **extra,
        )
    except StaleVersion:
        if expected_version is None:
            raise
        fresh = ServiceRequest.objects.get(pk=service_request.pk)
        if not _just_taken(fresh, to=to, by=by, version=expected_version):
            raise
        return fresh


def _just_taken(
    service_request: ServiceRequest, *, to: str, by: User, version: int
) -> bool:
    """The request's last change was `by` moving it to `to` from `version`."""
    last = (
        service_request.events.filter(kind=EventKind.STATUS)
        .order_by("-created_at", "-pk")
        .first()
    )
    return (
        service_request.version == version + 1
        and service_request.status == to
        and last is not None
        and last.to_status == to
        and last.actor_id == by.pk
    )


def _with_note(action, argument: str | None):
    """Adapt an action to the form's (service_request, by, note, expected_version)."""

    def run(*, note: str, **common) -> ServiceRequest:
        return action(**common, **({argument: note} if argument else {}))

    return run


_FORM_ACTIONS = {
    Step.ACCEPT: _with_note(service_request_accept, None),
    Step.RESUME: _with_note(service_request_resume, "note"),
    Step.REJECT: _with_note(service_request_reject, "reason"),
    Step.SUPPLEMENT: _with_note(service_request_ask_supplement, "what"),
    Step.COMPLETE: _with_note(service_request_complete, "result"),
    Step.WITHDRAW: _with_note(service_request_withdraw, "reason"),
}
