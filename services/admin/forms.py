"""Admin forms that call actions: the admin never writes a request's status itself."""

import uuid

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from huagang.exceptions import DomainError, InvalidInput
from huagang.forms import add_input_errors
from villages.models import User

from .. import access, workflow
from ..actions import (
    agency_trip_hand_over,
    agency_trip_return,
    follow_up_advance,
    home_visit_record,
    home_visit_schedule,
    service_request_submit,
    service_request_transition,
)
from ..models import (
    AgencyTrip,
    FollowUp,
    HandlingMode,
    HomeVisit,
    ServiceRequest,
    Status,
)


def _raise_as_form_errors(form: forms.Form, exc: DomainError) -> None:
    if isinstance(exc, InvalidInput):
        add_input_errors(form, exc)
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


ENTRY_TEXT_FIELDS = [
    "mode",
    "channel",
    "applicant_name",
    "applicant_phone",
    "applicant_id_number",
    "applicant_address",
    "description",
]


class RequestEntryForm(ActionForm):
    """A clerk enters a request for a resident (at a window or by phone)."""

    # Free text here: the action normalizes and checks them with clear messages.
    applicant_phone = forms.CharField(label=_("applicant's mobile"), max_length=20)
    applicant_id_number = forms.CharField(
        label=_("ID number"), max_length=20, required=False
    )
    # A new key each time the empty form is shown; posted back unchanged, it makes a
    # double submission find the first request (see service_request_submit).
    form_key = forms.UUIDField(widget=forms.HiddenInput, initial=uuid.uuid4)

    class Meta:
        model = ServiceRequest
        fields = ["item", "village", *ENTRY_TEXT_FIELDS]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Only the villages this clerk may enter requests for (a village clerk: their
        # own, preset); the action checks the same rule on the server.
        villages = access.villages_for_entry(self.user)
        self.fields["village"].queryset = villages
        if len(villages) == 1:
            self.fields["village"].initial = villages[0].pk

    def run_action(self, data):
        return service_request_submit(
            **{name: data.get(name) or "" for name in ENTRY_TEXT_FIELDS},
            item=data["item"],
            village=data["village"],
            entered_by=self.user,
            submission_key=data["form_key"],
        )


class StepChoiceField(forms.ChoiceField):
    """Shows the steps offered now, but takes any status back: a page left open while
    someone else acted posts a step no longer offered, and the action then answers
    with what happened (changed meanwhile: reload) instead of "not a valid choice"."""

    def valid_value(self, value):
        return value in Status.values


class RequestStepForm(ActionForm):
    """The next step for one request: only the steps this user may take now."""

    step = StepChoiceField(label=_("Next step"), required=False)
    note = forms.CharField(
        label=_("Note for the resident"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "The resident reads it: the reason when not accepting (required), what to "
            "bring when asking for a supplement (required), the result when completing."
        ),
    )
    # The version the clerk saw, posted back so that a page left open while someone
    # else acted is refused (not named "version": a read-only field of that name is
    # rendered as text, and a form field behind it was never posted).
    expected_version = forms.IntegerField(widget=forms.HiddenInput)

    class Meta:
        model = ServiceRequest
        fields = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["expected_version"].initial = self.instance.version
        steps = access.next_steps(self.user, self.instance, only=workflow.FORM_STEPS)
        self.fields["step"].choices = [("", "—")] + [
            (target.value, target.label) for target, _step in steps
        ]
        if not steps:  # not disabled: a stale page's post must still reach the check
            self.fields["step"].help_text = _(
                "There is no step you can take on this request now."
            )

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

    LABELS = {
        workflow.Step.HAND_OVER: _("Hand the cases over to the town center"),
        workflow.Step.RETURN: _("Record the results coming back"),
    }

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
        steps = access.trip_steps(self.user, trip)
        self.fields["step"].choices = [("", "—")] + [
            (step.value, self.LABELS[step]) for step in steps
        ]
        receivers = (
            access.serving_village_q(trip.village_id)
            if trip.handed_over_at
            else access.role_q(*access.TOWN_STAFF)
        )
        self.fields["counterpart"].queryset = User.objects.filter(receivers)
        # Only the cases this user may send back: a town-center clerk, its bodies'.
        returnable = (
            access.trip_returnable_cases(user=self.user, trip=trip)
            if workflow.Step.RETURN in steps
            else []
        )
        self.fields["cases"].queryset = ServiceRequest.objects.filter(
            pk__in=[case.pk for case in returnable]
        )

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
        if data["step"] == workflow.Step.HAND_OVER:
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
        # Requests this user may book a visit for, now or after nobody was at home.
        candidates = (
            access.service_requests_scope(user=self.user)
            .filter(
                mode=HandlingMode.HOME,
                status__in=[Status.ACCEPTED, Status.VISIT_SCHEDULED],
            )
            .exclude(home_visits__outcome=HomeVisit.Outcome.PLANNED)
        )
        bookable = [
            r.pk
            for r in candidates.select_related("item")
            if access.may_book_visit(self.user, r)
        ]
        self.fields["request"].queryset = ServiceRequest.objects.filter(pk__in=bookable)
        # Staff who may visit a home of a village this user serves.
        self.fields["staff"].queryset = User.objects.filter(
            access.visitors_q(user=self.user)
        )

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

    outcome_choice = forms.ChoiceField(label=_("Outcome"), required=False)
    note = forms.CharField(label=_("Note"), required=False, max_length=300)

    class Meta:
        model = HomeVisit
        fields = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        outcomes = access.visit_outcomes(self.user, self.instance)
        self.fields["outcome_choice"].choices = [("", "—")] + [
            (o, HomeVisit.Outcome(o).label) for o in outcomes
        ]

    def wants_action(self, data):
        return bool(data.get("outcome_choice"))

    def run_action(self, data):
        return home_visit_record(
            visit=self.instance,
            by=self.user,
            outcome=data["outcome_choice"],
            note=data.get("note", ""),
        )
