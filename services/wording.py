"""How a request form's messages speak of the applicant: it depends on who reads them.

A resident applying for themselves reads "Enter your name" (您); staff entering a
request for a resident, at a window, on the phone or at the household, read "Enter
the applicant's name" (申请人). The forms and the submission's checks take such
messages from here, for their reader, so that a clerk's form never speaks to the
resident as if they were the one reading it.
"""

import enum

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from villages.forms import NAME_ERRORS, PHONE_ERRORS


class Reader(enum.Enum):
    APPLICANT = enum.auto()  # the resident applying for themselves (online, the API)
    STAFF = enum.auto()  # staff entering the request for the resident


def applicant_field_errors(reader: Reader) -> dict[str, dict[str, str]]:
    """The ``error_messages`` of the applicant's name and mobile fields."""
    if reader is Reader.APPLICANT:
        return {"applicant_name": NAME_ERRORS, "applicant_phone": PHONE_ERRORS}
    return {
        "applicant_name": {
            **NAME_ERRORS,
            "required": gettext_lazy("Enter the applicant's name."),
        },
        "applicant_phone": {
            **PHONE_ERRORS,
            "required": gettext_lazy("Enter the applicant's mobile number."),
        },
    }


def consent_missing(reader: Reader) -> str:
    """The message when the consent to the privacy notice is not given."""
    if reader is Reader.APPLICANT:
        return _(
            "Agree to the use of your personal data for this request (read the "
            "privacy notice first)."
        )
    return _(
        "Ask the resident whether they agree to the use of their data, and tick "
        "the box; nothing can be entered without it."
    )


def home_visit_problems(
    *, reader: Reader, weekdays: list[int] | None, time: str
) -> dict[str, list[str]]:
    """For 上门特办: the days and the time of day at home, when missing."""
    if reader is Reader.APPLICANT:
        days, when = (
            _("Choose the days you are at home."),
            _("Choose when in the day you are at home."),
        )
    else:
        days, when = (
            _("Choose the days the resident is at home."),
            _("Choose when in the day they are at home."),
        )
    problems = {}
    if not weekdays:
        problems["visit_weekdays"] = [days]
    if not time:
        problems["visit_time"] = [when]
    return problems
