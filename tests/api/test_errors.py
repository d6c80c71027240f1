"""The API's error body where DRF or Django would answer otherwise: an unknown address
under /api/ (not the portal's page), an empty 405, and DRF's untranslated messages
(a parser's, the CSRF check's, the throttle's) in the caller's language."""

import datetime as dt
import json

import pytest
import time_machine
from rest_framework.test import APIClient
from rest_framework.throttling import SimpleRateThrottle

from huagang.middleware import MethodNotAllowedPageMiddleware

pytestmark = pytest.mark.django_db

REQUESTS = "/api/v1/requests/"


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/api/"),
        ("get", "/api/v1/"),
        ("get", "/api/v1/nope/"),
        ("get", "/api/v1/requests/abc/"),
        ("post", "/api/v1/requests/abc/accept/"),
    ],
)
def test_an_unknown_api_address_answers_the_api_s_404(client, method, path):
    response = getattr(client, method)(path)
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")
    assert response.json() == {"code": "not_found", "message": "未找到。"}
    english = getattr(client, method)(path, HTTP_ACCEPT_LANGUAGE="en")
    assert english.json()["message"] == "Not found."


def test_an_unknown_portal_address_is_still_the_page(client):
    response = client.get("/nope/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")
    assert "<html" in response.content.decode()


def test_open311_keeps_its_own_404(client):
    response = client.get("/open311/v2/nope.json")
    assert response.status_code == 404
    assert response.json()[0]["code"] == 404


def test_an_empty_405_under_the_api_is_the_api_s_body(rf):
    from django.http import HttpResponseNotAllowed

    middleware = MethodNotAllowedPageMiddleware(
        lambda r: HttpResponseNotAllowed(["GET"])
    )
    response = middleware(rf.post("/api/v1/anything/"))
    assert response.status_code == 405
    assert response["Allow"] == "GET"
    assert json.loads(response.content)["code"] == "method_not_allowed"
    page = middleware(rf.post("/track/leave/"))
    assert page["Content-Type"].startswith("text/html")


def test_malformed_json_is_said_in_chinese_without_the_parser_s_detail(resident):
    client = APIClient()
    client.force_login(resident)
    response = client.post(REQUESTS, '{"a" 1}', content_type="application/json")
    assert response.status_code == 400
    assert response.json() == {
        "code": "parse_error",
        "message": "请求正文不是有效的 JSON。",
    }


def test_a_null_body_is_said_in_chinese(resident):
    client = APIClient()
    client.force_login(resident)
    response = client.post(REQUESTS, "null", content_type="application/json")
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid_input"
    assert "No data" not in json.dumps(body, ensure_ascii=False)
    assert body["errors"]["__all__"] == ["请求正文为空：请以 JSON 对象发送各字段。"]


def test_a_missing_csrf_token_is_said_in_chinese(resident):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(resident)
    response = client.post(REQUESTS, {}, format="json")
    assert response.status_code == 403
    message = response.json()["message"]
    assert "CSRF" in message and "Failed" not in message
    assert message.startswith("缺少或无效的 CSRF 令牌")


def test_throttled_says_minutes_and_keeps_retry_after(client, monkeypatch):
    monkeypatch.setitem(SimpleRateThrottle.THROTTLE_RATES, "anon", "1/hour")
    at = dt.datetime(2026, 3, 10, 2, 13, 0, tzinfo=dt.UTC)  # 47 minutes left
    with time_machine.travel(at, tick=False):
        assert client.get("/api/v1/bodies/").status_code == 200
        refused = client.get("/api/v1/bodies/")
        english = client.get("/api/v1/bodies/", HTTP_ACCEPT_LANGUAGE="en")
    assert refused.status_code == 429
    assert refused["Retry-After"] == "2820"
    assert refused.json() == {
        "code": "throttled",
        "message": "请求过多，请 47 分钟后再试。",
    }
    assert english.json()["message"] == "Too many requests. Try again in 47 minutes."


def test_a_nul_error_body_is_plain_utf8(client):
    response = client.get("/api/v1/services/", {"q": "a\x00b"})
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert "\\u" not in response.content.decode()
    assert response.json()["message"] == "请更正标出的内容。"
