"""A dashboard figure as a file: CSV (UTF-8 with a byte-order mark, so that Excel reads
the Chinese) or .xlsx (openpyxl). Figures hold counts and shares; the overdue list holds
tracking numbers and masked names, nothing else about a person."""

import csv
import io

from django.utils.functional import Promise
from openpyxl import Workbook
from openpyxl.styles import Font

from .statistics import PERCENT, Figure, Period

FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def file_name(figure: Figure, period: Period, extension: str) -> str:
    return f"huagang-{figure.key}-{period.first}-{period.last}.{extension}"


def _cells(row: list) -> list:
    return [
        "" if value is None else str(value) if isinstance(value, Promise) else value
        for value in row
    ]


def figure_csv(figure: Figure) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([column.label for column in figure.columns])
    for row in figure.all_rows():
        writer.writerow(_cells(row))
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def figure_xlsx(figure: Figure, period: Period) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = figure.key[:31]
    sheet.append([column.label for column in figure.columns])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in figure.all_rows():
        sheet.append(_cells(row))
    for number, column in enumerate(figure.columns, start=1):
        letter = sheet.cell(row=1, column=number).column_letter
        sheet.column_dimensions[letter].width = max(12, len(column.label) * 2 + 2)
        if column.kind == PERCENT:
            for (cell,) in sheet.iter_rows(min_row=2, min_col=number, max_col=number):
                cell.number_format = "0.0"
    sheet.freeze_panes = "A2"
    book.properties.title = f"{figure.title} {period.first} – {period.last}"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
