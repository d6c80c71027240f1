"""``Cache-Control: no-store, private`` on every response that may carry personal
data (huagang.guard.PrivateResponsesMiddleware); public pages keep theirs."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tests.files import pdf_bytes
from villages.actions import api_token_create


def _private(response) -> bool:
    directives = {d.strip() for d in response.get("Cache-Control", "").split(",")}
    return {"no-store", "private"} <= directives and "public" not in directives


@pytest.fixture
def case(submit):
    return submit(
        "agency", uploads=[(SimpleUploadedFile("身份证.pdf", pdf_bytes()), None)]
    )


def test_materials_case_pages_and_exports_for_staff(client, case, village_clerk):
    client.force_login(village_clerk)
    number = case.tracking_number
    urls = [
        reverse("services:attachment", args=[case.attachments.get().pk]),
        reverse("staff:case", args=[number]),
        reverse("staff:queue"),
        "/dashboard/export/overdue.csv",
        f"/api/v1/requests/{number}/",
        "/api/v1/requests/",
        "/",  # any page for a signed-in person: the header names them
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        assert _private(response), (url, response.get("Cache-Control"))


def test_admin_exports_and_pages(official_client, case):
    for url in (
        reverse("admin:services_servicerequest_changelist"),
        reverse("admin:services_servicerequest_change", args=[case.pk]),
    ):
        response = official_client.get(url)
        assert response.status_code == 200, url
        assert _private(response), url


def test_the_residents_own_pages(client, case, resident):
    client.force_login(resident)
    for url in ("/my/requests/", f"/my/requests/{case.tracking_number}/"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert _private(response), url


def test_the_tracking_result_for_a_visitor_who_proved_it(client, case):
    response = client.post(
        "/track/", {"number": case.tracking_number, "phone_last4": "0123"}
    )
    assert response.status_code == 302
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert _private(page)


def test_the_api_called_with_a_key(client, official):
    _token, key = api_token_create(name="12345热线", account=official, by=official)
    response = client.get("/api/v1/statistics/", HTTP_AUTHORIZATION=f"Token {key}")
    assert response.status_code == 200
    assert _private(response)


def test_public_pages_for_visitors_without_a_session_are_left_alone(client, db):
    for url in ("/", "/services/", "/track/"):
        response = client.get(url)
        assert response.status_code == 200
        assert "no-store" not in response.get("Cache-Control", ""), url


def test_a_view_that_declares_itself_public_is_left_alone(client, official):
    client.force_login(official)
    response = client.get("/api/v1/redoc/redoc.js")  # the same script for everyone
    assert response.status_code == 200
    assert response["Cache-Control"] == "public, max-age=86400"
