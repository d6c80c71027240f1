"""Work outside the office: 定时代办 trips to the town and 上门特办 home visits."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from huagang.dates import DB_END, DB_END_MOMENT, DB_FIRST_DAY, DB_FIRST_MOMENT
from villages.models import Village

from .requests import ServiceRequest


class AgencyTrip(models.Model):
    """A village's scheduled trip to the town center carrying 定时代办 cases.

    Hand-over (village → town) and return (town → village) each record who gave, who
    received, when, and how many documents, so every case's custody is known.
    """

    village = models.ForeignKey(
        Village,
        on_delete=models.PROTECT,
        related_name="agency_trips",
        verbose_name=_("village"),
    )
    trip_date = models.DateField(_("trip date"))
    requests = models.ManyToManyField(
        ServiceRequest,
        related_name="agency_trips",
        blank=True,
        verbose_name=_("cases carried"),
    )
    # What actually went each way, kept at the moment it went: the lists the
    # receiving side checks in against (``requests`` also keeps cases put on the
    # trip that never left, and those a later trip brought back).
    carried_out = models.ManyToManyField(
        ServiceRequest,
        related_name="trips_out",
        blank=True,
        verbose_name=_("cases handed over to the town"),
    )
    carried_back = models.ManyToManyField(
        ServiceRequest,
        related_name="trips_back",
        blank=True,
        verbose_name=_("cases brought back to the village"),
    )
    handed_over_at = models.DateTimeField(_("handed over"), null=True, blank=True)
    handed_over_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("handed over by (village)"),
    )
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("received by (town)"),
    )
    documents_out = models.PositiveSmallIntegerField(
        _("documents handed over"), null=True, blank=True
    )
    returned_at = models.DateTimeField(_("returned"), null=True, blank=True)
    returned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("returned by (town)"),
    )
    return_received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("received back by (village)"),
    )
    documents_back = models.PositiveSmallIntegerField(
        _("documents returned"), null=True, blank=True
    )
    note = models.CharField(_("note"), max_length=200, blank=True)
    # The receiving side checks each case in by its number (TripCheck) and then closes
    # the check: what was on the list and never checked in is missing.
    arrival_checked_at = models.DateTimeField(
        _("arrival checked at the town"), null=True, blank=True
    )
    return_checked_at = models.DateTimeField(
        _("return checked at the village"), null=True, blank=True
    )

    class Meta:
        verbose_name = _("agency trip")
        verbose_name_plural = _("agency trips")
        ordering = ["-trip_date", "village"]
        constraints = [
            models.UniqueConstraint(
                fields=["village", "trip_date"], name="trip_one_per_village_day"
            ),
            # huagang.dates: the actions keep dates in a far narrower window.
            models.CheckConstraint(
                condition=Q(trip_date__gte=DB_FIRST_DAY, trip_date__lt=DB_END),
                name="trip_date_in_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.village} {self.trip_date}"


class TripCheck(models.Model):
    """One case checked in by its number where a trip arrives: at the town center
    (out) or back at the village (back). A case checked in that was not on the trip's
    list is recorded too, flagged (``on_list`` false)."""

    class Leg(models.TextChoices):
        OUT = "out", _("village → town")
        BACK = "back", _("town → village")

    trip = models.ForeignKey(
        AgencyTrip,
        on_delete=models.PROTECT,
        related_name="checks",
        verbose_name=_("agency trip"),
    )
    request = models.ForeignKey(
        ServiceRequest,
        on_delete=models.PROTECT,
        related_name="trip_checks",
        verbose_name=_("service request"),
    )
    leg = models.CharField(_("leg"), max_length=4, choices=Leg.choices)
    on_list = models.BooleanField(_("on the trip's list"), default=True)
    checked_at = models.DateTimeField(_("checked in"), default=timezone.now)
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("checked in by"),
    )

    class Meta:
        verbose_name = _("trip check-in")
        verbose_name_plural = _("trip check-ins")
        ordering = ["checked_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["trip", "request", "leg"], name="trip_check_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.trip} {self.request} {self.get_leg_display()}"


class HomeVisit(models.Model):
    """An appointment at a resident's home (上门特办) and its outcome."""

    class Reason(models.TextChoices):
        AGE = "age", _("advanced age")
        DISABILITY = "disability", _("disability")
        ILLNESS = "illness", _("serious illness")
        OTHER = "other", _("other")

    class Outcome(models.TextChoices):
        PLANNED = "planned", _("planned")
        DONE = "done", _("done")
        ABSENT = "absent", _("resident absent — to reschedule")
        IMPOSSIBLE = "impossible", _("not possible")

    request = models.ForeignKey(
        ServiceRequest,
        on_delete=models.CASCADE,
        related_name="home_visits",
        verbose_name=_("service request"),
    )
    starts_at = models.DateTimeField(_("from"))
    ends_at = models.DateTimeField(_("until"))
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="home_visits",
        verbose_name=_("staff"),
    )
    reason = models.CharField(_("reason"), max_length=12, choices=Reason.choices)
    outcome = models.CharField(
        _("outcome"), max_length=12, choices=Outcome.choices, default=Outcome.PLANNED
    )
    outcome_note = models.CharField(_("outcome note"), max_length=300, blank=True)
    recorded_at = models.DateTimeField(_("outcome recorded"), null=True, blank=True)

    class Meta:
        verbose_name = _("home visit")
        verbose_name_plural = _("home visits")
        ordering = ["starts_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")),
                name="visit_window_positive",
            ),
            # huagang.dates: the actions keep dates in a far narrower window.
            models.CheckConstraint(
                condition=Q(
                    starts_at__gte=DB_FIRST_MOMENT,
                    starts_at__lt=DB_END_MOMENT,
                    ends_at__gte=DB_FIRST_MOMENT,
                    ends_at__lt=DB_END_MOMENT,
                ),
                name="visit_dates_in_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.request} {timezone.localtime(self.starts_at):%Y-%m-%d %H:%M}"
