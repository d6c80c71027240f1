"""The notification outbox: every message to a resident or clerk, sent exactly once."""

import re

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from villages.models import VerificationCode
from villages.validators import mask_mobile

# Any run of digits long enough to be a code (the minutes it is valid stay readable).
_CODE_DIGITS = re.compile(r"\d{4,}")


class Notification(models.Model):
    class ChannelKind(models.TextChoices):
        SMS = "sms", _("SMS")
        EMAIL = "email", _("e-mail")

    class State(models.TextChoices):
        PENDING = "pending", _("pending")
        SENT = "sent", _("sent")
        FAILED = "failed", _("failed")

    idempotency_key = models.CharField(
        _("idempotency key"),
        max_length=100,
        unique=True,
        help_text=_("One message per key: a retried task never sends twice."),
    )
    request = models.ForeignKey(
        "services.ServiceRequest",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="notifications",
        verbose_name=_("service request"),
    )
    channel = models.CharField(_("sent by"), max_length=10, choices=ChannelKind.choices)
    recipient = models.CharField(_("recipient"), max_length=254)
    body = models.TextField(_("message"))
    state = models.CharField(
        _("state"), max_length=10, choices=State.choices, default=State.PENDING
    )
    backend = models.CharField(_("sent through"), max_length=100, blank=True)
    error = models.CharField(_("error"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notification outbox")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} → {self.masked_recipient}"

    @property
    def masked_recipient(self) -> str:
        if "@" in self.recipient:
            name, _sep, domain = self.recipient.partition("@")
            return f"{name[:1]}***@{domain}"
        return mask_mobile(self.recipient)

    @property
    def carries_code(self) -> bool:
        return self.idempotency_key.startswith(VerificationCode.MESSAGE_KEY_PREFIX)

    def shown_to_staff(self, text: str) -> str:
        """`text` (the body, or an error that may quote it) as staff may read it: a
        verification code is masked, since whoever reads it can open the resident's
        account with it."""
        if not self.carries_code:
            return text
        return _CODE_DIGITS.sub(lambda digits: "*" * len(digits.group()), text)
