"""A body Django cannot read (multipart without its boundary) is a 400 in the form each
caller parses: the API's error body, Open311's error list, the portal's page."""

import json

import pytest

pytestmark = pytest.mark.django_db

BROKEN = {"data": b"tracking_number=1", "content_type": "multipart/form-data"}


def test_the_api_answers_its_error_body(client):
    response = client.generic("POST", "/api/v1/requests/lookup/", **BROKEN)
    assert response.status_code == 400
    assert response["Content-Type"].startswith("application/json")
    assert json.loads(response.content) == {
        "code": "invalid_input",
        "message": "无法读取该请求，未保存任何内容。",
    }


def test_the_api_answers_in_the_caller_s_language(client):
    response = client.generic(
        "POST", "/api/v1/requests/", HTTP_ACCEPT_LANGUAGE="en", **BROKEN
    )
    assert response.status_code == 400
    assert json.loads(response.content)["message"] == (
        "The request could not be read. Nothing was saved."
    )


@pytest.mark.parametrize(
    ("path", "content_type"),
    [
        ("/open311/v2/requests.json", "application/json"),
        ("/open311/v2/requests.xml", "text/xml"),
    ],
)
def test_open311_answers_its_error_list(client, path, content_type):
    response = client.generic("POST", path, **BROKEN)
    assert response.status_code == 400
    assert response["Content-Type"].startswith(content_type)
    assert "无法读取该请求" in response.content.decode()
    if content_type == "application/json":
        assert json.loads(response.content)[0]["code"] == 400


def test_a_page_answers_the_portal_s_page(client):
    response = client.generic("POST", "/track/", **BROKEN)
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")
    page = response.content.decode()
    assert "无法读取该请求，未保存任何内容。" in page
    assert "筛选" not in page  # not the page about filters in the address
