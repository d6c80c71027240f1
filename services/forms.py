from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Body, Category, HandlingMode, Level


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
