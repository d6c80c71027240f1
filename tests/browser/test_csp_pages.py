"""The main pages in Chromium under the Content-Security-Policy: each carries the
header, serves no inline script, and the browser reports no violation (the shared
``policy_violations`` fixture fails the test on any)."""

import pytest

from services.models import ServiceItem
from tests.guard.test_csp import inline_scripts, public_paths, staff_paths

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _visit(person, path: str) -> None:
    page = person.page
    response = page.goto(person.base_url + path)
    assert response is not None and response.status == 200, path
    headers = response.headers
    assert "script-src 'self'" in headers["content-security-policy"], path
    assert "camera=()" in headers["permissions-policy"], path
    assert inline_scripts(response.text()) == [], path
    page.wait_for_load_state("networkidle")  # the page's own scripts have run
    if not path.startswith("/api/"):  # Redoc's page is too long for a full shot
        person.shot(path.strip("/").replace("/", "-") or "home")


def test_main_pages_keep_to_the_policy(person, official, full_case):
    visitor = person()
    for path in public_paths(ServiceItem.objects.get(name="老年优待证换发")):
        _visit(visitor, path)
    official_at_work = person()
    official_at_work.sign_in(official)
    for path in staff_paths(full_case["case"]):
        _visit(official_at_work, path)
