"""Applying for a life event: one request per applicable item, each made by
``service_request_submit`` (its own mode, workflow and due date), linked under one
event number, all in one transaction."""

import secrets
import uuid
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from huagang.exceptions import Conflict, InvalidInput
from villages.models import User, Village
from villages.validators import normalize_mobile

from .. import life_events
from ..access import SessionSubmissions
from ..models import (
    Channel,
    LifeEventApplication,
    LifeEventLink,
    ServiceItem,
    ServiceRequest,
)
from ..selectors.events import EventPlan
from . import submission

NUMBER_ATTEMPTS = 8
# The linked requests' submission keys derive from the event's: a second post of the
# same form finds the same requests (and the event) instead of making new ones.
_KEYS = uuid.UUID("5b0f3c1e-8a61-4d55-9b0e-6a3a2f1e7c20")


def life_event_number_new(now=None) -> str:
    """HGE + date + six random digits (a request's number has no E)."""
    now = timezone.localtime(now)
    return f"HGE{now:%y%m%d}{secrets.randbelow(10**6):06d}"


def _item_uploads(
    plan: EventPlan, item: ServiceItem, uploads: dict[str, UploadedFile]
) -> list[tuple[UploadedFile, int | None]]:
    """The files meant for `item`: each merged material's upload, once per material
    of the item it stands for."""
    return [
        (uploads[entry.field], material_id)
        for entry in plan.materials
        if entry.field in uploads
        for material_id in entry.needs.get(item, [])
    ]


def _fields_of(plan: EventPlan) -> dict[str, str]:
    """An item's material field (``material_<id>``) → the event form's field."""
    return {
        f"material_{material_id}": entry.field
        for entry in plan.materials
        for ids in entry.needs.values()
        for material_id in ids
    }


def life_event_problems(
    *, plan: EventPlan, uploads: dict[str, UploadedFile], **values: Any
) -> dict[str, list[str]]:
    """Every problem any linked request would have, at the event form's fields
    (``service_request_problems`` for each applicable item; nothing saved)."""
    errors: dict[str, list[str]] = {}
    if not plan.items:
        errors["__all__"] = [_("Answer the questions: no item applies yet.")]
    fields = _fields_of(plan)
    for item in plan.items:
        found = submission.service_request_problems(
            item=item,
            mode=life_events.preferred_mode(item.modes),
            channel=Channel.ONLINE,
            uploads=_item_uploads(plan, item, uploads),
            **values,
        )
        for field, messages in found.items():
            target = errors.setdefault(fields.get(field, field), [])
            target.extend(m for m in messages if m not in target)
    return errors


def life_event_submit(
    *,
    plan: EventPlan,
    village: Village,
    applicant_name: str,
    applicant_phone: str,
    applicant_id_number: str = "",
    applicant_address: str = "",
    description: str = "",
    account: User | None = None,
    uploads: dict[str, UploadedFile] | None = None,
    submission_key: uuid.UUID | None = None,
    consent_version: str = "",
    visit_weekdays: list[int] | None = None,
    visit_time: str = "",
    sent_from: SessionSubmissions | None = None,
) -> LifeEventApplication:
    """Apply for `plan`'s event: one online request per applicable item, linked under
    a new event number; every request is created or none.

    `uploads` maps the plan's material fields (``kind_<code>``, ``material_<id>``) to
    files: a kind's file is attached to every linked request whose item asks for a
    material of that kind. Every problem of every linked request is checked first and
    reported at the event form's fields (InvalidInput). A `submission_key` makes the
    call idempotent like ``service_request_submit``: the same form posted again
    returns the first application (Conflict if someone else's). The same form sent
    again with a new key (after the back button) returns the first application too,
    through its linked requests: for a signed-in applicant by their account; without
    an account only to the browser session that sent it (`sent_from`,
    ``access.session_submissions``), anyone else is refused (Conflict, code
    ``already_submitted``) and shown nothing of it (``service_request_submit``).
    """
    uploads = uploads or {}
    if submission_key is not None:
        existing = _submitted_before(submission_key, account)
        if existing is not None:
            return existing
    values = {
        "village": village,
        "applicant_name": applicant_name,
        "applicant_phone": applicant_phone,
        "applicant_id_number": applicant_id_number,
        "consent_version": consent_version,
        "visit_weekdays": visit_weekdays,
        "visit_time": visit_time,
    }
    errors = life_event_problems(plan=plan, uploads=uploads, **values)
    if errors:
        raise InvalidInput(errors)
    try:
        return _create(
            plan=plan,
            uploads=uploads,
            account=account,
            submission_key=submission_key,
            sent_from=sent_from,
            applicant_address=applicant_address,
            description=description,
            **values,
        )
    except _KeyTaken:
        return _submitted_before(submission_key, account)  # type: ignore[arg-type,return-value]
    except _SentBefore as sent:
        return LifeEventApplication.objects.get(pk=sent.application_id)


class _KeyTaken(Exception):
    pass


class _SentBefore(Exception):
    def __init__(self, application_id: int):
        self.application_id = application_id


@transaction.atomic
def _create(
    *,
    plan: EventPlan,
    uploads: dict[str, UploadedFile],
    account: User | None,
    submission_key: uuid.UUID | None,
    sent_from: SessionSubmissions | None,
    **values: Any,
) -> LifeEventApplication:
    application = _create_with_unique_number(
        event=plan.event,
        answers=plan.answers,
        village=values["village"],
        applicant_name=values["applicant_name"].strip(),
        applicant_phone=normalize_mobile(values["applicant_phone"]),
        account=account,
        submission_key=submission_key,
    )
    for order, item in enumerate(plan.items, start=1):
        created = submission.service_request_submit(
            item=item,
            mode=life_events.preferred_mode(item.modes),
            channel=Channel.ONLINE,
            account=account,
            uploads=_item_uploads(plan, item, uploads),
            submission_key=_linked_key(submission_key, item),
            sent_from=sent_from,
            **values,
        )
        _link(application, created, order)
    return application


def _link(
    application: LifeEventApplication, created: ServiceRequest, order: int
) -> None:
    """Link `created`. One already linked is the same person's identical request of
    a few minutes ago (``service_request_submit`` returned it: the same form sent
    again with a new key, after the back button, by the same account or from the
    same browser session): _SentBefore rolls this application back, and the earlier
    one is the answer."""
    earlier = LifeEventLink.objects.filter(service_request=created).first()
    if earlier is not None:
        raise _SentBefore(earlier.application_id)
    LifeEventLink.objects.create(
        application=application, service_request=created, order=order
    )


def _linked_key(key: uuid.UUID | None, item: ServiceItem) -> uuid.UUID | None:
    return None if key is None else uuid.uuid5(_KEYS, f"{key}:{item.code}")


def _submitted_before(key: uuid.UUID, by: User | None) -> LifeEventApplication | None:
    found = LifeEventApplication.objects.filter(submission_key=key).first()
    if found is None:
        return None
    if (by.pk if by is not None else None) != found.account_id:
        raise Conflict(_("This form was already used; open a new one."))
    return found


def _create_with_unique_number(**values: Any) -> LifeEventApplication:
    key = values.get("submission_key")
    for _attempt in range(NUMBER_ATTEMPTS):
        number = life_event_number_new()
        try:
            with transaction.atomic():
                return LifeEventApplication.objects.create(number=number, **values)
        except IntegrityError:
            if key is not None and LifeEventApplication.objects.filter(
                submission_key=key
            ):
                raise _KeyTaken() from None
            if not LifeEventApplication.objects.filter(number=number).exists():
                raise
    raise RuntimeError("could not find a free event number")
