"""Forms of the 定时代办 trips' screens (the actions check every rule again)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from villages.validators import mask_name

from ..models import ServiceRequest

MAX_DOCUMENTS = 32767


class CaseChoiceField(forms.ModelMultipleChoiceField):
    widget = forms.CheckboxSelectMultiple

    def label_from_instance(self, case: ServiceRequest) -> str:
        return f"{case.tracking_number} · {case.item.name} · {mask_name(case.applicant_name)}"


class TripAddForm(forms.Form):
    cases = CaseChoiceField(
        label=_("Accepted cases not on a trip yet"),
        queryset=ServiceRequest.objects.none(),
        error_messages={"required": _("Choose the cases to put on the trip.")},
    )

    def __init__(self, *args, cases, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["cases"].queryset = cases


def documents_field(label) -> forms.IntegerField:
    return forms.IntegerField(
        label=label,
        min_value=0,
        max_value=MAX_DOCUMENTS,
        help_text=_("Count the sheets and folders that change hands."),
    )


class HandOverForm(forms.Form):
    documents = documents_field(_("Documents handed over"))


class SendBackForm(forms.Form):
    cases = CaseChoiceField(
        label=_("Decided cases going back"),
        queryset=ServiceRequest.objects.none(),
        error_messages={"required": _("Choose the cases that go back.")},
    )
    documents = documents_field(_("Documents returned"))

    def __init__(self, *args, cases, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["cases"].queryset = cases
        self.fields["cases"].initial = [case.pk for case in cases]


class CheckInForm(forms.Form):
    number = forms.CharField(
        label=_("Tracking number"),
        max_length=40,
        help_text=_("Scan the QR code on the list or type the number, then Enter."),
        widget=forms.TextInput(
            attrs={"autofocus": True, "autocomplete": "off", "spellcheck": "false"}
        ),
        error_messages={"required": _("Type or scan a tracking number.")},
    )


class DecideForm(forms.Form):
    result = forms.CharField(
        label=_("The town's decision and result"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "What was decided and how the resident receives it; the resident is told "
            "this when the case is back at the village."
        ),
        error_messages={"required": _("Write the result the resident will be told.")},
    )
    # The case's version as the page showed it: a decision typed on a page opened
    # before someone else's does not silently replace theirs (the view answers 409).
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1, required=False)
