"""The dashboard's figures as plain values: the period asked for, its year-before twin,
and a figure as a table (title, columns, rows) that the page draws as bars and the
downloads write as CSV or .xlsx. Queries are in ``selectors/statistics.py``."""

import datetime as dt
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.translation import gettext as _

from huagang.dates import DB_END, DB_FIRST_DAY

MAX_YEARS = 5
MAX_DAYS = MAX_YEARS * 366  # "at most five years", leap days included


@dataclass(frozen=True)
class Period:
    """The days first…last, both included, in local time."""

    first: dt.date
    last: dt.date

    @property
    def start(self) -> dt.datetime:
        return _local_midnight(self.first)

    @property
    def end(self) -> dt.datetime:
        """The moment after the last day (exclusive)."""
        return _local_midnight(self.last + dt.timedelta(days=1))

    def year_before(self) -> "Period":
        return Period(_year_back(self.first), _year_back(self.last))

    def months(self) -> list[dt.date]:
        """The first day of each calendar month the period touches."""
        found, month = [], self.first.replace(day=1)
        while month <= self.last:
            found.append(month)
            month = _next_month(month)
        return found


def _local_midnight(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def _year_back(day: dt.date) -> dt.date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 1, day=28)


def _next_month(month: dt.date) -> dt.date:
    return (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


def default_period(today: dt.date) -> Period:
    """This year to date."""
    return Period(today.replace(month=1, day=1), today)


def period_errors(first: dt.date, last: dt.date) -> list[str]:
    """Why first…last is not a period the dashboard shows (empty if it is)."""
    lowest, highest = DB_FIRST_DAY, DB_END - dt.timedelta(days=1)
    if not (lowest <= first <= highest and lowest <= last <= highest):
        return [
            _("Enter dates from %(first)s to %(last)s.")
            % {"first": lowest, "last": highest}
        ]
    if last < first:
        return [_("The period ends before it starts.")]
    if (last - first).days + 1 > MAX_DAYS:
        return [_("Choose a period of at most %(years)d years.") % {"years": MAX_YEARS}]
    return []


def change_percent(now: int, before: int) -> int | None:
    """The change from `before` to `now` in whole percent (None: nothing to compare)."""
    if before == 0:
        return None
    return round((now - before) * 100 / before)


def change_label(change: int | None) -> str:
    """ "+17%", "-3%", "0%"; "—" when there is nothing to compare with."""
    return "—" if change is None else f"{change:+d}%" if change else "0%"


def share(part: int, whole: int) -> float | None:
    """`part` of `whole` in percent, one decimal (None when `whole` is 0)."""
    return None if not whole else round(part * 100 / whole, 1)


# --- a figure as a table -----------------------------------------------------------------

TEXT, COUNT, PERCENT, DAYS = "text", "count", "percent", "days"


@dataclass(frozen=True)
class Column:
    label: str
    kind: str = COUNT


@dataclass
class Figure:
    """One figure: its rows as plain values. `bar` is the column drawn as bars."""

    key: str
    title: str
    columns: list[Column]
    rows: list[list] = field(default_factory=list)
    bar: int | None = 1
    note: str = ""
    total: list | None = None  # a last row summing up, shown and exported

    @property
    def bar_max(self) -> float:
        if self.bar is None:
            return 0
        values = [row[self.bar] or 0 for row in self.rows]
        return max(values, default=0) or 0

    def bar_rows(self) -> list[tuple[list, float]]:
        """Each row with its bar's length in percent of the longest."""
        top = self.bar_max
        return [
            (
                row,
                (row[self.bar] or 0) * 100 / top if top and self.bar is not None else 0,
            )
            for row in self.rows
        ]

    def all_rows(self) -> list[list]:
        return [*self.rows, *([self.total] if self.total else [])]


# --- a column chart (server-side SVG) ------------------------------------------------------

CHART_WIDTH, CHART_HEIGHT = 400, 200
CHART_LEFT, CHART_BOTTOM, CHART_TOP = 44, 22, 8


def columns_chart(labels: list[str], series: list[list[int]]) -> dict:
    """The geometry of a column chart in a 400 × 200 viewBox: side-by-side columns per
    label, one per series, a scale of three lines and at most eight labels below."""
    top = max((value for values in series for value in values), default=0) or 1
    plot_width = CHART_WIDTH - CHART_LEFT - 4
    plot_height = CHART_HEIGHT - CHART_BOTTOM - CHART_TOP
    slot = plot_width / max(len(labels), 1)
    width = slot * 0.8 / max(len(series), 1)
    bars = []
    for number, values in enumerate(series):
        for index, value in enumerate(values):
            height = value * plot_height / top
            bars.append(
                {
                    "series": number,
                    "x": round(
                        CHART_LEFT + index * slot + slot * 0.1 + number * width, 2
                    ),
                    "y": round(CHART_TOP + plot_height - height, 2),
                    "width": round(width, 2),
                    "height": round(height, 2),
                }
            )
    every = max(1, -(-len(labels) // 8))
    return {
        "width": CHART_WIDTH,
        "height": CHART_HEIGHT,
        "bars": bars,
        "scale": [
            {
                "y": round(CHART_TOP + plot_height * (1 - part), 2),
                "value": round(top * part),
            }
            for part in (0, 0.5, 1)
        ],
        "labels": [
            {"x": round(CHART_LEFT + index * slot + slot / 2, 2), "text": label}
            for index, label in enumerate(labels)
            if index % every == 0
        ],
        "left": CHART_LEFT,
        "base": CHART_TOP + plot_height,
        "right": CHART_WIDTH - 4,
        "label_y": CHART_HEIGHT - 6,
    }


def split(period: Period, until: dt.date | None) -> tuple[Period | None, Period | None]:
    """(the days read from the daily figures, the days read from the requests):
    the daily figures hold every day up to `until`."""
    if until is None or until < period.first:
        return None, period
    if until >= period.last:
        return period, None
    return Period(period.first, until), Period(
        until + dt.timedelta(days=1), period.last
    )
