"""Village affairs in public (党务、村务、财务公开): what a village publishes, by category
and period, drafted by its clerk and approved by an official before anyone else sees it.

The models only: who may see or do what is ``services.access`` (the one access rule),
the writes are ``services.actions.disclosures``, the reads
``services.selectors.disclosures``. The allowed status changes and who makes each are
``TRANSITIONS`` below (pure data, tested exhaustively).
"""

import datetime as dt

from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .choices import Role
from .models import User, Village


class DisclosureCategory(models.TextChoices):
    PARTY = "party", _("party affairs (党务公开)")
    VILLAGE = "village", _("village affairs (村务公开)")
    FINANCE = "finance", _("finances (财务公开)")


class PeriodKind(models.TextChoices):
    MONTH = "month", _("month")
    QUARTER = "quarter", _("quarter")


class DisclosureStatus(models.TextChoices):
    DRAFT = "draft", _("draft")
    SUBMITTED = "submitted", _("awaiting approval")
    APPROVED = "approved", _("published")
    RETURNED = "returned", _("returned for changes")


# (from, to) → the one role that makes the change. A village clerk submits their own
# village's draft (or a returned one, once corrected); an official approves or returns
# it with a reason. Nothing leaves APPROVED: a correction is a new disclosure.
TRANSITIONS: dict[tuple[str, str], Role] = {
    (DisclosureStatus.DRAFT, DisclosureStatus.SUBMITTED): Role.VILLAGE_CLERK,
    (DisclosureStatus.RETURNED, DisclosureStatus.SUBMITTED): Role.VILLAGE_CLERK,
    (DisclosureStatus.SUBMITTED, DisclosureStatus.APPROVED): Role.OFFICIAL,
    (DisclosureStatus.SUBMITTED, DisclosureStatus.RETURNED): Role.OFFICIAL,
}
# Where the clerk may still change the text and the files.
EDITABLE = frozenset({DisclosureStatus.DRAFT, DisclosureStatus.RETURNED})


def quarter_of(month: int) -> int:
    return (month - 1) // 3 + 1


def quarter_months(quarter: int) -> range:
    return range(3 * quarter - 2, 3 * quarter + 1)


def last_ended_quarter(today: dt.date) -> tuple[int, int]:
    """(year, quarter) of the latest quarter that has ended by `today`."""
    quarter = quarter_of(today.month) - 1
    return (today.year, quarter) if quarter else (today.year - 1, 4)


class Disclosure(models.Model):
    """One published (or to be published) item of a village: a category, a period
    (a month or a quarter of a year), a title, the text and PDF files."""

    village = models.ForeignKey(
        Village,
        on_delete=models.PROTECT,
        related_name="disclosures",
        verbose_name=_("village"),
    )
    category = models.CharField(
        _("category"), max_length=10, choices=DisclosureCategory.choices
    )
    year = models.PositiveSmallIntegerField(_("year"))
    period_kind = models.CharField(
        _("period"), max_length=10, choices=PeriodKind.choices
    )
    period = models.PositiveSmallIntegerField(
        _("month or quarter"), help_text=_("1–12 for a month, 1–4 for a quarter.")
    )
    title = models.CharField(_("title"), max_length=100)
    body = models.TextField(_("text"), blank=True)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=DisclosureStatus.choices,
        default=DisclosureStatus.DRAFT,
    )
    return_reason = models.TextField(_("reason for returning"), blank=True)
    created_by = models.ForeignKey(
        User,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("drafted by"),
    )
    created_at = models.DateTimeField(_("drafted"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    approved_by = models.ForeignKey(
        User,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("approved by"),
    )
    approved_at = models.DateTimeField(_("published"), null=True, blank=True)

    class Meta:
        verbose_name = _("village disclosure")
        verbose_name_plural = _("village disclosures (党务村务财务公开)")
        ordering = ["-year", "-period_kind", "-period", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(year__gte=2000, year__lte=2100),
                name="disclosure_year_range",
            ),
            models.CheckConstraint(
                condition=(Q(period_kind="month", period__gte=1, period__lte=12))
                | Q(period_kind="quarter", period__gte=1, period__lte=4),
                name="disclosure_period_in_range",
                violation_error_message=_("A month is 1 to 12, a quarter 1 to 4."),
            ),
            models.CheckConstraint(
                condition=Q(status="approved", approved_at__isnull=False)
                | (~Q(status="approved") & Q(approved_at__isnull=True)),
                name="disclosure_approved_has_time",
            ),
        ]
        indexes = [
            models.Index(
                fields=["village", "status", "year"], name="disclosure_village_year"
            ),
            models.Index(fields=["status", "year"], name="disclosure_status_year"),
        ]

    def __str__(self) -> str:
        return f"{self.village} {self.period_label} {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("staff:disclosure", args=[self.pk])

    @property
    def quarter(self) -> int:
        """The quarter the period falls in."""
        if self.period_kind == PeriodKind.QUARTER:
            return self.period
        return quarter_of(self.period)

    @property
    def period_label(self) -> str:
        if self.period_kind == PeriodKind.MONTH:
            return _("%(year)d, month %(n)d") % {"year": self.year, "n": self.period}
        return _("%(year)d, quarter %(n)d") % {"year": self.year, "n": self.period}

    @property
    def is_published(self) -> bool:
        return self.status == DisclosureStatus.APPROVED

    @property
    def is_editable(self) -> bool:
        return self.status in EDITABLE


class DisclosureFile(models.Model):
    """A PDF of a disclosure. Never served from MEDIA_URL: until the disclosure is
    approved only its village's clerk and officials may open it
    (``services.views.affairs.disclosure_file``)."""

    disclosure = models.ForeignKey(
        Disclosure,
        on_delete=models.CASCADE,
        related_name="files",
        verbose_name=_("disclosure"),
    )
    file = models.FileField(_("file"), upload_to="disclosures/%Y/")
    download_name = models.CharField(_("file name"), max_length=150)
    size = models.PositiveIntegerField(_("size (bytes)"))
    uploaded_at = models.DateTimeField(_("uploaded"), default=timezone.now)

    class Meta:
        verbose_name = _("disclosure PDF")
        verbose_name_plural = _("disclosure PDFs")
        ordering = ["uploaded_at", "pk"]

    def __str__(self) -> str:
        return self.download_name

    def get_absolute_url(self) -> str:
        return reverse("villages:disclosure_file", args=[self.pk])


class DisclosureEvent(models.Model):
    """A status change of a disclosure (append-only): who, from, to, when, why."""

    disclosure = models.ForeignKey(
        Disclosure,
        on_delete=models.CASCADE,
        related_name="events",
        verbose_name=_("disclosure"),
    )
    from_status = models.CharField(
        _("from"), max_length=10, choices=DisclosureStatus.choices
    )
    to_status = models.CharField(
        _("to"), max_length=10, choices=DisclosureStatus.choices
    )
    actor = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="+", verbose_name=_("who")
    )
    actor_role = models.CharField(_("acting as"), max_length=20, choices=Role.choices)
    note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(_("when"), default=timezone.now)

    class Meta:
        verbose_name = _("disclosure event")
        verbose_name_plural = _("disclosure events")
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.get_from_status_display()} → {self.get_to_status_display()}"
