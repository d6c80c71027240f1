"""A second factor for staff (villages/second_factor.py): with the setting on, an
official or clerk who signed in with a password sees no page until they enrol an
authenticator app (the first time) or type its code; backup codes work once; wrong
codes are throttled and logged; residents are never asked."""

import datetime as dt
import logging
import re
import time

import pytest
import time_machine
from django.test import override_settings
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.factories import UserFactory
from villages.choices import Role

SETUP = "/account/second-factor/setup/"
VERIFY = "/account/second-factor/verify/"
OVERVIEW = "/account/second-factor/"
QUEUE = "/staff/"
PASSWORD = "test-password"

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _required(settings):
    settings.HUAGANG_STAFF_SECOND_FACTOR = True


def _sign_in(client, user) -> None:
    response = client.post(
        "/account/sign-in/", {"username": user.phone, "password": PASSWORD}
    )
    assert response.status_code == 302, response.content.decode()[:500]


def _code(device: TOTPDevice, *, at: float | None = None) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() if at is None else at
    return f"{totp.token():06d}"


def _enrol(client, user) -> list[str]:
    """Enrol through the pages as a person would; the backup codes shown."""
    page = client.get(SETUP).content.decode()
    assert "<svg" in page
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    secret = re.search(r'data-testid="secret">([A-Z2-7 ]+)<', page).group(1)
    assert secret.replace(" ", "") in device.config_url  # the QR code's secret
    response = client.post(SETUP, {"code": _code(device), "next": QUEUE})
    assert response.status_code == 200
    return re.findall(r"<li><code>([a-z2-7]{8})</code></li>", response.content.decode())


def _later(seconds: float):
    return time_machine.travel(dt.timedelta(seconds=seconds), tick=False)


def test_a_clerk_signed_in_with_a_password_must_enrol_first(client, village_clerk):
    _sign_in(client, village_clerk)
    response = client.get(QUEUE)
    assert response.status_code == 302
    assert response["Location"] == f"{SETUP}?next=%2Fstaff%2F"
    # No other page either: the admin, the dashboard, a case.
    for path in ("/admin/", "/dashboard/", "/staff/entry/"):
        assert client.get(path)["Location"].startswith(SETUP), path
    # The API answers a session that has not shown the second factor with a 403.
    api = client.get("/api/v1/requests/")
    assert api.status_code == 403
    assert api.json()["code"] == "second_factor_required"


def test_enrolling_shows_a_qr_code_and_ten_backup_codes_then_the_pages_open(
    client, village_clerk
):
    _sign_in(client, village_clerk)
    codes = _enrol(client, village_clerk)
    assert len(codes) == 10 and len(set(codes)) == 10
    assert TOTPDevice.objects.get(user=village_clerk).confirmed
    assert client.get(QUEUE).status_code == 200
    page = client.get(OVERVIEW).content.decode()
    assert "10" in page


def test_a_wrong_enrolment_code_changes_nothing(client, village_clerk):
    _sign_in(client, village_clerk)
    client.get(SETUP)
    device = TOTPDevice.objects.get(user=village_clerk)
    wrong = f"{(int(_code(device)) + 1) % 1_000_000:06d}"
    response = client.post(SETUP, {"code": wrong})
    assert response.status_code == 400
    assert "验证器" in response.content.decode()
    device.refresh_from_db()
    assert not device.confirmed
    assert client.get(QUEUE).status_code == 302
    # Letters are not an enrolment code: a clear message, nothing checked.
    response = client.post(SETUP, {"code": "abcdefgh"})
    assert response.status_code == 400


def test_the_next_sign_in_asks_for_a_code_not_a_new_enrolment(client, village_clerk):
    _sign_in(client, village_clerk)
    _enrol(client, village_clerk)
    client.post("/account/sign-out/")
    _sign_in(client, village_clerk)
    response = client.get(QUEUE)
    assert response["Location"] == f"{VERIFY}?next=%2Fstaff%2F"
    # Without a verified session the authenticator cannot be replaced.
    assert client.get(SETUP)["Location"].startswith(VERIFY)
    device = TOTPDevice.objects.get(user=village_clerk)
    with _later(60):  # a code is good once: the next time step's code
        response = client.post(VERIFY, {"code": _code(device), "next": QUEUE})
        assert response.status_code == 302 and response["Location"] == QUEUE
        assert client.get(QUEUE).status_code == 200


def test_a_backup_code_signs_in_once(client, village_clerk):
    _sign_in(client, village_clerk)
    codes = _enrol(client, village_clerk)
    client.post("/account/sign-out/")
    _sign_in(client, village_clerk)
    assert client.post(VERIFY, {"code": codes[3].upper()}).status_code == 302
    assert client.get(QUEUE).status_code == 200
    assert StaticToken.objects.filter(device__user=village_clerk).count() == 9
    client.post("/account/sign-out/")
    _sign_in(client, village_clerk)
    with _later(5):
        assert client.post(VERIFY, {"code": codes[3]}).status_code == 400
        assert client.get(QUEUE).status_code == 302


def test_wrong_codes_are_throttled_and_logged_without_the_code(
    client, village_clerk, caplog
):
    _sign_in(client, village_clerk)
    _enrol(client, village_clerk)
    client.post("/account/sign-out/")
    _sign_in(client, village_clerk)
    caplog.set_level(logging.INFO, logger="huagang.signin")
    assert client.post(VERIFY, {"code": "000000"}).status_code in (400, 429)
    refused = client.post(VERIFY, {"code": "111111"})
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) >= 1
    assert "秒" in refused.content.decode()
    records = [r for r in caplog.records if "code refused" in r.getMessage()]
    assert records and all(r.user_id == village_clerk.pk for r in records)
    assert not any("000000" in r.getMessage() for r in caplog.records)
    # Even the right code waits out the throttle; after it, it works.
    device = TOTPDevice.objects.get(user=village_clerk)
    assert client.post(VERIFY, {"code": _code(device)}).status_code == 429
    with _later(60):
        assert client.post(VERIFY, {"code": _code(device)}).status_code == 302


def test_officials_and_admin_users_need_it_too(client, official):
    _sign_in(client, official)
    assert client.get("/admin/")["Location"].startswith(SETUP)
    superuser = UserFactory(role=Role.RESIDENT, is_staff=True, is_superuser=True)
    client.post("/account/sign-out/")
    _sign_in(client, superuser)
    assert client.get("/admin/")["Location"].startswith(SETUP)


def test_residents_are_never_asked(client, resident):
    _sign_in(client, resident)
    assert client.get("/my/requests/").status_code == 200
    assert client.get(OVERVIEW).status_code == 403
    assert client.get(SETUP).status_code == 403


def test_signing_out_and_static_files_stay_open(client, village_clerk):
    _sign_in(client, village_clerk)
    assert client.post("/account/sign-out/").status_code == 302
    assert "_auth_user_id" not in client.session


def test_next_never_leaves_the_portal(client, village_clerk):
    _sign_in(client, village_clerk)
    client.get(SETUP)
    device = TOTPDevice.objects.get(user=village_clerk)
    response = client.post(
        SETUP, {"code": _code(device), "next": "https://evil.example/phish"}
    )
    assert "evil.example" not in response.content.decode()
    assert f'href="{QUEUE}"' in response.content.decode()


def test_new_backup_codes_need_a_ticked_box_and_replace_the_old(client, village_clerk):
    _sign_in(client, village_clerk)
    old = _enrol(client, village_clerk)
    refused = client.post(OVERVIEW, {})
    assert refused.status_code == 400
    assert set(
        StaticToken.objects.filter(device__user=village_clerk).values_list(
            "token", flat=True
        )
    ) == set(old)
    response = client.post(OVERVIEW, {"confirm": "yes"})
    new = re.findall(r"<li><code>([a-z2-7]{8})</code></li>", response.content.decode())
    assert len(new) == 10 and not set(new) & set(old)


@override_settings(HUAGANG_STAFF_SECOND_FACTOR=False)
def test_with_the_setting_off_staff_go_straight_in(client, village_clerk):
    _sign_in(client, village_clerk)
    assert client.get(QUEUE).status_code == 200


def test_a_right_code_during_the_wait_after_a_wrong_one_says_wait(
    client, village_clerk
):
    _sign_in(client, village_clerk)
    client.get(SETUP)
    device = TOTPDevice.objects.get(user=village_clerk)
    wrong = f"{(int(_code(device)) + 1) % 1_000_000:06d}"
    assert client.post(SETUP, {"code": wrong}).status_code == 400
    waited = client.post(SETUP, {"code": _code(device)})
    assert waited.status_code == 429
    assert "秒后重试" in waited.content.decode()
    with _later(5):
        assert client.post(SETUP, {"code": _code(device)}).status_code == 200


@override_settings(HUAGANG_STAFF_SECOND_FACTOR=False)
def test_staff_land_on_the_workbench_and_residents_on_their_requests(
    client, village_clerk, resident
):
    answer = client.post(
        "/account/sign-in/", {"username": village_clerk.phone, "password": PASSWORD}
    )
    assert answer["Location"] == QUEUE
    client.post("/account/sign-out/")
    answer = client.post(
        "/account/sign-in/", {"username": resident.phone, "password": PASSWORD}
    )
    assert answer["Location"] == "/my/requests/"
