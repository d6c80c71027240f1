"""Cursor pagination for the API's lists: a page reads one row more than it shows to
know whether there is a next one, and the cursor names the last row's position, so the
thousandth page costs what the first does: no COUNT(*), no OFFSET over the requests
table. Each list's ordering must be backed by an index that matches its filters.

Every list answers bad paging input alike (here and in ``keyset``): 400
``invalid_input`` naming ``cursor`` or ``page_size``; the caller's input is at fault,
not a missing row."""

from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.pagination import CursorPagination
from rest_framework.request import Request

INVALID_CURSOR = _("This cursor is not valid (it comes from another list?).")


def page_size_asked(request: Request, name: str, default: int, maximum: int) -> int:
    """The `name` query parameter as a page size from 1 to `maximum` (`default`
    without it); anything else is refused (ValidationError naming it)."""
    raw = request.query_params.get(name)
    if raw is None:
        return default
    if not (raw.isascii() and raw.isdigit()) or not 1 <= int(raw) <= maximum:
        raise ValidationError(
            {name: [_("Give a number from 1 to %(max)d.") % {"max": maximum}]}
        )
    return int(raw)


class ApiCursorPagination(CursorPagination):
    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = 100
    ordering = "-pk"

    def get_page_size(self, request: Request) -> int:
        return page_size_asked(
            request, self.page_size_query_param, self.page_size, self.max_page_size
        )

    def decode_cursor(self, request: Request):
        try:
            return super().decode_cursor(request)
        except NotFound:  # DRF's answer to a cursor it did not make
            raise ValidationError({self.cursor_query_param: [INVALID_CURSOR]}) from None

    def get_schema_operation_parameters(self, view) -> list[dict]:
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_size_query_param:
                parameter["description"] = (
                    f"Rows per page (default {self.page_size}, at most "
                    f"{self.max_page_size}; anything else is a 400)."
                )
                parameter["schema"] = {
                    "type": "integer",
                    "minimum": 1,
                    "maximum": self.max_page_size,
                }
            elif parameter["name"] == self.cursor_query_param:
                parameter["description"] = (
                    "The position of a page: take it from `next` or `previous`, "
                    "never build it (one not made by this list is a 400)."
                )
        return parameters
