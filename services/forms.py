from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Body, Category, HandlingMode, Level, Rating


class CatalogFilterForm(forms.Form):
    """The catalog's search box and filters (all optional, read from the query string)."""

    q = forms.CharField(label=_("Search"), required=False, max_length=50)
    category = forms.ModelChoiceField(
        label=_("Category"),
        queryset=Category.objects.order_by("order"),
        to_field_name="code",
        required=False,
        empty_label=_("All categories"),
        error_messages={"invalid_choice": _("There is no such category.")},
    )
    body = forms.ModelChoiceField(
        label=_("Responsible body"),
        queryset=Body.objects.order_by("order"),
        to_field_name="code",
        required=False,
        empty_label=_("All bodies"),
        error_messages={"invalid_choice": _("There is no such body.")},
    )
    mode = forms.ChoiceField(
        label=_("Handling mode"),
        choices=[("", _("All modes")), *HandlingMode.choices],
        required=False,
    )
    level = forms.ChoiceField(
        label=_("Accepted at"),
        choices=[("", _("All levels")), *Level.choices],
        required=False,
    )


class WithdrawForm(forms.Form):
    """The confirmation step of a withdrawal; `version` is the request as the resident
    saw it (a change since then is a conflict, not a silent withdrawal)."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    reason = forms.CharField(
        label=_("Reason (optional)"),
        required=False,
        max_length=200,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class RatingForm(forms.Form):
    """好差评: five levels and an optional comment."""

    level = forms.TypedChoiceField(
        label=_("How satisfied are you with the service?"),
        choices=Rating.Level.choices,
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose one of the five ratings.")},
    )
    comment = forms.CharField(
        label=_("Comment (optional)"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
