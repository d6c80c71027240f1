"""Keyset pagination: a page is the rows after (or before) the last row seen, found by
its sort key and primary key, so the thousandth page costs what the first does.

DRF's ``CursorPagination`` keys on one field and skips ties with an OFFSET: over a
date (a due date shared by thousands of requests) that is a deep OFFSET again, and it
cannot place NULLs. Here the cursor holds the row's whole position, the next page is
``WHERE (key, id) > (…)`` — a row comparison that an index on ``(key, id)`` (after the
columns the list filters on with equality) answers as a range — and a key that may be
NULL is sorted through an expression that puts the NULLs last (see ``Ordering``).

One row more than the page is read to know whether there is a next (or previous) one;
nothing is ever counted.
"""

import base64
import binascii
import datetime as dt
import json
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from django.db.models import BooleanField, Expression, F, Func, QuerySet, Value
from django.db.models.functions import Coalesce
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import BasePagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param

from .pagination import INVALID_CURSOR, page_size_asked


@dataclass(frozen=True)
class Ordering:
    """One ordering a list offers: by the model field `field` (then the id), whose
    values travel in a cursor as `kind` ("datetime" or "date"). A field that may be
    NULL names the value NULL sorts as (`null_as`): the list orders by
    ``COALESCE(field, null_as)``, which an index must have as its expression."""

    field: str
    kind: str
    descending: bool
    null_as: Any = None

    def key(self) -> Expression:
        if self.null_as is None:
            return F(self.field)
        return Coalesce(F(self.field), Value(self.null_as))

    def position(self, row: Any) -> tuple[Any, int]:
        """The (key, id) of a row of the page: a ``.values()`` dict (with the field
        and ``pk``) or a model instance."""
        if isinstance(row, dict):
            value, pk = row[self.field], row["pk"]
        else:
            value, pk = getattr(row, self.field), row.pk
        return (self.null_as if value is None else value), pk


class _Row(Func):
    template = "(%(expressions)s)"


class _RowCompare(Func):
    """``(a, b) > (x, y)`` (or <): lexicographic, as an index range."""

    template = "%(expressions)s"
    output_field = BooleanField()

    def __init__(self, left: _Row, op: str, right: _Row):
        self.arg_joiner = f" {op} "
        super().__init__(left, right)


def _parse(kind: str, raw: Any) -> Any:
    """A cursor's sort key, or None for anything this list never wrote in one (a
    time without its offset, or one the database could not store)."""
    if not isinstance(raw, str):
        return None
    try:
        if kind == "date":
            return parse_date(raw)
        found = parse_datetime(raw)
        if found is None or found.tzinfo is None:
            return None
        # OverflowError near year 1 or 9999; in UTC, since PostgreSQL refuses
        # offsets beyond ±15:59.
        return found.astimezone(dt.UTC)
    except (ValueError, OverflowError):
        return None


class KeysetPagination(BasePagination):
    """Pages of a list ordered by one of the view's ``orderings`` (query parameter
    ``ordering``; the view's ``default_ordering`` without it), then by id.

    The view sets ``orderings`` (name → ``Ordering``) and ``default_ordering``.
    ``paginate_queryset`` returns the page's rows as the queryset gives them (model
    instances, or ``.values()`` dicts holding the ordering's field and ``pk``).
    """

    page_size = 20
    max_page_size = 100
    cursor_query_param = "cursor"
    page_size_query_param = "page_size"
    ordering_query_param = "ordering"
    invalid_cursor = INVALID_CURSOR

    def paginate_queryset(self, queryset: QuerySet, request: Request, view=None):
        self.request = request
        self.base_url = request.build_absolute_uri()
        self.page_size = self._page_size(request)
        self.ordering_name, self.ordering = self._ordering(request, view)
        position = self._decode(request.query_params.get(self.cursor_query_param))
        backwards = bool(position and position["back"])
        descending = self.ordering.descending != backwards
        key = self.ordering.key()
        rows = queryset
        if position is not None:
            after = _RowCompare(
                _Row(key, F("pk")),
                "<" if descending else ">",
                _Row(Value(position["value"]), Value(position["id"])),
            )
            rows = rows.filter(after)
        order = (key.desc(), F("pk").desc()) if descending else (key.asc(), F("pk"))
        found = list(rows.order_by(*order)[: self.page_size + 1])
        more = len(found) > self.page_size
        found = found[: self.page_size]
        if backwards:
            found.reverse()
            self.has_next, self.has_previous = True, more
        else:
            self.has_next, self.has_previous = more, position is not None
        self.page = found
        return found

    def get_paginated_response(self, data) -> Response:
        return Response(
            OrderedDict(
                [
                    ("next", self.get_next_link()),
                    ("previous", self.get_previous_link()),
                    ("results", data),
                ]
            )
        )

    def get_next_link(self) -> str | None:
        if not self.has_next or not self.page:
            return None
        return self._link(self.page[-1], back=False)

    def get_previous_link(self) -> str | None:
        if not self.has_previous:
            return None
        if not self.page:  # past the end: back to the first page
            return remove_query_param(self.base_url, self.cursor_query_param)
        return self._link(self.page[0], back=True)

    # --- the cursor -------------------------------------------------------------------

    def _link(self, row: Any, *, back: bool) -> str:
        key, pk = self.ordering.position(row)
        if isinstance(key, dt.datetime | dt.date):
            key = key.isoformat()
        payload = {"o": self.ordering_name, "v": key, "i": pk, "b": back}
        raw = json.dumps(payload, separators=(",", ":")).encode()
        cursor = base64.urlsafe_b64encode(raw).decode().rstrip("=")
        return replace_query_param(self.base_url, self.cursor_query_param, cursor)

    def _decode(self, raw: str | None) -> dict[str, Any] | None:
        if raw is None:
            return None
        try:
            text = base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4))
            payload = json.loads(text)
        except (binascii.Error, ValueError, UnicodeDecodeError, RecursionError):
            payload = None
        if not isinstance(payload, dict) or payload.get("o") != self.ordering_name:
            raise ValidationError({self.cursor_query_param: [self.invalid_cursor]})
        value = _parse(self.ordering.kind, payload.get("v"))
        pk = payload.get("i")
        if value is None or type(pk) is not int or not 0 < pk < 2**63:
            raise ValidationError({self.cursor_query_param: [self.invalid_cursor]})
        return {"value": value, "id": pk, "back": payload.get("b") is True}

    # --- parameters -------------------------------------------------------------------

    def _page_size(self, request: Request) -> int:
        return page_size_asked(
            request, self.page_size_query_param, self.page_size, self.max_page_size
        )

    def _ordering(self, request: Request, view) -> tuple[str, Ordering]:
        orderings: dict[str, Ordering] = view.orderings
        name = request.query_params.get(
            self.ordering_query_param, view.default_ordering
        )
        if name not in orderings:
            raise ValidationError(
                {
                    self.ordering_query_param: [
                        _("Order by one of: %(choices)s.")
                        % {"choices": ", ".join(orderings)}
                    ]
                }
            )
        return name, orderings[name]

    # --- the schema -------------------------------------------------------------------

    def get_schema_operation_parameters(self, view) -> list[dict]:
        return [
            {
                "name": self.cursor_query_param,
                "required": False,
                "in": "query",
                "description": "The position of a page: take it from `next` or "
                "`previous`, never build it (one not made by this list is a 400).",
                "schema": {"type": "string", "minLength": 1},
            },
            {
                "name": self.page_size_query_param,
                "required": False,
                "in": "query",
                "description": f"Rows per page (default {self.page_size}, at most "
                f"{self.max_page_size}; anything else is a 400).",
                "schema": {
                    "type": "integer",
                    "minimum": 1,
                    "maximum": self.max_page_size,
                },
            },
            {
                "name": self.ordering_query_param,
                "required": False,
                "in": "query",
                "description": f"Sort order (default {view.default_ordering}); a "
                "`-` sorts descending. Ties are ordered by the row's id.",
                "schema": {"type": "string", "enum": list(view.orderings)},
            },
        ]

    def get_paginated_response_schema(self, schema: dict) -> dict:
        link = {"type": "string", "nullable": True, "format": "uri"}
        return {
            "type": "object",
            "required": ["next", "previous", "results"],
            "properties": {"next": link, "previous": link, "results": schema},
        }
