"""Tables downloaded as CSV or Excel (.xlsx): one way of writing them for every screen.

A caller gives the column headings and an iterator of rows (lists of plain values:
str, int, date, datetime, None) and gets a response to return. Both formats stream or
are bounded, and neither interprets what it writes:

- CSV is UTF-8 with a byte-order mark, which is what makes Excel on Windows read the
  Chinese text correctly; it streams, one row at a time, so memory does not grow with
  the table.
- Excel is written with openpyxl's write-only workbook (rows are not kept in memory
  as cells) into a temporary file that the response then streams.

A cell starting with ``=``, ``+``, ``-``, ``@`` (or a tab or carriage return) is
prefixed with an apostrophe, so that a resident's name or note typed as a formula is
shown as text instead of being run by the spreadsheet (CSV injection).

The caller bounds the rows (see ``MAX_ROWS``) and says on screen when a table was cut.
"""

import csv
import datetime as dt
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from typing import Any
from urllib.parse import quote

from django.http import FileResponse, StreamingHttpResponse
from django.utils import timezone

MAX_ROWS = 100_000
CSV = "csv"
XLSX = "xlsx"
FORMATS = (CSV, XLSX)
CONTENT_TYPES = {
    CSV: "text/csv; charset=utf-8",
    XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def cell(value: Any) -> Any:
    """`value` as a spreadsheet should hold it: local time without a zone (Excel has
    none), text that looks like a formula kept as text, None as empty."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return value.replace(tzinfo=None, microsecond=0)
    if isinstance(value, str):
        return "'" + value if value.startswith(_FORMULA_STARTS) else value
    if isinstance(value, int | float | dt.date):
        return value
    return str(value)


class _Echo:
    """A file-like object whose write() returns what it was given (for csv.writer)."""

    def write(self, value: str) -> str:
        return value


def _csv_lines(headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield "\ufeff" + writer.writerow([str(h) for h in headers])
    for row in rows:
        yield writer.writerow(
            [
                v.strftime("%Y-%m-%d %H:%M:%S") if isinstance(v, dt.datetime) else v
                for v in map(cell, row)
            ]
        )


def _disposition(filename: str) -> str:
    """ASCII fallback plus the UTF-8 name (RFC 6266), so Chinese names survive."""
    ascii_name = filename.encode("ascii", "ignore").decode() or "export"
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}"


def csv_response(
    *, filename: str, headers: Sequence[str], rows: Iterable[Sequence[Any]]
) -> StreamingHttpResponse:
    response = StreamingHttpResponse(
        (line.encode("utf-8") for line in _csv_lines(headers, rows)),
        content_type=CONTENT_TYPES[CSV],
    )
    response["Content-Disposition"] = _disposition(f"{filename}.csv")
    return response


def xlsx_response(
    *,
    filename: str,
    headers: Sequence[str],
    rows: Iterable[Sequence[Any]],
    sheet_title: str = "",
) -> FileResponse:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=(sheet_title or "Sheet1")[:31])
    bold = Font(bold=True)
    heading = []
    for text in headers:
        heading_cell = WriteOnlyCell(sheet, value=str(text))
        heading_cell.font = bold
        heading.append(heading_cell)
    sheet.append(heading)
    sheet.freeze_panes = "A2"
    for row in rows:
        sheet.append([cell(v) for v in row])
    spooled = tempfile.TemporaryFile()  # noqa: SIM115 (FileResponse closes it)
    workbook.save(spooled)
    spooled.seek(0)
    return FileResponse(
        spooled,
        as_attachment=True,
        filename=f"{filename}.xlsx",
        content_type=CONTENT_TYPES[XLSX],
    )


def table_response(
    fmt: str,
    *,
    filename: str,
    headers: Sequence[str],
    rows: Iterable[Sequence[Any]],
    sheet_title: str = "",
):
    """The table as `fmt` (``"csv"`` or ``"xlsx"``); ValueError for another format."""
    if fmt == CSV:
        return csv_response(filename=filename, headers=headers, rows=rows)
    if fmt == XLSX:
        return xlsx_response(
            filename=filename, headers=headers, rows=rows, sheet_title=sheet_title
        )
    raise ValueError(f"unknown export format {fmt!r}")
