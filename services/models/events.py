"""Life events (一件事一次办): what a person experiences as one event — a death in the
family, a birth, retiring — applied for once and handled as linked requests.

An event is data beside the catalog (``data/life_events.yaml``, editable in the
admin): a few questions (情形引导) and the catalog items it covers, each with the
answers under which it applies (``services/life_events.py`` decides, in Python). A
material's kind (居民身份证, 户口簿, 死亡证明 …, ``data/material_kinds.yaml``) lets one
upload serve every item of the event that asks for that kind.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from villages.models import Village

from .catalog import ServiceItem
from .requests import ServiceRequest


class MaterialKind(models.Model):
    """A kind of document (居民身份证, 户口簿 …): the catalog materials of that kind are
    named in `materials` by their key or name (a material may be of several kinds:
    "身份证、户口本" is both)."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=50, unique=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    materials = models.JSONField(
        _("materials of this kind"),
        default=list,
        blank=True,
        help_text=_("The catalog's material names (or keys) that are of this kind."),
    )

    class Meta:
        verbose_name = _("material kind")
        verbose_name_plural = _("material kinds")
        ordering = ["order", "code"]

    def __str__(self) -> str:
        return self.name


class LifeEvent(models.Model):
    """One life event: its questions and the items it covers."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=50, unique=True)
    for_whom = models.CharField(_("who it is for"), max_length=200)
    summary = models.TextField(_("what it covers"))
    policy_basis = models.CharField(
        _("policy basis"),
        max_length=300,
        blank=True,
        help_text=_("e.g. 国发〔2024〕3号；国办发〔2025〕24号"),
    )
    key_matter = models.BooleanField(
        _("on the national key-matters list"),
        default=False,
        help_text=_("One of the 高效办成一件事 key matters."),
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("published"), default=True)

    class Meta:
        verbose_name = _("life event")
        verbose_name_plural = _("life events")
        ordering = ["order", "code"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("events:detail", kwargs={"code": self.code})


class LifeEventQuestion(models.Model):
    """One question of an event's 情形引导: yes/no, or one of a few choices.

    `options` lists ``{"value": …, "label": …}``; a yes/no question's are yes and no.
    """

    class Kind(models.TextChoices):
        YES_NO = "yes_no", _("yes or no")
        CHOICE = "choice", _("one of several")

    event = models.ForeignKey(
        LifeEvent,
        on_delete=models.CASCADE,
        related_name="questions",
        verbose_name=_("life event"),
    )
    key = models.SlugField(_("key"), max_length=40)
    # Not a resident's question (留言, ``Question``): a context of its own.
    text = models.CharField(
        pgettext_lazy("life event", "question as asked"), max_length=200
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    options = models.JSONField(_("options"), default=list, blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = pgettext_lazy("life event", "question")
        verbose_name_plural = pgettext_lazy("life event", "questions")
        ordering = ["event", "order"]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "key"],
                name="life_event_question_unique_key",
                violation_error_message=_(
                    "This life event already has a question with this key."
                ),
            )
        ]

    def __str__(self) -> str:
        return self.text


class LifeEventItem(models.Model):
    """A catalog item an event covers, and when: `when` maps a question's key to the
    answers under which the item applies (all must hold; empty: always)."""

    event = models.ForeignKey(
        LifeEvent,
        on_delete=models.CASCADE,
        related_name="items",
        verbose_name=_("life event"),
    )
    # An item deleted from the catalog leaves the event (whose questions the admin then
    # checks again); it does not block the catalog's own changes.
    item = models.ForeignKey(
        ServiceItem,
        on_delete=models.CASCADE,
        related_name="life_event_items",
        verbose_name=_("service item"),
    )
    when = models.JSONField(_("applies when"), default=dict, blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("item of a life event")
        verbose_name_plural = _("items of life events")
        ordering = ["event", "order"]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "item"],
                name="life_event_item_unique",
                violation_error_message=_(
                    "This service item is already in this life event."
                ),
            )
        ]

    def __str__(self) -> str:
        return str(self.item)

    def clean(self) -> None:
        from .. import life_events

        if self.item_id is not None and not life_events.linkable(self.item):
            raise ValidationError(
                {
                    "item": _(
                        "This item is done only in person at its window: it cannot "
                        "be applied for as part of a life event."
                    )
                }
            )


class LifeEventApplication(models.Model):
    """One application for a life event: its number, and the linked requests (one per
    applicable item, each in its own mode and workflow)."""

    number = models.CharField(_("event number"), max_length=20, unique=True)
    event = models.ForeignKey(
        LifeEvent,
        on_delete=models.PROTECT,
        related_name="applications",
        verbose_name=_("life event"),
    )
    answers = models.JSONField(_("answers"), default=dict, blank=True)
    village = models.ForeignKey(
        Village,
        on_delete=models.PROTECT,
        related_name="life_event_applications",
        verbose_name=_("village"),
    )
    applicant_name = models.CharField(_("applicant"), max_length=50)
    applicant_phone = models.CharField(_("applicant's mobile"), max_length=11)
    account = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="life_event_applications",
        verbose_name=_("resident's account"),
    )
    submission_key = models.UUIDField(
        _("submission key"), null=True, blank=True, unique=True, editable=False
    )
    submitted_at = models.DateTimeField(_("submitted"), auto_now_add=True)

    class Meta:
        verbose_name = _("life event application")
        verbose_name_plural = _("life event applications")
        ordering = ["-submitted_at"]
        indexes = [
            models.Index(fields=["applicant_phone"], name="life_event_app_phone"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.event_id}"


class LifeEventLink(models.Model):
    """A request created by a life event application (a request belongs to one)."""

    application = models.ForeignKey(
        LifeEventApplication,
        on_delete=models.CASCADE,
        related_name="links",
        verbose_name=_("life event application"),
    )
    service_request = models.OneToOneField(
        ServiceRequest,
        on_delete=models.CASCADE,
        related_name="life_event_link",
        verbose_name=_("request"),
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("linked request")
        verbose_name_plural = _("linked requests")
        ordering = ["application", "order"]

    def __str__(self) -> str:
        return str(self.service_request_id)
