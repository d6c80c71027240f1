"""A resident's service request, its timeline, materials, trips, visits and rating."""

import datetime as dt
import re
import unicodedata
from pathlib import PurePosixPath

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from huagang.crypto import EncryptedTextField, lookup_hash
from villages.choices import Role
from villages.models import Village
from villages.validators import (
    mask_id_number,
    mask_mobile,
    validate_mobile,
    validate_weekdays,
)

from .. import workflow
from ..choices import HandlingMode, Status
from .catalog import Material, ServiceItem


class Channel(models.TextChoices):
    ONLINE = "online", _("online")
    WINDOW = "window", _("at a window")
    PHONE = "phone", _("by phone")
    CLERK = "clerk", _("entered by a clerk for the resident")
    API = "api", _("through another system (API)")
    GRID = "grid", _("by the grid worker for the household")  # 网格员代办


class VisitTime(models.TextChoices):
    """When in the day a resident asking for a home visit (上门特办) is at home."""

    MORNING = "morning", _("mornings")
    AFTERNOON = "afternoon", _("afternoons")
    ANY = "any", _("any time of day")


class Delivery(models.TextChoices):
    """How a 定时代办 result reached the resident once it was back at the village."""

    IN_PERSON = "in_person", _("handed to the resident in person")
    POST = "post", _("sent by post")
    COLLECTED = "collected", _("collected at the sub-center")


class DueState(models.TextChoices):
    """The 黄牌/红牌 state the sweep last saw; drives reminders, not the rules."""

    NONE = "", _("not running")
    ON_TIME = "on_time", _("on time")
    DUE_SOON = "due_soon", _("due soon")
    OVERDUE = "overdue", _("overdue")
    UNKNOWN = "unknown", _("calendar unknown")


# Lists ordered by due date put the requests without one (not accepted yet, or the
# calendar's year unknown) after every dated one: they sort by this day instead.
NO_DUE_DATE = dt.date(9999, 12, 31)


class ServiceRequest(models.Model):
    tracking_number = models.CharField(_("tracking number"), max_length=20, unique=True)
    item = models.ForeignKey(
        ServiceItem,
        on_delete=models.PROTECT,
        related_name="requests",
        verbose_name=_("service item"),
    )
    village = models.ForeignKey(
        Village,
        on_delete=models.PROTECT,
        related_name="service_requests",
        verbose_name=_("village"),
        help_text=_("The sub-center where the request is handled."),
    )
    # The grid (网格) of the household, when its grid worker entered the request
    # (services.actions.entry): the grid worker then follows it. Other entries and
    # online applications have none (an address does not say the grid reliably).
    grid = models.ForeignKey(
        "villages.Grid",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="service_requests",
        verbose_name=_("grid"),
    )
    mode = models.CharField(
        _("handling mode"), max_length=10, choices=HandlingMode.choices
    )
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.SUBMITTED
    )
    version = models.PositiveIntegerField(_("version"), default=1)
    # A form's one-time key: a double-click, a retry or two tabs posting the same form
    # find the request the first post made instead of making a second.
    submission_key = models.UUIDField(
        _("submission key"), null=True, blank=True, unique=True, editable=False
    )

    applicant_name = models.CharField(_("applicant"), max_length=50)
    applicant_phone = models.CharField(
        _("applicant's mobile"), max_length=11, validators=[validate_mobile]
    )
    # Encrypted at rest (huagang/crypto.py); found by its keyed hash, set on save.
    applicant_id_number = EncryptedTextField(_("ID number"), max_length=18, blank=True)
    applicant_id_hash = models.CharField(
        _("ID number's keyed hash"),
        max_length=64,
        blank=True,
        db_index=True,
        editable=False,
    )
    applicant_address = models.CharField(
        _("address or village group"), max_length=200, blank=True
    )
    account = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="service_requests",
        verbose_name=_("resident's account"),
    )
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("entered by"),
    )
    description = models.TextField(_("description"), blank=True)
    # A resident applying online agrees to the use of their data for this case, under
    # the privacy notice version they were shown (huagang.privacy); a clerk's entry
    # in the workbench records the resident's consent the same way (the admin's
    # entry form leaves both empty).
    consent_at = models.DateTimeField(
        _("consent to data use given"), null=True, blank=True
    )
    privacy_notice_version = models.CharField(
        _("privacy notice version"), max_length=20, blank=True
    )
    # 上门特办: when the resident is at home (ISO weekdays, 1 = Monday).
    visit_weekdays = models.JSONField(
        _("preferred visit days"),
        default=list,
        blank=True,
        validators=[validate_weekdays],
    )
    visit_time = models.CharField(
        _("preferred visit time"), max_length=10, choices=VisitTime.choices, blank=True
    )
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assigned_requests",
        verbose_name=_("assigned clerk"),
    )

    submitted_at = models.DateTimeField(_("submitted"), default=timezone.now)
    accepted_at = models.DateTimeField(_("accepted"), null=True, blank=True)
    clock_started_on = models.DateField(
        _("clock (re)started on"),
        null=True,
        blank=True,
        help_text=_("The day of acceptance, or of resuming after a supplement."),
    )
    due_date = models.DateField(_("due date"), null=True, blank=True)
    paused_days_left = models.PositiveSmallIntegerField(
        _("working days left when paused"), null=True, blank=True
    )
    due_state = models.CharField(
        _("due state"), max_length=10, choices=DueState.choices, default="", blank=True
    )
    due_note = models.CharField(_("time-limit note"), max_length=200, blank=True)
    completed_at = models.DateTimeField(_("completed"), null=True, blank=True)
    result_note = models.TextField(_("result"), blank=True)
    # 定时代办 at the town center: the town recorded its decision and result (in
    # result_note), and the case waits for the village's next trip back.
    town_decided_at = models.DateTimeField(
        _("town's decision recorded"), null=True, blank=True
    )
    delivered_how = models.CharField(
        _("result delivered"), max_length=10, choices=Delivery.choices, blank=True
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("service request")
        verbose_name_plural = _("service requests")
        ordering = ["-submitted_at", "-id"]
        indexes = [
            # The officials' list and every "newest first" page: a page is read from
            # the index instead of sorting the whole table.
            models.Index(
                models.F("submitted_at").desc(),
                models.F("id").desc(),
                name="request_newest_first",
            ),
            models.Index(fields=["village", "status"], name="request_village_status"),
            models.Index(fields=["status", "due_date"], name="request_status_due"),
            models.Index(fields=["applicant_phone"], name="request_applicant_phone"),
            # Searching by an applicant's name matches from its start (LIKE '张%'):
            # the pattern operator class lets PostgreSQL use the index whatever the
            # database's collation (ignored elsewhere).
            models.Index(
                fields=["applicant_name"],
                opclasses=["varchar_pattern_ops"],
                name="request_applicant_name_prefix",
            ),
            # The running requests without a due date (its calendar year is unknown):
            # the admin's warning and its "calendar unknown" filter read these few
            # rows, newest first, instead of the table (the planner cannot tell how
            # few they are from the two columns' separate statistics).
            models.Index(
                models.F("submitted_at").desc(),
                models.F("id").desc(),
                condition=Q(
                    status__in=sorted(s.value for s in workflow.CLOCK_RUNNING),
                    due_date__isnull=True,
                ),
                name="request_due_unknown",
            ),
            # The open cases of some items: a town-center clerk's queue and the cases
            # at the town (by the items of the bodies they serve), a few thousand
            # rows instead of each item's whole history.
            models.Index(
                fields=["item", "status"],
                condition=Q(status__in=sorted(workflow.OPEN)),
                name="request_open_item",
            ),
            # The dashboard's overdue list: running clocks, the longest overdue first.
            models.Index(
                fields=["due_date", "id"],
                condition=Q(status__in=sorted(workflow.CLOCK_RUNNING)),
                name="request_running_due",
            ),
            # The API's list (services/api/views/requests.py): a page is the next
            # rows of one of these, after the columns the caller's scope and filters
            # fix (a village clerk's village, a status), in the order asked for.
            models.Index(
                "village",
                models.F("submitted_at").desc(),
                models.F("id").desc(),
                name="request_village_newest",
            ),
            models.Index(
                "village",
                "status",
                models.F("submitted_at").desc(),
                models.F("id").desc(),
                name="request_village_status_new",
            ),
            models.Index(
                models.F("updated_at").desc(),
                models.F("id").desc(),
                name="request_recently_updated",
            ),
            models.Index(
                "village",
                models.F("updated_at").desc(),
                models.F("id").desc(),
                name="request_village_updated",
            ),
            # Ordered by due date, those without one last: the API's ordering
            # "due_date" sorts by this expression.
            models.Index(
                Coalesce("due_date", models.Value(NO_DUE_DATE)),
                "id",
                name="request_due_key",
            ),
            models.Index(
                "village",
                Coalesce("due_date", models.Value(NO_DUE_DATE)),
                "id",
                name="request_village_due_key",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="completed") | Q(completed_at__isnull=False),
                name="request_completed_has_time",
            ),
        ]

    def __str__(self) -> str:
        return self.tracking_number

    def save(self, *args, **kwargs):
        """Keep the ID number's keyed hash with it (saved with it when
        ``update_fields`` names it)."""
        self.applicant_id_hash = lookup_hash(self.applicant_id_number)
        fields = kwargs.get("update_fields")
        if fields is not None and "applicant_id_number" in fields:
            kwargs["update_fields"] = {*fields, "applicant_id_hash"}
        super().save(*args, **kwargs)

    @property
    def masked_phone(self) -> str:
        return mask_mobile(self.applicant_phone)

    @property
    def masked_id_number(self) -> str:
        return mask_id_number(self.applicant_id_number)


class EventKind(models.TextChoices):
    STATUS = "status", _("status change")
    NOTE = "note", _("note")
    TRIP = "trip", _("agency trip")
    VISIT = "visit", _("home visit")
    ATTACHMENT = "attachment", _("material uploaded")
    RATING = "rating", _("rating")
    FOLLOW_UP = "follow_up", _("poor-rating follow-up")
    TIME_LIMIT = "time_limit", _("time limit")
    DECISION = "decision", _("town's decision")


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise TypeError("Request events are append-only.")

    def delete(self):
        raise TypeError("Request events are append-only.")


class RequestEvent(models.Model):
    """One entry of a request's timeline. Append-only: never edited or deleted."""

    request = models.ForeignKey(
        ServiceRequest,
        on_delete=models.PROTECT,
        related_name="events",
        verbose_name=_("service request"),
    )
    kind = models.CharField(_("kind"), max_length=12, choices=EventKind.choices)
    from_status = models.CharField(
        _("from"), max_length=20, choices=Status.choices, blank=True
    )
    to_status = models.CharField(_("to"), max_length=20, choices=Status.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("actor"),
    )
    actor_role = models.CharField(
        _("acting as"),
        max_length=20,
        choices=Role.choices,
        blank=True,
        help_text=_("Empty for the system (periodic jobs)."),
    )
    note = models.TextField(_("note"), blank=True)
    is_public = models.BooleanField(
        _("shown to the resident"),
        default=True,
        help_text=_("Internal notes are seen by staff only."),
    )
    created_at = models.DateTimeField(_("time"), default=timezone.now)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        verbose_name = _("request event")
        verbose_name_plural = _("request timeline")
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["request", "created_at"], name="event_request")]

    def __str__(self) -> str:
        if self.from_status == self.to_status:
            return self.get_kind_display()
        source = self.get_from_status_display() if self.from_status else ""
        return f"{source} → {self.get_to_status_display()}".strip()

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise TypeError("Request events are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise TypeError("Request events are append-only.")


# Characters never kept in a download's name: quotes and those Windows or a shell
# reserve (folders are cut off first).
UNSAFE_IN_NAMES = frozenset("\"'`<>:*?|;$%")
# Other spellings of a stored extension (actions.attachments stores JPEGs as .jpg).
SAME_EXTENSIONS = {".jpg": (".jpeg", ".jpe", ".jfif")}


def _safe_char(char: str) -> str:
    """A character of a download's name as it is sent: controls and invisible
    formatting dropped, any kind of space a plain space, unsafe ones "_"."""
    kind = unicodedata.category(char)
    if kind.startswith("C"):
        return ""
    if kind.startswith("Z"):
        return " "
    return "_" if char in UNSAFE_IN_NAMES else char


class Attachment(models.Model):
    """A material uploaded for a request, checked by its content on upload."""

    request = models.ForeignKey(
        ServiceRequest,
        on_delete=models.CASCADE,
        related_name="attachments",
        verbose_name=_("service request"),
    )
    material = models.ForeignKey(
        Material,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("material"),
    )
    file = models.FileField(_("file"), upload_to="requests/%Y/%m/")
    original_name = models.CharField(_("original file name"), max_length=200)
    content_type = models.CharField(_("content type"), max_length=50)
    size = models.PositiveIntegerField(_("size (bytes)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    uploaded_at = models.DateTimeField(_("uploaded"), default=timezone.now)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["uploaded_at"]

    def __str__(self) -> str:
        return self.original_name

    @property
    def download_name(self) -> str:
        """The name the file is downloaded under: the name it was uploaded with, made
        safe (no folders, quotes, reserved or control characters), ending in the
        extension of the stored content (the stored name's, chosen from what the
        parser found on upload), appended if the resident's name says otherwise.
        Reads ``self.request`` only for a name with nothing left."""
        extension = PurePosixPath(self.file.name).suffix.lower()
        name = re.split(r"[\\/]", self.original_name)[-1]
        name = "".join(map(_safe_char, unicodedata.normalize("NFC", name)))
        name = " ".join(name.split()).strip(". ")[:150]
        if not name:
            name = f"{self.request.tracking_number}-{self.pk}"
        own = PurePosixPath(name).suffix.lower()
        if own == extension or own in SAME_EXTENSIONS.get(extension, ()):
            return name
        return name + extension
