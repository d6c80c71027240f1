"""The dashboard's daily figures: what a million requests add up to, day by day, so
that a year's figures are read from a few hundred thousand small rows instead of every
request. Written only by ``actions.statistics`` (rebuilt from the requests; nothing is
ever counted twice), read by ``selectors.statistics`` for the days up to
``FiguresBuilt.until`` and straight from the requests after it."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from villages.models import Village

from ..choices import HandlingMode
from .catalog import Body, ServiceItem


class DailyFigures(models.Model):
    """One day's requests of one village, body and mode: received that day (by the
    day submitted), and completed that day with their time figures."""

    day = models.DateField(_("day"))
    village = models.ForeignKey(Village, on_delete=models.CASCADE, related_name="+")
    body = models.ForeignKey(Body, on_delete=models.CASCADE, related_name="+")
    mode = models.CharField(_("handling mode"), max_length=10, choices=HandlingMode)
    received = models.PositiveIntegerField(_("received"), default=0)
    completed = models.PositiveIntegerField(_("completed"), default=0)
    completed_with_due = models.PositiveIntegerField(default=0)
    completed_on_time = models.PositiveIntegerField(default=0)
    # The working days from acceptance to completion, summed over the completions.
    working_days = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("daily figures")
        verbose_name_plural = _("daily figures")
        constraints = [
            models.UniqueConstraint(
                fields=["day", "village", "body", "mode"], name="daily_figures_key"
            )
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.village_id} {self.body_id} {self.mode}"


class DailyItemCounts(models.Model):
    """One day's requests of one item, the whole town (by the day submitted)."""

    day = models.DateField(_("day"))
    item = models.ForeignKey(ServiceItem, on_delete=models.CASCADE, related_name="+")
    received = models.PositiveIntegerField(_("received"), default=0)

    class Meta:
        verbose_name = _("daily item counts")
        verbose_name_plural = _("daily item counts")
        constraints = [
            models.UniqueConstraint(fields=["day", "item"], name="daily_item_key")
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.item_id}"


class FiguresBuilt(models.Model):
    """One row: every day up to and including `until` is in the daily figures."""

    until = models.DateField(_("built until"), null=True, blank=True)

    class Meta:
        verbose_name = _("daily figures built")
        verbose_name_plural = _("daily figures built")

    def __str__(self) -> str:
        return str(self.until)
