"""Working days for a generated history, looked up in constant time.

The portal's ``WorkCalendar`` answers one day at a time; a million cases ask it millions
of times. ``DayTable`` asks it once per day of the range and keeps the answers as
arrays. Years neither ``chinese-calendar`` nor the officials know count Monday to Friday
as working days (a history needs a date; the portal itself would leave it unknown).
"""

import bisect
import datetime as dt

import chinese_calendar

from ..working_days import UnknownCalendarYear, WorkCalendar


class DayTable:
    """Days ``first``…``last`` (ordinals): working or not, holiday names, and
    working-day arithmetic with the same rules as ``WorkCalendar.add``."""

    def __init__(self, first: dt.date, last: dt.date, calendar: WorkCalendar):
        self.first, self.last = first.toordinal(), last.toordinal()
        self.work: dict[int, bool] = {}
        self.holiday: dict[int, str] = {}
        for ordinal in range(self.first, self.last + 1):
            day = dt.date.fromordinal(ordinal)
            try:
                self.work[ordinal] = calendar.is_workday(day)
            except UnknownCalendarYear:
                self.work[ordinal] = day.weekday() < 5
            if not self.work[ordinal]:
                self.holiday[ordinal] = _holiday_name(day)
        self.workdays = [d for d in range(self.first, self.last + 1) if self.work[d]]
        self.text = {
            d: dt.date.fromordinal(d).isoformat()
            for d in range(self.first, self.last + 1)
        }

    def is_work(self, ordinal: int) -> bool:
        return self.work.get(ordinal, dt.date.fromordinal(ordinal).weekday() < 5)

    def add(self, start: int, days: int) -> int:
        """``WorkCalendar.add`` on ordinals: 0 is `start` if a working day, else the
        next; otherwise the `days`-th working day after `start`."""
        if days == 0:
            index = bisect.bisect_left(self.workdays, start)
        else:
            index = bisect.bisect_right(self.workdays, start) + days - 1
        if index >= len(self.workdays):
            raise ValueError("date beyond the generated range")
        return self.workdays[index]

    def between(self, start: int, end: int) -> int:
        """Working days after `start` up to and including `end` (0 if end ≤ start)."""
        if end <= start:
            return 0
        return bisect.bisect_right(self.workdays, end) - bisect.bisect_right(
            self.workdays, start
        )


def _holiday_name(day: dt.date) -> str:
    try:
        return chinese_calendar.get_holiday_detail(day)[1] or ""
    except NotImplementedError:
        return ""
