"""The second factor for staff (django-otp): who needs it, enrolling an authenticator,
backup codes, and checking a code.

Officials, clerks and admin users sign in with their password and then a six-digit
code from an authenticator app (TOTP, RFC 6238), or one of ten single-use backup
codes, when ``HUAGANG_STAFF_SECOND_FACTOR`` is on (on by default in production).
``huagang.guard.StaffSecondFactorMiddleware`` sends them here before any other page;
residents never need one.

A staff member without an authenticator enrols one after the password (the first
sign-in). Once one is confirmed, replacing it needs a verified session, and a lost
phone is one of the backup codes, or a superuser deleting the device in the admin
(docs/operations.md). Each wrong code makes the next try wait longer (django-otp's
throttling: 1, 2, 4, 8 … seconds) and is logged with the user id.
"""

import logging
from base64 import b32encode
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django_otp import login as otp_login
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from .choices import STAFF_ROLES
from .models import User

logger = logging.getLogger("huagang.signin")

BACKUP_CODE_COUNT = 10
AUTHENTICATOR_NAME = "authenticator"
BACKUP_NAME = "backup codes"


def is_staff_account(user: User) -> bool:
    """A signed-in official, clerk, grid worker or admin user."""
    return bool(
        user.is_authenticated
        and (user.is_staff or user.is_superuser or user.role in STAFF_ROLES)
    )


def needs_second_factor(user: User) -> bool:
    """Whether this signed-in user must show a second factor before any page: every
    staff account, when the setting is on."""
    return settings.HUAGANG_STAFF_SECOND_FACTOR and is_staff_account(user)


def is_verified(user: User) -> bool:
    """Whether this session has shown a second factor (django-otp's middleware)."""
    verified = getattr(user, "is_verified", None)
    return bool(verified and verified())


def has_authenticator(user: User) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def authenticator_pending(user: User) -> TOTPDevice:
    """The authenticator being enrolled: a new secret until a code confirms it. The
    same secret is shown again on reload, so a scanned QR code stays good."""
    device = (
        TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-pk").first()
    )
    if device is None:
        device = TOTPDevice.objects.create(
            user=user, name=AUTHENTICATOR_NAME, confirmed=False
        )
    return device


def secret_for_typing(device: TOTPDevice) -> str:
    """The secret in base32, in groups of four, for an app that cannot scan."""
    text = b32encode(device.bin_key).decode("ascii").rstrip("=")
    return " ".join(text[i : i + 4] for i in range(0, len(text), 4))


@dataclass(frozen=True)
class Enrolled:
    device: TOTPDevice
    backup_codes: list[str]


def authenticator_confirm(
    request: HttpRequest, device: TOTPDevice, code: str
) -> Enrolled | int | None:
    """Confirm the pending authenticator with a code it shows. On success it replaces
    any earlier one, ten new backup codes replace the old ones, and this session
    counts as verified. None for a wrong code (nothing changes but the throttle); the
    seconds to wait, unchecked, while wrong codes throttle it."""
    user = request.user
    with transaction.atomic():
        device = TOTPDevice.objects.select_for_update().get(
            pk=device.pk, user=user, confirmed=False
        )
        allowed, data = device.verify_is_allowed()
        if not allowed:
            return _seconds_until((data or {}).get("locked_until"))
        if not device.verify_token(code):
            logger.warning(
                "second factor: enrolment code refused",
                extra={"user_id": user.pk},
            )
            return None
        TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        codes = _backup_codes_replace(user)
    otp_login(request, device)
    logger.info("second factor: authenticator enrolled", extra={"user_id": user.pk})
    return Enrolled(device=device, backup_codes=codes)


def backup_codes_renew(user: User) -> list[str]:
    """Ten new backup codes; the old ones stop working."""
    with transaction.atomic():
        codes = _backup_codes_replace(user)
    logger.info("second factor: backup codes renewed", extra={"user_id": user.pk})
    return codes


def _backup_codes_replace(user: User) -> list[str]:
    device, _ = StaticDevice.objects.get_or_create(
        user=user, name=BACKUP_NAME, defaults={"confirmed": True}
    )
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(BACKUP_CODE_COUNT)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=c) for c in codes)
    return codes


def backup_codes_left(user: User) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


@dataclass(frozen=True)
class Checked:
    device: Device | None
    wait_seconds: int = 0  # > 0: refused without checking, too many wrong codes


def code_check(request: HttpRequest, code: str) -> Checked:
    """Check a code against the user's authenticator, then their backup codes (a
    backup code works once). On success the session counts as verified."""
    user = request.user
    code = "".join(code.split()).lower()
    with transaction.atomic():
        devices: list[Device] = list(
            TOTPDevice.objects.select_for_update().filter(user=user, confirmed=True)
        )
        if not (code.isdigit() and len(code) == 6):
            devices = list(
                StaticDevice.objects.select_for_update().filter(
                    user=user, confirmed=True
                )
            )
        wait = 0
        for device in devices:
            allowed, data = device.verify_is_allowed()
            if not allowed:
                wait = max(wait, _seconds_until((data or {}).get("locked_until")))
                continue
            if device.verify_token(code):
                otp_login(request, device)
                logger.info(
                    "second factor: accepted",
                    extra={"user_id": user.pk, "kind": type(device).__name__},
                )
                return Checked(device=device)
    logger.warning("second factor: code refused", extra={"user_id": user.pk})
    return Checked(device=None, wait_seconds=wait)


def _seconds_until(moment) -> int:
    if moment is None:
        return 1
    return max(1, int((moment - timezone.now()).total_seconds()) + 1)
