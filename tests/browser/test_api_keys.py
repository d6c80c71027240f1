"""An official makes an API key for the county's platform in the admin, copies it from
the one message that shows it, sees only its start afterwards, and revokes it after
confirming; the platform's calls with it work, then stop working."""

import re

import pytest

from tests.factories import UserFactory
from villages.choices import Role
from villages.models import ApiToken

expect = pytest.importorskip(
    "playwright.sync_api",
    reason="browser tests need the playwright package (pip install -e '.[test]')",
).expect
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

KEY = re.compile(r"hg_[A-Za-z0-9_-]{43}")


def test_an_official_makes_a_key_copies_it_once_and_revokes_it(person, official):
    platform = UserFactory(role=Role.OFFICIAL, name="县平台账号")
    desk = person()
    desk.sign_in(official)
    desk.open_add_form("接口密钥")
    desk.type("系统名称", "县政务服务平台")
    # Each account is offered with its role, village and masked mobile, so that the
    # official sees whom the key will act as.
    picker = desk.labelled("代表账号")
    offered = picker.locator("option", has_text="县平台账号").inner_text()
    assert "管理人员" in offered and "****" in offered
    picker.select_option(label=offered)
    desk.save("key-made")

    shown = desk.page.locator(".messagelist .warning")
    expect(shown).to_contain_text("县政务服务平台")
    key = KEY.search(shown.inner_text()).group(0)
    token = ApiToken.objects.get()
    assert token.account == platform and token.created_by == official
    expect(desk.list_cell("县政务服务平台", "密钥开头")).to_have_text(
        f"{token.prefix}…"
    )

    api = desk.page.request
    statistics = f"{desk.base_url}/api/v1/statistics/"
    headers = {"Authorization": f"Token {key}"}
    assert api.get(statistics, headers=headers).status == 200

    desk.home()
    desk.open_list("接口密钥")
    assert key not in desk.page.content()  # shown once, never again
    desk.run_list_action(["县政务服务平台"], "吊销所选接口密钥")
    expect(desk.content).to_contain_text("这些密钥将立即永久失效")
    token.refresh_from_db()
    assert token.revoked_at is None  # not before confirming
    with desk.page.expect_navigation():
        desk.page.get_by_role("button", name="确定吊销").click()
    desk.shot("revoked")
    expect(desk.success()).to_contain_text("已吊销 1 个接口密钥")
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert api.get(statistics, headers=headers).status == 401
