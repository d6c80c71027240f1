"""Promised time limits of requests on the working-day calendar (rules in one place).

Due date = acceptance day + the item's promised working days (即办: the same working day).
The clock pauses while a request awaits supplement and resumes with the working days
that were left. Due soon = the due date is today or the next working day; overdue =
the due date has passed. A year the calendar does not know gives no date but a note.
"""

import datetime as dt
import logging
from dataclasses import dataclass

from .models import DueState
from .working_days import UnknownCalendarYear, WorkCalendar

logger = logging.getLogger("huagang.time_limits")


@dataclass(frozen=True)
class Clock:
    due_date: dt.date | None
    due_state: str
    due_note: str = ""

    def fields(self) -> dict[str, object]:
        """The request fields this clock sets."""
        return {
            "due_date": self.due_date,
            "due_state": self.due_state,
            "due_note": self.due_note,
        }


def start(
    *, today: dt.date, promised_days: int, calendar: WorkCalendar, label: str
) -> Clock:
    """The clock when a request is accepted (or resumed with `promised_days` left)."""
    try:
        due = calendar.add(today, promised_days)
    except UnknownCalendarYear as exc:
        logger.warning("time limit unknown for request %s: year %s", label, exc.year)
        return Clock(None, DueState.UNKNOWN, str(exc))
    return Clock(due, state(due=due, today=today, calendar=calendar))


def days_left(
    *, due_date: dt.date | None, today: dt.date, calendar: WorkCalendar
) -> int | None:
    """Working days left before the due date when the clock pauses (0 if due or late)."""
    if due_date is None:
        return None
    try:
        return calendar.between(today, due_date)
    except UnknownCalendarYear:
        return None


def follow_up_deadline(*, opened_on: dt.date, calendar: WorkCalendar) -> dt.date | None:
    """A 差评 follow-up is answered within HUAGANG_FOLLOW_UP_DAYS working days of the
    rating; None while the calendar does not know the year (the sweep fills it in)."""
    from django.conf import settings

    try:
        return calendar.add(opened_on, settings.HUAGANG_FOLLOW_UP_DAYS)
    except UnknownCalendarYear:
        return None


def due_soon_until(*, today: dt.date, calendar: WorkCalendar) -> dt.date:
    """A due date on or before this day is due soon (黄牌): today or the next working
    day. Past an unknown year's boundary, tomorrow."""
    try:
        return calendar.next_workday(today)
    except UnknownCalendarYear:
        return today + dt.timedelta(days=1)


def state(*, due: dt.date | None, today: dt.date, calendar: WorkCalendar) -> str:
    if due is None:
        return DueState.UNKNOWN
    if due < today:
        return DueState.OVERDUE
    if due <= due_soon_until(today=today, calendar=calendar):
        return DueState.DUE_SOON
    return DueState.ON_TIME
