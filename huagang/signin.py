"""Sign-in lockout (django-axes): how the portal names the account, the address and
the client in axes's records and log lines.

Every sign-in form (the admin's and the residents' /account/sign-in/) goes through
``django.contrib.auth.authenticate``, where axes's backend refuses a locked-out account
or address and its signal handler counts failures (settings: ``AXES_*`` in base.py).
"""

import math

from axes.helpers import get_cool_off
from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from villages.validators import mask_mobile, normalize_mobile


def signin_username(request: HttpRequest, credentials: dict | None) -> str | None:
    """The account a sign-in names, as the user model stores it: "+86 138 0013 8000"
    and "13800138000" are one account, so they share one count of failures."""
    field = settings.AXES_USERNAME_FORM_FIELD
    raw = (credentials or {}).get(field) or request.POST.get(field)
    if not raw:
        return None
    try:
        return normalize_mobile(raw)
    except ValidationError:
        return raw[:150]  # not a number: counted as typed (the model's limit)


def signin_client_ip(request: HttpRequest) -> str | None:
    """The client's address, from the same header as the portal's other per-client
    limits (``HUAGANG_CLIENT_IP_HEADER`` behind a proxy, else REMOTE_ADDR)."""
    key = settings.RATELIMIT_IP_META_KEY or "REMOTE_ADDR"
    value = request.META.get(key) or request.META.get("REMOTE_ADDR")
    # X-Forwarded-For may list several: the first is the client's.
    return value.split(",")[0].strip() if value else None


def mask_username(username: str | None) -> str:
    """A mobile number as 138****5678; anything else typed as an account name is not
    echoed at all (it may be a password typed into the wrong field)."""
    if not username:
        return "-"
    digits = username.strip()
    if digits.isascii() and digits.isdigit() and len(digits) == 11:
        return mask_mobile(digits)
    return "***"


def signin_client_str(
    username: str | None,
    ip_address: str | None,
    user_agent: str | None,
    path_info: str | tuple | list | None,
    request: HttpRequest,
) -> str:
    """What axes's log lines say of a client: the masked account, the address and
    the sign-in page; never the password (axes never passes it) or the full number."""
    if isinstance(path_info, tuple | list):
        path_info = path_info[0] if path_info else ""
    return (
        f'{{username: "{mask_username(username)}", ip_address: "{ip_address or "-"}", '
        f'path_info: "{path_info or "-"}"}}'
    )


def signin_locked_out(
    request: HttpRequest,
    original_response: HttpResponse | None = None,
    credentials: dict | None = None,
) -> HttpResponse:
    """The page a locked-out sign-in sees (429, with Retry-After): how long to wait,
    and that the town's office can unlock the account sooner."""
    cool_off = get_cool_off(request)
    minutes = max(1, math.ceil(cool_off.total_seconds() / 60)) if cool_off else None
    response = render(
        request,
        "huagang/locked_out.html",
        {"minutes": minutes, "failure_limit": settings.AXES_FAILURE_LIMIT},
        status=429,
    )
    if minutes:
        response["Retry-After"] = str(minutes * 60)
    return response
