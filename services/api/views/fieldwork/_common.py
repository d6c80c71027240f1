"""What the staff's field-work endpoints share: who may call them at all, and the
ids in their addresses."""

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
