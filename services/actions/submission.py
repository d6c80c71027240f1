"""Submitting a request: every field and file checked first, then one transaction that
creates the request under a fresh tracking number with its first event."""

import datetime as dt
import re
import secrets
import uuid
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from huagang.crypto import lookup_hash
from huagang.exceptions import Conflict, InvalidInput, NotPermitted
from huagang.privacy import NOTICE_VERSION
from villages.models import Grid, User, Village
from villages.validators import is_weekday_list, normalize_id_number, normalize_mobile

from ..access import (
    SessionSubmissions,
    is_grid_worker,
    is_staff_member,
    may_enter_for_grid,
    may_enter_request,
    roles_towards,
)
from ..models import (
    Channel,
    EventKind,
    HandlingMode,
    ServiceItem,
    ServiceRequest,
    Status,
    VisitTime,
)
from ..wording import Reader, consent_missing, home_visit_problems
from ._core import record_event
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


# The resident ID card, not a generic 身份证件 (any identity document, e.g. 低保证).
_ID_CARD = re.compile(r"身份证(?!件)")
# Examples in brackets ("有效身份证件（居民身份证、居住证…）") do not make a material one.
_BRACKETS = re.compile(r"（[^）]*）|\([^)]*\)")


def id_number_required(item: ServiceItem) -> bool:
    """Whether an online application for `item` must give the applicant's ID number.

    Yes when one of the item's required materials is the resident ID card (its name
    says 身份证, e.g. 居民身份证, 身份证或户口簿): the window checks that card anyway,
    and the number lets staff find the applicant's records before the resident comes.
    An agent's card (代办人…) does not count. Uses ``item.materials.all()``, so a
    prefetched item costs no query.
    """
    return any(
        material.required
        and not material.name.startswith("代办人")
        and _ID_CARD.search(_BRACKETS.sub("", material.name))
        for material in item.materials.all()
    )


def _notice_changed() -> str:
    return _(
        "The privacy notice has changed since this form was opened: read it again."
    )


def _check_online(
    *,
    item: ServiceItem | None,
    mode: str,
    consent_version: str,
    id_number: str,
    visit: dict[str, Any],
    errors: dict[str, list[str]],
) -> None:
    """What an online application must carry that a clerk would ask in person."""
    if not consent_version:
        errors["consent"] = [consent_missing(Reader.APPLICANT)]
    elif consent_version != NOTICE_VERSION:
        errors["consent"] = [_notice_changed()]
    if item is not None and not id_number and id_number_required(item):
        errors["applicant_id_number"] = [
            _("This item needs the applicant's ID number (it asks for the ID card).")
        ]
    if mode == HandlingMode.HOME:
        errors.update(
            home_visit_problems(
                reader=Reader.APPLICANT,
                weekdays=visit["visit_weekdays"],
                time=visit["visit_time"],
            )
        )


def _visit_preference(
    mode: str,
    weekdays: list[int] | None,
    time: str,
    errors: dict[str, list[str]],
) -> dict[str, Any]:
    """The home-visit preference to store: only for 上门特办, checked."""
    if mode != HandlingMode.HOME:
        return {"visit_weekdays": [], "visit_time": ""}
    weekdays = list(weekdays or [])
    if is_weekday_list(weekdays):
        weekdays = sorted(set(weekdays))
    else:
        errors["visit_weekdays"] = [_("Choose days from Monday to Sunday.")]
    if time and time not in VisitTime.values:
        errors["visit_time"] = [_("Choose mornings, afternoons or any time.")]
    return {"visit_weekdays": weekdays, "visit_time": time}


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
    submission_key: uuid.UUID | None = None,
    consent_version: str = "",
    visit_weekdays: list[int] | None = None,
    visit_time: str = "",
    as_online: bool = False,
    grid: Grid | None = None,
    sent_from: SessionSubmissions | None = None,
) -> ServiceRequest:
    """Create a request in 待受理 with its first event, and notify the applicant.

    Every field and file is checked first; on any problem InvalidInput lists them all
    and nothing is saved. `uploads` pairs each file with the id of the item's material
    it provides (or None); a bad file's error is under ``material_<id>`` (or
    ``uploads``). An online application (``Channel.ONLINE``) must also carry the
    applicant's consent to the current privacy notice (`consent_version`, its
    ``huagang.privacy.NOTICE_VERSION``), the ID number if the item asks for the ID
    card (``id_number_required``) and, for 上门特办, the days and time of day the
    applicant is at home (`visit_weekdays`, `visit_time`). A clerk's entry records
    the consent when it carries one (`consent_version`, checked the same way).
    `as_online` asks the same of another channel (another system applying through
    the API for a resident: ``Channel.API``). A `submission_key` (the form's
    one-time key) makes the call
    idempotent, also under concurrent posts: a second call with the same key, by the
    same person, returns the first request and changes nothing (the unique column
    decides the race); by someone else, it is a Conflict. The same person's identical
    request entered in the last ``REPEAT_MINUTES`` minutes and not yet worked on is
    returned too (the same form sent again with a new key, after the back button);
    for an applicant with no account, see ``_same_request_just_entered``: `sent_from`
    is what their browser session submitted (``access.session_submissions``).
    `grid` is recorded as given (``actions.entry`` checks a grid worker's).
    """
    if submission_key is not None:
        existing = _submitted_before(submission_key, account or entered_by)
        if existing is not None:
            return existing
    if is_grid_worker(entered_by) and not may_enter_for_grid(entered_by, grid):
        # a grid worker enters through the workbench's entry, for one of their
        # grids; not, say, with an API key and no grid (they could not see it)
        raise InvalidInput(
            {"grid": [_("You can enter requests only for the grids you serve.")]}
        )
    checked = _check(
        item=item,
        village=village,
        mode=mode,
        channel=channel,
        applicant_name=applicant_name,
        applicant_phone=applicant_phone,
        applicant_id_number=applicant_id_number,
        entered_by=entered_by,
        uploads=uploads,
        consent_version=consent_version,
        visit_weekdays=visit_weekdays,
        visit_time=visit_time,
        as_online=as_online,
    )
    if checked.errors:
        raise InvalidInput(checked.errors)
    item, village, applicant = checked.item, checked.village, checked.applicant
    consent: dict[str, Any] = {}
    # Online, consent is required (checked above); a clerk records the resident's
    # when they give it (the workbench's entry asks for it, the admin does not).
    if channel == Channel.ONLINE or consent_version:
        consent = {
            "consent_at": timezone.now(),
            "privacy_notice_version": NOTICE_VERSION,
        }
    same = _same_request_just_entered(
        by=account or entered_by,
        sent_from=sent_from,
        item=item,
        village=village,
        mode=mode,
        description=description.strip(),
        **applicant,
    )
    if same is not None:
        return same
    try:
        return _create(
            checked=checked.uploads,
            by=account or entered_by,
            submission_key=submission_key,
            item=item,
            village=village,
            mode=HandlingMode(mode),
            channel=channel,
            applicant_address=applicant_address.strip(),
            description=description.strip(),
            account=account,
            entered_by=entered_by,
            grid=grid,
            **applicant,
            **checked.visit,
            **consent,
        )
    except _KeyTaken:  # a concurrent post with the same key committed first
        return _submitted_before(submission_key, account or entered_by)  # type: ignore[arg-type,return-value]


@dataclass
class _Checked:
    """The values of a submission as they will be stored, and every problem found."""

    errors: dict[str, list[str]]
    item: Any
    village: Any
    applicant: dict[str, str]
    visit: dict[str, Any]
    uploads: list[CheckedUpload]


def service_request_problems(
    *,
    item: ServiceItem | str,
    village: Village | str,
    mode: str,
    channel: str,
    applicant_name: str,
    applicant_phone: str,
    applicant_id_number: str = "",
    entered_by: User | None = None,
    uploads: list[tuple[UploadedFile, int | None]] | None = None,
    consent_version: str = "",
    visit_weekdays: list[int] | None = None,
    visit_time: str = "",
) -> dict[str, list[str]]:
    """Every problem ``service_request_submit`` would report for these values (field
    name → messages; empty when there is none), whatever else is wrong. Saves nothing.

    A form whose own fields do not all parse asks this with what it has (an empty
    value for a field it could not read, whose own error it shows instead), so the
    resident sees every error at once, not in rounds.
    """
    return _check(
        item=item,
        village=village,
        mode=mode,
        channel=channel,
        applicant_name=applicant_name,
        applicant_phone=applicant_phone,
        applicant_id_number=applicant_id_number,
        entered_by=entered_by,
        uploads=uploads,
        consent_version=consent_version,
        visit_weekdays=visit_weekdays,
        visit_time=visit_time,
    ).errors


def _check(
    *,
    item: ServiceItem | str,
    village: Village | str,
    mode: str,
    channel: str,
    applicant_name: str,
    applicant_phone: str,
    applicant_id_number: str,
    entered_by: User | None,
    uploads: list[tuple[UploadedFile, int | None]] | None,
    consent_version: str,
    visit_weekdays: list[int] | None,
    visit_time: str,
    as_online: bool = False,
) -> _Checked:
    """The one place the rules of a submission are checked (see service_request_submit)."""
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
    # A mode the item does not have asks for nothing more (not a visit's days).
    asked_mode = "" if "mode" in errors else mode
    visit = _visit_preference(asked_mode, visit_weekdays, visit_time, errors)
    if channel == Channel.ONLINE or as_online:
        _check_online(
            item=item,
            mode=asked_mode,
            consent_version=consent_version,
            id_number=applicant["applicant_id_number"],
            visit=visit,
            errors=errors,
        )
    elif consent_version and consent_version != NOTICE_VERSION:
        errors["consent"] = [_notice_changed()]
    checked = _check_uploads(uploads or [], item, errors)
    return _Checked(errors, item, village, applicant, visit, checked)


REPEAT_MINUTES = 10


def _same_request_just_entered(
    *, by: User | None, sent_from: SessionSubmissions | None, **values: Any
) -> ServiceRequest | None:
    """The same person's identical, still untouched request of the last few minutes:
    the same form sent again with a new key (the browser's back button, then save).

    Signed in (or entered by staff), the same person is the same account. Without an
    account, it is an applicant's request with no account and no clerk whose values
    are all these (name, mobile, ID number, village, item, mode, description), and
    it is returned only if this browser session submitted it (`sent_from`; for a
    life event, the event's linked requests count). Otherwise the identical request
    is refused (Conflict, code ``already_submitted``) without naming it:

    - returning it would show the confirmation, and with the number the whole
      request, to whoever typed another person's details: the request leaks;
    - creating a new one doubles the request (what this check is for) and texts the
      applicant a second time;
    - the refusal tells only someone who already knows every one of those values
      that such a request was sent in the last ``REPEAT_MINUTES`` minutes, and a
      wrong guess makes a real request the applicant is texted about; the applicant
      themselves, in another browser, has its number by that text message.
    """
    if "applicant_id_number" in values:  # stored encrypted: compared by its hash
        values["applicant_id_hash"] = lookup_hash(values.pop("applicant_id_number"))
    since = timezone.now() - dt.timedelta(minutes=REPEAT_MINUTES)
    recent = ServiceRequest.objects.filter(
        submitted_at__gte=since, status=Status.SUBMITTED, **values
    ).order_by("-submitted_at")
    if by is not None:
        return recent.filter(Q(account=by) | Q(entered_by=by)).first()
    anonymous = recent.filter(account=None, entered_by=None)
    if not anonymous.exists():
        return None
    if sent_from is not None and (own := anonymous.filter(sent_from.q()).first()):
        return own
    raise Conflict(_already_submitted(), code="already_submitted")


def _already_submitted() -> str:
    return _(
        "This application was already sent a few minutes ago: its number was sent "
        "by text message to the applicant's mobile. Follow it with that number; "
        "nothing was sent twice."
    )


class _KeyTaken(Exception):
    pass


@transaction.atomic
def _create(
    *, checked: list[CheckedUpload], by: User | None, **values: Any
) -> ServiceRequest:
    service_request = _create_with_unique_number(**values)
    for upload in checked:
        attachment_save(service_request, upload, by=by)
    record_event(
        service_request,
        kind=EventKind.STATUS,
        by=by,
        source="",
        roles=roles_towards(by, service_request),
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
            field = "uploads" if material_id is None else f"material_{material_id}"
            errors.setdefault(field, []).extend(exc.errors["__all__"])
    return checked


def _check_entered_by(
    entered_by: User, village: Village | None, errors: dict[str, list[str]]
) -> None:
    """Staff enter requests for residents; a village clerk only for their village."""
    if not is_staff_member(entered_by):
        raise NotPermitted(_("Only staff can enter a request for someone else."))
    if village is not None and not may_enter_request(entered_by, village):
        errors["village"] = [
            _("You can enter requests only for the village you serve.")
        ]


def _submitted_before(key: uuid.UUID, by: User | None) -> ServiceRequest | None:
    found = ServiceRequest.objects.filter(submission_key=key).first()
    if found is None:
        return None
    if (by.pk if by is not None else None) not in (
        found.account_id,
        found.entered_by_id,
    ):
        raise Conflict(_("This form was already used; open a new one."))
    return found


def _create_with_unique_number(**values: Any) -> ServiceRequest:
    """Create under a fresh tracking number; _KeyTaken if the submission key was
    taken meanwhile."""
    key = values.get("submission_key")
    for _attempt in range(TRACKING_ATTEMPTS):
        number = tracking_number_new()
        try:
            with transaction.atomic():
                return ServiceRequest.objects.create(tracking_number=number, **values)
        except IntegrityError:
            if key is not None and ServiceRequest.objects.filter(submission_key=key):
                raise _KeyTaken() from None
            if not ServiceRequest.objects.filter(tracking_number=number).exists():
                raise
    raise RuntimeError("could not find a free tracking number")
