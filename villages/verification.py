"""Codes that prove a mobile number, and the accounts they open: register, reset.

A code is six digits from ``secrets``, stored only as an HMAC keyed with SECRET_KEY
(the table alone does not reveal it: a million candidates are quickly tried against a
plain hash). It expires after ``HUAGANG_CODE_TTL_MINUTES``, is used once, and dies
after ``HUAGANG_CODE_MAX_ATTEMPTS`` wrong guesses. Only the newest code of a number and
purpose counts: asking again replaces the one before.

Sending is rate-limited per number and per client address with django-ratelimit,
whose counters live in the ``default`` cache: a per-process cache would let each
gunicorn worker count on its own, so production configures a shared (Redis) cache.

A number that already has an account is not told so on the page (that would tell
anyone which numbers have accounts): the page answers as for any number and the
number's owner gets a text message saying it has an account.

The message goes out through ``HUAGANG_TEXT_MESSAGE_SENDER`` (the services app's
``notification_send``: sent once per key through the configured backend, the outbox
table by default). It is a setting rather than an import because ``villages`` never
imports ``services``. With ``HUAGANG_CODES_ON_CONSOLE`` on (``make run``) the code is also logged to the
console; production never logs a code or a number.
"""

import datetime as dt
import logging
import math
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone, translation
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django_ratelimit.core import get_usage

from huagang.exceptions import DomainError, InvalidInput
from huagang.sms import signed

from .actions import user_create
from .choices import Role
from .models import User, VerificationCode

logger = logging.getLogger("huagang.verification")
# Only ever called with HUAGANG_CODES_ON_CONSOLE on (`make run`; production refuses it):
# the code and the number, for a developer.
dev_console = logging.getLogger("huagang.verification.development")

Purpose = VerificationCode.Purpose
T = TypeVar("T")

ALREADY_REGISTERED = gettext_lazy(
    "This mobile number already has an account. Sign in, or reset the password if "
    "you have forgotten it."
)


class TooManyCodes(DomainError):
    """Too many codes asked for this number or from this client: wait and try again."""

    status_code = 429
    code = "rate_limited"

    def __init__(self, seconds: int):
        self.retry_after = max(seconds, 1)
        minutes = math.ceil(self.retry_after / 60)
        super().__init__(
            ngettext(
                "Too many codes were requested. Please try again in %(minutes)d "
                "minute.",
                "Too many codes were requested. Please try again in %(minutes)d "
                "minutes.",
                minutes,
            )
            % {"minutes": minutes}
        )


class CodeNotSent(DomainError):
    """The text-message gateway failed; nothing was sent."""

    status_code = 503
    code = "code_not_sent"


# --- sending ---------------------------------------------------------------------------


def _client_limits(phone: str) -> list[tuple[str, object, str]]:
    per_phone = [
        ("verification-code:phone", lambda _group, _request: phone, rate)
        for rate in settings.HUAGANG_CODE_RATES_PER_PHONE
    ]
    per_client = [
        ("verification-code:client", "ip", rate)
        for rate in settings.HUAGANG_CODE_RATES_PER_CLIENT
    ]
    return per_phone + per_client


def check_sending_rate(*, request: HttpRequest, phone: str) -> None:
    """Count one more code for this number and this client, unless either has reached
    one of its limits: then raise TooManyCodes with the seconds to wait. A refused
    request is not counted (a resident who clicks again loses nothing)."""
    limits = _client_limits(phone)
    for increment in (False, True):
        waits = []
        for group, key, rate in limits:
            usage = get_usage(
                request, group=group, key=key, rate=rate, increment=increment
            )
            if usage is None:  # RATELIMIT_ENABLE is off
                continue
            # Before counting: full at the limit. After (atomic increments): over it,
            # when another request took the last one meanwhile.
            if usage["count"] + (0 if increment else 1) > usage["limit"]:
                # time_left is -1 when the cache failed (ratelimit then refuses)
                waits.append(usage["time_left"] if usage["time_left"] > 0 else 60)
        if waits:
            raise TooManyCodes(max(waits))


def _digest(phone: str, purpose: str, code: str) -> str:
    return salted_hmac(
        "huagang.verification-code", f"{phone}:{purpose}:{code}", algorithm="sha256"
    ).hexdigest()


def _message(code: str, minutes: int) -> str:
    with translation.override(settings.LANGUAGE_CODE):
        return signed(
            _(
                "Your verification code is %(code)s, valid for %(minutes)d minutes. "
                "Never tell it to anyone, staff included."
            )
            % {"code": code, "minutes": minutes}
        )


def _text_message_send(*, key: str, phone: str, body: str) -> None:
    """Send one text message through the configured sender; CodeNotSent if it fails."""
    send = import_string(settings.HUAGANG_TEXT_MESSAGE_SENDER)
    try:
        send(key=key, channel="sms", recipient=phone, body=body)
    except Exception as exc:  # any gateway error: say so, the resident asks again
        logger.warning("text message %s not sent (%s)", key, type(exc).__name__)
        raise CodeNotSent(
            _("The text message could not be sent just now. Please try again later.")
        ) from exc


def verification_code_send(*, phone: str, purpose: str) -> VerificationCode:
    """Make a new code for `phone` and send it by text message (once per code).

    Call it with no transaction open: the gateway is called outside any transaction.
    Raises CodeNotSent if the gateway fails (the code is then useless: ask again).
    """
    code = f"{secrets.randbelow(10**6):06d}"
    minutes = settings.HUAGANG_CODE_TTL_MINUTES
    now = timezone.now()
    with transaction.atomic():
        row = VerificationCode.objects.create(
            phone=phone,
            purpose=purpose,
            code_hash=_digest(phone, purpose, code),
            created_at=now,
            expires_at=now + dt.timedelta(minutes=minutes),
        )
    if settings.HUAGANG_CODES_ON_CONSOLE:
        dev_console.warning("Verification code for %s (%s): %s", phone, purpose, code)
    _text_message_send(
        key=f"{VerificationCode.MESSAGE_KEY_PREFIX}{row.pk}",
        phone=phone,
        body=_message(code, minutes),
    )
    return row


def _already_registered_message() -> str:
    with translation.override(settings.LANGUAGE_CODE):
        return signed(
            _(
                "This mobile number already has an account, so no new one is opened. "
                "Sign in with it; if you have forgotten the password, choose “Forgot "
                "the password?” on the sign-in page. If you did not ask, ignore this "
                "message."
            )
        )


def registration_code_send(*, phone: str) -> VerificationCode | None:
    """A code to register `phone`. A number that already has an account is sent a
    message saying so and how to reset the password instead, and no code (None, no
    code row: the next step fails as for a wrong code). Callers answer the same either
    way, so the page does not tell which numbers have accounts; the same rate limits
    apply (the caller checks them first) and a gateway failure raises CodeNotSent."""
    if User.objects.filter(phone=phone).exists():
        _text_message_send(
            key=f"account-exists:{secrets.token_hex(8)}",
            phone=phone,
            body=_already_registered_message(),
        )
        return None
    return verification_code_send(phone=phone, purpose=Purpose.REGISTER)


def _resettable(phone: str):
    """The account whose password a code to `phone` may reset: an active resident's.
    Staff accounts open residents' personal data in the admin: a text message alone
    (a lost or re-issued SIM card) must not open them; an official resets them."""
    return User.objects.filter(
        phone=phone,
        is_active=True,
        role=Role.RESIDENT,
        is_staff=False,
        is_superuser=False,
    )


def password_reset_code_send(*, phone: str) -> VerificationCode | None:
    """A code to reset the password of `phone`'s resident account; None (nothing
    sent) if there is none. Callers answer the same either way."""
    if not _resettable(phone).exists():
        return None
    return verification_code_send(phone=phone, purpose=Purpose.PASSWORD_RESET)


# --- using a code ----------------------------------------------------------------------


def _use(phone: str, purpose: str, code: str) -> str | None:
    """Mark the newest code of `phone` used if `code` is it; otherwise count a wrong
    guess and return why it failed. Precondition: inside a transaction."""
    latest = (
        VerificationCode.objects.select_for_update()
        .filter(phone=phone, purpose=purpose)
        .order_by("-created_at", "-pk")
        .first()
    )
    if latest is None:
        return _("This code is wrong. Check the latest message, or ask for a new code.")
    if latest.attempts >= settings.HUAGANG_CODE_MAX_ATTEMPTS:
        return _("Too many wrong codes were entered. Ask for a new code.")
    if not constant_time_compare(latest.code_hash, _digest(phone, purpose, code)):
        if latest.used_at is None:
            latest.attempts += 1
            latest.save(update_fields=["attempts"])
        return _("This code is wrong. Check the latest message, or ask for a new code.")
    if latest.used_at is not None:
        return _("This code has already been used. Ask for a new code.")
    if latest.expires_at <= timezone.now():
        return _("This code has expired. Ask for a new code.")
    latest.used_at = timezone.now()
    latest.save(update_fields=["used_at"])
    return None


def _with_code(*, phone: str, purpose: str, code: str, then: Callable[[], T]) -> T:
    """Use the code and run `then` in one transaction: if `then` fails, the code is
    not used. A wrong code is counted (committed) and raised as InvalidInput on
    ``code``, and `then` does not run."""
    with transaction.atomic():
        error = _use(phone, purpose, code)
        if error is None:
            return then()
    raise InvalidInput({"code": [error]}, code="invalid_code")


def account_register(*, phone: str, code: str, name: str, password: str) -> User:
    """Open a resident's account for a number proven by its registration code.

    The password must have passed Django's password validators (the form does it).
    Raises InvalidInput on ``code`` (wrong, used, expired) or ``phone`` (taken)."""

    def create() -> User:
        if User.objects.filter(phone=phone).exists():
            raise InvalidInput({"phone": [ALREADY_REGISTERED]}, code="phone_registered")
        user = user_create(
            phone=phone, name=name, role=Role.RESIDENT, password=password
        )
        user.phone_verified_at = timezone.now()
        user.save(update_fields=["phone_verified_at"])
        return user

    return _with_code(phone=phone, purpose=Purpose.REGISTER, code=code, then=create)


def account_password_reset(*, phone: str, code: str, password: str) -> User:
    """Set a new password for the number's account, proven by its reset code (which
    also verifies the number). Other sessions of the account end (Django's session
    hash changes with the password)."""

    def reset() -> User:
        found = _resettable(phone).select_for_update().first()
        if found is None:  # deactivated (or made staff) since the code was sent
            raise InvalidInput({"code": [_("This code is no longer valid.")]})
        found.set_password(password)
        found.phone_verified_at = found.phone_verified_at or timezone.now()
        found.save(update_fields=["password", "phone_verified_at"])
        return found

    return _with_code(
        phone=phone, purpose=Purpose.PASSWORD_RESET, code=code, then=reset
    )


def user_mark_phone_verified(*, user: User) -> User:
    """Record that `user` proved their number (e.g. at a window, or the demo resident)."""
    if user.phone_verified_at is None:
        user.phone_verified_at = timezone.now()
        user.save(update_fields=["phone_verified_at"])
    return user


# --- a number proven without an account (留言咨询) --------------------------------------

_SEAL = object()


@dataclass(frozen=True)
class PhoneProof:
    """Proof that the holder received a code sent to `phone` just now: made only by
    ``phone_prove``. A resident without an account asks a question with it."""

    phone: str
    _seal: object = field(repr=False, compare=False, default=None)

    def __post_init__(self) -> None:
        if self._seal is not _SEAL:
            raise TypeError("PhoneProof is made only by phone_prove")


def question_code_send(*, phone: str) -> VerificationCode:
    """A code proving `phone` for a question asked without an account (the caller
    checks the sending rate first; CodeNotSent if the gateway fails)."""
    return verification_code_send(phone=phone, purpose=Purpose.QUESTION)


def phone_prove(*, phone: str, code: str) -> PhoneProof:
    """Use the number's newest question code: a PhoneProof, or InvalidInput on
    ``code`` (wrong, used, expired; a wrong guess is counted)."""
    return _with_code(
        phone=phone,
        purpose=Purpose.QUESTION,
        code=code,
        then=lambda: PhoneProof(phone=phone, _seal=_SEAL),
    )
