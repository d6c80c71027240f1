"""What the workflow's endpoints take and give (``services/api/views/steps.py``).

Input serializers check the shape of a step's body as the workbench's forms do
(``services/forms/staff_cases.py``, ``staff_visits.py``, ``staff_trips.py``); the
actions check every rule again. Every body may carry the request's ``version`` as the
caller last saw it: a request changed since is a 409 ``conflict`` and nothing is done.
The answer to a step is the request's state after it (``StepResultSerializer``).
"""

from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from huagang.dates import date_window_errors
from villages.models import User

from ... import access
from ...actions.visits import visit_time_errors
from ...choices import HandlingMode, Status
from ...forms.staff_visits import is_preferred_time
from ...models import Delivery, HomeVisit, ServiceRequest
from .fields import StrictBooleanField, StrictCharField, StrictInput
from .requests import NextStepOut, next_steps

TEXT_LIMIT = 1000  # the workbench's notes, reasons and results
DECISION_LIMIT = 2000  # the town's decision (actions.trips.MAX_RESULT)
MAX_VERSION = 2**31 - 1


def too_long() -> dict:
    return {"max_length": _("This cannot be longer than {max_length} characters.")}


def text(*, required: bool, missing: str = "", limit: int = TEXT_LIMIT, **options):
    """A free-text field; blank is refused when `required` (with `missing`)."""
    messages = too_long()
    if required:
        messages |= {"required": missing, "blank": missing}
    return StrictCharField(
        multiline=True,
        required=required,
        allow_blank=not required,
        max_length=limit,
        error_messages=messages,
        **options,
    )


class VersionInput(StrictInput):
    version = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=MAX_VERSION,
        help_text="The request's version as the caller last saw it: if it changed "
        "since, nothing is done (409 conflict). Left out: no such check.",
    )


class AcceptInput(VersionInput):
    pass


class ResumeInput(VersionInput):
    note = text(required=False, help_text="For the resident (optional).")


class SupplementRequestInput(VersionInput):
    """Ask for a supplement: the missing materials among the item's (their ids) and/or
    what else is missing, in words; the resident reads the note this makes."""

    missing = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=MAX_VERSION),
        required=False,
        max_length=100,
        help_text="Ids of the item's materials that are missing "
        "(GET services/<code>/).",
    )
    note = text(required=False, help_text="What else to bring or correct.")

    def validate_missing(self, value: list[int]) -> list[int]:
        known = {m.pk: m for m in self.context["case"].item.materials.all()}
        if any(pk not in known for pk in value):
            raise serializers.ValidationError(
                gettext("That is not one of the item's materials.")
            )
        return list(dict.fromkeys(value))

    def validate(self, data: dict) -> dict:
        if not data.get("missing") and not data.get("note", "").strip():
            raise serializers.ValidationError(
                {
                    "missing": [
                        gettext("Tick the missing materials or say what is missing.")
                    ]
                }
            )
        return data

    def what(self) -> str:
        """The note the resident reads: the materials named, then the words (as the
        workbench's ``SupplementForm.what``)."""
        names = {m.pk: m.name for m in self.context["case"].item.materials.all()}
        missing = self.validated_data.get("missing") or []
        lines = (
            [
                gettext("Please bring or upload:")
                + " "
                + "、".join(names[pk] for pk in missing)
            ]
            if missing
            else []
        )
        note = self.validated_data.get("note", "").strip()
        return "\n".join([*lines, *([note] if note else [])])


class RejectInput(VersionInput):
    reason = text(
        required=True,
        missing=_("Give the reason."),
        help_text="Why it is not accepted; the resident reads it.",
    )


class WithdrawInput(VersionInput):
    reason = text(
        required=False,
        help_text="Why the request is withdrawn: required when staff withdraw it "
        "for the resident (who reads it), optional for the applicant.",
    )

    def validate(self, data: dict) -> dict:
        case, user = self.context["case"], self.context["user"]
        if access.staff_roles_towards(user, case) and not data.get("reason"):
            raise serializers.ValidationError({"reason": [gettext("Give the reason.")]})
        return data


class CompleteInput(VersionInput):
    result = text(
        required=True,
        missing=_("Write the result."),
        help_text="The result; the resident reads it.",
    )
    delivered_how = serializers.ChoiceField(
        choices=Delivery.choices,
        required=False,
        help_text="定时代办 only (required there): how the result reached the resident.",
        error_messages={
            "invalid_choice": _("Say how the result reached the resident.")
        },
    )

    def validate(self, data: dict) -> dict:
        agency = self.context["case"].mode == HandlingMode.AGENCY
        if agency and not data.get("delivered_how"):
            raise serializers.ValidationError(
                {"delivered_how": [gettext("Say how the result reached the resident.")]}
            )
        if not agency and data.get("delivered_how"):
            raise serializers.ValidationError(
                {
                    "delivered_how": [
                        gettext(
                            "Only a result brought back from the town is delivered."
                        )
                    ]
                }
            )
        return data


class NoteInput(VersionInput):
    note = text(
        required=True,
        missing=_("Write the note."),
        help_text="An internal note on the timeline (staff only).",
    )


class DecideInput(VersionInput):
    result = text(
        required=True,
        missing=_("Write the result the resident will be told."),
        limit=DECISION_LIMIT,
        help_text="The town's decision and result; the resident is told it when the "
        "case is back at the village. Recording again replaces it.",
    )


class PutOnTripInput(VersionInput):
    trip = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=MAX_VERSION,
        help_text="A trip of the case's village not handed over yet (GET trips/). "
        "Left out: the village's next trip, created if need be.",
    )


class VisitBookInput(VersionInput):
    """A home visit: when (one local day, within the visiting hours), who goes, why."""

    starts_at = serializers.DateTimeField(
        help_text="When the visit starts (ISO 8601; without an offset: Beijing time)."
    )
    ends_at = serializers.DateTimeField(help_text="When it ends, the same day.")
    staff = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=MAX_VERSION,
        help_text="Who goes (a user id): staff serving the case's village. Left out: "
        "the caller, if they serve it.",
    )
    reason = serializers.ChoiceField(
        choices=HomeVisit.Reason.choices,
        error_messages={
            "required": _("Choose why the visit is at home."),
            "invalid_choice": _("Choose why the visit is at home."),
        },
    )
    other_time_agreed = StrictBooleanField(
        required=False,
        default=False,
        help_text="Required (true) when the window is outside the days or the time of "
        "day the resident gave: the resident agreed to this other time.",
    )

    def validate_staff(self, value: int) -> User:
        """One of the staff the caller may send who serve the case's village (the
        workbench's choice list: ``access.visitors_q``, ``serving_village_q``)."""
        case, user = self.context["case"], self.context["user"]
        found = User.objects.filter(
            access.visitors_q(user=user),
            access.serving_village_q(case.village_id),
            pk=value,
        ).first()
        if found is None:
            raise serializers.ValidationError(gettext("Choose who goes from the list."))
        return found

    def to_internal_value(self, data) -> dict:
        """Every error at once, as the workbench's form gives them: the window is
        checked whatever else is missing or wrong."""
        try:
            return super().to_internal_value(data)
        except serializers.ValidationError as exc:
            if isinstance(exc.detail, dict) and isinstance(data, dict):
                parsed = self._parsed(data)
                if parsed is not None:
                    for name, messages in self._window_errors(*parsed).items():
                        exc.detail.setdefault(name, messages)
            raise

    def _parsed(self, data: dict) -> tuple | None:
        """(starts_at, ends_at, other_time_agreed) as given, if they are well-formed
        (a malformed agreement counts as given: its own error is said)."""
        try:
            window = [
                self.fields[name].run_validation(data.get(name))
                for name in ("starts_at", "ends_at")
            ]
        except serializers.ValidationError:
            return None
        try:
            agreed = self.fields["other_time_agreed"].run_validation(
                data.get("other_time_agreed", False)
            )
        except serializers.ValidationError:
            agreed = True
        return (*window, agreed)

    def _window_errors(self, starts_at, ends_at, agreed: bool) -> dict[str, list[str]]:
        """The window's errors (``date_window_errors``, then ``visit_time_errors``),
        then the resident's preference (``is_preferred_time``): outside it only once
        they agreed (``other_time_agreed``)."""
        errors = date_window_errors(
            starts_at=starts_at, ends_at=ends_at
        ) or visit_time_errors(starts_at=starts_at, ends_at=ends_at)
        if errors or agreed:
            return errors
        start, end = timezone.localtime(starts_at), timezone.localtime(ends_at)
        if not is_preferred_time(
            self.context["case"], start.date(), start.time(), end.time()
        ):
            errors["other_time_agreed"] = [
                gettext(
                    "The resident gave other days or times: send other_time_agreed "
                    "once they agreed to this one, or choose one of theirs."
                )
            ]
        return errors

    def validate(self, data: dict) -> dict:
        case, user = self.context["case"], self.context["user"]
        errors = self._window_errors(
            data["starts_at"], data["ends_at"], data["other_time_agreed"]
        )
        if "staff" not in data:
            if access.may_visit(user, case.village_id):
                data["staff"] = user
            else:
                errors["staff"] = [gettext("Choose who goes to the resident's home.")]
        if errors:
            raise serializers.ValidationError(errors)
        return data


class StepResultSerializer(serializers.Serializer):
    """A request's state after a step, and the status changes the caller may make
    now (``access.next_steps``)."""

    tracking_number = serializers.CharField()
    status = serializers.ChoiceField(
        choices=Status.choices, help_text="The request's status after the step."
    )
    status_display = serializers.CharField(source="get_status_display")
    version = serializers.IntegerField()
    due_date = serializers.DateField(allow_null=True)
    next_steps = serializers.SerializerMethodField(
        help_text="As in the request's detail: the status changes the caller may "
        "make now."
    )

    @extend_schema_field(NextStepOut(many=True))
    def get_next_steps(self, case: ServiceRequest) -> list[dict]:
        return next_steps(self.context["user"], case)
