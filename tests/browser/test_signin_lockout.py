"""Someone guessing a clerk's password on the admin's sign-in page: after the fifth
wrong try the page says, in Chinese, that signing in is paused and for how long."""

import pytest

from .clerk import PASSWORD

expect = pytest.importorskip(
    "playwright.sync_api",
    reason="browser tests need the playwright package (pip install -e '.[test]')",
).expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_wrong_passwords_pause_signing_in(person, village_clerk, settings):
    assert settings.AXES_FAILURE_LIMIT == 5
    guesser = person()
    page = guesser.page
    page.goto(guesser.base_url + "/admin/login/")
    for attempt in range(1, 6):
        page.get_by_label("手机号码").fill(village_clerk.phone)
        page.get_by_label("密码").fill(f"guess-{attempt}")
        with page.expect_navigation():
            page.get_by_role("button", name="登录").click()
        if attempt < 5:
            expect(page.locator(".errornote")).to_be_visible()
    expect(page.get_by_role("heading", name="登录已暂停")).to_be_visible()
    expect(page.get_by_text("请在 15 分钟后再试。")).to_be_visible()
    guesser.shot("paused")

    # The right password now is refused too.
    page.goto(guesser.base_url + "/admin/login/")
    page.get_by_label("手机号码").fill(village_clerk.phone)
    page.get_by_label("密码").fill(PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="登录").click()
    expect(page.get_by_role("heading", name="登录已暂停")).to_be_visible()
