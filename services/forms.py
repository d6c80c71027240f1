from django import forms
from django.utils.translation import gettext_lazy as _

from villages.models import Village

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


class GuideVillageForm(forms.Form):
    """The guide page's village picker (``?village=<division code>``, no JavaScript).

    Its choices are the villages the page has already loaded, so checking a code costs
    no query.
    """

    village = forms.ChoiceField(
        label=_("Your village or community"),
        required=False,
        error_messages={
            "invalid_choice": _("Pick your village or community from the list.")
        },
    )

    def __init__(self, *args, villages: list[Village], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._villages = {village.code: village for village in villages}
        self.fields["village"].choices = [
            ("", _("Choose…")),
            *((village.code, village.name) for village in villages),
        ]

    def picked(self) -> Village | None:
        """The village picked, once the form is valid; None when none is."""
        return self._villages.get(self.cleaned_data.get("village") or "")
