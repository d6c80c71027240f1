"""The Content-Security-Policy and Permissions-Policy headers on the main pages, and
no inline script or event handler in any page they serve (the browser tests also
fail on any violation the browser reports: tests/browser/conftest.py)."""

import re

import pytest
from django.urls import reverse

from services.models import ServiceItem

INLINE_SCRIPT = re.compile(r"<script\b(?![^>]*\bsrc=)([^>]*)>", re.IGNORECASE)
DATA_BLOCK = re.compile(r'\btype="application/(?:ld\+)?json"', re.IGNORECASE)
INLINE_HANDLER = re.compile(r"<[a-z][^>]*\son[a-z]+\s*=", re.IGNORECASE)
STYLE_ATTRIBUTE = re.compile(r"<[a-z][^>]*\sstyle\s*=", re.IGNORECASE)


def inline_scripts(html: str) -> list[str]:
    """Executable inline scripts (a JSON data block is not one) and on…= handlers."""
    found = [
        m.group(0)
        for m in INLINE_SCRIPT.finditer(html)
        if not DATA_BLOCK.search(m.group(1))
    ]
    return found + INLINE_HANDLER.findall(html)


def check_page(response) -> None:
    policy = response["Content-Security-Policy"]
    # Directives in any order (django-csp does not keep one): scripts only from 'self'.
    directives = {
        part.split()[0]: part.split()[1:] for part in policy.split(";") if part.strip()
    }
    assert directives["script-src"] == ["'self'"], policy
    if response.request["PATH_INFO"] == "/api/v1/redoc/":  # its bundle's styles
        policy = policy.replace("style-src 'self' 'unsafe-inline'", "")
    assert "unsafe-inline" not in policy
    assert "object-src 'none'" in policy and "frame-ancestors 'none'" in policy
    permissions = response["Permissions-Policy"]
    for feature in ("camera", "microphone", "geolocation"):
        assert f"{feature}=()" in permissions
    html = response.content.decode()
    assert inline_scripts(html) == [], response.request["PATH_INFO"]
    assert STYLE_ATTRIBUTE.findall(html) == [], response.request["PATH_INFO"]


@pytest.fixture
def item(db) -> ServiceItem:
    return ServiceItem.objects.get(name="老年优待证换发")


def public_paths(item: ServiceItem) -> list[str]:
    """The main pages anyone opens (also crawled in Chromium: tests/browser)."""
    return [
        "/",
        "/services/",
        reverse("services:detail", kwargs={"code": item.code}),
        reverse("services:apply", kwargs={"code": item.code}),
        "/track/",
        "/villages/",
        "/account/sign-in/",
        "/admin/login/",
        "/privacy/",
        "/questions/",
        "/questions/ask/",
        "/api/v1/docs/",
        "/api/v1/redoc/",
    ]


def staff_paths(case) -> list[str]:
    """The main pages of an official at work, `case` a request they may open."""
    return [
        "/staff/",
        reverse("staff:case", args=[case.tracking_number]),
        "/dashboard/",
        "/staff/questions/",
        "/admin/",
        reverse("admin:services_servicerequest_changelist"),
        reverse("admin:services_servicerequest_change", args=[case.pk]),
    ]


def test_public_pages(client, item):
    for url in public_paths(item):
        response = client.get(url)
        assert response.status_code == 200, url
        check_page(response)


def test_staff_pages(client, official, full_case):
    client.force_login(official)
    for url in staff_paths(full_case["case"]):
        response = client.get(url)
        assert response.status_code == 200, url
        check_page(response)


def test_error_pages(client, db):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    check_page(response)


def test_the_finder_recognises_inline_script():
    assert inline_scripts('<script>alert(1)</script><a onclick="x()">')
    assert not inline_scripts(
        '<script src="/static/js/portal.js" defer></script>'
        '<script id="d" type="application/json">{}</script>'
    )
