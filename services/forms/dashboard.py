"""The dashboard's period: GET ``from`` and ``to`` (this year to date by default)."""

import datetime as dt

from django import forms
from django.utils.translation import gettext_lazy as _

from ..statistics import Period, default_period, period_errors


class PeriodForm(forms.Form):
    # "from" is a Python keyword: the field is declared through the class namespace.
    locals()["from"] = forms.DateField(
        label=_("From"), widget=forms.DateInput(attrs={"type": "date"})
    )
    to = forms.DateField(label=_("To"), widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, query, *, today: dt.date):
        default = default_period(today)
        data = {
            "from": query.get("from") or default.first.isoformat(),
            "to": query.get("to") or default.last.isoformat(),
        }
        super().__init__(data)

    def clean(self):
        cleaned = super().clean()
        first, last = cleaned.get("from"), cleaned.get("to")
        if first and last:
            for message in period_errors(first, last):
                self.add_error(None, message)
        return cleaned

    @property
    def period(self) -> Period:
        """The period asked for (call after ``is_valid()`` returned True)."""
        return Period(self.cleaned_data["from"], self.cleaned_data["to"])

    def error_text(self) -> str:
        return " ".join(
            str(message) for messages in self.errors.values() for message in messages
        )
