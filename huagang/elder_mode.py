"""长辈版: the ageing-friendly layout a visitor switches on with the header's button.

The choice is a cookie, not a session or an account setting: it works without
JavaScript and without signing in, and it is remembered on this browser for the next
visit. The mode changes only the page's ``<body class="elder">`` (the CSS does the
rest) and, on the home page, puts the most used items first.
"""

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

COOKIE_NAME = "huagang_elder"
# About a year: the longest a browser keeps a cookie is 400 days (Chromium's cap).
COOKIE_MAX_AGE = 365 * 24 * 60 * 60
ON, OFF = "1", "0"


def is_on(request: HttpRequest) -> bool:
    return request.COOKIES.get(COOKIE_NAME) == ON


def elder_mode(request: HttpRequest) -> dict[str, bool]:
    """Context processor: ``elder_mode`` is True when the visitor chose 长辈版."""
    return {"elder_mode": is_on(request)}


def _safe_next(request: HttpRequest) -> str:
    """Where the button was pressed: the form's ``next``, else the referring page,
    else the home page. Never another site."""
    for url in (request.POST.get("next"), request.headers.get("referer")):
        if url and url_has_allowed_host_and_scheme(
            url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            return url
    return "/"


@require_POST
def elder_mode_set(request: HttpRequest) -> HttpResponse:
    """Switch 长辈版 on (``elder=1``) or off (``elder=0``) and go back to the page."""
    choice = request.POST.get("elder")
    if choice not in (ON, OFF):
        reason = _("Use the “Elder mode” button at the top of the page to switch.")
        return render(request, "400.html", {"reason": reason}, status=400)
    response = HttpResponseRedirect(_safe_next(request))
    if choice == ON:
        response.set_cookie(
            COOKIE_NAME,
            ON,
            max_age=COOKIE_MAX_AGE,
            secure=request.is_secure(),
            httponly=True,
            samesite="Lax",
        )
    else:
        response.delete_cookie(COOKIE_NAME, samesite="Lax")
    return response
