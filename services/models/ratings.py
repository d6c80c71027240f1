"""好差评: ratings of completed requests and the follow-up a poor rating opens."""

from django.conf import settings
from django.db import models
from django.db.models import Case, F, Q, Value, When
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .requests import ServiceRequest


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
        indexes = [
            # The follow-ups list: open ones first, by deadline (the order of
            # ``selectors.visits.follow_ups_for_staff``), so a page is read in order
            # from the index instead of sorting every follow-up with its rating.
            models.Index(
                Case(
                    When(Q(stage="answered"), then=Value(1)),
                    default=Value(0),
                    output_field=models.IntegerField(),
                ),
                F("deadline"),
                F("id"),
                name="follow_up_open_first",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.rating.request} {self.get_stage_display()}"
