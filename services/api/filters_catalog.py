"""The query parameters of the catalog list (``GET /api/v1/services/``).

Validated here, answered by the catalog page's own search
(``selectors.service_items_search``: synonyms, codes, the same ranking), so the API finds
what the site finds. A value that names nothing (``mode=nonsense``, ``online=maybe``, an
unknown category) is a 400 with the field's error, never silently ignored.
"""

import django_filters
from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema_field

from .. import selectors
from ..choices import HandlingMode, Level
from ..models import Body, Category, ServiceItem

SEARCH_MAX_LENGTH = 50  # the catalog page's search box allows as much


class StrictBooleanField(forms.Field):
    """``true`` or ``false`` (also ``1``/``0``); anything else is an error rather than
    "no filter", which is what Django's NullBooleanField makes of it."""

    default_error_messages = {"invalid": _("Enter true or false.")}
    _VALUES = {"true": True, "1": True, "false": False, "0": False}

    def to_python(self, value: object) -> bool | None:
        if value in (None, ""):
            return None
        found = self._VALUES.get(str(value).strip().lower())
        if found is None:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return found


class StrictBooleanFilter(django_filters.BooleanFilter):
    """Not ``rest_framework.BooleanFilter``: its widget turns ``maybe`` into "no
    filter" before the field could refuse it."""

    field_class = StrictBooleanField


def _by_code(
    model: type[Category] | type[Body], description: str, unknown: str
) -> filters.ModelChoiceFilter:
    """A filter naming a row by its code (a string in the schema, not the key)."""
    return extend_schema_field({"type": "string", "description": description})(
        filters.ModelChoiceFilter(
            queryset=model.objects.all(),
            to_field_name="code",
            error_messages={"invalid_choice": unknown},
        )
    )


class ServiceItemFilter(filters.FilterSet):
    q = extend_schema_field(
        {
            "type": "string",
            "maxLength": SEARCH_MAX_LENGTH,
            "description": "Words to search for in the name, keywords, category or "
            "code (synonyms included: 低保 finds 最低生活保障); best matches first.",
        }
    )(
        filters.CharFilter(
            max_length=SEARCH_MAX_LENGTH,
            error_messages={
                "max_length": _(
                    "The search cannot be longer than %(limit_value)d characters."
                )
            },
        )
    )
    category = _by_code(
        Category,
        "A category's code (see categories/).",
        _("There is no such category."),
    )
    body = _by_code(
        Body,
        "A responsible body's code (see bodies/).",
        _("There is no such body."),
    )
    mode = filters.ChoiceFilter(
        choices=HandlingMode.choices,
        help_text="Items that allow this handling mode.",
        error_messages={"invalid_choice": _("There is no such handling mode.")},
    )
    level = filters.ChoiceFilter(
        choices=Level.choices,
        help_text="Items accepted at this level.",
        error_messages={"invalid_choice": _("There is no such level.")},
    )
    online = StrictBooleanFilter(
        help_text="Items handled entirely online (true) or not (false).",
    )

    class Meta:
        model = ServiceItem
        fields: list[str] = []

    def filter_queryset(self, queryset: QuerySet[ServiceItem]) -> QuerySet[ServiceItem]:
        """The search selector's result for the validated parameters; `queryset` (the
        view's published items) is what that selector starts from as well."""
        data = self.form.cleaned_data
        items = selectors.service_items_search(
            q=data.get("q") or "",
            category=data.get("category"),
            body=data.get("body"),
            mode=data.get("mode") or "",
            level=data.get("level") or "",
        )
        if data.get("online") is not None:
            items = items.filter(online=data["online"])
        return items
