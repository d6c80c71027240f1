"""The public-service catalog: categories, the town's bodies, items and their guides."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from villages.choices import Role

from ..choices import HandlingMode, Level


class Category(models.Model):
    code = models.SlugField(_("code"), max_length=40, unique=True)
    prefix = models.CharField(_("code prefix"), max_length=4, unique=True)
    name = models.CharField(_("name"), max_length=30, unique=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        ordering = ["order", "code"]

    def __str__(self) -> str:
        return self.name


class Body(models.Model):
    """One of the town's ten bodies ("一中心、两办、七局")."""

    class Kind(models.TextChoices):
        CENTER = "center", _("center")
        OFFICE = "office", _("office")
        BUREAU = "bureau", _("bureau")
        # Not one of the town's ten bodies: a county agency's office in the town.
        STATIONED = "stationed", _("county agency stationed in the town")

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=30, unique=True)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    is_demo = models.BooleanField(
        _("demo data"),
        default=False,
        help_text=_(
            "The name is not published; a placeholder until officials confirm."
        ),
    )
    note = models.CharField(_("note"), max_length=200, blank=True)
    clerks = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="bodies",
        verbose_name=_("town-center clerks"),
        limit_choices_to={"role": Role.TOWN_CLERK},
    )

    class Meta:
        verbose_name = _("body")
        verbose_name_plural = _("bodies")
        ordering = ["order", "code"]

    def __str__(self) -> str:
        return self.name


class ServiceItem(models.Model):
    """A catalog item with its complete service guide (服务指南)."""

    class ItemType(models.TextChoices):
        PUBLIC_SERVICE = "public_service", _("public service (公共服务)")
        CONFIRMATION = "confirmation", _("administrative confirmation (行政确认)")
        PAYMENT = "payment", _("administrative payment (行政给付)")
        LICENSE = "license", _("administrative license (行政许可)")
        REWARD = "reward", _("administrative reward (行政奖励)")
        FILING = "filing", _("administrative filing (行政备案)")
        ADJUDICATION = "adjudication", _("administrative adjudication (行政裁决)")
        OTHER_POWER = "other_power", _("other administrative power (其他行政权力)")

    class Source(models.TextChoices):
        VERIFIED = "verified", _("published government page")
        DEMO = "demo", _("demo data")

    code = models.CharField(_("item code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=100, unique=True)
    category = models.ForeignKey(
        Category,
        on_delete=models.PROTECT,
        related_name="items",
        verbose_name=_("category"),
    )
    body = models.ForeignKey(
        Body,
        on_delete=models.PROTECT,
        related_name="items",
        verbose_name=_("responsible body"),
    )
    item_type = models.CharField(
        _("item type"), max_length=20, choices=ItemType.choices
    )
    accept_level = models.CharField(
        _("accepted at"), max_length=10, choices=Level.choices
    )
    decide_level = models.CharField(
        _("decided at"), max_length=10, choices=Level.choices
    )
    decided_by = models.CharField(
        _("deciding body"),
        max_length=60,
        blank=True,
        help_text=_(
            "Where another level decides: that body, e.g. 肥西县民政局. The guide "
            "says who accepts and who decides in one sentence."
        ),
    )
    level_note = models.CharField(_("levels in detail"), max_length=300, blank=True)
    for_persons = models.BooleanField(_("natural persons may apply"), default=True)
    for_organizations = models.BooleanField(_("legal persons may apply"), default=False)
    keywords = models.CharField(
        _("keywords"),
        max_length=200,
        blank=True,
        help_text=_("Extra search words separated by spaces, e.g. 低保 社保卡."),
    )
    conditions = models.TextField(_("conditions for acceptance"))
    legal_basis = models.TextField(_("legal basis"))
    steps = models.JSONField(_("procedure steps"), default=list)
    promised_days = models.PositiveSmallIntegerField(
        _("promised time limit (working days)"),
        help_text=_("0 means done on the spot."),
    )
    statutory_days = models.PositiveSmallIntegerField(
        _("statutory time limit (working days)"), null=True, blank=True
    )
    statutory_note = models.CharField(
        _("statutory limit note"), max_length=200, blank=True
    )
    fee = models.CharField(_("fees"), max_length=300)
    place = models.CharField(_("place"), max_length=300)
    hours = models.CharField(_("hours"), max_length=200)
    inquiry_phone = models.CharField(_("phone for questions"), max_length=30)
    complaint_phone = models.CharField(_("phone for complaints"), max_length=30)
    contact_is_demo = models.BooleanField(
        _("place, hours and phones are demo data"),
        default=True,
        help_text=_(
            "The guide marks each of them 示例数据 until the town confirms them."
        ),
    )
    visits = models.PositiveSmallIntegerField(_("visits needed"))
    online = models.BooleanField(_("available online"), default=False)
    delivery = models.CharField(_("how results are delivered"), max_length=200)
    allows_instant = models.BooleanField(HandlingMode.INSTANT.label, default=False)
    allows_agency = models.BooleanField(HandlingMode.AGENCY.label, default=False)
    allows_home = models.BooleanField(HandlingMode.HOME.label, default=False)
    in_person = models.BooleanField(
        _("in person at the window"),
        default=False,
        help_text=_(
            "Handled only in person at the window named in the place (the police "
            "station, a school), not on the spot and not through the village."
        ),
    )
    no_materials_note = models.CharField(
        _("note when no materials"), max_length=200, blank=True
    )
    faq = models.JSONField(_("frequently asked questions"), default=list, blank=True)
    source = models.CharField(_("source"), max_length=10, choices=Source.choices)
    source_title = models.CharField(_("source title"), max_length=300, blank=True)
    source_url = models.URLField(_("source address"), max_length=500, blank=True)
    source_note = models.CharField(_("source note"), max_length=300, blank=True)
    corrections = models.JSONField(
        _("basis and corrections"),
        default=list,
        blank=True,
        help_text=_(
            "What was corrected in this guide and on what basis: a list of "
            "{what, basis, source}; the guide shows it in a note."
        ),
    )
    is_active = models.BooleanField(_("published"), default=True)
    retired_into = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="retired_items",
        verbose_name=_("merged into"),
        help_text=_(
            "A retired item: merged into this one. It is hidden from the catalog, "
            "search, applications and the API, and still shown on old requests."
        ),
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("service item")
        verbose_name_plural = _("service items")
        ordering = ["category__order", "code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(allows_instant=True)
                | Q(allows_agency=True)
                | Q(allows_home=True)
                | Q(in_person=True),
                name="item_allows_at_least_one_mode",
                violation_error_message=_(
                    "An item must allow at least one handling mode, or be handled in "
                    "person at the window."
                ),
            ),
            models.CheckConstraint(
                condition=Q(visits__lte=2), name="item_visits_at_most_two"
            ),
            models.CheckConstraint(
                condition=Q(for_persons=True) | Q(for_organizations=True),
                name="item_has_applicants",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    def get_absolute_url(self) -> str:
        return reverse("services:detail", kwargs={"code": self.code})

    @property
    def modes(self) -> list[HandlingMode]:
        flags = {
            HandlingMode.INSTANT: self.allows_instant,
            HandlingMode.AGENCY: self.allows_agency,
            HandlingMode.HOME: self.allows_home,
        }
        return [mode for mode, allowed in flags.items() if allowed]

    def allows(self, mode: str) -> bool:
        return mode in self.modes

    @property
    def is_instant(self) -> bool:
        """即办件: done the same working day."""
        return self.promised_days == 0

    @property
    def is_demo(self) -> bool:
        return self.source == self.Source.DEMO

    @property
    def is_retired(self) -> bool:
        """Merged into another item: kept only for the requests that name it."""
        return self.retired_into_id is not None


class Material(models.Model):
    """One material an applicant hands in for an item (申请材料)."""

    item = models.ForeignKey(
        ServiceItem,
        on_delete=models.CASCADE,
        related_name="materials",
        verbose_name=_("service item"),
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    name = models.CharField(_("name"), max_length=200)
    key = models.CharField(
        _("key"),
        max_length=200,
        blank=True,
        help_text=_(
            "Identifies the material within its item across data loads, so that "
            "uploads keep their material; the data files default it to the name."
        ),
    )
    required = models.BooleanField(_("required"), default=True)
    copies = models.PositiveSmallIntegerField(_("copies"), default=1)
    original = models.BooleanField(_("original"), default=True)
    source = models.CharField(_("where it comes from"), max_length=100, blank=True)
    check_points = models.CharField(_("what is checked"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("material")
        verbose_name_plural = _("materials")
        ordering = ["item", "order"]
        constraints = [
            models.UniqueConstraint(
                fields=["item", "order"], name="material_unique_order"
            ),
            models.UniqueConstraint(
                fields=["item", "key"],
                condition=~Q(key=""),
                name="material_unique_key",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def original_only(self) -> bool:
        """No copy is handed in (copies 0): the original is shown and handed back."""
        return self.copies == 0


class CatalogVersion(models.Model):
    """One row whose token changes with every write to a table the public pages show.

    Database triggers (``services.caching.install_catalog_triggers``, run after every
    ``migrate``) set a new random token in the same transaction as the write, whatever
    made it: the admin, ``load_town_data``, a queryset ``update()``, raw SQL. Cached
    fragments of the public pages are keyed by it, so none outlives a change.
    """

    token = models.CharField(_("token"), max_length=32)

    class Meta:
        verbose_name = _("catalog version")
        verbose_name_plural = _("catalog versions")

    def __str__(self) -> str:
        return self.token
