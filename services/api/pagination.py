"""Cursor pagination for the API's lists: a page reads one row more than it shows to
know whether there is a next one, and the cursor names the last row's position, so the
thousandth page costs what the first does: no COUNT(*), no OFFSET over the requests
table. Each list's ordering must be backed by an index that matches its filters."""

from rest_framework.pagination import CursorPagination


class ApiCursorPagination(CursorPagination):
    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = 100
    ordering = "-pk"
