"""The shared shape of every status change: lock, check, change, record, notify."""

import logging
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from huagang.exceptions import InvalidInput, InvalidTransition, StaleVersion
from villages.choices import Role
from villages.models import User

from .. import access, workflow
from ..models import EventKind, RequestEvent, ServiceRequest, Status

logger = logging.getLogger("huagang.requests")


def lock_request(
    service_request: ServiceRequest, expected_version: int | None = None
) -> ServiceRequest:
    """Re-read the request under SELECT … FOR UPDATE. Call inside a transaction.

    Raises StaleVersion if `expected_version` is given and someone changed it since.
    """
    locked = (
        ServiceRequest.objects.select_for_update(of=("self",))
        .select_related("item")
        .get(pk=service_request.pk)
    )
    if expected_version is not None and locked.version != expected_version:
        raise StaleVersion(version=locked.version)
    return locked


def record_event(
    locked: ServiceRequest,
    *,
    kind: str,
    by: User | None,
    roles: frozenset[Role] = frozenset(),
    source: str | None = None,
    note: str = "",
    public: bool = True,
) -> RequestEvent:
    """Append one event and queue its notifications once the transaction commits."""
    event = RequestEvent.objects.create(
        request=locked,
        kind=kind,
        from_status=locked.status if source is None else source,
        to_status=locked.status,
        actor=by if by is not None and by.is_authenticated else None,
        actor_role=_primary_role(roles),
        note=note,
        is_public=public,
    )
    if public:
        from .. import tasks

        # robust: the change is committed; a failure to queue (or, when eager, to
        # send) the message is logged and must not turn the answer into an error.
        transaction.on_commit(lambda: tasks.notify_event.delay(event.pk), robust=True)
    return event


def change_status(
    locked: ServiceRequest,
    *,
    to: str,
    step: workflow.Step,
    by: User | None,
    roles: frozenset[Role],
    note: str = "",
    changes: dict[str, Any] | None = None,
) -> RequestEvent:
    """Check the workflow, apply `changes` and the new status, and record the event.

    `roles` are those `by` holds towards the request (``access.roles_towards``); the
    check takes those that take status steps (``access.check_step``: a stationed
    body's 即时即办 case is not its village clerk's to move). `step` is the calling
    action's step: a change the table assigns to another step (e.g. completing a
    home-visit case, which its visit's outcome does) is refused.
    Precondition: `locked` was returned by ``lock_request`` in the current transaction.
    Raises InvalidTransition, NotPermitted, or InvalidInput (a note is required).
    """
    found = access.check_step(locked, to=to, roles=roles)
    if found.step != step:
        raise InvalidTransition(
            _("This step is taken with “%(step)s”.") % {"step": found.step.label}
        )
    note = (note or "").strip()
    if to in workflow.NOTE_REQUIRED and not note:
        raise InvalidInput(
            {
                "note": [
                    _("Say why, or what the resident must bring; they will read it.")
                ]
            }
        )
    source = locked.status
    fields = {"status": to, "version": locked.version + 1, **(changes or {})}
    for name, value in fields.items():
        setattr(locked, name, value)
    locked.save(update_fields=[*fields, "updated_at"])
    logger.info(
        "request %s: %s -> %s by user %s",
        locked.tracking_number,
        source,
        to,
        getattr(by, "pk", None),
    )
    return record_event(
        locked, kind=EventKind.STATUS, by=by, roles=roles, source=source, note=note
    )


def _primary_role(roles: frozenset[Role]) -> str:
    """The role an event is recorded under; empty for the system (periodic jobs)."""
    for role in (Role.OFFICIAL, Role.TOWN_CLERK, Role.VILLAGE_CLERK, Role.RESIDENT):
        if role in roles:
            return role.value
    return ""


__all__ = ["Status", "change_status", "lock_request", "record_event"]
