"""The town, its 30 villages and communities, their service sub-centers, and people.

The user model lives here because a clerk belongs to a village's sub-center; a town-center
clerk's bodies are recorded on ``services.Body`` (services depends on villages, never
the other way round).
"""

from django.contrib.auth.models import (
    AbstractBaseUser,
    BaseUserManager,
    PermissionsMixin,
)
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .choices import Role
from .validators import mask_mobile, validate_mobile, validate_weekdays


class Town(models.Model):
    """The town itself: the facts the seed article gives, shown on the home page."""

    code = models.CharField(_("division code"), max_length=12, unique=True)
    name = models.CharField(_("name"), max_length=50)
    county = models.CharField(_("county"), max_length=50)
    area_km2 = models.DecimalField(_("area (km²)"), max_digits=7, decimal_places=1)
    population = models.PositiveIntegerField(_("population"))
    population_year = models.PositiveSmallIntegerField(
        _("population as of (year)"),
        null=True,
        blank=True,
        help_text=_("The year the population figure describes, e.g. 2017."),
    )
    village_group_count = models.PositiveIntegerField(_("village groups"))
    source_note = models.CharField(_("source"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("town")
        verbose_name_plural = _("town")

    def __str__(self) -> str:
        return self.name


class Village(models.Model):
    class Kind(models.TextChoices):
        VILLAGE = "village", _("village (村)")
        COMMUNITY = "community", _("community (社区)")

    code = models.CharField(
        _("division code"),
        max_length=12,
        unique=True,
        help_text=_("12-digit statistical division code."),
    )
    name = models.CharField(_("name"), max_length=30, unique=True)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    committee_name = models.CharField(_("committee"), max_length=50)
    group_count = models.PositiveIntegerField(
        _("village groups"),
        null=True,
        blank=True,
        help_text=_("Number of village groups; unknown until officials enter it."),
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("village or community")
        verbose_name_plural = _("villages and communities")
        ordering = ["order", "code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(code__regex=r"^[0-9]{12}$"), name="village_code_12_digits"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("villages:detail", kwargs={"code": self.code})


class ServiceWindow(models.Model):
    """A kind of window a sub-center runs, such as 社保, 计生 or 民政."""

    code = models.SlugField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=30, unique=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("service window")
        verbose_name_plural = _("service windows")
        ordering = ["order", "code"]

    def __str__(self) -> str:
        return self.name


class SubCenter(models.Model):
    """A village's service sub-center (为民服务分中心)."""

    village = models.OneToOneField(
        Village,
        on_delete=models.CASCADE,
        related_name="sub_center",
        verbose_name=_("village"),
    )
    name = models.CharField(_("name"), max_length=60)
    address = models.CharField(_("address"), max_length=200)
    phone = models.CharField(_("phone"), max_length=30)
    hours = models.CharField(_("opening hours"), max_length=200)
    windows = models.ManyToManyField(
        ServiceWindow, blank=True, related_name="sub_centers", verbose_name=_("windows")
    )
    trip_weekdays = models.JSONField(
        _("agency trip weekdays"),
        default=list,
        blank=True,
        validators=[validate_weekdays],
        help_text=_(
            "ISO weekdays (1 = Monday … 7 = Sunday) on which scheduled-agency cases "
            "are carried to the town center, e.g. [2, 5]."
        ),
    )
    is_demo = models.BooleanField(
        _("demo data"),
        default=True,
        help_text=_(
            "Address, phone and hours are demo values until officials confirm."
        ),
    )

    class Meta:
        verbose_name = _("service sub-center")
        verbose_name_plural = _("service sub-centers")
        ordering = ["village__order", "village__code"]

    def __str__(self) -> str:
        return self.name


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, phone: str, password: str | None = None, **extra) -> "User":
        user = self.model(phone=phone, **extra)
        user.set_password(password)
        user.full_clean(exclude=["password"])
        user.save(using=self._db)
        return user

    def create_superuser(
        self, phone: str, password: str | None = None, **extra
    ) -> "User":
        extra.setdefault("role", Role.OFFICIAL)
        extra.update(is_staff=True, is_superuser=True)
        return self.create_user(phone, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """Anyone who signs in: residents with their mobile number, staff and officials.

    The role says what a person does; Django groups (see ``villages.roles``) carry the
    matching permissions. A village clerk serves exactly one village's sub-center.
    """

    Role = Role  # the one role enum (villages.choices), reachable as User.Role

    phone = models.CharField(
        _("mobile number"), max_length=11, unique=True, validators=[validate_mobile]
    )
    name = models.CharField(_("name"), max_length=50, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    role = models.CharField(
        _("role"), max_length=20, choices=Role.choices, default=Role.RESIDENT
    )
    village = models.ForeignKey(
        Village,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="clerks",
        verbose_name=_("village served"),
        help_text=_("Required for a village clerk; empty for everyone else."),
    )
    is_staff = models.BooleanField(
        _("may use the admin"),
        default=False,
        help_text=_("Whether this person can sign in to the admin site."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)
    phone_verified_at = models.DateTimeField(
        _("mobile number verified"),
        null=True,
        blank=True,
        help_text=_(
            "When this person proved the number with a code sent to it. Only then are "
            "requests entered for this number theirs too."
        ),
    )

    objects = UserManager()

    USERNAME_FIELD = "phone"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.CheckConstraint(
                condition=(Q(role=Role.VILLAGE_CLERK, village__isnull=False))
                | (~Q(role=Role.VILLAGE_CLERK) & Q(village__isnull=True)),
                name="user_village_only_for_village_clerks",
                violation_error_message=_(
                    "A village clerk must serve one village; other roles serve none."
                ),
            ),
        ]

    def __str__(self) -> str:
        return self.name or self.masked_phone

    @property
    def masked_phone(self) -> str:
        return mask_mobile(self.phone)

    @property
    def is_grid_worker(self) -> bool:
        """A grid worker (网格员): the workbench, not the admin (the header's link)."""
        return self.role == Role.GRID_WORKER

    def get_full_name(self) -> str:
        return self.name

    def get_short_name(self) -> str:
        return self.name


class Grid(models.Model):
    """A grid (网格) of a village: a few village groups (村民组) and their households,
    served by a grid worker (网格员) who knows them by name (以户为单位).

    The worker is an account with the grid-worker role (``worker``), who then sees
    the grid's requests on the workbench; until one is linked, ``worker_name`` and
    ``worker_phone`` say who it is (demo values in ``data/grids.yaml``).
    """

    village = models.ForeignKey(
        Village,
        on_delete=models.CASCADE,
        related_name="grids",
        verbose_name=_("village"),
    )
    number = models.PositiveSmallIntegerField(
        _("number"), help_text=_("The grid's number within its village (1, 2, …).")
    )
    name = models.CharField(_("name"), max_length=50)
    worker = models.ForeignKey(
        "User",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="grids",
        limit_choices_to={"role": Role.GRID_WORKER},
        verbose_name=_("grid worker's account"),
        help_text=_(
            "An account with the grid-worker role: it sees this grid's requests."
        ),
    )
    worker_name = models.CharField(_("grid worker"), max_length=50, blank=True)
    worker_phone = models.CharField(_("grid worker's phone"), max_length=20, blank=True)
    is_demo = models.BooleanField(
        _("demo data"),
        default=True,
        help_text=_("Names, groups and households are demo values until confirmed."),
    )

    class Meta:
        verbose_name = _("grid")
        verbose_name_plural = _("grids")
        ordering = ["village__order", "village__code", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["village", "number"], name="grid_number_unique_in_village"
            ),
            models.CheckConstraint(
                condition=Q(number__gte=1), name="grid_number_from_1"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.village.name} {self.name}"

    def clean(self) -> None:
        super().clean()
        if self.worker is not None and self.worker.role != Role.GRID_WORKER:
            raise ValidationError(
                {
                    "worker": _(
                        "Only an account with the grid-worker role serves a grid."
                    )
                }
            )

    @property
    def worker_label(self) -> str:
        """Who serves the grid, as a page names them: the account's name, else the
        recorded name (no query if ``worker`` was selected with the grid)."""
        if self.worker is not None:
            return self.worker.name or self.worker.masked_phone
        return self.worker_name

    @property
    def worker_masked_phone(self) -> str:
        phone = self.worker.phone if self.worker is not None else self.worker_phone
        digits = phone.replace("-", "")
        if digits.isdigit() and len(digits) == 11 and digits.startswith("1"):
            return mask_mobile(digits)
        return phone


class VillageGroup(models.Model):
    """A village group (村民组) with its households; the town has 964 of them."""

    village = models.ForeignKey(
        Village,
        on_delete=models.CASCADE,
        related_name="village_groups",
        verbose_name=_("village"),
    )
    name = models.CharField(_("name"), max_length=30)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    households = models.PositiveIntegerField(_("households"))
    grid = models.ForeignKey(
        Grid,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="village_groups",
        verbose_name=_("grid"),
        help_text=_("The grid of the same village that covers this group."),
    )
    is_demo = models.BooleanField(_("demo data"), default=True)

    class Meta:
        verbose_name = _("village group")
        verbose_name_plural = _("village groups")
        ordering = ["village__order", "village__code", "order", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["village", "name"], name="village_group_name_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.village.name} {self.name}"

    def clean(self) -> None:
        super().clean()
        if (
            self.grid_id is not None
            and self.village_id is not None
            and self.grid.village_id != self.village_id
        ):
            raise ValidationError(
                {"grid": _("A group belongs to a grid of its own village.")}
            )


class VillageLiaison(models.Model):
    """A town official assigned to a village (分片包联): the account when linked, else
    the recorded name (demo values in ``data/grids.yaml``)."""

    village = models.ForeignKey(
        Village,
        on_delete=models.CASCADE,
        related_name="liaisons",
        verbose_name=_("village"),
    )
    account = models.ForeignKey(
        "User",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="liaison_villages",
        limit_choices_to={"role": Role.OFFICIAL},
        verbose_name=_("official's account"),
    )
    name = models.CharField(_("name"), max_length=50)
    title = models.CharField(_("position"), max_length=50, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)
    is_demo = models.BooleanField(_("demo data"), default=True)

    class Meta:
        verbose_name = _("town official assigned (分片包联)")
        verbose_name_plural = _("town officials assigned (分片包联)")
        ordering = ["village__order", "village__code", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["village", "name"], name="liaison_name_unique_in_village"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.village.name} {self.name}"

    def clean(self) -> None:
        super().clean()
        if self.account is not None and self.account.role != Role.OFFICIAL:
            raise ValidationError(
                {"account": _("Only an official is assigned to a village.")}
            )

    @property
    def display_name(self) -> str:
        """The official's name: the account's when linked, else the recorded one."""
        if self.account is not None and self.account.name:
            return self.account.name
        return self.name


class VerificationCode(models.Model):
    """A six-digit code sent by SMS to prove a mobile number (stored as an HMAC only).

    Only the newest code of a number and purpose counts; it expires, is used once, and
    dies after a few wrong guesses (``villages.verification``).
    """

    class Purpose(models.TextChoices):
        REGISTER = "register", _("registration")
        PASSWORD_RESET = "reset", _("password reset")
        QUESTION = "question", _("question without an account")

    # The outbox key of a message carrying a code: staff screens mask its digits.
    MESSAGE_KEY_PREFIX = "verification-code:"

    phone = models.CharField(
        _("mobile number"), max_length=11, validators=[validate_mobile]
    )
    purpose = models.CharField(_("purpose"), max_length=10, choices=Purpose.choices)
    code_hash = models.CharField(_("code (HMAC)"), max_length=64)
    created_at = models.DateTimeField(_("sent"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires"))
    used_at = models.DateTimeField(_("used"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("wrong attempts"), default=0)

    class Meta:
        verbose_name = _("verification code")
        verbose_name_plural = _("verification codes")
        indexes = [
            models.Index(
                fields=["phone", "purpose", "created_at"], name="code_phone_purpose"
            )
        ]

    def __str__(self) -> str:
        return f"{mask_mobile(self.phone)} {self.get_purpose_display()}"


class _AppendOnly(models.QuerySet):
    def update(self, **kwargs):
        raise TypeError("Access records are append-only.")

    def delete(self):
        raise TypeError("Access records are append-only.")


class AccessRecord(models.Model):
    """The record of reads: who saw or took residents' personal data, and who changed
    a staff member's password or role. Append-only: officials read it, nobody edits it
    (``villages.actions.access_record`` writes it). It never holds the data itself:
    the subject is a tracking number or a masked name, a search term is masked."""

    class Kind(models.TextChoices):
        REVEAL_ID = "reveal_id", _("revealed an ID number")
        REVEAL_PHONE = "reveal_phone", _("revealed a phone number")
        DOWNLOAD = "download", _("opened a material")
        SEARCH = "search", _("searched by name or phone")
        EXPORT = "export", _("exported personal data")
        PASSWORD_RESET = "password", _("reset a staff member's password")
        ROLE_CHANGE = "role", _("changed a staff member's role")

    actor = models.ForeignKey(
        User,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("who"),
    )
    actor_role = models.CharField(
        _("acting as"), max_length=20, choices=Role.choices, blank=True
    )
    kind = models.CharField(_("what"), max_length=12, choices=Kind.choices)
    subject = models.CharField(
        _("whose data"),
        max_length=100,
        blank=True,
        help_text=_("A tracking number, a staff member, or a list's filter."),
    )
    detail = models.CharField(_("detail"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("when"), default=timezone.now)

    objects = _AppendOnly.as_manager()

    class Meta:
        verbose_name = _("access record")
        verbose_name_plural = _("record of reads")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["actor", "created_at"], name="access_actor_time"),
            models.Index(fields=["kind", "created_at"], name="access_kind_time"),
        ]

    def __str__(self) -> str:
        return f"{self.actor} {self.get_kind_display()} {self.subject}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise TypeError("Access records are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise TypeError("Access records are append-only.")


class ApiToken(models.Model):
    """A key another system (the county's platform, a mini program, a hotline desk)
    uses on the API and on Open311. It acts as its account, under that account's role
    and the one access rule: a token adds no permission of its own. Officials create
    and revoke tokens in the admin; the key is shown once and only its SHA-256 kept."""

    name = models.CharField(
        _("system name"),
        max_length=100,
        help_text=_("Which system uses this key, e.g. 县政务服务平台."),
    )
    account = models.ForeignKey(
        User,
        on_delete=models.PROTECT,
        related_name="api_tokens",
        verbose_name=_("acts as"),
    )
    prefix = models.CharField(_("key starts with"), max_length=8, editable=False)
    key_hash = models.CharField(
        _("key (SHA-256)"), max_length=64, unique=True, editable=False
    )
    created_by = models.ForeignKey(
        User,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        editable=False,
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(
        _("created"), default=timezone.now, editable=False
    )
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)
    revoked_at = models.DateTimeField(
        _("revoked"), null=True, blank=True, editable=False
    )
    last_used_at = models.DateTimeField(
        _("last used"), null=True, blank=True, editable=False
    )

    class Meta:
        verbose_name = _("API key")
        verbose_name_plural = _("API keys")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"


# Village affairs in public (党务、村务、财务公开), in their own module.
from .models_affairs import (  # noqa: E402
    Disclosure,
    DisclosureEvent,
    DisclosureFile,
)

__all__ = [
    "AccessRecord",
    "ApiToken",
    "Disclosure",
    "DisclosureEvent",
    "DisclosureFile",
    "ServiceWindow",
    "SubCenter",
    "Town",
    "User",
    "VerificationCode",
    "Village",
]
