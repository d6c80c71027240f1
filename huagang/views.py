"""Project-wide pages that belong to no app."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.utils.translation import gettext as _
from django.views import defaults

from .middleware import API_PREFIX, OPEN311_PREFIX, api_error
from .privacy import NOTICE_VERSION


def privacy_notice(request: HttpRequest) -> HttpResponse:
    return render(request, "huagang/privacy.html", {"version": NOTICE_VERSION})


def favicon(request: HttpRequest) -> HttpResponse:
    """Browsers ask for /favicon.ico whatever the page says: send them to the icon
    (its static address is looked up when asked, once the files are collected)."""
    return redirect(static("favicon.svg"), permanent=True)


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    """handler400: a request Django could not read (a multipart body without its
    boundary, too many fields, a suspicious header). Under /api/ and /open311/ the
    error in the form their callers parse; everywhere else the portal's page."""
    message = _("The request could not be read. Nothing was saved.")
    if request.path_info.startswith(API_PREFIX):
        return api_error("invalid_input", message, status=400)
    if request.path_info.startswith(OPEN311_PREFIX):
        from services.open311.errors import Open311Error, error_response

        fmt = "xml" if request.path_info.endswith(".xml") else "json"
        return error_response(Open311Error(400, message), fmt=fmt)
    return render(request, "400.html", {"reason": message}, status=400)


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """handler404: an address no URL pattern knows. Under /api/ the API's error body
    (its callers parse JSON, not a page); everywhere else the portal's page. (Open311
    answers unknown addresses under /open311/ itself, in its own form.)"""
    if request.path_info.startswith(API_PREFIX):
        return api_error("not_found", _("Not found."), status=404)
    return defaults.page_not_found(request, exception)
