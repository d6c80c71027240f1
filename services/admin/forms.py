"""Admin forms that call actions: the admin never writes a request's status itself."""

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from huagang.exceptions import DomainError, InvalidInput
from villages.models import User

from .. import workflow
from ..actions import (
    agency_trip_hand_over,
    agency_trip_return,
    follow_up_advance,
    home_visit_record,
    home_visit_schedule,
    service_request_submit,
    service_request_transition,
)
from ..actions.requests import GENERIC
from ..models import AgencyTrip, FollowUp, HomeVisit, ServiceRequest, Status
from ..permissions import actor_roles
from ..selectors import service_requests_visible_to


def _raise_as_form_errors(form: forms.Form, exc: DomainError) -> None:
    if isinstance(exc, InvalidInput):
        for field, messages in exc.errors.items():
            target = field if field in form.fields else None
            for message in messages:
                form.add_error(target, message)
        raise ValidationError(_("Nothing was saved."))
    raise ValidationError(exc.message, code=exc.code)


class ActionForm(forms.ModelForm):
    """A form whose clean() calls one action; the admin never saves the model itself.

    Subclasses implement ``run_action(data)`` (return what the action returned) and may
    narrow ``wants_action(data)``; a domain error becomes form errors, nothing saved.
    """

    user = None  # set by ActionFormAdmin.get_form

    def _post_clean(self):
        """No model validation or instance construction here: the action does both."""

    def wants_action(self, data: dict) -> bool:
        return True

    def run_action(self, data: dict):
        raise NotImplementedError

    def clean(self):
        data = super().clean()
        if self.errors or not self.wants_action(data):
            return data
        try:
            self.instance = self.run_action(data)
        except DomainError as exc:
            _raise_as_form_errors(self, exc)
        return data


class RequestEntryForm(ActionForm):
    """A clerk enters a request for a resident (at a window or by phone)."""

    # Free text here: the action normalizes and checks them with clear messages.
    applicant_phone = forms.CharField(label=_("applicant's mobile"), max_length=20)
    applicant_id_number = forms.CharField(
        label=_("ID number"), max_length=20, required=False
    )

    class Meta:
        model = ServiceRequest
        fields = [
            "item",
            "village",
            "mode",
            "channel",
            "applicant_name",
            "applicant_phone",
            "applicant_id_number",
            "applicant_address",
            "description",
        ]

    def run_action(self, data):
        return service_request_submit(
            **{
                name: data.get(name) or ""
                for name in self.Meta.fields
                if name not in ("item", "village")
            },
            item=data["item"],
            village=data["village"],
            entered_by=self.user,
        )


class RequestStepForm(ActionForm):
    """The next step for one request: only the steps this user may take now."""

    step = forms.ChoiceField(label=_("Next step"), required=False)
    note = forms.CharField(
        label=_("Note for the resident"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "Required when not accepting or asking for more materials: "
            "the resident reads it."
        ),
    )
    # Not "version": that name is a read-only field on the page, which the admin renders
    # as text, so a form field of the same name would never be posted.
    expected_version = forms.IntegerField(widget=forms.HiddenInput)

    class Meta:
        model = ServiceRequest
        fields = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["expected_version"].initial = self.instance.version
        roles = actor_roles(self.user, self.instance)
        steps = [
            s
            for s in workflow.next_statuses(
                self.instance.mode, self.instance.status, roles
            )
            if (self.instance.status, s) in GENERIC or s == Status.WITHDRAWN
        ]
        self.fields["step"].choices = [("", "—")] + [(s.value, s.label) for s in steps]

    def wants_action(self, data):
        return bool(data.get("step"))

    def run_action(self, data):
        return service_request_transition(
            service_request=self.instance,
            to=data["step"],
            by=self.user,
            note=data.get("note", ""),
            expected_version=data["expected_version"],
        )


class FollowUpStepForm(ActionForm):
    text = forms.CharField(
        label=_("What was verified, fixed or answered"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    class Meta:
        model = FollowUp
        fields = []

    def wants_action(self, data):
        return bool(data.get("text"))

    def run_action(self, data):
        return follow_up_advance(
            follow_up=self.instance, by=self.user, text=data["text"]
        )


class TripStepForm(ActionForm):
    """Record a trip's hand-over to the town, or the results coming back."""

    HAND_OVER, RETURN = "hand_over", "return"

    step = forms.ChoiceField(label=_("Step"), required=False)
    counterpart = forms.ModelChoiceField(
        label=_("Received by"), queryset=User.objects.none(), required=False
    )
    documents = forms.IntegerField(
        label=_("Documents"), min_value=0, max_value=9999, required=False
    )
    cases = forms.ModelMultipleChoiceField(
        label=_("Cases whose results come back"),
        queryset=ServiceRequest.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    result = forms.CharField(
        label=_("Result for the resident"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    class Meta:
        model = AgencyTrip
        fields = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        trip = self.instance
        steps = []
        if not trip.handed_over_at:
            steps.append((self.HAND_OVER, _("Hand the cases over to the town center")))
            receivers = User.objects.filter(role__in=["town_clerk", "official"])
        else:
            receivers = User.objects.filter(
                Q(role="official") | Q(role="village_clerk", village=trip.village_id)
            )
        if trip.handed_over_at and not trip.returned_at:
            steps.append((self.RETURN, _("Record the results coming back")))
        self.fields["step"].choices = [("", "—"), *steps]
        self.fields["counterpart"].queryset = receivers.filter(is_active=True)
        # Only cases this user may see and act on: a town-center clerk, its bodies'.
        self.fields["cases"].queryset = service_requests_visible_to(
            user=self.user
        ).filter(village=trip.village_id, status=Status.SENT_TO_TOWN)

    def wants_action(self, data):
        return bool(data.get("step"))

    def run_action(self, data):
        if data.get("counterpart") is None or data.get("documents") is None:
            raise ValidationError(_("Say who received the papers and how many."))
        common = {
            "trip": self.instance,
            "by": self.user,
            "received_by": data["counterpart"],
            "documents": data["documents"],
        }
        if data["step"] == self.HAND_OVER:
            return agency_trip_hand_over(**common)
        results = {case.pk: data.get("result", "") for case in data["cases"]}
        return agency_trip_return(results=results, **common)


class VisitScheduleForm(ActionForm):
    """Book a home visit for an accepted 上门特办 request."""

    class Meta:
        model = HomeVisit
        fields = ["request", "staff", "starts_at", "ends_at", "reason"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["request"].queryset = service_requests_visible_to(
            user=self.user
        ).filter(mode="home", status__in=[Status.ACCEPTED, Status.VISIT_SCHEDULED])
        staff = User.objects.filter(is_active=True)
        if self.user.role == User.Role.VILLAGE_CLERK:
            staff = staff.filter(role="village_clerk", village=self.user.village_id)
        else:
            staff = staff.filter(role__in=["village_clerk", "official"])
        self.fields["staff"].queryset = staff

    def run_action(self, data):
        return home_visit_schedule(
            service_request=data["request"],
            by=self.user,
            staff=data["staff"],
            starts_at=data["starts_at"],
            ends_at=data["ends_at"],
            reason=data["reason"],
        )


class VisitOutcomeForm(ActionForm):
    """What happened at a planned visit."""

    outcome_choice = forms.ChoiceField(
        label=_("Outcome"),
        required=False,
        choices=[
            ("", "—"),
            *[(o.value, o.label) for o in HomeVisit.Outcome if o != "planned"],
        ],
    )
    note = forms.CharField(label=_("Note"), required=False, max_length=300)

    class Meta:
        model = HomeVisit
        fields = []

    def wants_action(self, data):
        return bool(data.get("outcome_choice"))

    def run_action(self, data):
        return home_visit_record(
            visit=self.instance,
            by=self.user,
            outcome=data["outcome_choice"],
            note=data.get("note", ""),
        )
