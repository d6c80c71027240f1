"""A number typed on the other tracker: a life event's number (HGE…) at /track/ and a
request's number (HG…) at /events/track/ are recognised by their form and the lookup
goes, digits and all, to the tracker of that number, where the digits are checked
and a failure counted as on any lookup. The page the resident chose wrongly counts
nothing and asks nothing again."""

import uuid

import pytest
from django.core.cache import cache
from django.test import RequestFactory

from huagang.privacy import NOTICE_VERSION
from services import access
from services.actions import events as event_actions
from services.selectors.events import life_event_get, life_event_plan
from services.views.track import lookup_usages

pytestmark = pytest.mark.django_db

PHONE, DIGITS = "13955550123", "0123"
DEATH = {"pension": "yes", "disability-card": "no", "cremated": "no", "dibao": "no"}


@pytest.fixture(autouse=True)
def _fresh_counts():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def application(village):
    plan = life_event_plan(event=life_event_get(code="after-death"), given=DEATH)
    return event_actions.life_event_submit(
        plan=plan,
        village=village,
        applicant_name="张桂英",
        applicant_phone=PHONE,
        applicant_id_number="11010519491231002X",
        consent_version=NOTICE_VERSION,
        submission_key=uuid.uuid4(),
    )


def failures(number: str) -> list[int]:
    """The failed lookups counted from the test client's address and on `number`."""
    request = RequestFactory().post("/track/")  # REMOTE_ADDR 127.0.0.1, as the client
    number = access.tracking_number_normalize(number)
    return [usage["count"] for usage in lookup_usages(request, number, increment=False)]


def test_the_kinds_of_numbers_by_their_form():
    assert access.tracking_number_kind("HG261130507328") == "request"
    assert access.tracking_number_kind("hge 2611 3050 7328") == "life_event"
    assert access.tracking_number_kind("ＨＧＥ２６１１３０５０７３２８") == "life_event"
    for neither in ("", "HG2611", "HGE26113050732", "HGX261130507328", "张桂英"):
        assert access.tracking_number_kind(neither) is None


# --- an event's number at the request tracker ------------------------------------------


def test_an_event_number_at_the_request_tracker_opens_the_event(client, application):
    typed = application.number.lower()  # as typed on a phone
    sent = client.post("/track/", {"number": typed, "phone_last4": DIGITS})
    assert sent.status_code == 307  # the browser posts the same form on
    assert sent["Location"] == "/events/track/"
    assert DIGITS not in sent["Location"]
    response = client.post(
        "/track/", {"number": typed, "phone_last4": DIGITS}, follow=True
    )
    assert response.redirect_chain[-1] == (f"/events/track/{application.number}/", 302)
    assert response.status_code == 200
    assert "身后一件事" in response.content.decode()
    assert failures(application.number) == [0, 0]


def test_wrong_digits_sent_on_count_once_as_at_the_event_tracker(client, application):
    response = client.post(
        "/track/", {"number": application.number, "phone_last4": "9999"}, follow=True
    )
    assert response.status_code == 404
    page = response.content.decode()
    assert 'action="/events/track/"' in page and application.number in page
    assert "一件事编号" in page  # the field is named for what was typed
    assert failures(application.number) == [1, 1]


def test_the_limits_still_hold_through_the_request_tracker(
    client, application, settings
):
    settings.HUAGANG_TRACK_FAILURES_PER_NUMBER = "1/h"
    wrong = client.post(
        "/track/", {"number": application.number, "phone_last4": "9999"}, follow=True
    )
    assert wrong.status_code == 404
    limited = client.post(
        "/track/", {"number": application.number, "phone_last4": DIGITS}, follow=True
    )
    assert limited.status_code == 429


def test_a_link_with_an_event_number_opens_the_event_tracker(client, application):
    response = client.get("/track/", {"number": application.number})
    assert response.status_code == 302
    assert response["Location"] == f"/events/track/?number={application.number}"


# --- a request's number at the event tracker -------------------------------------------


def test_a_request_number_at_the_event_tracker_opens_the_request(client, submit):
    request = submit("agency")
    sent = client.post(
        "/events/track/", {"number": request.tracking_number, "phone_last4": DIGITS}
    )
    assert (sent.status_code, sent["Location"]) == (307, "/track/")
    response = client.post(
        "/events/track/",
        {"number": request.tracking_number, "phone_last4": DIGITS},
        follow=True,
    )
    assert response.redirect_chain[-1] == (f"/track/{request.tracking_number}/", 302)
    assert request.item.name in response.content.decode()
    assert failures(request.tracking_number) == [0, 0]


def test_wrong_digits_sent_on_count_once_as_at_the_request_tracker(client, submit):
    request = submit("agency")
    response = client.post(
        "/events/track/",
        {"number": request.tracking_number, "phone_last4": "9999"},
        follow=True,
    )
    assert response.status_code == 404
    assert 'action="/track/"' in response.content.decode()
    assert failures(request.tracking_number) == [1, 1]


def test_a_link_with_a_request_number_opens_the_request_tracker(client, submit):
    request = submit("agency")
    response = client.get("/events/track/", {"number": request.tracking_number})
    assert response.status_code == 302
    assert response["Location"] == f"/track/?number={request.tracking_number}"


def test_a_number_of_neither_form_is_looked_up_where_it_was_typed(client):
    for tracker in ("/track/", "/events/track/"):
        response = client.post(tracker, {"number": "HG2611", "phone_last4": DIGITS})
        assert response.status_code == 404
