"""The officials' holiday calendar, which overrides and extends ``chinese-calendar``."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from huagang.dates import (
    CALENDAR_FIRST_YEAR,
    CALENDAR_LAST_YEAR,
    DB_END,
    DB_FIRST_DAY,
    validate_calendar_date,
    validate_calendar_year,
)


class CalendarYear(models.Model):
    """A year whose holidays officials have entered from the State Council's notice.

    ``chinese-calendar`` knows 2004–2026. For a later year the portal counts working days
    only once officials have added the year here (and its holidays and 调休 workdays as
    ``CalendarDay`` rows); until then time limits in that year are reported as unknown.
    """

    year = models.PositiveSmallIntegerField(
        _("year"), unique=True, validators=[validate_calendar_year]
    )
    note = models.CharField(
        _("source"),
        max_length=200,
        blank=True,
        help_text=_("e.g. the State Council's holiday notice for this year."),
    )

    class Meta:
        verbose_name = _("calendar year")
        verbose_name_plural = _("calendar years")
        ordering = ["year"]
        constraints = [
            models.CheckConstraint(
                condition=Q(
                    year__gte=CALENDAR_FIRST_YEAR, year__lte=CALENDAR_LAST_YEAR
                ),
                name="calendar_year_in_range",
            ),
        ]

    def __str__(self) -> str:
        return str(self.year)


class CalendarDay(models.Model):
    """One day that is a holiday or a 调休 working day, overriding the package."""

    date = models.DateField(_("date"), unique=True, validators=[validate_calendar_date])
    is_workday = models.BooleanField(
        _("working day"),
        help_text=_("Ticked for a 调休 working day on a weekend; clear for a holiday."),
    )
    name = models.CharField(_("name"), max_length=50, blank=True)

    class Meta:
        verbose_name = _("holiday or working day")
        verbose_name_plural = _("holiday calendar")
        ordering = ["date"]
        constraints = [
            models.CheckConstraint(
                condition=Q(date__gte=DB_FIRST_DAY, date__lt=DB_END),
                name="calendar_day_in_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.name}"
