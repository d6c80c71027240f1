"""A village clerk's first sign-in where staff need a second factor: the workbench
sends them to set up an authenticator app; they scan the QR code (here: read the key
the page shows, as an app would), type the code, keep the backup codes, and reach the
workbench. Next time, with the phone left at home, a backup code lets them in."""

import base64
import re

import pytest

from .clerk import PASSWORD
from .conftest import PHONE

expect = pytest.importorskip(
    "playwright.sync_api",
    reason="browser tests need the playwright package (pip install -e '.[test]')",
).expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _app_code(secret_on_page: str) -> str:
    """What an authenticator app shows for the key typed from the page."""
    from django_otp.oath import totp

    text = secret_on_page.replace(" ", "")
    return f"{totp(base64.b32decode(text + '=' * (-len(text) % 8))):06d}"


def _sign_in(page, base_url: str, user) -> None:
    page.goto(base_url + "/staff/")  # the workbench asks them to sign in first
    page.get_by_label("手机号码").fill(user.phone)
    page.get_by_label("密码").fill(PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="登录").click()


@pytest.mark.parametrize("viewport", [None, PHONE], ids=["1280px", "360px"])
def test_a_clerk_sets_up_the_authenticator_then_uses_a_backup_code(
    person, village_clerk, settings, viewport
):
    settings.HUAGANG_STAFF_SECOND_FACTOR = True
    clerk = person(viewport=viewport)
    page = clerk.page
    _sign_in(page, clerk.base_url, village_clerk)

    expect(page.get_by_role("heading", name="设置登录验证码")).to_be_visible()
    expect(page.locator("figure.qr-figure svg")).to_be_visible()
    clerk.shot("set up the authenticator")
    secret = page.get_by_test_id("secret").inner_text()

    # A mistyped code first: said plainly, nothing set up.
    page.get_by_label("验证码").fill("12345")
    with page.expect_navigation():
        page.get_by_role("button", name="确认验证码").click()
    expect(
        page.get_by_text("请输入身份验证器应用显示的六位数字。").first
    ).to_be_visible()

    page.get_by_label("验证码").fill(_app_code(secret))
    with page.expect_navigation():
        page.get_by_role("button", name="确认验证码").click()
    expect(page.get_by_text("身份验证器应用已设置完成。")).to_be_visible()
    codes = page.get_by_test_id("backup-codes").locator("code").all_inner_texts()
    assert len(codes) == 10 and all(re.fullmatch(r"[a-z2-7]{8}", c) for c in codes)
    clerk.shot("backup codes")
    with page.expect_navigation():
        page.get_by_role("link", name="我已妥善保存，继续").click()
    assert page.url == clerk.base_url + "/staff/"
    expect(page.get_by_role("link", name="登录验证码")).to_be_visible()

    # Signed out; the next sign-in asks for a code, and a backup code works.
    with page.expect_navigation():
        page.get_by_role("button", name="退出").first.click()
    _sign_in(page, clerk.base_url, village_clerk)
    expect(page.get_by_role("heading", name="登录验证码")).to_be_visible()
    page.get_by_label("验证码").fill(codes[0])
    with page.expect_navigation():
        page.get_by_role("button", name="继续").click()
    assert page.url == clerk.base_url + "/staff/"
    clerk.shot("workbench")
