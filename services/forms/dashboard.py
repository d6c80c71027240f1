"""The dashboard's period: GET ``from`` and ``to`` (this year to date by default)."""

import datetime as dt

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from ..statistics import Period, default_period, period_errors


class PeriodForm(forms.Form):
    # "from" is a Python keyword: the field is declared through the class namespace.
    locals()["from"] = forms.DateField(
        label=pgettext_lazy("first day of a period", "From"),
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    to = forms.DateField(
        label=pgettext_lazy("last day of a period", "To"),
        widget=forms.DateInput(attrs={"type": "date"}),
    )

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
        """Every problem, a field's own after its label (two bad dates say which)."""
        texts = []
        for name, messages in self.errors.items():
            field = self.fields.get(name)
            for message in messages:
                texts.append(
                    _("%(field)s: %(error)s") % {"field": field.label, "error": message}
                    if field
                    else str(message)
                )
        return " ".join(texts)
