"""Our data in Open311's words: the discovery document, services, service definitions
and requests, as plain dicts and lists that ``formats`` writes as JSON or XML.

What a request shows is decided here and documented in docs/open311.md: its number
(the database id, not the tracking number), the item, how it is handled, the body,
the village, the status as open/closed with our status's name, and the times. Nothing
the applicant gave (name, phone, ID number, address, the description they wrote) and
nothing staff wrote about the case (notes, the result) is ever put in: the rows these
functions read do not even hold them (``selectors.open311.REQUEST_COLUMNS``).
"""

import datetime as dt
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext

from huagang.privacy import NOTICE_VERSION
from villages.models import Village

from ..choices import HandlingMode, Status
from ..forms import WEEKDAYS
from ..guide import accepts_online_application
from ..models import ServiceItem, VisitTime
from ..selectors.open311 import open311_status

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
FORMATS = ["text/xml", "application/json"]
# A due date is a day: the request is promised by the end of it (Beijing time).
END_OF_DAY = dt.time(23, 59, 59)


def w3_end_of(day: dt.date) -> str:
    """The end of `day` as the specification writes an instant, in Beijing time
    (2026-03-10T23:59:59+08:00; ISO 8601 with the offset, as the w3 note has it)."""
    moment = dt.datetime.combine(day, END_OF_DAY)
    return timezone.make_aware(moment).isoformat(timespec="seconds")


# --- discovery ---------------------------------------------------------------------------


def discovery(*, url: str, portal: str, changeset: str, production: bool) -> dict:
    return {
        "changeset": changeset,
        "contact": _(
            "Huagang town public service center (花岗镇为民服务中心): ask at any "
            "service window, or see %(portal)s."
        )
        % {"portal": portal},
        "key_service": _(
            "Keys are issued to other systems (the county's platform, a hotline, a "
            "civic app) by the town's officials: ask the town public service center. "
            "A key is needed only to create requests; it acts as the staff account "
            "it was made for."
        ),
        "endpoints": [
            {
                "specification": SPECIFICATION,
                "url": url,
                "changeset": changeset,
                "type": "production" if production else "test",
                "formats": FORMATS,
            }
        ],
    }


# --- services ----------------------------------------------------------------------------


def service(item: ServiceItem) -> dict:
    """One item as an Open311 service: every item asks for attributes (at least how
    it is handled and the consent), and a request's id is returned at once."""
    return {
        "service_code": item.code,
        "service_name": item.name,
        "description": service_description(item),
        "metadata": True,
        "type": "realtime",
        "keywords": ", ".join(item.keywords.split()),
        "group": item.category.name,
    }


def modes_text(modes: list[HandlingMode]) -> str:
    return pgettext("between handling modes", ", ").join(str(m.label) for m in modes)


def time_limit_text(promised_days: int) -> str:
    if not promised_days:
        return _("Done on the day it is accepted.")
    return ngettext(
        "%(days)d working day, counted from the day it is accepted.",
        "%(days)d working days, counted from the day it is accepted.",
        promised_days,
    ) % {"days": promised_days}


def service_description(item: ServiceItem) -> str:
    sentences = [
        _("Handled by %(body)s.") % {"body": item.body.name},
        _("Ways it is handled: %(modes)s.") % {"modes": modes_text(item.modes)},
        time_limit_text(item.promised_days),
    ]
    if not accepts_online_application(item):
        sentences.append(
            _(
                "Handled only at a service window with the applicant there in person: "
                "it cannot be applied for through another system."
            )
        )
    return " ".join(sentences)


# --- a service definition ----------------------------------------------------------------


def service_definition(
    item: ServiceItem, *, villages: list[Village], id_number_required: bool
) -> dict:
    """The attributes a request for `item` carries: how it is handled (its modes), the
    village (the 30), the applicant's ID number (required where the item asks for
    the ID card, as online), the days and time of day at home for a home visit, and
    the applicant's consent to the privacy notice. ``order`` is their position."""
    attributes = [
        _attribute(
            "mode",
            "singlevaluelist",
            required=True,
            description=_(
                "How the request is handled: one of the ways this item allows."
            ),
            values=[(mode.value, str(mode.label)) for mode in item.modes],
        ),
        _attribute(
            "village",
            "singlevaluelist",
            required=False,
            description=_(
                "The applicant's village or community: its service sub-center handles "
                "the request. Needed unless address_id is its division code or "
                "address_string names it."
            ),
            values=[(village.code, village.name) for village in villages],
        ),
        _attribute(
            "id_number",
            "string",
            required=id_number_required,
            description=_("The applicant's resident ID number."),
            datatype_description=_(
                "An ID number has 18 characters: 17 digits and a final digit or X."
            ),
        ),
    ]
    if HandlingMode.HOME in item.modes:
        attributes += [
            _attribute(
                "visit_days",
                "multivaluelist",
                required=False,
                description=_(
                    "For a home visit (上门特办): the days the applicant is at home."
                ),
                values=[(str(day), str(name)) for day, name in WEEKDAYS],
            ),
            _attribute(
                "visit_time",
                "singlevaluelist",
                required=False,
                description=_(
                    "For a home visit (上门特办): when in the day the applicant is at "
                    "home."
                ),
                values=[(str(v), str(label)) for v, label in VisitTime.choices],
            ),
        ]
    attributes.append(
        _attribute(
            "consent",
            "singlevaluelist",
            required=True,
            description=_(
                "The applicant has read the privacy notice (/privacy/) and agrees to "
                "the use of their personal data for this request. The one value is "
                "the notice's version."
            ),
            values=[
                (
                    NOTICE_VERSION,
                    _("Agreed to privacy notice %(version)s")
                    % {"version": NOTICE_VERSION},
                )
            ],
        )
    )
    for order, attribute in enumerate(attributes, start=1):
        attribute["order"] = order
    return {"service_code": item.code, "attributes": attributes}


def required_attributes(item: ServiceItem, *, id_number_required: bool) -> set[str]:
    """The codes of the attributes a request for `item` must carry."""
    definition = service_definition(
        item, villages=[], id_number_required=id_number_required
    )
    return {a["code"] for a in definition["attributes"] if a["required"]}


def _attribute(
    code: str,
    datatype: str,
    *,
    required: bool,
    description: str,
    datatype_description: str | None = None,
    values: list[tuple[str, str]] | None = None,
) -> dict[str, Any]:
    attribute: dict[str, Any] = {
        "variable": True,
        "code": code,
        "datatype": datatype,
        "required": required,
        "datatype_description": datatype_description,
        "order": 0,
        "description": description,
    }
    if values is not None:
        attribute["values"] = [{"key": key, "name": name} for key, name in values]
    return attribute


# --- requests ----------------------------------------------------------------------------


class RequestWriter:
    """Rows of ``selectors.open311.open311_requests`` as Open311 requests.

    The words a row shows depend on its status, mode, item and due date only, and
    are translated once per answer rather than once per row (a list holds up to a
    thousand)."""

    def __init__(self):
        self.zone = timezone.get_current_timezone()
        self.notes = {status: str(status.label) for status in Status}
        self.modes = {mode: str(mode.label) for mode in HandlingMode}
        self.words: dict[tuple, str] = {}

    def __call__(self, row: dict) -> dict:
        expected = row["expected_on"]
        return {
            "service_request_id": str(row["pk"]),
            "status": open311_status(row["status"]),
            "status_notes": self.notes[row["status"]],
            "service_name": row["item__name"],
            "service_code": row["item__code"],
            "description": self._once(
                ("description", row["item__name"], row["mode"]),
                lambda: (
                    _("%(service)s — %(mode)s")
                    % {"service": row["item__name"], "mode": self.modes[row["mode"]]}
                ),
            ),
            "agency_responsible": row["item__body__name"],
            "service_notice": self._once(
                ("limit", row["item__promised_days"]),
                lambda: time_limit_text(row["item__promised_days"]),
            ),
            "requested_datetime": self._moment(row["submitted_at"]),
            "updated_datetime": self._moment(row["updated_at"]),
            "expected_datetime": self._once(
                ("expected", expected), lambda: w3_end_of(expected)
            )
            if expected
            else None,
            "address": row["village__name"],
            "address_id": row["village__code"],
        }

    def _once(self, key: tuple, compute) -> str:
        if key not in self.words:
            self.words[key] = compute()
        return self.words[key]

    def _moment(self, value: dt.datetime) -> str:
        return value.astimezone(self.zone).isoformat(timespec="seconds")


def requests(rows: list[dict]) -> list[dict]:
    """Rows of ``selectors.open311.open311_requests`` as Open311 requests."""
    return list(map(RequestWriter(), rows))


def created(*, pk: int, tracking_number: str) -> dict:
    """The answer to a POST: the new request's id, and for the system that sent it
    (only) the tracking number the applicant follows it by."""
    return {
        "service_request_id": str(pk),
        "service_notice": _(
            "Received under tracking number %(number)s. The applicant can follow it "
            "at /track/ with this number and the last four digits of their mobile; "
            "their village or community sub-center will contact them."
        )
        % {"number": tracking_number},
        "account_id": None,
    }
