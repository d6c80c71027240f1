"""A resident's service request, its timeline, materials, trips, visits and rating."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from villages.models import Village
from villages.validators import mask_id_number, mask_mobile, validate_mobile

from ..choices import HandlingMode, Status
from .catalog import Material, ServiceItem


class Channel(models.TextChoices):
    ONLINE = "online", _("online")
    WINDOW = "window", _("at a window")
    PHONE = "phone", _("by phone")
    CLERK = "clerk", _("entered by a clerk for the resident")


class DueState(models.TextChoices):
    """The 黄牌/红牌 state the sweep last saw; drives reminders, not the rules."""

    NONE = "", _("not running")
    ON_TIME = "on_time", _("on time")
    DUE_SOON = "due_soon", _("due soon")
    OVERDUE = "overdue", _("overdue")
    UNKNOWN = "unknown", _("calendar unknown")


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
    mode = models.CharField(
        _("handling mode"), max_length=10, choices=HandlingMode.choices
    )
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.SUBMITTED
    )
    version = models.PositiveIntegerField(_("version"), default=1)

    applicant_name = models.CharField(_("applicant"), max_length=50)
    applicant_phone = models.CharField(
        _("applicant's mobile"), max_length=11, validators=[validate_mobile]
    )
    applicant_id_number = models.CharField(_("ID number"), max_length=18, blank=True)
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
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("service request")
        verbose_name_plural = _("service requests")
        ordering = ["-submitted_at"]
        indexes = [
            models.Index(fields=["village", "status"], name="request_village_status"),
            models.Index(fields=["status", "due_date"], name="request_status_due"),
            models.Index(fields=["applicant_phone"], name="request_applicant_phone"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="completed") | Q(completed_at__isnull=False),
                name="request_completed_has_time",
            ),
        ]

    def __str__(self) -> str:
        return self.tracking_number

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
    actor_role = models.CharField(_("acting as"), max_length=20, blank=True)
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
        return f"{self.request_id} {self.from_status}→{self.to_status}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise TypeError("Request events are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise TypeError("Request events are append-only.")


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

    class Meta:
        verbose_name = _("agency trip")
        verbose_name_plural = _("agency trips")
        ordering = ["-trip_date", "village"]
        constraints = [
            models.UniqueConstraint(
                fields=["village", "trip_date"], name="trip_one_per_village_day"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.village} {self.trip_date}"


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
        ]

    def __str__(self) -> str:
        return f"{self.request} {self.starts_at:%Y-%m-%d %H:%M}"


class Rating(models.Model):
    """好差评: one rating per request (一事一评), five levels."""

    class Level(models.IntegerChoices):
        VERY_SATISFIED = 5, _("very satisfied (非常满意)")
        SATISFIED = 4, _("satisfied (满意)")
        FAIRLY_SATISFIED = 3, _("fairly satisfied (基本满意)")
        DISSATISFIED = 2, _("dissatisfied (不满意)")
        VERY_DISSATISFIED = 1, _("very dissatisfied (非常不满意)")

    request = models.OneToOneField(
        ServiceRequest,
        on_delete=models.CASCADE,
        related_name="rating",
        verbose_name=_("service request"),
    )
    level = models.PositiveSmallIntegerField(_("rating"), choices=Level.choices)
    comment = models.TextField(_("comment"), blank=True)
    created_at = models.DateTimeField(_("rated"), default=timezone.now)

    class Meta:
        verbose_name = _("rating")
        verbose_name_plural = _("ratings")
        constraints = [
            models.CheckConstraint(
                condition=Q(level__gte=1, level__lte=5), name="rating_level_1_to_5"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.request} {self.level}"

    @property
    def is_poor(self) -> bool:
        """差评: 不满意 or 非常不满意."""
        return self.level <= self.Level.DISSATISFIED


class FollowUp(models.Model):
    """The follow-up a 差评 opens: verified, fixed and answered before its deadline."""

    class Stage(models.TextChoices):
        OPEN = "open", _("open")
        VERIFIED = "verified", _("verified")
        FIXED = "fixed", _("fixed")
        ANSWERED = "answered", _("answered")

    rating = models.OneToOneField(
        Rating,
        on_delete=models.CASCADE,
        related_name="follow_up",
        verbose_name=_("rating"),
    )
    stage = models.CharField(
        _("stage"), max_length=10, choices=Stage.choices, default=Stage.OPEN
    )
    deadline = models.DateField(_("deadline"), null=True, blank=True)
    supervisor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("supervisor"),
    )
    verification_note = models.TextField(_("verification"), blank=True)
    fix_note = models.TextField(_("what was fixed"), blank=True)
    answer = models.TextField(_("answer to the resident"), blank=True)
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)
    reminded_on = models.DateField(_("last reminder"), null=True, blank=True)

    class Meta:
        verbose_name = _("poor-rating follow-up")
        verbose_name_plural = _("poor-rating follow-ups")
        ordering = ["deadline"]

    def __str__(self) -> str:
        return f"{self.rating.request} {self.get_stage_display()}"
