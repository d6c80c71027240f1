"""Working days counted in SQL, so that averages over a million requests need no row in
Python: the same days as ``WorkCalendar.between``.

A day's *working-day number* W(d) counts the working days from a fixed Sunday up to and
including d; ``between(a, b)`` is then W(b) − W(a), and a sum of spans is a sum of
differences, which SQL adds up per group. W(d) is the number of Mondays-to-Fridays
(plain arithmetic on the day number) plus a correction that changes only on the
calendar's exceptions (a holiday on a weekday: −1, a 调休 working day on a weekend: +1):
a step function of d, written as a balanced CASE over the exceptions' dates (about
eight comparisons per row for seven years of holidays).
"""

import datetime as dt
from bisect import bisect_right

from django.db.models import Case, Func, IntegerField, Value, When
from django.db.models.expressions import Expression
from django.db.models.functions import Least
from django.db.models.lookups import LessThan

from .working_days import UnknownCalendarYear, WorkCalendar

EPOCH = dt.date(1970, 1, 4)  # a Sunday: day 1 after it is a Monday


class DayNumber(Func):
    """Days from ``EPOCH`` to a date expression (an integer)."""

    output_field = IntegerField()

    def as_sql(self, compiler, connection, **extra):
        return super().as_sql(
            compiler,
            connection,
            template=f"(%(expressions)s - DATE '{EPOCH.isoformat()}')",
            **extra,
        )

    def as_sqlite(self, compiler, connection, **extra):
        return super().as_sql(
            compiler,
            connection,
            template=(
                "CAST(julianday(%(expressions)s) - "
                f"julianday('{EPOCH.isoformat()}') AS INTEGER)"
            ),
            **extra,
        )


def exceptions(
    calendar: WorkCalendar, first: dt.date, last: dt.date
) -> tuple[list[tuple[dt.date, int]], bool]:
    """The days first…last whose working status differs from Monday-to-Friday, with
    +1 (a working weekend day) or −1 (a weekday off); and whether some year there was
    unknown to the calendar (its days then count as Monday to Friday)."""
    found: list[tuple[dt.date, int]] = []
    unknown = False
    day = first
    while day <= last:
        weekday = day.weekday() < 5
        try:
            works = calendar.is_workday(day)
        except UnknownCalendarYear:
            unknown, works = True, weekday
        if works != weekday:
            found.append((day, 1 if works else -1))
        day += dt.timedelta(days=1)
    return found, unknown


def workday_number(
    day: Expression, corrections: list[tuple[dt.date, int]]
) -> Expression:
    """W(day) as an SQL expression; `corrections` are ``exceptions()``, in date order.
    Days before the first correction get none (keep the window wide enough)."""
    number = DayNumber(day)
    weekdays = Value(5) * (number / Value(7)) + Least(
        number - Value(7) * (number / Value(7)), Value(5)
    )
    dates = [when for when, _ in corrections]
    totals = [0]
    for _, delta in corrections:
        totals.append(totals[-1] + delta)
    if not dates:
        return weekdays
    return weekdays + _step(day, dates, totals, 0, len(dates))


def _step(day: Expression, dates: list, totals: list[int], low: int, high: int):
    """totals[i] where i = the number of dates ≤ day, known to be in low…high."""
    if low == high:
        return Value(totals[low])
    middle = (low + high) // 2
    return Case(
        When(
            LessThan(day, Value(dates[middle])),
            then=_step(day, dates, totals, low, middle),
        ),
        default=_step(day, dates, totals, middle + 1, high),
        output_field=IntegerField(),
    )


def workday_number_py(day: dt.date, corrections: list[tuple[dt.date, int]]) -> int:
    """``workday_number`` in Python (for tests and single values)."""
    days = (day - EPOCH).days
    weekdays = 5 * (days // 7) + min(days % 7, 5)
    dates = [when for when, _ in corrections]
    return weekdays + sum(delta for _, delta in corrections[: bisect_right(dates, day)])
