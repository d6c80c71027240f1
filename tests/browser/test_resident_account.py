"""A resident at their own browser: registers with the code from the text message, signs
in, finds the requests a clerk entered for their number under 我的办件, withdraws one
and rates another. Fields are found by their Chinese labels, buttons by their names;
the code is read where the resident would read it: the message in the outbox."""

import re

import pytest

from services import actions
from services.models import FollowUp, Notification, Rating, Status

from .conftest import DESKTOP, PHONE

expect = pytest.importorskip(
    "playwright.sync_api",
    reason="browser tests need the playwright package (pip install -e '.[test]')",
).expect
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "chrysanthemum-2026"


def code_from_the_message(phone: str) -> str:
    message = Notification.objects.filter(
        recipient=phone, idempotency_key__startswith="verification-code:"
    ).latest("pk")
    return re.search(r"\b(\d{6})\b", message.body).group(1)


@pytest.fixture
def entered_at_the_window(items, village, village_clerk):
    """Two requests a clerk entered for a number: one waiting, one completed."""

    def enter(phone: str) -> dict:
        common = {
            "village": village,
            "channel": "window",
            "applicant_name": "王桂英",
            "applicant_phone": phone,
            "entered_by": village_clerk,
        }
        waiting = actions.service_request_submit(
            item=items["agency"], mode="agency", **common
        )
        done = actions.service_request_submit(
            item=items["instant"], mode="instant", **common
        )
        actions.service_request_complete(service_request=done, by=village_clerk)
        return {"waiting": waiting, "done": done}

    return enter


@pytest.mark.parametrize(
    "viewport, phone",
    [(DESKTOP, "13912345678"), (PHONE, "13912345679")],
    ids=["1280px", "360px"],
)
def test_register_sign_in_withdraw_and_rate(
    person, entered_at_the_window, viewport, phone
):
    cases = entered_at_the_window(phone)
    resident = person(viewport=viewport)
    page = resident.page

    # register: the number, the code from the message, a name and a password
    page.goto(resident.base_url + "/")
    resident.follow(page.get_by_role("link", name="登录/注册"))
    resident.follow(page.get_by_role("link", name="用手机号码注册"))
    page.get_by_label("手机号码").fill(phone)
    resident.shot("register-number")
    resident.follow(page.get_by_role("button", name="获取验证码"))
    expect(page.get_by_role("status")).to_contain_text(f"{phone[:3]}****{phone[-4:]}")
    page.get_by_label("验证码").fill(code_from_the_message(phone))
    page.get_by_label("您的姓名").fill("王桂英")
    page.get_by_label("密码", exact=True).fill(PASSWORD)
    page.get_by_label("确认密码").fill(PASSWORD)
    resident.shot("register-code")
    resident.follow(page.get_by_role("button", name="注册", exact=True))
    expect(page.locator(".messages")).to_contain_text("您的手机号码已验证")
    resident.shot("registered")

    # sign out, and in again with the number and the password
    resident.follow(page.get_by_role("button", name="退出"))
    resident.follow(page.get_by_role("link", name="登录/注册"))
    page.get_by_label("手机号码").fill(phone)
    page.get_by_label("密码").fill(PASSWORD)
    resident.shot("sign-in")
    resident.follow(page.get_by_role("button", name="登录", exact=True))
    expect(page.get_by_role("heading", level=1)).to_have_text("我的办件")
    entries = page.locator(".my-requests > li")
    expect(entries).to_have_count(2)
    for case in cases.values():
        expect(entries.filter(has_text=case.tracking_number)).to_have_count(1)
    resident.shot("my-requests")

    # withdraw the waiting one, after the confirmation step
    waiting = cases["waiting"]
    row = entries.filter(has_text=waiting.tracking_number)
    resident.follow(row.get_by_role("link"))
    expect(page.locator(".progress-status")).to_contain_text("待受理")
    resident.follow(page.get_by_role("link", name="撤回此办件"))
    page.get_by_label("原因（选填）").fill("已在县政务大厅办好")
    resident.shot("withdraw-confirm")
    resident.follow(page.get_by_role("button", name="确定撤回"))
    expect(page.locator(".messages")).to_contain_text("您的办件已撤回")
    expect(page.locator(".progress-status")).to_contain_text("已撤回")
    resident.shot("withdrawn")
    waiting.refresh_from_db()
    assert waiting.status == Status.WITHDRAWN

    # rate the completed one 不满意 and read the town's promise
    done = cases["done"]
    resident.follow(page.get_by_role("navigation").get_by_role("link", name="我的办件"))
    resident.follow(entries.filter(has_text=done.tracking_number).get_by_role("link"))
    page.get_by_label("不满意", exact=True).check()
    page.get_by_label("意见建议（选填）").fill("材料要求没有一次说清")
    resident.shot("rate")
    resident.follow(page.get_by_role("button", name="提交评价"))
    rating = Rating.objects.get(request=done)
    assert rating.level == Rating.Level.DISSATISFIED
    deadline = FollowUp.objects.get(rating=rating).deadline
    expect(page.locator(".follow-up-promise")).to_contain_text(
        f"于 {deadline:%Y-%m-%d} 前答复您"
    )
    expect(page.get_by_role("button", name="提交评价")).to_have_count(0)
    resident.shot("rated")


def test_a_resident_who_forgot_the_password_resets_it_with_a_code(person):
    """From the sign-in page: 忘记密码？ → the number → the code from the message and a
    new password → signed in; the old password no longer works, the new one does."""
    from tests.factories import UserFactory

    phone = "13912345680"
    UserFactory(phone=phone, password="old-password-2025", phone_verified_at=None)
    resident = person(viewport=PHONE)
    page = resident.page
    page.goto(resident.base_url + "/account/sign-in/")
    resident.follow(page.get_by_role("link", name="忘记密码？"))
    page.get_by_label("手机号码").fill(phone)
    resident.shot("reset-number")
    resident.follow(page.get_by_role("button", name="获取验证码"))
    expect(page.get_by_role("status")).to_contain_text(f"{phone[:3]}****{phone[-4:]}")
    page.get_by_label("验证码").fill(code_from_the_message(phone))
    page.get_by_label("密码", exact=True).fill(PASSWORD)
    page.get_by_label("确认密码").fill(PASSWORD)
    resident.shot("reset-code")
    resident.follow(page.get_by_role("button", name="设置新密码"))
    expect(page.locator(".messages")).to_contain_text("您的密码已修改")
    resident.shot("reset-done")

    resident.follow(page.get_by_role("button", name="退出"))
    resident.follow(page.get_by_role("link", name="登录/注册"))
    page.get_by_label("手机号码").fill(phone)
    page.get_by_label("密码").fill("old-password-2025")
    resident.follow(page.get_by_role("button", name="登录", exact=True))
    expect(page.get_by_role("alert")).to_contain_text("手机号码或密码不正确")
    page.get_by_label("手机号码").fill(phone)
    page.get_by_label("密码").fill(PASSWORD)
    resident.follow(page.get_by_role("button", name="登录", exact=True))
    expect(page.get_by_role("heading", level=1)).to_have_text("我的办件")
    resident.shot("signed-in-with-the-new-password")
