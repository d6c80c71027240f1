"""POST /api/v1/requests/lookup/: the applicant without an account proves the request
with its number and the last four digits of the phone; one 404 for any mismatch;
failed tries counted with the tracking page's."""

import datetime as dt

import pytest
import time_machine
from django.core.cache import cache
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient
from rest_framework.throttling import SimpleRateThrottle

from services.views.track import lookup_minutes_to_wait, lookup_usages

from .requests_support import ID_NUMBER, LOOKUP, PHONE, url

pytest_plugins = ["tests.api.requests_fixtures"]

pytestmark = pytest.mark.django_db


def look(client, number: str, digits: str = "0123", **more):
    return client.post(
        LOOKUP,
        {"tracking_number": number, "phone_last4": digits, **more},
        format="json",
    )


def test_the_number_and_digits_show_the_applicants_view(submit):
    case = submit("agency")
    response = look(APIClient(), case.tracking_number)
    assert response.status_code == 200
    data = response.json()
    assert data["tracking_number"] == case.tracking_number
    assert data["applicant"]["name"] == "张**"
    assert data["applicant"]["address"] is None and data["description"] is None
    assert data["next_steps"] == []
    text = response.content.decode()
    assert PHONE not in text and ID_NUMBER not in text and "张桂英" not in text


def test_the_number_as_typed_on_a_phone_is_found(submit):
    case = submit("agency")
    typed = " " + case.tracking_number.lower().replace("hg", "ＨＧ") + " "
    assert look(APIClient(), typed, "０１２３").status_code == 200


@pytest.mark.parametrize(
    ("number", "digits"),
    [("{n}", "9999"), ("HG260310999999", "0123"), ("{n}", "1230"), ("HG", "0123")],
)
def test_any_mismatch_is_the_same_404(number, digits, submit):
    case = submit("agency")
    response = look(APIClient(), number.format(n=case.tracking_number), digits)
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    assert case.tracking_number not in response.content.decode()


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"phone_last4": "0123"}, "tracking_number"),
        ({"tracking_number": "HG260310000001"}, "phone_last4"),
        ({"tracking_number": "HG260310000001", "phone_last4": "12a4"}, "phone_last4"),
        ({"tracking_number": "HG260310000001", "phone_last4": "123"}, "phone_last4"),
        ({"tracking_number": "x" * 31, "phone_last4": "0123"}, "tracking_number"),
        (
            {"tracking_number": "HG260310000001", "phone_last4": "0123", "remember": 3},
            "remember",
        ),
    ],
)
def test_bad_input_is_a_400(data, field, submit):
    response = APIClient().post(LOOKUP, data, format="json")
    assert response.status_code == 400
    assert field in response.json()["errors"]


def test_failed_tries_on_a_number_close_it_even_to_the_right_digits(submit, settings):
    settings.HUAGANG_TRACK_FAILURES_PER_NUMBER = "3/h"
    case = submit("agency")
    for guess in ("1111", "2222", "3333"):
        assert look(APIClient(), case.tracking_number, guess).status_code == 404
    closed = look(APIClient(), case.tracking_number)
    assert closed.status_code == 429
    assert closed.json()["code"] == "throttled"
    assert int(closed["Retry-After"]) >= 60


def test_the_api_and_the_tracking_page_count_the_same_failures(
    client, submit, settings
):
    """Three failures on the page close the API's door too (and the other way)."""
    settings.HUAGANG_TRACK_FAILURES_PER_NUMBER = "3/h"
    case = submit("agency")
    for guess in ("1111", "2222", "3333"):
        page = client.post(
            "/track/", {"number": case.tracking_number, "phone_last4": guess}
        )
        assert page.status_code == 404
    assert look(APIClient(), case.tracking_number).status_code == 429

    cache.clear()
    other = submit("agency")
    for guess in ("1111", "2222", "3333"):
        assert look(APIClient(), other.tracking_number, guess).status_code == 404
    page = client.post(
        "/track/", {"number": other.tracking_number, "phone_last4": "0123"}
    )
    assert page.status_code == 429


def test_the_one_read_of_the_counts_agrees_with_django_ratelimit(rf, settings):
    """``lookup_minutes_to_wait`` reads the counts under django-ratelimit's own keys."""
    settings.HUAGANG_TRACK_FAILURES_PER_CLIENT = "2/h"
    request = rf.post("/track/", REMOTE_ADDR="203.0.113.9")
    assert lookup_minutes_to_wait(request, "HG260310000001") is None
    lookup_usages(request, "HG260310000001", increment=True)
    lookup_usages(request, "HG260310000002", increment=True)
    assert lookup_minutes_to_wait(request, "HG260310000003") >= 1
    other_client = rf.post("/track/", REMOTE_ADDR="203.0.113.10")
    assert lookup_minutes_to_wait(other_client, "HG260310000003") is None


@pytest.fixture
def rates(monkeypatch):
    def _rates(**found):
        for scope, rate in found.items():
            monkeypatch.setitem(SimpleRateThrottle.THROTTLE_RATES, scope, rate)

    return _rates


def test_lookups_are_throttled_per_client(submit, rates):
    rates(lookup="2/min")
    case = submit("agency")
    client = APIClient()
    codes = [look(client, case.tracking_number).status_code for _n in range(3)]
    assert codes == [200, 200, 429]


LAST_SECOND = dt.datetime(2026, 3, 10, 2, 0, 59, tzinfo=dt.UTC)  # of a minute


def test_refused_by_both_limits_the_wait_named_is_the_longer(submit, settings, rates):
    """The per-minute limit (1 s left) and the failed tries' limit (minutes) both
    refuse: Retry-After and the message name the failed tries' wait, after which a
    retry could succeed. Refused by the per-minute limit alone, its own wait."""
    rates(lookup="2/min")
    settings.HUAGANG_TRACK_FAILURES_PER_NUMBER = "2/h"
    case, other = submit("agency"), submit("agency")
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    with time_machine.travel(LAST_SECOND, tick=False):
        for guess in ("1111", "2222"):
            assert look(client, case.tracking_number, guess).status_code == 404
        closed = look(client, case.tracking_number)
        alone = look(client, other.tracking_number)
        minutes = lookup_minutes_to_wait(
            RequestFactory().post("/track/"), case.tracking_number
        )
    assert closed.status_code == 429 and closed.json()["code"] == "throttled"
    assert minutes is not None
    assert closed["Retry-After"] == str(minutes * 60)
    assert closed.json()["message"] == (
        f"Too many requests. Try again in {minutes} minutes."
        if minutes > 1
        else "Too many requests. Try again in 60 seconds."
    )
    assert alone.status_code == 429
    assert alone["Retry-After"] == "1"
    assert alone.json()["message"] == "Too many requests. Try again in 1 second."


def test_a_lookup_reads_one_row(submit):
    case = submit("agency")
    look(APIClient(), case.tracking_number)
    with CaptureQueriesContext(connection) as queries:
        assert look(APIClient(), case.tracking_number).status_code == 200
    assert len(queries) == 1


# --- the proof kept in the session ----------------------------------------------------


def test_without_remember_the_lookup_opens_nothing_else(submit):
    case = submit("agency")
    client = APIClient()
    look(client, case.tracking_number)
    assert client.get(url(case)).status_code == 401
    assert client.get(url(case, "timeline/")).status_code == 401


def test_remember_keeps_the_proof_for_this_request_only(submit):
    case = submit("agency")
    other = submit("agency")
    client = APIClient()
    assert look(client, case.tracking_number, remember=True).status_code == 200
    detail = client.get(url(case))
    assert detail.status_code == 200
    assert detail.json()["applicant"]["name"] == "张**"
    timeline = client.get(url(case, "timeline/"))
    assert timeline.status_code == 200
    assert client.get(url(other)).status_code == 401


def test_a_write_on_the_sessions_proof_needs_the_csrf_token(
    submit, village_clerk, commit
):
    from services import actions

    case = submit("instant")
    with commit():
        actions.service_request_complete(service_request=case, by=village_clerk)
    client = APIClient(enforce_csrf_checks=True)
    look(client, case.tracking_number, remember=True)
    refused = client.post(url(case, "rating/"), {"level": 5}, format="json")
    assert refused.status_code == 403
    token = client.cookies["csrftoken"].value
    rated = client.post(
        url(case, "rating/"), {"level": 5}, format="json", HTTP_X_CSRFTOKEN=token
    )
    assert rated.status_code == 201, rated.json()
    assert rated.json()["rating"]["level"] == 5
