"""Forms of village affairs in public: the clerk's draft, a PDF, an official's return."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from villages.models_affairs import DisclosureCategory, PeriodKind


class DisclosureForm(forms.Form):
    category = forms.ChoiceField(
        label=_("Category"), choices=DisclosureCategory.choices
    )
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    period_kind = forms.ChoiceField(
        label=_("Period"), choices=PeriodKind.choices, initial=PeriodKind.QUARTER
    )
    period = forms.IntegerField(
        label=_("Month or quarter"),
        min_value=1,
        max_value=12,
        help_text=_("1–12 for a month, 1–4 for a quarter."),
    )
    title = forms.CharField(label=_("Title"), max_length=100)
    body = forms.CharField(
        label=_("Text"), required=False, widget=forms.Textarea(attrs={"rows": 8})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound and "year" not in self.initial:
            self.initial["year"] = timezone.localdate().year

    def clean(self):
        cleaned = super().clean()
        kind, period = cleaned.get("period_kind"), cleaned.get("period")
        if kind == PeriodKind.QUARTER and period and period > 4:
            self.add_error("period", _("A month is 1 to 12, a quarter 1 to 4."))
        return cleaned


class DisclosureFileForm(forms.Form):
    file = forms.FileField(
        label=_("PDF file"),
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,.pdf"}),
    )


class DisclosureReturnForm(forms.Form):
    reason = forms.CharField(
        label=_("What must be changed"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class DisclosureApproveForm(forms.Form):
    confirm = forms.BooleanField(
        label=_("I have checked the text and any PDFs: publish them to everyone."),
        error_messages={"required": _("Tick the box to confirm the publication.")},
    )


class ArchiveFilterForm(forms.Form):
    year = forms.IntegerField(required=False, min_value=2000, max_value=2100)
    category = forms.ChoiceField(
        required=False, choices=[("", _("all")), *DisclosureCategory.choices]
    )
