"""Project-wide pages that belong to no app."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from .privacy import NOTICE_VERSION


def privacy_notice(request: HttpRequest) -> HttpResponse:
    return render(request, "huagang/privacy.html", {"version": NOTICE_VERSION})
