"""Admin forms that call actions: the admin never writes a request's status itself."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from huagang.exceptions import DomainError, InvalidInput

from .. import workflow
from ..actions import (
    follow_up_advance,
    service_request_submit,
    service_request_transition,
)
from ..actions.requests import GENERIC
from ..models import FollowUp, ServiceRequest, Status
from ..permissions import actor_roles


def _raise_as_form_errors(form: forms.Form, exc: DomainError) -> None:
    if isinstance(exc, InvalidInput):
        for field, messages in exc.errors.items():
            target = field if field in form.fields else None
            for message in messages:
                form.add_error(target, message)
        raise ValidationError(_("Nothing was saved."))
    raise ValidationError(exc.message, code=exc.code)


class RequestEntryForm(forms.ModelForm):
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

    user = None  # set by the admin

    def _post_clean(self):
        """Validation and saving happen in the action (see ``clean``)."""

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        try:
            self.created = service_request_submit(
                **{
                    name: data.get(name) or ""
                    for name in self.Meta.fields
                    if name not in ("item", "village")
                },
                item=data["item"],
                village=data["village"],
                entered_by=self.user,
            )
        except DomainError as exc:
            _raise_as_form_errors(self, exc)
        return data


class RequestStepForm(forms.ModelForm):
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
    version = forms.IntegerField(widget=forms.HiddenInput)

    class Meta:
        model = ServiceRequest
        fields = []

    user = None

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["version"].initial = self.instance.version
        roles = actor_roles(self.user, self.instance)
        steps = [
            s
            for s in workflow.next_statuses(
                self.instance.mode, self.instance.status, roles
            )
            if (self.instance.status, s) in GENERIC or s == Status.WITHDRAWN
        ]
        self.fields["step"].choices = [("", "—")] + [(s.value, s.label) for s in steps]

    def _post_clean(self):
        """Saving happens in the action (see ``clean``)."""

    def clean(self):
        data = super().clean()
        if self.errors or not data.get("step"):
            return data
        try:
            self.instance = service_request_transition(
                service_request=self.instance,
                to=data["step"],
                by=self.user,
                note=data.get("note", ""),
                expected_version=data["version"],
            )
        except DomainError as exc:
            _raise_as_form_errors(self, exc)
        return data


class FollowUpStepForm(forms.ModelForm):
    text = forms.CharField(
        label=_("What was verified, fixed or answered"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    class Meta:
        model = FollowUp
        fields = []

    user = None

    def _post_clean(self):
        """Saving happens in the action (see ``clean``)."""

    def clean(self):
        data = super().clean()
        if not data.get("text"):
            return data
        try:
            self.instance = follow_up_advance(
                follow_up=self.instance, by=self.user, text=data["text"]
            )
        except DomainError as exc:
            _raise_as_form_errors(self, exc)
        return data
