"""Submitting a request: every field and file checked first, then one transaction that
creates the request under a fresh tracking number with its first event."""

import secrets
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from huagang.exceptions import InvalidInput, NotPermitted
from villages.models import User, Village
from villages.validators import normalize_id_number, normalize_mobile

from ..models import Channel, EventKind, HandlingMode, ServiceItem, ServiceRequest
from ._core import record_event, roles_of
from .attachments import CheckedUpload, attachment_save, check_upload

TRACKING_ATTEMPTS = 8


def tracking_number_new(now=None) -> str:
    """HG + date + six random digits: easy to read over the phone, hard to guess."""
    now = timezone.localtime(now)
    return f"HG{now:%y%m%d}{secrets.randbelow(10**6):06d}"


def _resolve(item: ServiceItem | str, village: Village | str) -> tuple[Any, Any, dict]:
    errors: dict[str, list[str]] = {}
    if isinstance(item, str):
        item = ServiceItem.objects.filter(code=item, is_active=True).first()
    if item is None or not item.is_active:
        errors["item"] = [_("There is no such service item in the catalog.")]
    if isinstance(village, str):
        village = Village.objects.filter(code=village).first()
    if village is None:
        errors["village"] = [_("This is not a village or community of Huagang town.")]
    return item, village, errors


def _check_applicant(fields: dict[str, str], errors: dict[str, list[str]]) -> None:
    if not fields["applicant_name"].strip():
        errors["applicant_name"] = [_("Enter the applicant's name.")]
    for name, normalize in (
        ("applicant_phone", normalize_mobile),
        ("applicant_id_number", normalize_id_number),
    ):
        if name == "applicant_id_number" and not fields[name]:
            continue
        try:
            fields[name] = normalize(fields[name])
        except ValidationError as exc:
            errors[name] = list(exc.messages)


def service_request_submit(
    *,
    item: ServiceItem | str,
    village: Village | str,
    mode: str,
    channel: str,
    applicant_name: str,
    applicant_phone: str,
    applicant_id_number: str = "",
    applicant_address: str = "",
    description: str = "",
    account: User | None = None,
    entered_by: User | None = None,
    uploads: list[tuple[UploadedFile, int | None]] | None = None,
) -> ServiceRequest:
    """Create a request in 待受理 with its first event, and notify the applicant.

    Every field and file is checked first; on any problem InvalidInput lists them all
    and nothing is saved. `uploads` pairs each file with the id of the item's material
    it provides (or None).
    """
    item, village, errors = _resolve(item, village)
    if item and mode not in item.modes:
        errors["mode"] = [_("This item cannot be handled in the chosen way.")]
    if channel not in Channel.values:
        errors["channel"] = [_("Unknown channel.")]
    if entered_by is not None:
        _check_entered_by(entered_by, village, errors)
    applicant = {
        "applicant_name": applicant_name or "",
        "applicant_phone": applicant_phone or "",
        "applicant_id_number": applicant_id_number or "",
    }
    _check_applicant(applicant, errors)
    checked = _check_uploads(uploads or [], item, errors)
    if errors:
        raise InvalidInput(errors)
    with transaction.atomic():
        service_request = _create_with_unique_number(
            item=item,
            village=village,
            mode=HandlingMode(mode),
            channel=channel,
            applicant_address=applicant_address.strip(),
            description=description.strip(),
            account=account,
            entered_by=entered_by,
            **applicant,
        )
        for upload in checked:
            attachment_save(service_request, upload, by=account or entered_by)
        record_event(
            service_request,
            kind=EventKind.STATUS,
            by=account or entered_by,
            source="",
            roles=roles_of(account or entered_by, service_request),
        )
    return service_request


def _check_uploads(
    uploads: list[tuple[UploadedFile, int | None]],
    item: ServiceItem | None,
    errors: dict[str, list[str]],
) -> list[CheckedUpload]:
    checked = []
    for upload, material_id in uploads:
        try:
            checked.append(check_upload(upload, item=item, material_id=material_id))
        except InvalidInput as exc:
            errors.setdefault("uploads", []).extend(exc.errors["__all__"])
    return checked


def _check_entered_by(
    entered_by: User, village: Village | None, errors: dict[str, list[str]]
) -> None:
    """Staff enter requests for residents; a village clerk only for their village."""
    if entered_by.role == User.Role.RESIDENT:
        raise NotPermitted(_("Only staff can enter a request for someone else."))
    if (
        entered_by.role == User.Role.VILLAGE_CLERK
        and village is not None
        and village.pk != entered_by.village_id
    ):
        errors["village"] = [
            _("You can enter requests only for the village you serve.")
        ]


def _create_with_unique_number(**values: Any) -> ServiceRequest:
    for _attempt in range(TRACKING_ATTEMPTS):
        number = tracking_number_new()
        try:
            with transaction.atomic():
                return ServiceRequest.objects.create(tracking_number=number, **values)
        except IntegrityError:
            if not ServiceRequest.objects.filter(tracking_number=number).exists():
                raise
    raise RuntimeError("could not find a free tracking number")
