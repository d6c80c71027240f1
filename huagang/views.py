"""Project-wide pages that belong to no app."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static

from .privacy import NOTICE_VERSION


def privacy_notice(request: HttpRequest) -> HttpResponse:
    return render(request, "huagang/privacy.html", {"version": NOTICE_VERSION})


def favicon(request: HttpRequest) -> HttpResponse:
    """Browsers ask for /favicon.ico whatever the page says: send them to the icon
    (its static address is looked up when asked, once the files are collected)."""
    return redirect(static("favicon.svg"), permanent=True)
