"""Staff sessions end after HUAGANG_STAFF_IDLE_MINUTES without a request; activity
renews them; residents keep Django's session age."""

import datetime as dt

import pytest
import time_machine
from django.test import override_settings

QUEUE = "/staff/"
# The suite's settings keep staff signed in across its travels in time; here, the
# production default.
pytestmark = pytest.mark.usefixtures("_thirty_idle_minutes")


@pytest.fixture
def _thirty_idle_minutes(settings):
    from huagang.settings import base

    settings.HUAGANG_STAFF_IDLE_MINUTES = base.HUAGANG_STAFF_IDLE_MINUTES
    assert settings.HUAGANG_STAFF_IDLE_MINUTES == 30


def _later(minutes: float):
    return time_machine.travel(dt.timedelta(minutes=minutes), tick=False)


def test_a_clerk_is_signed_out_after_30_idle_minutes(client, village_clerk):
    client.force_login(village_clerk)
    assert client.get(QUEUE).status_code == 200
    with _later(31):
        response = client.get(QUEUE)
        assert response.status_code == 302
        assert response["Location"].startswith("/account/sign-in/")
        assert "_auth_user_id" not in client.session
        page = client.get(response["Location"]).content.decode()
    assert "30 分钟未操作" in page


def test_activity_renews_the_staff_session(client, village_clerk):
    client.force_login(village_clerk)
    assert client.get(QUEUE).status_code == 200
    with _later(25):
        assert client.get(QUEUE).status_code == 200
        with _later(25):  # 50 minutes after signing in, 25 after the last request
            assert client.get(QUEUE).status_code == 200
            assert client.session.get_expiry_age() == 40 * 60  # 10 more to say why


def test_a_staff_session_within_the_idle_time_stays(client, official):
    client.force_login(official)
    assert client.get("/admin/").status_code == 200
    with _later(29):
        assert client.get("/admin/").status_code == 200


@override_settings(HUAGANG_STAFF_IDLE_MINUTES=5)
def test_the_idle_time_is_a_setting(client, official):
    client.force_login(official)
    assert client.get("/admin/").status_code == 200
    with _later(6):
        assert client.get("/admin/").status_code == 302


def test_residents_keep_their_long_session(client, resident):
    client.force_login(resident)
    assert client.get("/my/requests/").status_code == 200
    with _later(3 * 24 * 60):
        assert client.get("/my/requests/").status_code == 200


@pytest.mark.parametrize("minutes", [0.5, 20])
def test_a_quiet_minute_does_not_rewrite_the_session(client, official, minutes):
    client.force_login(official)
    client.get("/admin/")
    first = client.session["huagang_last_seen"]
    with _later(minutes):
        client.get("/admin/")
        renewed = client.session["huagang_last_seen"]
    assert (renewed == first) == (minutes < 1)


def test_a_long_idle_staff_session_is_gone_from_the_store(client, village_clerk):
    client.force_login(village_clerk)
    client.get(QUEUE)
    key = client.session.session_key
    with _later(3 * 60):
        assert client.get(QUEUE).status_code == 302
    from django.contrib.sessions.models import Session

    assert not Session.objects.filter(session_key=key).exists() or (
        Session.objects.get(session_key=key).expire_date
        < dt.datetime(2026, 3, 10, 1, 41, tzinfo=dt.UTC)
    )
