"""Sign-in lockout (django-axes): per account and per address, on the admin's and the
residents' sign-in, with a page in Chinese and a log line without the number."""

import datetime as dt
import logging

import pytest
import time_machine
from django.test import override_settings

from tests.factories import UserFactory
from villages.choices import Role

PASSWORD = "test-password"  # tests.factories.UserFactory's
SIGN_IN_PAGES = ["/admin/login/", "/account/sign-in/"]


def _try(client, url: str, phone: str, password: str, ip: str = "203.0.113.7"):
    return client.post(url, {"username": phone, "password": password}, REMOTE_ADDR=ip)


@pytest.fixture
def staff(db):
    return UserFactory(phone="13800138000", role=Role.OFFICIAL)


@pytest.mark.parametrize("url", SIGN_IN_PAGES)
@override_settings(AXES_FAILURE_LIMIT=3)
def test_locked_after_the_configured_failures_even_with_the_right_password(
    client, staff, url
):
    for _ in range(2):
        response = _try(client, url, staff.phone, "wrong-password")
        assert response.status_code in (200, 400)  # the form again, with its error
    response = _try(client, url, staff.phone, "wrong-password")
    assert response.status_code == 429
    page = response.content.decode()
    assert "登录已暂停" in page
    assert "15 分钟" in page
    assert response["Retry-After"] == "900"
    assert staff.phone not in page

    response = _try(client, url, staff.phone, PASSWORD)
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


@override_settings(AXES_FAILURE_LIMIT=3)
def test_the_number_as_people_type_it_counts_for_the_same_account(client, staff):
    for typed in ("138 0013 8000", "+8613800138000", "１３８００１３８０００"):
        _try(client, "/account/sign-in/", typed, "wrong-password", ip="198.51.100.1")
    response = _try(client, "/account/sign-in/", staff.phone, PASSWORD, ip="192.0.2.9")
    assert response.status_code == 429  # locked per account, from another address


@override_settings(AXES_FAILURE_LIMIT=3)
def test_locked_per_address_across_accounts(client, staff):
    for n in range(3):
        _try(client, "/admin/login/", f"1390000000{n}", "wrong-password")
    response = _try(client, "/admin/login/", staff.phone, PASSWORD)
    assert response.status_code == 429
    # The same account from another address is not locked (the refused try above
    # counts against it too: one of three).
    response = _try(client, "/admin/login/", staff.phone, PASSWORD, ip="192.0.2.9")
    assert response.status_code == 302


@override_settings(AXES_FAILURE_LIMIT=2, AXES_COOLOFF_TIME=dt.timedelta(minutes=30))
def test_the_right_password_works_again_after_the_cool_off(client, staff):
    for _ in range(2):
        _try(client, "/admin/login/", staff.phone, "wrong-password")
    assert _try(client, "/admin/login/", staff.phone, PASSWORD).status_code == 429
    with time_machine.travel(dt.timedelta(minutes=29), tick=False):
        assert _try(client, "/admin/login/", staff.phone, PASSWORD).status_code == 429
    # The try at 29 minutes started the cool-off again (axes's default: someone
    # hammering stays locked out); 31 minutes after it, the account is open.
    with time_machine.travel(dt.timedelta(minutes=29 + 31), tick=False):
        response = _try(client, "/admin/login/", staff.phone, PASSWORD)
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(staff.pk)


@override_settings(AXES_FAILURE_LIMIT=2)
def test_a_success_resets_the_count(client, staff):
    _try(client, "/account/sign-in/", staff.phone, "wrong-password")
    assert _try(client, "/account/sign-in/", staff.phone, PASSWORD).status_code == 302
    client.logout()
    _try(client, "/account/sign-in/", staff.phone, "wrong-password")
    assert _try(client, "/account/sign-in/", staff.phone, PASSWORD).status_code == 302


@override_settings(AXES_FAILURE_LIMIT=2)
def test_the_lockout_is_logged_without_the_number_or_the_password(
    client, staff, caplog
):
    with caplog.at_level(logging.INFO):
        for _ in range(2):
            _try(client, "/admin/login/", staff.phone, "s3cret-Guess")
    lines = [r.getMessage() for r in caplog.records if r.name.startswith("axes")]
    locked = [line for line in lines if "Locking out" in line]
    assert len(locked) == 1
    assert '"138****8000"' in locked[0]
    assert "203.0.113.7" in locked[0]
    assert "/admin/login/" in locked[0]
    text = "\n".join(r.getMessage() for r in caplog.records)
    assert staff.phone not in text
    assert "s3cret-Guess" not in text


def test_the_default_limit_comes_from_the_environment_with_sensible_defaults(
    settings,
):
    assert settings.AXES_FAILURE_LIMIT == 5
    assert dt.timedelta(minutes=15) == settings.AXES_COOLOFF_TIME
    assert settings.AXES_LOCKOUT_PARAMETERS == ["username", "ip_address"]
