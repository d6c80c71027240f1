"""The register of powers the county's departments delegated to the town (县级下放事项).

The seed article gives the totals only (2015: 14 county departments signed letters of
delegation covering 37 powers); the list itself is not published. Every row says
whether it is real (checked against a published document) or demo data.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from .catalog import ServiceItem


class CountyDepartment(models.Model):
    """A department of Feixi county that delegated powers to the town."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=50, unique=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    is_demo = models.BooleanField(
        _("demo data"),
        default=True,
        help_text=_("Not confirmed from a published document."),
    )

    class Meta:
        verbose_name = _("county department")
        verbose_name_plural = _("county departments")
        ordering = ["order", "code"]

    def __str__(self) -> str:
        return self.name


class DelegatedPower(models.Model):
    """A power a county department delegated to the town, and what the town now does."""

    class Kind(models.TextChoices):
        LICENSE = "license", _("administrative license (行政许可)")
        PENALTY = "penalty", _("administrative penalty (行政处罚)")
        ENFORCEMENT = "enforcement", _("administrative enforcement (行政强制)")
        INSPECTION = "inspection", _("administrative inspection (行政检查)")
        CONFIRMATION = "confirmation", _("administrative confirmation (行政确认)")
        PAYMENT = "payment", _("administrative payment (行政给付)")
        OTHER = "other", _("other administrative power (其他行政权力)")

    code = models.SlugField(_("code"), max_length=40, unique=True)
    department = models.ForeignKey(
        CountyDepartment,
        on_delete=models.PROTECT,
        related_name="powers",
        verbose_name=_("county department"),
    )
    name = models.CharField(_("name"), max_length=150)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    legal_basis = models.TextField(_("legal basis"))
    delegated_on = models.DateField(_("date delegated"), null=True, blank=True)
    town_role = models.TextField(
        _("what the town now does"),
        help_text=_("E.g. accepts and decides; or accepts, checks and forwards."),
    )
    items = models.ManyToManyField(
        ServiceItem,
        blank=True,
        related_name="delegated_powers",
        verbose_name=_("catalog items it concerns"),
    )
    is_demo = models.BooleanField(
        _("demo data"),
        default=True,
        help_text=_(
            "Invented to show how the register works: the real list is not published."
        ),
    )
    source_note = models.CharField(_("source"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("delegated power")
        verbose_name_plural = _("delegated powers (县级下放事项)")
        ordering = ["department__order", "department__code", "code"]

    def __str__(self) -> str:
        return self.name
