"""Working days on the Chinese calendar, officials' overrides, and unknown years."""

import datetime as dt

import chinese_calendar
import pytest

from services import time_limits
from services.models import CalendarDay, CalendarYear, DueState
from services.working_days import UnknownCalendarYear, WorkCalendar

D = dt.date
PLAIN = WorkCalendar()  # the package alone, no officials' entries


@pytest.mark.parametrize(
    "day, expected",
    [
        (D(2026, 2, 13), True),  # Friday before the Spring Festival
        (D(2026, 2, 14), True),  # Saturday, 调休 working day
        (D(2026, 2, 16), False),  # Spring Festival holiday
        (D(2026, 2, 23), False),  # last holiday day (a Monday)
        (D(2026, 2, 24), True),
        (D(2026, 2, 28), True),  # Saturday, 调休 working day
        (D(2026, 9, 20), True),  # Sunday, 调休 working day
        (D(2026, 10, 1), False),  # National Day
        (D(2026, 10, 7), False),
        (D(2026, 10, 10), True),  # Saturday, 调休 working day
    ],
)
def test_the_2026_calendar(day, expected):
    assert PLAIN.is_workday(day) is expected


def test_accepted_before_the_spring_festival():
    # Accepted Thu 02-12: working days 02-13, 02-14 (调休 Sat), then holiday to 02-23.
    assert PLAIN.add(D(2026, 2, 12), 2) == D(2026, 2, 14)
    assert PLAIN.add(D(2026, 2, 12), 3) == D(2026, 2, 24)
    assert PLAIN.add(D(2026, 2, 12), 5) == D(2026, 2, 26)


def test_accepted_before_national_day():
    # Accepted Tue 09-29: 09-30 is the last working day before the 10-01…10-07 holiday.
    assert PLAIN.add(D(2026, 9, 29), 1) == D(2026, 9, 30)
    assert PLAIN.add(D(2026, 9, 29), 2) == D(2026, 10, 8)
    assert PLAIN.add(D(2026, 9, 29), 4) == D(2026, 10, 10)  # the 调休 Saturday


def test_an_instant_item_is_due_the_same_working_day():
    assert PLAIN.add(D(2026, 3, 4), 0) == D(2026, 3, 4)
    assert PLAIN.add(D(2026, 3, 7), 0) == D(2026, 3, 9)  # a Saturday: next Monday
    assert PLAIN.add(D(2026, 2, 15), 0) == D(2026, 2, 24)


def test_working_days_between():
    assert PLAIN.between(D(2026, 2, 12), D(2026, 2, 24)) == 3
    assert PLAIN.between(D(2026, 2, 24), D(2026, 2, 12)) == 0


# Unknown years: 2098 and 2099, which no release of the package will know for decades
# (see tests/conftest.py), never the year after the installed package's last one.
OFFICIALS_2098 = WorkCalendar(official_years=frozenset({2098}))


def test_the_package_does_not_know_the_years_these_tests_treat_as_unknown():
    for year in (2098, 2099):
        with pytest.raises(NotImplementedError):
            chinese_calendar.is_workday(D(year, 6, 1))


def test_a_limit_into_an_unknown_year_is_reported_not_guessed():
    with pytest.raises(UnknownCalendarYear, match="2099"):
        OFFICIALS_2098.add(D(2098, 12, 24), 10)
    assert OFFICIALS_2098.add(D(2098, 12, 24), 5) == D(2098, 12, 31)
    clock = time_limits.start(
        today=D(2098, 12, 24), promised_days=10, calendar=OFFICIALS_2098, label="HG-t"
    )
    assert clock.due_date is None
    assert clock.due_state == DueState.UNKNOWN
    assert "2099" in clock.due_note


@pytest.mark.django_db
def test_a_limit_into_a_year_the_officials_entered():
    CalendarYear.objects.create(year=2098, note="测试")
    CalendarYear.objects.create(year=2099, note="国务院办公厅通知（测试）")
    CalendarDay.objects.create(date=D(2099, 1, 1), is_workday=False, name="元旦")
    calendar = WorkCalendar.load()
    # 2098-12-24 Wed; 25 Thu, 26 Fri, 29-31 Mon-Wed = 5; 2099-01-01 Thu is a holiday;
    # 01-02 Fri = 6; 01-05…01-08 Mon-Thu = 10.
    assert calendar.add(D(2098, 12, 24), 10) == D(2099, 1, 8)
    assert calendar.add(D(2098, 12, 24), 5) == D(2098, 12, 31)
    assert calendar.add(D(2098, 12, 24), 6) == D(2099, 1, 2)


@pytest.mark.django_db
def test_officials_override_the_package():
    CalendarDay.objects.create(date=D(2026, 3, 6), is_workday=False, name="临时停办")
    CalendarDay.objects.create(date=D(2026, 3, 7), is_workday=True, name="补班")
    calendar = WorkCalendar.load()
    assert not calendar.is_workday(D(2026, 3, 6))
    assert calendar.is_workday(D(2026, 3, 7))
    assert calendar.add(D(2026, 3, 5), 1) == D(2026, 3, 7)


@pytest.mark.parametrize(
    "due, today, expected",
    [
        (D(2026, 3, 10), D(2026, 3, 5), DueState.ON_TIME),
        (D(2026, 3, 9), D(2026, 3, 6), DueState.DUE_SOON),  # Fri: Mon is next workday
        (D(2026, 3, 6), D(2026, 3, 6), DueState.DUE_SOON),
        (D(2026, 3, 5), D(2026, 3, 6), DueState.OVERDUE),
        (D(2026, 2, 24), D(2026, 2, 14), DueState.DUE_SOON),  # across the holiday
    ],
)
def test_due_states(due, today, expected):
    assert time_limits.state(due=due, today=today, calendar=PLAIN) == expected


@pytest.mark.django_db
@pytest.mark.parametrize(
    "day",
    [
        dt.date(2026, 11, 29),  # a Sunday
        dt.date(2026, 11, 28),  # a Saturday
        dt.date(2026, 11, 30),  # a Monday
        dt.date(2026, 10, 3),  # 国庆 holiday
    ],
)
def test_pausing_and_resuming_on_the_same_day_keeps_the_due_date(day):
    """Accepted, paused for a supplement and resumed on one day, a rest day too: the
    clock restarts where it stopped (a review found a Sunday added a day)."""
    calendar = WorkCalendar.load()
    accepted = time_limits.start(
        today=day, promised_days=15, calendar=calendar, label="test"
    )
    left = time_limits.days_left(
        due_date=accepted.due_date, today=day, calendar=calendar
    )
    assert left == 15
    resumed = time_limits.start(
        today=day, promised_days=left, calendar=calendar, label="test"
    )
    assert resumed.due_date == accepted.due_date
