"""Cursor pagination for the API's lists: a page reads one row more than it shows to
know whether there is a next one, and the cursor names the last row's position, so the
thousandth page costs what the first does: no COUNT(*), no OFFSET over the requests
table. Each list's ordering must be backed by an index that matches its filters.

Every list answers bad paging input alike (here and in ``keyset``): 400
``invalid_input`` naming ``cursor`` or ``page_size``; the caller's input is at fault,
not a missing row."""

import hashlib
from base64 import b64decode, b64encode
from urllib.parse import parse_qs, urlencode, urlsplit

from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.pagination import CursorPagination
from rest_framework.request import Request
from rest_framework.utils.urls import replace_query_param

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

    # DRF's cursor holds a position only, which another list would take for one of
    # its own (a page starting anywhere): each cursor here also names its list (a
    # short hash of the list's address and ordering), checked when it comes back.

    def encode_cursor(self, cursor) -> str:
        tokens = {"l": self._list_tag(urlsplit(self.base_url).path)}
        if cursor.offset != 0:
            tokens["o"] = str(cursor.offset)
        if cursor.reverse:
            tokens["r"] = "1"
        if cursor.position is not None:
            tokens["p"] = cursor.position
        encoded = b64encode(urlencode(tokens).encode("ascii")).decode("ascii")
        return replace_query_param(self.base_url, self.cursor_query_param, encoded)

    def decode_cursor(self, request: Request):
        encoded = request.query_params.get(self.cursor_query_param)
        if encoded is not None:
            try:
                tokens = parse_qs(b64decode(encoded.encode("ascii")).decode("ascii"))
            except (TypeError, ValueError):
                tokens = {}
            if tokens.get("l") != [self._list_tag(request.path)]:
                raise ValidationError({self.cursor_query_param: [INVALID_CURSOR]})
        try:
            return super().decode_cursor(request)
        except NotFound:  # DRF's answer to a cursor it did not make
            raise ValidationError({self.cursor_query_param: [INVALID_CURSOR]}) from None

    def _list_tag(self, path: str) -> str:
        what = f"{path}|{','.join(self.ordering)}"
        return hashlib.sha256(what.encode()).hexdigest()[:10]

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
