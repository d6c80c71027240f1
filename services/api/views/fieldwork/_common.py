"""What the staff's field-work endpoints share: who may call them at all, the ids in
their addresses, and their lists' choice filters."""

import django_filters
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiParameter
from rest_framework.permissions import BasePermission
from rest_framework.views import APIView

from huagang.exceptions import NotFound

from .... import access

MAX_ID = 2**63 - 1  # a larger number in the address matches no row (and no column)


def id_parameter(name: str) -> OpenApiParameter:
    return OpenApiParameter(
        name,
        {"type": "integer", "minimum": 1, "maximum": MAX_ID},
        OpenApiParameter.PATH,
    )


TRIP_ID, VISIT_ID = id_parameter("trip_id"), id_parameter("visit_id")


class _NamedChoiceField(django_filters.fields.ChoiceField):
    def validate(self, value) -> None:
        try:
            super().validate(value)
        except ValidationError as error:
            if error.code != "invalid_choice":
                raise
            allowed = ", ".join(str(key) for key, _label in self.choices if key)
            raise ValidationError(
                gettext_lazy("Give one of: %(choices)s."),
                code="invalid_choice",
                params={"choices": allowed},
            ) from None


class ChoiceFilter(django_filters.ChoiceFilter):
    """A choice filter whose error names the values it takes (Django's says only
    that the value is not one of them)."""

    field_class = _NamedChoiceField


class StaffOnly(BasePermission):
    """Staff only: anonymous callers 401, residents 403."""

    message = gettext_lazy("Only staff can use this address.")

    def has_permission(self, request, view) -> bool:
        return access.is_staff_member(request.user)


class StaffView(APIView):
    permission_classes = [StaffOnly]


def check_id(value: int) -> int:
    """404 for an id no row can have (the database's integers end there)."""
    if value > MAX_ID:
        raise NotFound()
    return value
