"""The workbench's queue filters and search, and the case page's step forms.

Every form that changes a case carries the case's ``version`` as the clerk saw it;
the view passes it to the action as ``expected_version`` (a stale page is a 409).
"""

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from ..choices import HandlingMode, Status
from ..models import Delivery, ServiceItem, ServiceRequest
from ..workflow import OPEN, Step

TEXT_LIMIT = 1000


def _too_long() -> dict:
    return {
        "max_length": _("This cannot be longer than %(limit_value)d characters."),
    }


class QueueFilterForm(forms.Form):
    """The queue's filters, read from the query string (all optional)."""

    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("All open statuses"))]
        + [(s.value, s.label) for s in Status if s in OPEN],
        error_messages={"invalid_choice": _("There is no such open status.")},
    )
    mode = forms.ChoiceField(
        label=_("Handling mode"),
        required=False,
        choices=[("", _("All modes")), *HandlingMode.choices],
        error_messages={"invalid_choice": _("There is no such handling mode.")},
    )
    item = forms.ModelChoiceField(
        label=_("Service item"),
        required=False,
        queryset=ServiceItem.objects.order_by("code").only("code", "name"),
        to_field_name="code",
        empty_label=_("All items"),
        error_messages={"invalid_choice": _("There is no such service item.")},
    )
    submitted_from = forms.DateField(
        label=_("Submitted from"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": _("Enter a date such as 2026-03-01.")},
    )
    submitted_to = forms.DateField(
        label=_("Submitted until"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": _("Enter a date such as 2026-03-31.")},
    )

    def clean(self):
        data = super().clean()
        start, end = data.get("submitted_from"), data.get("submitted_to")
        if start and end and start > end:
            self.add_error(
                "submitted_to", gettext("The end date is before the start date.")
            )
        return data

    def filters(self) -> dict:
        """The filters given (call after ``is_valid()``; none if unbound)."""
        if not self.is_bound:
            return {}
        return {name: value for name, value in self.cleaned_data.items() if value}


class QueueSearchForm(forms.Form):
    """Find cases by tracking number, applicant's name or phone. Posted, never in the
    address: the term is kept in the session (see ``views.staff.cases``)."""

    q = forms.CharField(
        label=_("Tracking number, applicant's name or phone"),
        max_length=30,
        error_messages={
            "required": _("Type a tracking number, a name or a phone number."),
            **_too_long(),
        },
    )


class VersionForm(forms.Form):
    """A step with nothing to fill in (accept): the version the clerk saw."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class ResumeForm(VersionForm):
    note = forms.CharField(
        label=_("Note for the resident (optional)"),
        required=False,
        max_length=TEXT_LIMIT,
        error_messages=_too_long(),
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class SupplementForm(VersionForm):
    """Ask for a supplement: tick what is missing among the item's materials, and/or
    say it in words; the resident reads the note this makes."""

    missing = forms.MultipleChoiceField(
        label=_("Missing materials"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "invalid_choice": _("That is not one of the item's materials.")
        },
    )
    note = forms.CharField(
        label=_("What else the resident must bring or correct"),
        required=False,
        max_length=TEXT_LIMIT,
        error_messages=_too_long(),
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, service_request: ServiceRequest, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["missing"].choices = [
            (str(material.pk), material.name)
            for material in service_request.item.materials.all()
        ]

    def clean(self):
        data = super().clean()
        if not data.get("missing") and not (data.get("note") or "").strip():
            self.add_error(
                "missing",
                gettext("Tick the missing materials or say what is missing."),
            )
        return data

    def what(self) -> str:
        """The note the resident reads: the materials ticked, then the words."""
        names = dict(self.fields["missing"].choices)
        lines = (
            [
                gettext("Please bring or upload:")
                + " "
                + "、".join(names[pk] for pk in self.cleaned_data["missing"])
            ]
            if self.cleaned_data["missing"]
            else []
        )
        note = self.cleaned_data["note"].strip()
        return "\n".join([*lines, *([note] if note else [])])


class ConfirmedForm(VersionForm):
    """A step that cannot be undone: a reason and a ticked confirmation."""

    reason = forms.CharField(
        label=_("Reason (the resident reads it)"),
        max_length=TEXT_LIMIT,
        error_messages={"required": _("Give the reason."), **_too_long()},
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    confirm = forms.BooleanField(
        error_messages={"required": _("Tick the box to confirm: this is final.")},
    )


class RejectForm(ConfirmedForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["confirm"].label = _("I confirm: the request is not accepted.")


class WithdrawForm(ConfirmedForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reason"].label = _("Why the resident withdraws it")
        self.fields["confirm"].label = _(
            "I confirm: the resident asked to withdraw this request."
        )


class CompleteForm(VersionForm):
    """Complete with the result; a 定时代办 result back from the town also says how
    it reached the resident (``ServiceRequest.delivered_how``)."""

    result = forms.CharField(
        label=_("Result (the resident reads it)"),
        max_length=TEXT_LIMIT,
        error_messages={"required": _("Write the result."), **_too_long()},
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    delivered_how = forms.ChoiceField(
        label=_("How the result reached the resident"),
        choices=Delivery.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Say how the result reached the resident."),
            "invalid_choice": _("Say how the result reached the resident."),
        },
    )

    def __init__(self, *args, service_request: ServiceRequest, **kwargs):
        kwargs.setdefault("initial", {}).setdefault(
            "result", service_request.result_note
        )
        super().__init__(*args, **kwargs)
        self.asks_delivery = service_request.mode == HandlingMode.AGENCY
        if not self.asks_delivery:
            del self.fields["delivered_how"]

    def delivery(self) -> str | None:
        return self.cleaned_data.get("delivered_how") if self.asks_delivery else None


class NoteForm(VersionForm):
    note = forms.CharField(
        label=_("Internal note (staff only)"),
        max_length=TEXT_LIMIT,
        error_messages={"required": _("Write the note."), **_too_long()},
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class RevealForm(forms.Form):
    what = forms.ChoiceField(choices=[("id", "id"), ("phone", "phone")])


STEP_FORMS: dict[Step, type[VersionForm]] = {
    Step.ACCEPT: VersionForm,
    Step.RESUME: ResumeForm,
    Step.SUPPLEMENT: SupplementForm,
    Step.REJECT: RejectForm,
    Step.COMPLETE: CompleteForm,
    Step.WITHDRAW: WithdrawForm,
}
# The forms that need the case to build their fields.
NEEDS_CASE = frozenset({Step.SUPPLEMENT, Step.COMPLETE})


def step_form(step: Step, service_request: ServiceRequest, data=None) -> VersionForm:
    """The form of `step` for the case (bound to `data` if given), its fields' ids
    prefixed with the step so that the page's several forms do not clash."""
    options = {"prefix": step.value, "initial": {"version": service_request.version}}
    if step in NEEDS_CASE:
        options["service_request"] = service_request
    return STEP_FORMS[step](data, **options)


def note_form(service_request: ServiceRequest, data=None) -> NoteForm:
    return NoteForm(data, prefix="note", initial={"version": service_request.version})
