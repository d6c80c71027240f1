"""Promised time limits of requests on the working-day calendar (rules in one place).

Due date = acceptance day + the item's promised working days (即办: the same working day).
The clock pauses while a request awaits supplement and resumes with the working days
that were left. Due soon = the due date is today or the next working day; overdue =
the due date has passed (``state_of`` in Python, ``flag`` in SQL: the one definition the
sweep, the admin filter, the clerks' queue and later the dashboard and API use). A year
the calendar does not know gives no date but a note.
"""

import datetime as dt
import logging
from dataclasses import dataclass

from django.db.models import Case, CharField, Q, Value, When
from django.db.models.functions import TruncDate
from django.utils import timezone

from . import workflow
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
    """The clock when a request is accepted (or resumed with `promised_days` left).

    The clock starts on the first working day on or after `today`: a request accepted
    on a rest day is due on the same day as one accepted on the next working day. The
    receipt's expected completion is this clock started on the day of submission
    (``selectors.service_request_expected_completion``), so it is the due date the
    acceptance sets on that day or on the next working day.
    """
    try:
        started = calendar.add(today, 0)  # today if a working day, else the next
        due = calendar.add(started, promised_days)
    except UnknownCalendarYear as exc:
        logger.warning("time limit unknown for request %s: year %s", label, exc.year)
        return Clock(None, DueState.UNKNOWN, str(exc))
    return Clock(due, state(due=due, today=today, calendar=calendar))


def days_left(
    *, due_date: dt.date | None, today: dt.date, calendar: WorkCalendar
) -> int | None:
    """Working days left before the due date when the clock pauses (0 if due or late).

    Counted from the day ``start`` would start the clock today (the first working day
    on or after `today`), so that pausing and resuming on the same day, a rest day
    included, leaves the due date where it was.
    """
    if due_date is None:
        return None
    try:
        return calendar.between(calendar.add(today, 0), due_date)
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
    """The state of a running clock due on `due` (``flag`` says the same in SQL)."""
    if due is None:
        return DueState.UNKNOWN
    if due < today:
        return DueState.OVERDUE
    if due <= due_soon_until(today=today, calendar=calendar):
        return DueState.DUE_SOON
    return DueState.ON_TIME


def state_of(
    *, status: str, due: dt.date | None, today: dt.date, calendar: WorkCalendar
) -> str:
    """A request's time-limit state: none while its clock is not running."""
    if status not in workflow.CLOCK_RUNNING:
        return DueState.NONE
    return state(due=due, today=today, calendar=calendar)


def flag(*, today: dt.date, calendar: WorkCalendar) -> Case:
    """``state_of`` as a query expression, so lists filter and sort by it in SQL (the
    same rule, clause by clause; tests check that the two agree)."""
    return Case(
        When(~Q(status__in=workflow.CLOCK_RUNNING), then=Value(DueState.NONE)),
        When(due_date__isnull=True, then=Value(DueState.UNKNOWN)),
        When(due_date__lt=today, then=Value(DueState.OVERDUE)),
        When(
            due_date__lte=due_soon_until(today=today, calendar=calendar),
            then=Value(DueState.DUE_SOON),
        ),
        default=Value(DueState.ON_TIME),
        output_field=CharField(),
    )


def flag_q(state: str, *, today: dt.date, calendar: WorkCalendar | None = None) -> Q:
    """The requests whose ``flag`` is `state` (overdue, due soon or unknown), as a
    filter an index can answer (``request_status_due``): the same clauses as ``flag``,
    each one's earlier clauses negated."""
    running = Q(status__in=workflow.CLOCK_RUNNING)
    if state == DueState.UNKNOWN:
        return running & Q(due_date__isnull=True)
    if state == DueState.OVERDUE:
        return running & Q(due_date__lt=today)
    if state == DueState.DUE_SOON:
        until = due_soon_until(today=today, calendar=calendar or WorkCalendar.load())
        return running & Q(due_date__gte=today, due_date__lte=until)
    raise ValueError(f"no filter for the due state {state!r}")


# --- 留言咨询: a question is answered within HUAGANG_QUESTION_ANSWER_DAYS working days -----


def question_clock(*, asked_on: dt.date, calendar: WorkCalendar) -> Clock:
    """The answer's due date: counted like a request's from the day it was asked (a
    question asked on a rest day is due as one asked on the next working day)."""
    from django.conf import settings

    return start(
        today=asked_on,
        promised_days=settings.HUAGANG_QUESTION_ANSWER_DAYS,
        calendar=calendar,
        label="question",
    )


def question_state(
    *, answered: bool, due: dt.date | None, today: dt.date, calendar: WorkCalendar
) -> str:
    """A question's state: none once answered, else as a running request clock."""
    if answered:
        return DueState.NONE
    return state(due=due, today=today, calendar=calendar)


def question_flag(*, today: dt.date, calendar: WorkCalendar) -> Case:
    """``question_state`` as a query expression (on Question)."""
    return Case(
        When(answered_at__isnull=False, then=Value(DueState.NONE)),
        When(due_date__isnull=True, then=Value(DueState.UNKNOWN)),
        When(due_date__lt=today, then=Value(DueState.OVERDUE)),
        When(
            due_date__lte=due_soon_until(today=today, calendar=calendar),
            then=Value(DueState.DUE_SOON),
        ),
        default=Value(DueState.ON_TIME),
        output_field=CharField(),
    )


def answered_on_time_q() -> Q:
    """Questions answered on or before their due date (the local day of the answer;
    a question without a due date is not counted on time)."""
    answered_on = TruncDate("answered_at", tzinfo=timezone.get_current_timezone())
    return Q(answered_at__isnull=False, due_date__gte=answered_on)
