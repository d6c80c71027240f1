"""留言咨询: residents' questions, the answers of the body or village responsible, and
the public version staff may publish with personal data removed."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from villages.models import Village
from villages.validators import mask_mobile, mask_name, validate_mobile

from .catalog import ServiceItem
from .requests import DueState, ServiceRequest


class Question(models.Model):
    """A resident's question (咨询), suggestion (建议) or complaint (投诉).

    It names a catalog item or none (a general question) and a village or none (the
    town). Who answers is ``access.serves_question``; the due date is counted in
    working days from the day it was asked (``time_limits.question_clock``). The
    original text stays private; what the public reads is a ``QuestionPublication``.
    """

    class Kind(models.TextChoices):
        CONSULT = "consult", _("question (咨询)")
        SUGGEST = "suggest", _("suggestion (建议)")
        COMPLAIN = "complain", _("complaint (投诉)")

    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    item = models.ForeignKey(
        ServiceItem,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="questions",
        verbose_name=_("service item"),
    )
    village = models.ForeignKey(
        Village,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="questions",
        verbose_name=_("village"),
        help_text=_("Empty: a question to the town."),
    )
    account = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="questions",
        verbose_name=_("account"),
    )
    asker_name = models.CharField(_("name"), max_length=50)
    asker_phone = models.CharField(
        _("mobile number"), max_length=11, validators=[validate_mobile]
    )
    title = models.CharField(_("title"), max_length=100)
    text = models.TextField(_("question"))
    asked_at = models.DateTimeField(_("asked"), default=timezone.now)
    due_date = models.DateField(_("answer due"), null=True, blank=True)
    # The 黄牌/红牌 state the sweep last told staff about (drives reminders only).
    due_state = models.CharField(
        _("time-limit state"),
        max_length=10,
        choices=DueState.choices,
        default=DueState.NONE,
        blank=True,
    )
    answer = models.TextField(_("answer"), blank=True)
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("answered by"),
    )
    service_request = models.OneToOneField(
        ServiceRequest,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="question",
        verbose_name=_("service request made of it"),
    )
    submission_key = models.UUIDField(
        _("submission key"), null=True, blank=True, unique=True, editable=False
    )

    class Meta:
        verbose_name = _("resident's question")
        verbose_name_plural = _("residents' questions")
        ordering = ["-asked_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(answered_at__isnull=True) | ~Q(answer=""),
                name="question_answered_has_answer",
            ),
        ]
        indexes = [
            # the staff queue: unanswered first, by due date
            models.Index(fields=["answered_at", "due_date"], name="question_open_due"),
            models.Index(fields=["village", "asked_at"], name="question_village"),
            models.Index(fields=["asker_phone"], name="question_asker_phone"),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.get_kind_display()})"

    @property
    def is_answered(self) -> bool:
        return self.answered_at is not None

    @property
    def masked_name(self) -> str:
        return mask_name(self.asker_name)

    @property
    def masked_phone(self) -> str:
        return mask_mobile(self.asker_phone)


class QuestionPublication(models.Model):
    """The public version of an answered question: a title, question and answer that
    the staff member who published it wrote without personal data. It exists only
    while the question is public; publishing and withdrawing are ``QuestionEvent``s."""

    question = models.OneToOneField(
        Question,
        on_delete=models.CASCADE,
        related_name="publication",
        verbose_name=_("question"),
    )
    # Copied from the question so the public list and the guides' counts read one table.
    item = models.ForeignKey(
        ServiceItem,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="public_questions",
        verbose_name=_("service item"),
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Question.Kind.choices)
    title = models.CharField(_("public title"), max_length=100)
    text = models.TextField(_("public question"))
    answer = models.TextField(_("public answer"))
    answered_on = models.DateField(_("answered on"))
    published_at = models.DateTimeField(_("published"), default=timezone.now)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("published by"),
    )

    class Meta:
        verbose_name = _("published question")
        verbose_name_plural = _("published questions")
        ordering = ["-published_at", "-pk"]
        indexes = [
            models.Index(fields=["item", "published_at"], name="question_public_item"),
        ]

    def __str__(self) -> str:
        return self.title


class QuestionEvent(models.Model):
    """What happened to a question, and who did it (append-only)."""

    class Kind(models.TextChoices):
        ASKED = "asked", _("question asked")
        ANSWERED = "answered", _("answered")
        PUBLISHED = "published", _("published")
        WITHDRAWN = "withdrawn", _("withdrawn from the public list")
        REQUEST = "request", _("made into a service request")

    question = models.ForeignKey(
        Question,
        on_delete=models.CASCADE,
        related_name="events",
        verbose_name=_("question"),
    )
    kind = models.CharField(_("event"), max_length=10, choices=Kind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(_("time"), default=timezone.now)

    class Meta:
        verbose_name = _("question event")
        verbose_name_plural = _("question events")
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.question_id} {self.get_kind_display()}"
