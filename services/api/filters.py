"""The filters of the API's lists (django-filter): a bad value is a 400 with the
parameter's error, an unknown code simply matches nothing.

None of them costs a query of its own: codes are matched in the list's one query (a
join on the item, body or village), never looked up first.
"""

import datetime as dt
from typing import Any

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db.models import QuerySet
from django.forms.utils import ErrorDict, ErrorList
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_filters.fields import IsoDateTimeField
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from ..models import DueState, HandlingMode, ServiceRequest, Status
from ..selectors.api import api_calendar, item_id_of, village_id_of
from ..time_limits import flag_q

EMPTY = _("Give a value, or leave the parameter out.")


class LeanFilterSet(django_filters.FilterSet):
    """A FilterSet that checks and applies only the parameters given.

    django-filter copies every declared filter and builds a form class and a form for
    each request, which costs more than the list's own query; the lists of the API
    are its busiest endpoints. Here the declared filters (and the form field each
    builds once) are shared by every request, and each parameter present is cleaned
    by its filter's field (an empty one is refused, as the schema says: leave a
    filter out to not filter). Filters must therefore hold no per-request state: no
    ``method`` given by name (pass a function), as those are resolved on the
    filterset instance.
    """

    def __init__(self, data=None, queryset=None, *, request=None, prefix=None):
        self.is_bound = data is not None
        self.data = data if data is not None else QueryDict()
        self.queryset = queryset
        self.request = request
        self.filters = self.base_filters
        self._cleaned: dict[str, Any] = {}
        self._errors = ErrorDict()
        for name, filter_ in self.filters.items():
            if name not in self.data:
                continue
            field = filter_.field
            try:
                raw = field.widget.value_from_datadict(self.data, {}, name)
                if raw in ("", None):
                    raise ValidationError(EMPTY, code="empty")
                self._cleaned[name] = field.clean(raw)
            except ValidationError as exc:
                self._errors[name] = ErrorList(exc.error_list)

    def is_valid(self) -> bool:
        return not self._errors

    @property
    def errors(self) -> ErrorDict:
        return self._errors

    @property
    def qs(self) -> QuerySet:
        """The queryset filtered: the plain lookups (a field equal to, at least, …)
        in one ``filter()`` call (each call copies the query), the others each in
        turn."""
        queryset = self.queryset
        lookups: dict[str, Any] = {}
        for name, value in self._cleaned.items():
            filter_ = self.filters[name]
            if _plain(filter_, value):
                lookups[f"{filter_.field_name}__{filter_.lookup_expr}"] = value
            else:
                queryset = filter_.filter(queryset, value)
        return queryset.filter(**lookups) if lookups else queryset


_PLAIN_FILTERS = {django_filters.Filter.filter, django_filters.ChoiceFilter.filter}


def _plain(filter_: django_filters.Filter, value: Any) -> bool:
    """Whether `filter_` would only add ``field_name__lookup_expr=value``."""
    return (
        filter_.method is None
        and not filter_.exclude
        and not filter_.distinct
        and value not in django_filters.constants.EMPTY_VALUES
        and type(filter_).filter in _PLAIN_FILTERS
        and value != getattr(filter_, "null_value", object())
    )


# No request is older or newer: a time outside these is taken as the nearest one, which
# every time zone's offset keeps a valid date (year 1 with +14:00 is not one in UTC).
EARLIEST = dt.datetime(1900, 1, 1, tzinfo=dt.UTC)
LATEST = dt.datetime(9998, 12, 31, tzinfo=dt.UTC)


class _Instant(IsoDateTimeField):
    """An ISO 8601 time, as a bound the database can compare with: in UTC, since
    PostgreSQL refuses offsets beyond ±15:59 that ISO 8601 allows (-20:08, say)."""

    def to_python(self, value):
        found = super().to_python(value)
        if found is None:
            return None
        if not 1900 < found.year < 9998:
            return EARLIEST if found.year <= 1900 else LATEST
        return found.astimezone(dt.UTC)


class InstantFilter(django_filters.IsoDateTimeFilter):
    field_class = _Instant


class _Boolean(forms.Field):
    """true or false (1 or 0); anything else is refused, not ignored."""

    def to_python(self, value):
        if value in (None, ""):
            return None
        if value in ("true", "True", "1"):
            return True
        if value in ("false", "False", "0"):
            return False
        raise ValidationError(_("Give true or false."), code="invalid")


class BooleanFilter(django_filters.BooleanFilter):
    field_class = _Boolean


def _code(regex: str, message) -> list[RegexValidator]:
    return [RegexValidator(regex, message)]


@extend_schema_field(OpenApiTypes.BOOL)
def _due(queryset: QuerySet, name: str, value: bool) -> QuerySet:
    """``time_limits.flag_q``: the same 红牌 / 黄牌 as the workbench's queue."""
    state = DueState.OVERDUE if name == "overdue" else DueState.DUE_SOON
    found = flag_q(state, today=timezone.localdate(), calendar=api_calendar())
    return queryset.filter(found) if value else queryset.exclude(found)


class _VillageCode(forms.CharField):
    """A village's code, cleaned to its id (``catalog_names``: no join); 0, which no
    village has, for a code nobody has."""

    def clean(self, value):
        return village_id_of(super().clean(value)) or 0


class _ItemCode(forms.CharField):
    """An item's code, cleaned to its id; 0 for a code nobody has."""

    def clean(self, value):
        return item_id_of(super().clean(value)) or 0


@extend_schema_field(OpenApiTypes.STR)
class VillageCodeFilter(django_filters.CharFilter):
    field_class = _VillageCode


@extend_schema_field(OpenApiTypes.STR)
class ItemCodeFilter(django_filters.CharFilter):
    field_class = _ItemCode


class ServiceRequestFilter(LeanFilterSet):
    """``GET requests/``'s filters; every one narrows the caller's own list."""

    status = django_filters.ChoiceFilter(
        choices=Status.choices,
        help_text="Only requests in this status.",
        error_messages={"invalid_choice": _("There is no such status.")},
    )
    mode = django_filters.ChoiceFilter(
        choices=HandlingMode.choices,
        help_text="Only requests handled this way.",
        error_messages={"invalid_choice": _("There is no such handling mode.")},
    )
    village = VillageCodeFilter(
        field_name="village_id",
        max_length=12,
        validators=_code(r"\A[0-9]{12}\Z", _("A village code has 12 digits.")),
        help_text="A village's or community's 12-digit division code.",
    )
    item = ItemCodeFilter(
        field_name="item_id",
        max_length=20,
        validators=_code(
            r"\A[A-Za-z0-9][A-Za-z0-9-]*\Z", _("Letters, digits and hyphens only.")
        ),
        help_text="A service item's code.",
    )
    body = django_filters.CharFilter(
        field_name="item__body__code",
        max_length=40,
        validators=_code(
            r"\A[A-Za-z0-9_-]+\Z", _("Letters, digits, _ and hyphens only.")
        ),
        help_text="The code of the body handling the request's item.",
    )
    overdue = BooleanFilter(
        method=_due,
        help_text="true: only those past their due date (红牌); false: all others.",
    )
    due_soon = BooleanFilter(
        method=_due,
        help_text="true: only those due today or on the next working day (黄牌); "
        "false: all others.",
    )
    created_after = InstantFilter(
        field_name="submitted_at",
        lookup_expr="gte",
        help_text="Submitted at or after this time (ISO 8601).",
    )
    created_before = InstantFilter(
        field_name="submitted_at",
        lookup_expr="lt",
        help_text="Submitted before this time (ISO 8601).",
    )
    updated_after = InstantFilter(
        field_name="updated_at",
        lookup_expr="gte",
        help_text="Last changed at or after this time (ISO 8601).",
    )
    updated_before = InstantFilter(
        field_name="updated_at",
        lookup_expr="lt",
        help_text="Last changed before this time (ISO 8601).",
    )

    class Meta:
        model = ServiceRequest
        fields: list[str] = []
