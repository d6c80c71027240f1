"""The dates a person may enter, defined once.

- Appointments and trips (home visits, agency trips) are booked from today to two years
  ahead, in local time: a visit booked in the past would tell the resident of a visit
  that cannot happen; a slip of the year (0001, 1900, 9999) is refused too.
- Days and years of the holiday calendar, entered by officials: 2000 to 2099.
- The database refuses any such date outside 2000-01-01 … 2099-12-31 (check
  constraints using ``DB_FIRST_DAY`` and ``DB_END``), so a value that slipped past
  every form can never break a page: at the extremes Python's and PostgreSQL's date
  ranges differ (0001-01-01 in Beijing is 1 BC in UTC, which Python cannot read back).
"""

import datetime as dt

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .exceptions import InvalidInput

APPOINTMENT_DAYS_BEFORE = 0
APPOINTMENT_DAYS_AFTER = 2 * 365

CALENDAR_FIRST_YEAR = 2000
CALENDAR_LAST_YEAR = 2099

DB_FIRST_DAY = dt.date(CALENDAR_FIRST_YEAR, 1, 1)
DB_END = dt.date(CALENDAR_LAST_YEAR + 1, 1, 1)  # exclusive
DB_FIRST_MOMENT = dt.datetime(CALENDAR_FIRST_YEAR, 1, 1, tzinfo=dt.UTC)
DB_END_MOMENT = dt.datetime(CALENDAR_LAST_YEAR + 1, 1, 1, tzinfo=dt.UTC)  # exclusive


def local_date(value: dt.date | dt.datetime) -> dt.date:
    """The local calendar day of a date or datetime, also at Python's extremes.

    A datetime in year 1 or 9999 may not survive the conversion to local time; its
    own day is then as good as any, being far outside every window.
    """
    if not isinstance(value, dt.datetime):
        return value
    if timezone.is_naive(value):
        return value.date()
    try:
        return timezone.localdate(value)
    except OverflowError:
        return value.date()


def appointment_window(today: dt.date | None = None) -> tuple[dt.date, dt.date]:
    """The first and last day (inclusive) an appointment or trip may be on."""
    today = today or timezone.localdate()
    return (
        today - dt.timedelta(days=APPOINTMENT_DAYS_BEFORE),
        today + dt.timedelta(days=APPOINTMENT_DAYS_AFTER),
    )


def date_window_errors(
    *,
    first: dt.date | None = None,
    last: dt.date | None = None,
    **values: dt.date | dt.datetime,
) -> dict[str, list[str]]:
    """Field errors, by field name, for the `values` whose local day is outside
    first…last (inclusive; by default the appointment window around today)."""
    if first is None or last is None:
        first, last = appointment_window()
    message = _("Enter a date from %(first)s to %(last)s.") % {
        "first": first,
        "last": last,
    }
    return {
        field: [message]
        for field, value in values.items()
        if not first <= local_date(value) <= last
    }


def check_date_window(
    *,
    first: dt.date | None = None,
    last: dt.date | None = None,
    **values: dt.date | dt.datetime,
) -> None:
    """Raise InvalidInput with a field error for each of `values` outside the window
    (see ``date_window_errors``)."""
    errors = date_window_errors(first=first, last=last, **values)
    if errors:
        raise InvalidInput(errors)


def validate_calendar_year(value: int) -> None:
    """Model validator: a holiday-calendar year officials may enter."""
    if not CALENDAR_FIRST_YEAR <= value <= CALENDAR_LAST_YEAR:
        raise ValidationError(
            gettext_lazy("Enter a year from %(first)s to %(last)s."),
            code="year_out_of_range",
            params={"first": CALENDAR_FIRST_YEAR, "last": CALENDAR_LAST_YEAR},
        )


def validate_calendar_date(value: dt.date) -> None:
    """Model validator: a holiday-calendar day officials may enter."""
    if not DB_FIRST_DAY <= value < DB_END:
        raise ValidationError(
            gettext_lazy("Enter a date from %(first)s to %(last)s."),
            code="date_out_of_range",
            params={"first": DB_FIRST_DAY, "last": DB_END - dt.timedelta(days=1)},
        )
