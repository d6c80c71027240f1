"""What an Open311 client sends, read and checked: the filters of a GET of requests
and the form of a POST. Every problem is reported at once, as ``Open311Error(400, …)``
naming the parameter; a value the domain checks (the phone, the mode, the village, the
consent …) is left to ``service_request_submit``, the one place those rules live.

"Optional" parameters follow the specification: an empty one is one not sent.
"""

import datetime as dt
import re
from collections.abc import Callable
from typing import Any

from django import forms
from django.http import QueryDict
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from villages.models import Village
from villages.validators import ControlCharacterValidator

from ..selectors.open311 import (
    OPEN311,
    REQUESTS_CAP,
    WINDOW,
    RequestQuery,
    open311_service_ids,
    open311_villages,
)
from .errors import Open311Error, described, field_descriptions

# The years a requested time may be asked for (what the database and a request can
# have; also keeps time-zone arithmetic far from datetime's limits).
YEARS = (1900, 2100)
# A time followed by a space and an offset's digits: a "+" lost in the query string.
LOST_PLUS = re.compile(
    r"([0-9]{2}:[0-9]{2}(?::[0-9]{2}(?:\.[0-9]+)?)?) ([0-9]{2}(?::?[0-9]{2})?)$"
)


def _values(params: QueryDict, name: str) -> list[str]:
    """A parameter's values: it may be sent several times and comma-separated."""
    return [
        piece.strip()
        for value in params.getlist(name)
        for piece in value.split(",")
        if piece.strip()
    ]


# --- GET requests ------------------------------------------------------------------------


def requests_query(
    params: QueryDict, *, now: dt.datetime | None = None
) -> RequestQuery:
    """The selector's query for a GET of requests; Open311Error(400) lists every
    problem. `service_request_id` overrides every other argument (the specification)."""
    ids = _values(params, "service_request_id")
    if ids:
        return RequestQuery(ids=_ids(ids))
    problems: list[str] = []
    statuses = set(_values(params, "status"))
    if statuses - set(OPEN311):
        problems.append(_("status: use open or closed (comma-separated for both)."))
    since = _moment(params, "start_date", problems, end_of_day=False)
    until = _moment(params, "end_date", problems, end_of_day=True)
    item_ids = _item_ids(_values(params, "service_code"), problems)
    since, until = _window(since, until, now or timezone.now(), problems)
    if problems:
        raise Open311Error(400, *problems)
    return RequestQuery(
        item_ids=item_ids,
        since=since,
        until=until,
        statuses=frozenset(statuses or OPEN311),
    )


def _ids(values: list[str]) -> tuple[int, ...]:
    if len(values) > REQUESTS_CAP:
        raise Open311Error(
            400,
            _("service_request_id: at most %(count)d ids at once.")
            % {"count": REQUESTS_CAP},
        )
    # An id is a positive whole number (no bigger than the database's ids can be).
    if not all(v.isascii() and v.isdigit() and len(v) <= 18 for v in values):
        raise Open311Error(
            400, _("service_request_id: give request ids, separated by commas.")
        )
    return tuple(int(v) for v in values)


def _moment(
    params: QueryDict, name: str, problems: list[str], *, end_of_day: bool
) -> dt.datetime | None:
    """A w3 date-time (2010-01-01T00:00:00Z, …+08:00; Beijing time if it gives no
    offset), or a date alone: its start (`end_of_day`: its end)."""
    text = params.get(name, "").strip()
    if not text:
        return None
    # "+08:00" pasted into an address unencoded arrives as " 08:00".
    text = LOST_PLUS.sub(r"\1+\2", text)
    try:
        if not text.isascii():
            moment = None
        elif (day := parse_date(text)) is not None:
            moment = dt.datetime.combine(day, dt.time.max if end_of_day else dt.time())
        else:
            moment = parse_datetime(text)
    except ValueError:  # well formed but impossible: month 13, hour 25 …
        moment = None
    if moment is None:
        problems.append(
            _("%(name)s: use the w3 format, e.g. 2026-03-01T00:00:00+08:00.")
            % {"name": name}
        )
        return None
    if not YEARS[0] <= moment.year <= YEARS[1]:
        problems.append(
            _("%(name)s: out of range: give a time from %(first)d to %(last)d.")
            % {"name": name, "first": YEARS[0], "last": YEARS[1]}
        )
        return None
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    # In UTC: PostgreSQL refuses offsets beyond ±15:59 that the format allows.
    return moment.astimezone(dt.UTC)


def _window(
    since: dt.datetime | None,
    until: dt.datetime | None,
    now: dt.datetime,
    problems: list[str],
) -> tuple[dt.datetime, dt.datetime]:
    """The requested-time window: the last 90 days unless the dates say otherwise;
    never more than 90 days (the specification)."""
    if since is None and until is None:
        return now - WINDOW, now
    if since is None:
        return until - WINDOW, until  # type: ignore[operator]
    if until is None:
        return since, since + WINDOW
    if since > until:
        problems.append(_("start_date is after end_date."))
    elif until - since > WINDOW:
        problems.append(
            _("start_date and end_date may not span more than %(days)d days.")
            % {"days": WINDOW.days}
        )
    return since, until


def _item_ids(codes: list[str], problems: list[str]) -> tuple[int, ...] | None:
    if not codes:
        return None
    known = open311_service_ids(codes=[c for c in codes if len(c) <= 20])
    unknown = [c for c in codes if c not in known]
    if unknown:
        problems.append(
            _("service_code: there is no service %(codes)s.")
            % {"codes": ", ".join(unknown)}
        )
    return tuple(known.values())


# --- POST requests -----------------------------------------------------------------------

ATTRIBUTE = re.compile(r"^attribute\[([^\[\]]+)\](\[\])?$")
# The attributes a service definition may list (``documents.service_definition``).
SINGLE = {"mode", "village", "id_number", "visit_time", "consent"}
MULTIPLE = {"visit_days"}


ONE_LINE = ControlCharacterValidator()


class PostForm(forms.Form):
    """The specification's own POST fields we keep, with the limits of the portal's
    form (``services.forms.ApplyForm``). lat/long, email, device_id, account_id and
    media_url are accepted and not kept."""

    first_name = forms.CharField(validators=[ONE_LINE], max_length=50, required=False)
    last_name = forms.CharField(validators=[ONE_LINE], max_length=50, required=False)
    phone = forms.CharField(validators=[ONE_LINE], max_length=20, required=False)
    description = forms.CharField(
        validators=[ControlCharacterValidator(multiline=True)],
        max_length=1000,
        required=False,
        error_messages={
            "max_length": gettext_lazy(
                "The description cannot be longer than %(limit_value)d characters."
            )
        },
    )
    address_string = forms.CharField(
        validators=[ONE_LINE],
        max_length=200,
        required=False,
        error_messages={
            "max_length": gettext_lazy(
                "The address cannot be longer than %(limit_value)d characters."
            )
        },
    )
    address_id = forms.CharField(max_length=12, required=False)
    lat = forms.CharField(required=False)
    long = forms.CharField(required=False)


# The domain's fields each attribute and form field is read into (what the action's
# errors are about), so that a parameter already found wrong here is not named twice.
READ_INTO = {
    "mode": "mode",
    "village": "village",
    "id_number": "applicant_id_number",
    "visit_time": "visit_time",
    "visit_days": "visit_weekdays",
    "consent": "consent",
    "first_name": "applicant_name",
    "last_name": "applicant_name",
    "phone": "applicant_phone",
    "address_id": "village",
    "address_string": "applicant_address",
    "description": "description",
}


def submission(
    post: QueryDict,
    *,
    required: set[str],
    problems_of: Callable[[dict[str, Any]], dict[str, list[str]]] | None = None,
) -> dict[str, Any]:
    """``service_request_submit``'s arguments from a POST (besides the item, the
    channel and who enters it); `required` are the attribute codes the item's
    definition requires. Open311Error(400) lists every problem: those found here
    and, when there are any, those `problems_of` (the action's checks, given the
    values read) finds in the other parameters."""
    problems: list[str] = []
    wrong: set[str] = set()  # the domain fields already found wrong here
    form = PostForm(post)
    if not form.is_valid():
        for name, messages in form.errors.items():
            problems += [described(name, message) for message in messages]
            wrong.add(READ_INTO.get(name, name))
    fields = {name: "" for name in form.fields} | form.cleaned_data
    attributes = _attributes(post, problems, wrong)
    for code in sorted(required - attributes.keys()):
        problems.append(_("attribute[%(code)s]: required.") % {"code": code})
        wrong.add(READ_INTO[code])
    village = _village(attributes, fields, problems)
    if not village:
        wrong.add("village")
    name = applicant_name(fields["first_name"], fields["last_name"])
    if len(name) > 50:
        problems.append(_("first_name, last_name: together at most 50 characters."))
        wrong.add("applicant_name")
    weekdays = _weekdays(attributes.get("visit_days", []), problems, wrong)
    values = {
        "village": village,
        "mode": _one(attributes, "mode"),
        "applicant_name": name,
        "applicant_phone": fields["phone"],
        "applicant_id_number": _one(attributes, "id_number"),
        "applicant_address": fields["address_string"],
        "description": fields["description"],
        "consent_version": _one(attributes, "consent"),
        "visit_weekdays": weekdays,
        "visit_time": _one(attributes, "visit_time"),
    }
    if problems:
        if problems_of is not None:
            found = problems_of(values)
            problems += field_descriptions(
                {field: found[field] for field in found if field not in wrong}
            )
        raise Open311Error(400, *problems)
    return values


def _attributes(
    post: QueryDict, problems: list[str], wrong: set[str]
) -> dict[str, list[str]]:
    """attribute[code]=value (and attribute[code][]=value for a list), by code; of
    an attribute that takes one value but was given more, the first (its error
    said)."""
    found: dict[str, list[str]] = {}
    for key, values in post.lists():
        match = ATTRIBUTE.match(key)
        if match is None:
            continue
        code = match.group(1)
        values = [v.strip() for v in values if v.strip()]
        if code not in SINGLE | MULTIPLE:
            problems.append(
                _("attribute[%(code)s]: no such attribute.") % {"code": code}
            )
            continue
        if code in SINGLE and len(found.get(code, [])) + len(values) > 1:
            problems.append(_("attribute[%(code)s]: give one value.") % {"code": code})
            wrong.add(READ_INTO[code])
            values = values[:1]
        if values:
            found[code] = [*found.get(code, []), *values][
                : 1 if code in SINGLE else None
            ]
    return found


def _one(attributes: dict[str, list[str]], code: str) -> str:
    return attributes.get(code, [""])[0]


def applicant_name(first_name: str, last_name: str) -> str:
    """The applicant's name as written in China, family name first: 张 + 桂英 is
    张桂英; a name in Latin letters keeps its order and a space (Anna Li)."""
    first, last = first_name.strip(), last_name.strip()
    if (first + last).isascii():
        return f"{first} {last}".strip()
    return last + first


def _village(
    attributes: dict[str, list[str]], fields: dict[str, str], problems: list[str]
) -> str | Village:
    """The village: attribute[village], or address_id (its division code), or the
    one village address_string names. An unknown code is the action's to report."""
    code = _one(attributes, "village") or fields.get("address_id", "")
    if code:
        return code
    address = fields.get("address_string", "")
    if not address and not (fields.get("lat") and fields.get("long")):
        problems.append(
            _(
                "A location is required: attribute[village], or address_id (the "
                "village's division code), or address_string naming the village."
            )
        )
        return ""
    named = [v for v in open311_villages() if v.name in address]
    if len(named) != 1:
        problems.append(
            _(
                "attribute[village]: say which village or community of Huagang town "
                "the applicant lives in (the address does not name exactly one)."
            )
        )
        return ""
    return named[0]


def _weekdays(
    values: list[str], problems: list[str], wrong: set[str]
) -> list[int] | None:
    if not values:
        return None
    if not all(v.isascii() and v.isdigit() and len(v) < 3 for v in values):
        problems.append(_("attribute[visit_days]: days are 1 (Monday) to 7 (Sunday)."))
        wrong.add("visit_weekdays")
        return None
    return [int(v) for v in values]
