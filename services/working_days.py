"""Chinese working days: the ``chinese-calendar`` package, overridden and extended by the
officials' holiday calendar (``CalendarDay`` and ``CalendarYear``).

Every function takes a ``WorkCalendar`` so that one request needs one or two queries, not
one per day. A day in a year that neither the package nor the officials know raises
``UnknownCalendarYear``: never a guess.
"""

import datetime as dt
from dataclasses import dataclass, field

import chinese_calendar
from django.utils.translation import gettext as _

# A limit longer than this many calendar days means something is wrong with the data.
MAX_SPAN_DAYS = 800


class UnknownCalendarYear(Exception):
    def __init__(self, year: int):
        self.year = year
        super().__init__(
            _(
                "The holiday calendar for %(year)d is not known yet. An official must "
                "add the year and its holidays (admin → holiday calendar) before time "
                "limits reaching into it can be computed."
            )
            % {"year": year}
        )


@dataclass
class WorkCalendar:
    """Officials' overrides (date → is working day) and the years they have entered."""

    overrides: dict[dt.date, bool] = field(default_factory=dict)
    official_years: frozenset[int] = frozenset()

    @classmethod
    def load(cls) -> "WorkCalendar":
        """Read the officials' calendar (two queries)."""
        from .models import CalendarDay, CalendarYear

        return cls(
            overrides=dict(CalendarDay.objects.values_list("date", "is_workday")),
            official_years=frozenset(
                CalendarYear.objects.values_list("year", flat=True)
            ),
        )

    def is_workday(self, day: dt.date) -> bool:
        if day in self.overrides:
            return self.overrides[day]
        try:
            return chinese_calendar.is_workday(day)
        except NotImplementedError:
            if day.year in self.official_years:
                return day.weekday() < 5
            raise UnknownCalendarYear(day.year) from None

    def next_workday(self, day: dt.date) -> dt.date:
        """The first working day strictly after `day`."""
        return self.add(day, 1)

    def add(self, start: dt.date, days: int) -> dt.date:
        """The due date for a limit of `days` working days counted from `start`.

        0 (即办) is the same day if it is a working day, else the next working day.
        Otherwise the `days`-th working day after `start`.
        """
        day = start
        if days == 0:
            while not self.is_workday(day):
                day = self._step(day, start)
            return day
        remaining = days
        while remaining:
            day = self._step(day, start)
            if self.is_workday(day):
                remaining -= 1
        return day

    def between(self, start: dt.date, end: dt.date) -> int:
        """Working days after `start` up to and including `end` (0 if end ≤ start)."""
        count, day = 0, start
        while day < end:
            day = self._step(day, start)
            count += self.is_workday(day)
        return count

    @staticmethod
    def _step(day: dt.date, start: dt.date) -> dt.date:
        nxt = day + dt.timedelta(days=1)
        if (nxt - start).days > MAX_SPAN_DAYS:
            raise ValueError("working-day span too long")
        return nxt
