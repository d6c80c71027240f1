"""What the requests endpoints read and answer.

Input is checked by small serializers (types and lengths; the rules of a submission
are the action's). Output is built by plain functions from the rows the selectors
read, not by serializers: a list page is 20 dicts made in a loop, as cheap as the
bare ``.values()`` view it is measured against. The ``*Out`` serializers only
describe that output for the OpenAPI schema (and a test checks they agree).

Personal data: a list never shows a whole name, phone or ID number. One request
shows the applicant's name, address and description to whoever holds a role towards
it (staff serving it, the applicant's account); a caller who only proved the number
and phone digits sees the name masked, and nobody sees a whole phone or ID number
here (staff reveal one in the workbench, where it is recorded).
"""

import datetime as dt
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from villages.models import User
from villages.validators import ascii_digits, mask_id_number, mask_mobile, mask_name

from ... import access
from ...access import ApplicantProof
from ...models import (
    Attachment,
    Channel,
    DueState,
    FollowUp,
    HandlingMode,
    Rating,
    RequestEvent,
    ServiceRequest,
    Status,
    VisitTime,
)
from ...selectors.api import catalog_names
from ...workflow import Step
from .fields import (
    StrictBooleanField,
    StrictCharField,
    StrictInput,
    StrictRegexField,
)

DUE_FLAGS = [DueState.ON_TIME, DueState.DUE_SOON, DueState.OVERDUE, DueState.UNKNOWN]


def _time(value: dt.datetime | None) -> str | None:
    return timezone.localtime(value).isoformat() if value is not None else None


def _date(value: dt.date | None) -> str | None:
    return value.isoformat() if value is not None else None


# --- the list -----------------------------------------------------------------------

CODE_NAME = ("code", "name")


def request_rows(
    rows: list[dict[str, Any]], due_flags: list[str]
) -> list[dict[str, Any]]:
    """A list page's rows (``selectors.api.service_requests_api_list``) with their
    due flags, as answered."""
    names = catalog_names(
        item_ids={row["item_id"] for row in rows},
        village_ids={row["village_id"] for row in rows},
    )
    statuses = {status.value: str(status.label) for status in Status}
    modes = {mode.value: str(mode.label) for mode in HandlingMode}
    here = timezone.get_current_timezone()
    return [
        {
            "tracking_number": row["tracking_number"],
            "item": dict(zip(CODE_NAME, names.items[row["item_id"]], strict=True)),
            "village": dict(
                zip(CODE_NAME, names.villages[row["village_id"]], strict=True)
            ),
            "mode": row["mode"],
            "mode_display": modes[row["mode"]],
            "status": row["status"],
            "status_display": statuses[row["status"]],
            "version": row["version"],
            "applicant": {
                "name": mask_name(row["applicant_name"]),
                "phone": mask_mobile(row["applicant_phone"]),
            },
            "submitted_at": row["submitted_at"].astimezone(here).isoformat(),
            "updated_at": row["updated_at"].astimezone(here).isoformat(),
            "due_date": _date(row["due_date"]),
            "due_flag": flag or None,
        }
        for row, flag in zip(rows, due_flags, strict=True)
    ]


class CodeNameOut(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()


class MaskedApplicantOut(serializers.Serializer):
    name = serializers.CharField(help_text="Masked: the first character, then *.")
    phone = serializers.CharField(help_text="Masked: 139****0123.")


class RequestRowOut(serializers.Serializer):
    tracking_number = serializers.CharField()
    item = CodeNameOut()
    village = CodeNameOut()
    mode = serializers.ChoiceField(choices=HandlingMode.choices)
    mode_display = serializers.CharField()
    status = serializers.ChoiceField(choices=Status.choices)
    status_display = serializers.CharField()
    version = serializers.IntegerField()
    applicant = MaskedApplicantOut()
    submitted_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()
    due_date = serializers.DateField(allow_null=True)
    due_flag = serializers.ChoiceField(
        choices=DUE_FLAGS,
        allow_null=True,
        help_text="The time limit's state (红牌 overdue, 黄牌 due_soon, on_time; "
        "unknown when the holiday calendar does not know the year yet); null "
        "while the clock is not running.",
    )


# --- one request --------------------------------------------------------------------


def next_steps(user: User | None, service_request: ServiceRequest) -> list[dict]:
    """The status changes `user` may make now (``access.next_steps``), as
    ``NextStepOut``: one shape in a request's detail and in a step's answer."""
    return [
        {"step": step.value, "label": str(step.label), "to_status": target.value}
        for target, step in access.next_steps(user, service_request)
    ]


def request_detail(
    service_request: ServiceRequest,
    *,
    user: User | None,
    due_flag: str,
    proof: ApplicantProof | None = None,
) -> dict[str, Any]:
    """One request as `user` (or the holder of `proof`) may see it (see the module's
    docstring for its personal data)."""
    sr = service_request
    in_full = bool(access.roles_towards(user, sr))
    names = catalog_names(item_ids=[sr.item_id], village_ids=[sr.village_id])
    return {
        "tracking_number": sr.tracking_number,
        "item": dict(zip(CODE_NAME, names.items[sr.item_id], strict=True)),
        "village": dict(zip(CODE_NAME, names.villages[sr.village_id], strict=True)),
        "mode": sr.mode,
        "mode_display": str(HandlingMode(sr.mode).label),
        "channel": sr.channel,
        "status": sr.status,
        "status_display": str(Status(sr.status).label),
        "version": sr.version,
        "applicant": {
            "name": sr.applicant_name if in_full else mask_name(sr.applicant_name),
            "phone": sr.masked_phone,
            "id_number": mask_id_number(sr.applicant_id_number) or None,
            "address": (sr.applicant_address or None) if in_full else None,
        },
        "description": (sr.description or None) if in_full else None,
        "visit_weekdays": sr.visit_weekdays,
        "visit_time": sr.visit_time or None,
        "submitted_at": _time(sr.submitted_at),
        "accepted_at": _time(sr.accepted_at),
        "updated_at": _time(sr.updated_at),
        "completed_at": _time(sr.completed_at),
        "due_date": _date(sr.due_date),
        "due_flag": due_flag or None,
        "result": sr.result_note or None,
        "next_steps": next_steps(user, sr),
        "may_upload_supplement": access.may_upload_supplement(user, sr, proof=proof),
    }


class NextStepOut(serializers.Serializer):
    """A status change the caller may make now (``next_steps``)."""

    step = serializers.ChoiceField(
        choices=Step.choices, help_text="The step (its own endpoint takes it)."
    )
    label = serializers.CharField()
    to_status = serializers.ChoiceField(
        choices=Status.choices, help_text="The status the step leads to."
    )


class ApplicantOut(serializers.Serializer):
    name = serializers.CharField(
        help_text="Whole for staff serving the request and the applicant's account; "
        "masked for a caller who only proved the number and phone digits."
    )
    phone = serializers.CharField(help_text="Always masked: 139****0123.")
    id_number = serializers.CharField(
        allow_null=True, help_text="Always masked; null if none was given."
    )
    address = serializers.CharField(
        allow_null=True, help_text="Null if none was given or not shown to the caller."
    )


class RequestDetailOut(serializers.Serializer):
    tracking_number = serializers.CharField()
    item = CodeNameOut()
    village = CodeNameOut()
    mode = serializers.ChoiceField(choices=HandlingMode.choices)
    mode_display = serializers.CharField()
    channel = serializers.ChoiceField(choices=Channel.choices)
    status = serializers.ChoiceField(choices=Status.choices)
    status_display = serializers.CharField()
    version = serializers.IntegerField(
        help_text="Send it back with a step to be told of a change meanwhile (409)."
    )
    applicant = ApplicantOut()
    description = serializers.CharField(allow_null=True)
    visit_weekdays = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=7),
        help_text="上门特办: ISO weekdays the applicant is at home (1 = Monday).",
    )
    visit_time = serializers.ChoiceField(choices=VisitTime.choices, allow_null=True)
    submitted_at = serializers.DateTimeField()
    accepted_at = serializers.DateTimeField(allow_null=True)
    updated_at = serializers.DateTimeField()
    completed_at = serializers.DateTimeField(allow_null=True)
    due_date = serializers.DateField(allow_null=True)
    due_flag = serializers.ChoiceField(choices=DUE_FLAGS, allow_null=True)
    result = serializers.CharField(
        allow_null=True, help_text="The result, or the reason it was not accepted."
    )
    next_steps = NextStepOut(many=True)
    may_upload_supplement = serializers.BooleanField(
        help_text="A supplement is asked and this caller may upload it "
        "(POST requests/<n>/materials/)."
    )


# --- the timeline -------------------------------------------------------------------


def timeline_events(events: list[RequestEvent], *, staff: bool) -> list[dict]:
    """Events as answered; who did it by name only to staff (the applicant sees the
    role)."""
    return [
        {
            "id": event.pk,
            "created_at": _time(event.created_at),
            "kind": event.kind,
            "kind_display": event.get_kind_display(),
            "from_status": event.from_status or None,
            "to_status": event.to_status,
            "to_status_display": event.get_to_status_display(),
            "actor_role": event.actor_role or None,
            "actor": event.actor.name if staff and event.actor else None,
            "note": event.note,
            "is_public": event.is_public,
        }
        for event in events
    ]


class TimelineEventOut(serializers.Serializer):
    id = serializers.IntegerField()
    created_at = serializers.DateTimeField()
    kind = serializers.ChoiceField(choices=RequestEvent._meta.get_field("kind").choices)
    kind_display = serializers.CharField()
    from_status = serializers.ChoiceField(choices=Status.choices, allow_null=True)
    to_status = serializers.ChoiceField(choices=Status.choices)
    to_status_display = serializers.CharField()
    actor_role = serializers.ChoiceField(
        choices=RequestEvent._meta.get_field("actor_role").choices,
        allow_null=True,
        help_text="Null for the system (periodic jobs) or an anonymous applicant.",
    )
    actor = serializers.CharField(
        allow_null=True, help_text="Who, by name: shown to staff only."
    )
    note = serializers.CharField(allow_blank=True)
    is_public = serializers.BooleanField(
        help_text="False for internal notes (staff only)."
    )


# --- the rating ---------------------------------------------------------------------


def rating_state(
    rating: Rating | None, *, may_rate: bool, words: bool
) -> dict[str, Any]:
    """The rating as answered; its comment only if the caller may read the
    resident's `words` (else null)."""
    follow_up = getattr(rating, "follow_up", None) if rating is not None else None
    return {
        "may_rate": may_rate,
        "rating": None
        if rating is None
        else {
            "level": rating.level,
            "level_display": rating.get_level_display(),
            "comment": rating.comment if words else None,
            "created_at": _time(rating.created_at),
            "follow_up": None
            if follow_up is None
            else {
                "stage": follow_up.stage,
                "stage_display": follow_up.get_stage_display(),
                "deadline": _date(follow_up.deadline),
                "answer": follow_up.answer or None,
            },
        },
    }


class FollowUpOut(serializers.Serializer):
    stage = serializers.ChoiceField(choices=FollowUp.Stage.choices)
    stage_display = serializers.CharField()
    deadline = serializers.DateField(allow_null=True)
    answer = serializers.CharField(
        allow_null=True, help_text="The answer to the resident, once given."
    )


class RatingOut(serializers.Serializer):
    level = serializers.ChoiceField(choices=Rating.Level.choices)
    level_display = serializers.CharField()
    comment = serializers.CharField(
        allow_blank=True,
        allow_null=True,
        help_text="The resident's words: for the applicant and the staff who handle "
        "its 差评 follow-up (the village's); null for other staff.",
    )
    created_at = serializers.DateTimeField()
    follow_up = FollowUpOut(
        allow_null=True, help_text="A poor rating's follow-up (差评回访)."
    )


class RatingStateOut(serializers.Serializer):
    may_rate = serializers.BooleanField(help_text="This caller may rate it now.")
    rating = RatingOut(allow_null=True)


class RatingIn(StrictInput):
    level = serializers.ChoiceField(
        choices=Rating.Level.choices,
        error_messages={"invalid_choice": _("Choose one of the five ratings.")},
    )
    comment = StrictCharField(
        multiline=True, max_length=500, required=False, allow_blank=True, default=""
    )


# --- materials ----------------------------------------------------------------------


def attachments(found: list[Attachment]) -> list[dict[str, Any]]:
    return [
        {
            "id": attachment.pk,
            "material": attachment.material_id,
            "name": attachment.download_name,
            "content_type": attachment.content_type,
            "size": attachment.size,
            "uploaded_at": _time(attachment.uploaded_at),
        }
        for attachment in found
    ]


class AttachmentOut(serializers.Serializer):
    id = serializers.IntegerField()
    material = serializers.IntegerField(
        allow_null=True, help_text="The item's material it provides (null: other)."
    )
    name = serializers.CharField()
    content_type = serializers.CharField()
    size = serializers.IntegerField()
    uploaded_at = serializers.DateTimeField()


# --- input --------------------------------------------------------------------------

ITEM_CODE = r"^[A-Za-z0-9][A-Za-z0-9-]{0,19}$"  # huagang.converters.ItemCodeConverter
VILLAGE_CODE = r"^[0-9]{12}$"  # a division code (DivisionCodeConverter)


class RequestCreateIn(StrictInput):
    """A new request. As JSON, or as multipart/form-data with a file per material
    under ``material_<id>`` (the ids of ``GET services/<code>/``'s materials)."""

    item = StrictRegexField(
        ITEM_CODE,
        max_length=20,
        help_text="The service item's code.",
        error_messages={"invalid": _("There is no such service item in the catalog.")},
    )
    village = StrictRegexField(
        VILLAGE_CODE,
        help_text="The village's 12-digit division code.",
        error_messages={
            "invalid": _("This is not a village or community of Huagang town.")
        },
    )
    mode = serializers.ChoiceField(choices=HandlingMode.choices)
    applicant_name = StrictCharField(max_length=50)
    applicant_phone = StrictCharField(
        max_length=20, help_text="A mainland mobile number (11 digits)."
    )
    applicant_id_number = StrictCharField(
        max_length=30,
        required=False,
        allow_blank=True,
        default="",
        help_text="Required when the item asks for the ID card.",
    )
    applicant_address = StrictCharField(
        max_length=200, required=False, allow_blank=True, default=""
    )
    description = StrictCharField(
        multiline=True, max_length=1000, required=False, allow_blank=True, default=""
    )
    visit_weekdays = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=7),
        required=False,
        default=list,
        max_length=7,
        help_text="上门特办: the ISO weekdays the applicant is at home (1 = Monday).",
    )
    visit_time = serializers.ChoiceField(
        choices=VisitTime.choices, required=False, allow_blank=True, default=""
    )
    consent = StrictBooleanField(
        required=False,
        default=False,
        help_text="The applicant agrees to the use of their data for this request "
        "under the privacy notice (/privacy/).",
    )
    privacy_notice_version = StrictCharField(
        max_length=20,
        required=False,
        allow_blank=True,
        default="",
        help_text="The version of the privacy notice the applicant agreed to "
        "(huagang.privacy.NOTICE_VERSION; a form showing an older one is refused).",
    )

    def consent_version(self) -> str:
        data = self.validated_data
        return data["privacy_notice_version"] if data["consent"] else ""


class LookupIn(StrictInput):
    tracking_number = StrictCharField(max_length=30)
    phone_last4 = StrictRegexField(
        r"^\s*[0-9０-９]{4}\s*$",
        max_length=8,
        help_text="The last four digits of the applicant's mobile.",
        error_messages={"invalid": _("Enter exactly four digits.")},
    )
    remember = StrictBooleanField(
        required=False,
        default=False,
        help_text="Keep the proof in this session for 30 minutes, for the "
        "request's timeline, rating and supplement upload (send the session "
        "cookie, and the CSRF token for a POST).",
    )

    def validate_phone_last4(self, value: str) -> str:
        digits = ascii_digits(value.strip())
        if digits is None or len(digits) != 4:
            raise serializers.ValidationError(_("Enter exactly four digits."))
        return digits
