"""Validators for people's data: mainland mobile numbers and resident ID numbers.

Typed numbers are NFKC-normalised first (full-width １３９ becomes 139), then must be
ASCII digits: Python's ``\\d`` and ``int()`` accept any script's digits (Arabic-Indic
٣, Devanagari ३ …), which would be stored as typed and never match a lookup.
"""

import datetime as dt
import re
import unicodedata

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.utils import timezone
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext_lazy as _

# [0-9], not \d; \Z, not $ (which also matches before a final newline).
MOBILE_RE = re.compile(r"\A1[3-9][0-9]{9}\Z")
EARLIEST_BIRTH_DATE = dt.date(1900, 1, 1)

validate_mobile = RegexValidator(
    MOBILE_RE,
    _("Enter a valid mainland China mobile number (11 digits, starting with 1)."),
    code="invalid_mobile",
)


def nfkc(value: str | None) -> str:
    """Full-width letters, digits and signs as their ASCII forms, ends stripped."""
    return unicodedata.normalize("NFKC", value or "").strip()


def ascii_digits(value: str | None) -> str | None:
    """The value as ASCII digits after Unicode normalisation (full-width digits become
    ASCII), or None if anything else is left (Python's ``\\d`` and ``int()`` would accept
    any script's digits; an SMS gateway and a lookup by digits would not)."""
    text = nfkc(value)
    return text if re.fullmatch(r"[0-9]+", text) else None


def normalize_mobile(value: str) -> str:
    """NFKC, then strip spaces, dashes and a +86 prefix; raise ValidationError unless
    11 ASCII digits starting 13–19 remain."""
    digits = re.sub(r"[\s-]", "", nfkc(value))
    if digits.startswith("+86"):
        digits = digits[3:]
    validate_mobile(digits)
    return digits


def mask_mobile(value: str) -> str:
    """138****5678: for every screen that does not need the full number."""
    if len(value) != 11:
        return "***"
    return f"{value[:3]}****{value[-4:]}"


_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"


def normalize_id_number(value: str) -> str:
    """Check an 18-digit resident ID number (GB 11643) by its check digit and birth date.

    NFKC-normalised and upper-cased, it must be 17 ASCII digits and a digit or X, with
    a real date of birth from 1900-01-01 to today. Returns it so; raises
    ValidationError with a message a resident understands.
    """
    number = nfkc(value).upper()
    if not re.fullmatch(r"[0-9]{17}[0-9X]", number):
        raise ValidationError(
            _("An ID number has 18 characters: 17 digits and a final digit or X."),
            code="invalid_id_format",
        )
    total = sum(int(d) * w for d, w in zip(number[:17], _ID_WEIGHTS, strict=True))
    if _ID_CHECK[total % 11] != number[17]:
        raise ValidationError(
            _("This ID number's check digit is wrong; please check every digit."),
            code="invalid_id_check_digit",
        )
    try:
        born = dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise ValidationError(
            _("This ID number does not contain a valid date of birth."),
            code="invalid_id_birth_date",
        ) from None
    if not EARLIEST_BIRTH_DATE <= born <= timezone.localdate():
        raise ValidationError(
            _(
                "The date of birth in this ID number, %(date)s, is not between "
                "%(earliest)s and today; please check every digit."
            ),
            code="invalid_id_birth_date",
            params={"date": born, "earliest": EARLIEST_BIRTH_DATE},
        )
    return number


# C0 and C1 control characters (and DEL): nobody types them; pasted from another
# system they corrupt a printed slip or an exported sheet. Tab, line feed and carriage
# return are text in a multi-line field (a description, a note).
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_CONTROL_IN_LINES = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def has_control_characters(value: str, *, multiline: bool = False) -> bool:
    """Whether `value` holds a control character (but tab and line breaks when it is
    `multiline` text)."""
    return bool((_CONTROL_IN_LINES if multiline else _CONTROL).search(value))


@deconstructible
class ControlCharacterValidator:
    """Refuse C0/C1 control characters; `multiline` text may hold tabs and line
    breaks."""

    message = _("Remove the control characters (invisible characters) from this text.")
    code = "control_characters"

    def __init__(self, *, multiline: bool = False):
        self.multiline = multiline

    def __call__(self, value) -> None:
        if isinstance(value, str) and has_control_characters(
            value, multiline=self.multiline
        ):
            raise ValidationError(self.message, code=self.code)

    def __eq__(self, other) -> bool:
        return (
            isinstance(other, ControlCharacterValidator)
            and self.multiline == other.multiline
        )


def is_weekday_list(value) -> bool:
    """A list of ISO weekdays, 1 (Monday) to 7 (Sunday)."""
    return isinstance(value, list) and all(
        isinstance(d, int) and not isinstance(d, bool) and 1 <= d <= 7 for d in value
    )


def validate_weekdays(value) -> None:
    if not is_weekday_list(value):
        raise ValidationError(
            _("Enter a list of weekdays from 1 (Monday) to 7 (Sunday), e.g. [2, 5]."),
            code="invalid_weekdays",
        )


def mask_id_number(value: str) -> str:
    return f"{value[:3]}{'*' * 11}{value[-4:]}" if len(value) == 18 else ""


def mask_name(value: str) -> str:
    """张**: a name's first character, a star for each of the others (at least one,
    so that a one-character name or search term is not shown whole)."""
    value = value.strip()
    return f"{value[:1]}{'*' * max(len(value) - 1, 1)}" if value else ""


__all__ = [
    "MOBILE_RE",
    "ControlCharacterValidator",
    "ValidationError",
    "has_control_characters",
    "is_weekday_list",
    "mask_id_number",
    "mask_mobile",
    "mask_name",
    "nfkc",
    "normalize_id_number",
    "normalize_mobile",
    "validate_weekdays",
]
