"""What the trips' and visits' endpoints take and give (``views/fieldwork.py``).

No applicant's personal data is in any of these: a trip's lists and a visit name the
case by its tracking number, item and village (its detail, as the caller may see it,
is GET requests/<n>/).
"""

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from ... import access
from ...models import AgencyTrip, FollowUp, HomeVisit, TripCheck
from .fields import StrictCharField, StrictInput
from .steps import StepResultSerializer, text

MAX_DOCUMENTS = 32767  # the column is a small integer
MAX_CASES = 200
RECORDABLE_OUTCOMES = [
    HomeVisit.Outcome.DONE,
    HomeVisit.Outcome.ABSENT,
    HomeVisit.Outcome.IMPOSSIBLE,
]


def tracking_numbers(help_text: str) -> serializers.ListField:
    return serializers.ListField(
        child=StrictCharField(max_length=20),
        min_length=1,
        max_length=MAX_CASES,
        help_text=help_text,
        error_messages={
            "min_length": _("Choose at least one case."),
            "empty": _("Choose at least one case."),
        },
    )


def documents(help_text: str) -> serializers.IntegerField:
    return serializers.IntegerField(
        min_value=0,
        max_value=MAX_DOCUMENTS,
        help_text=help_text,
        error_messages={"required": _("Enter how many documents change hands.")},
    )


# --- input ------------------------------------------------------------------------------


class TripCasesInput(StrictInput):
    cases = tracking_numbers(
        "Tracking numbers of accepted 定时代办 cases of the trip's village, not on "
        "another trip that has not left (one already on this trip stays on it)."
    )


class HandOverInput(StrictInput):
    documents = documents("How many documents (sheets, folders) are handed over.")


class ReturnInput(StrictInput):
    cases = tracking_numbers(
        "Tracking numbers of the village's cases at the town whose decision is "
        "recorded (POST requests/<n>/decide/); they go back with this trip."
    )
    documents = documents("How many documents go back.")


LEG_HELP = "out: checked in at the town center; back: checked in back at the village."


class CheckInInput(StrictInput):
    leg = serializers.ChoiceField(choices=TripCheck.Leg.choices, help_text=LEG_HELP)
    number = StrictCharField(
        max_length=40,
        help_text="The tracking number, typed or scanned (full-width and lower case "
        "are read as it is stored).",
        error_messages={
            "required": _("Type or scan a tracking number."),
            "blank": _("Type or scan a tracking number."),
        },
    )


class CheckInFinishInput(StrictInput):
    leg = serializers.ChoiceField(choices=TripCheck.Leg.choices, help_text=LEG_HELP)


class VisitAbsentInput(StrictInput):
    note = text(required=False, limit=300, help_text="A note (optional).")


class VisitDoneInput(StrictInput):
    note = text(
        required=True,
        missing=_("Write the result for the resident."),
        limit=300,
        help_text="The result; the resident reads it.",
    )


class VisitImpossibleInput(StrictInput):
    note = text(
        required=True,
        missing=_("Say why the visit was not possible."),
        limit=300,
        help_text="Why the visit was not possible.",
    )


# --- output -----------------------------------------------------------------------------


class VillageRefSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()


class StaffRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


TRIP_FIELDS = [
    "id",
    "village",
    "trip_date",
    "handed_over_at",
    "documents_out",
    "arrival_checked_at",
    "returned_at",
    "documents_back",
    "return_checked_at",
]


class TripSerializer(serializers.ModelSerializer):
    """A trip in a list: its day, where it is, and the size of its lists."""

    village = VillageRefSerializer()
    cases_out = serializers.IntegerField(
        source="out_count", help_text="Cases on its list to the town."
    )
    cases_back = serializers.IntegerField(
        source="back_count", help_text="Cases on its list back to the village."
    )
    checked_in_out = serializers.IntegerField(source="arrived_count")
    checked_in_back = serializers.IntegerField(source="back_arrived_count")
    off_list = serializers.IntegerField(
        source="off_list_count", help_text="Cases checked in though not on its lists."
    )

    class Meta:
        model = AgencyTrip
        fields = [
            *TRIP_FIELDS,
            "cases_out",
            "cases_back",
            "checked_in_out",
            "checked_in_back",
            "off_list",
        ]


class TripCaseSerializer(serializers.Serializer):
    tracking_number = serializers.CharField()
    item = serializers.CharField(source="item.name")
    status = serializers.CharField()


class CheckedSerializer(serializers.Serializer):
    tracking_number = serializers.CharField(source="request.tracking_number")
    checked_at = serializers.DateTimeField()


class OffListSerializer(CheckedSerializer):
    item = serializers.SerializerMethodField(
        help_text="The case's item, if the caller may see the case."
    )
    village = serializers.SerializerMethodField(
        help_text="The case's village code, if the caller may see the case."
    )

    def get_item(self, check: TripCheck) -> str | None:
        return check.seen.item.name if check.seen else None

    def get_village(self, check: TripCheck) -> str | None:
        return check.seen.village.code if check.seen else None


class CheckSheetSerializer(serializers.Serializer):
    """One leg's list as the receiving side checks it in."""

    listed = serializers.IntegerField()
    finished = serializers.BooleanField()
    received = CheckedSerializer(many=True)
    waiting = TripCaseSerializer(many=True)
    off_list = OffListSerializer(many=True)


class TripStepsSerializer(serializers.Serializer):
    """What the caller may do with the trip now."""

    add_cases = serializers.BooleanField()
    remove_cases = serializers.BooleanField()
    hand_over = serializers.BooleanField()
    send_back = serializers.BooleanField()
    check_in_out = serializers.BooleanField()
    check_in_back = serializers.BooleanField()


class TripDetailSerializer(serializers.ModelSerializer):
    """A trip with who gave and received, its lists and their check-ins."""

    village = VillageRefSerializer()
    handed_over_by = StaffRefSerializer(allow_null=True)
    received_by = StaffRefSerializer(allow_null=True)
    returned_by = StaffRefSerializer(allow_null=True)
    return_received_by = StaffRefSerializer(allow_null=True)
    planned = TripCaseSerializer(
        many=True, help_text="Before the hand-over: the accepted cases it will carry."
    )
    out = CheckSheetSerializer(help_text="The list to the town and its check-in.")
    back = CheckSheetSerializer(help_text="The list back and its check-in.")
    may = TripStepsSerializer()

    class Meta:
        model = AgencyTrip
        fields = [
            *TRIP_FIELDS,
            "handed_over_by",
            "received_by",
            "returned_by",
            "return_received_by",
            "planned",
            "out",
            "back",
            "may",
        ]


class CheckInResultSerializer(serializers.Serializer):
    result = serializers.ChoiceField(
        choices=["received", "again", "late", "not_on_list", "unknown"],
        help_text="received: on the list, checked in now; again: checked in before "
        "(nothing changes); late: on the list, after the check-in was finished; "
        "not_on_list: a real case this trip's list does not name (recorded, "
        "flagged); unknown: no case has this number (nothing recorded).",
    )
    number = serializers.CharField(help_text="The number as read.")
    message = serializers.CharField()


class CheckInFinishResultSerializer(serializers.Serializer):
    missing = serializers.ListField(
        child=serializers.CharField(),
        help_text="Listed cases not checked in (each may still be, later).",
    )
    trip = TripDetailSerializer()


class VisitSerializer(serializers.ModelSerializer):
    tracking_number = serializers.CharField(source="request.tracking_number")
    village = VillageRefSerializer(source="request.village")
    item = serializers.CharField(source="request.item.name")
    staff = StaffRefSerializer()
    outcomes = serializers.SerializerMethodField(
        help_text="The outcomes the caller may record now (none once recorded)."
    )

    class Meta:
        model = HomeVisit
        fields = [
            "id",
            "tracking_number",
            "village",
            "item",
            "starts_at",
            "ends_at",
            "staff",
            "reason",
            "outcome",
            "outcome_note",
            "recorded_at",
            "outcomes",
        ]

    @extend_schema_field(
        serializers.ListField(
            child=serializers.ChoiceField(choices=RECORDABLE_OUTCOMES)
        )
    )
    def get_outcomes(self, visit: HomeVisit) -> list[str]:
        return access.visit_outcomes(self.context["user"], visit)


class VisitResultSerializer(VisitSerializer):
    request = StepResultSerializer(
        help_text="The request after the booking or the outcome."
    )

    class Meta(VisitSerializer.Meta):
        fields = [*VisitSerializer.Meta.fields, "request"]


class PutOnTripResultSerializer(serializers.Serializer):
    request = StepResultSerializer()
    trip = TripSerializer()


# --- 差评 follow-ups -----------------------------------------------------------------


class FollowUpAdvanceInput(StrictInput):
    stage = serializers.ChoiceField(
        choices=[
            FollowUp.Stage.OPEN,
            FollowUp.Stage.VERIFIED,
            FollowUp.Stage.FIXED,
        ],
        help_text="The stage the caller saw: if it moved on since (or the follow-up "
        "was answered), nothing is recorded (409).",
    )
    text = text(
        required=True,
        missing=_("Write what was found, done or answered."),
        limit=2000,
        help_text="At open: what was found; verified: what was fixed; fixed: the "
        "answer, which the resident reads and is sent.",
    )


class FollowUpRatingSerializer(serializers.Serializer):
    level = serializers.IntegerField(help_text="1 (very dissatisfied) to 5.")
    level_display = serializers.CharField(source="get_level_display")
    comment = serializers.CharField()
    created_at = serializers.DateTimeField()


class FollowUpSerializer(serializers.ModelSerializer):
    tracking_number = serializers.CharField(source="rating.request.tracking_number")
    village = VillageRefSerializer(source="rating.request.village")
    item = serializers.CharField(source="rating.request.item.name")
    rating = FollowUpRatingSerializer()
    supervisor = StaffRefSerializer(allow_null=True)
    overdue = serializers.SerializerMethodField(
        help_text="Not answered and past its deadline."
    )

    class Meta:
        model = FollowUp
        fields = [
            "id",
            "tracking_number",
            "village",
            "item",
            "rating",
            "stage",
            "deadline",
            "overdue",
            "supervisor",
            "verification_note",
            "fix_note",
            "answer",
            "answered_at",
        ]

    def get_overdue(self, follow_up: FollowUp) -> bool:
        return (
            follow_up.stage != FollowUp.Stage.ANSWERED
            and follow_up.deadline is not None
            and follow_up.deadline < timezone.localdate()
        )
