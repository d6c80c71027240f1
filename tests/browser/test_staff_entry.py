"""A village clerk enters a walk-in resident's request in the workbench, in Chromium,
at a desk (1280 px) and on a phone (360 px): finds the item by typing pinyin
initials, fills the form by its Chinese labels, scans a material, records the
resident's consent, saves (accepting it: the resident is at the desk), and prints
the 受理回执 showing 已受理 and the due date.
"""

import re

import pytest

from huagang.privacy import NOTICE_VERSION
from services.models import ServiceRequest, Status
from tests.factories import UserFactory
from tests.files import pdf_bytes
from villages.choices import Role

from .a11y import axe_violations, horizontal_overflow
from .conftest import DESKTOP, PHONE

expect = pytest.importorskip(
    "playwright.sync_api",
    reason="browser tests need the playwright package (pip install -e '.[test]')",
).expect
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ITEM = "最低生活保障申请、审核及转报"  # HG-JZ-001: 定时代办 or 上门特办


def checked(page, step: str) -> list[str]:
    """axe-core's serious problems and sideways overflow, named by the step."""
    return [f"{step}: {p}" for p in axe_violations(page) + horizontal_overflow(page)]


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["1280px", "360px"])
def test_a_village_clerk_enters_a_walk_in_request_and_prints_its_receipt(
    person, viewport
):
    from villages.models import Village

    village = Village.objects.get(code="340123106001")  # 花岗社区
    clerk_user = UserFactory(role=Role.VILLAGE_CLERK, village=village, name="李代办")
    clerk = person(viewport=viewport)
    page = clerk.page
    clerk.sign_in(clerk_user)
    page.goto(clerk.base_url + "/staff/new/")
    expect(page.get_by_role("heading", level=1)).to_have_text("录入办件")
    clerk.shot("picker")

    # The list follows the typing: no page is loaded.
    box = page.get_by_label("查找服务事项")
    box.press_sequentially("zdsh", delay=60)
    result = page.get_by_role("link", name=re.compile(f"^{ITEM}"))
    expect(result).to_be_visible()
    expect(page.locator("#picker-live")).to_contain_text("找到 2 个事项")
    clerk.shot("picker-typed")
    problems = checked(page, "picker")
    if viewport is DESKTOP:
        # By keyboard: down into the list, Enter on the first item.
        box.press("ArrowDown")
        expect(result).to_be_focused()
        with page.expect_navigation():
            page.keyboard.press("Enter")
    else:
        clerk.follow(result)
    expect(page.get_by_role("heading", level=1)).to_have_text(f"录入办件：{ITEM}")
    # Only the item's own modes; the clerk's village is preset, not a choice.
    modes = page.locator("fieldset").filter(has_text="办理方式").get_by_role("radio")
    expect(modes).to_have_count(2)
    expect(page.get_by_label("即时即办")).to_have_count(0)
    expect(page.locator(".fixed-value")).to_have_text(
        re.compile(r"花岗社区\s*（您所服务的村）")
    )
    clerk.shot("form")

    page.get_by_label("申请人姓名").fill("王桂兰")
    page.get_by_label("申请人手机号码").fill("139 5555 0123")
    page.get_by_label("身份证号码").fill("11010519491231002X")
    page.get_by_label("住址或村民组").fill("花岗社区三组")
    page.get_by_label("窗口申请").check()
    page.get_by_label("定时代办").check()
    page.get_by_label("居民要办的事").fill("家庭收入低，申请低保")
    page.get_by_label("个人申请书").set_input_files(
        files=[
            {"name": "申请书.pdf", "mimeType": "application/pdf", "buffer": pdf_bytes()}
        ]
    )
    # Forgot to ask for consent: refused at the field, nothing saved, typing kept.
    clerk.follow(page.get_by_role("button", name="保存办件"))
    clerk.shot("consent-missing")
    expect(page.locator("fieldset.consent .errorlist")).to_contain_text("请询问居民")
    expect(page.get_by_label("申请人姓名")).to_have_value("王桂兰")
    expect(page.locator(".reselect")).to_have_count(1)
    assert not ServiceRequest.objects.exists()
    problems += checked(page, "form with an error")

    page.get_by_label("个人申请书").set_input_files(
        files=[
            {"name": "申请书.pdf", "mimeType": "application/pdf", "buffer": pdf_bytes()}
        ]
    )
    page.get_by_role("checkbox", name=re.compile("居民同意")).check()
    clerk.shot("filled")
    clerk.follow(page.get_by_role("button", name="保存办件"))
    clerk.shot("saved")

    request = ServiceRequest.objects.get()
    assert request.status == Status.ACCEPTED and request.item.name == ITEM
    assert request.accepted_at and request.due_date
    assert request.village == village and request.entered_by == clerk_user
    assert request.channel == "window" and request.mode == "agency"
    assert request.privacy_notice_version == NOTICE_VERSION and request.consent_at
    assert request.attachments.count() == 1
    expect(page.locator(".messages")).to_contain_text("已保存")
    expect(page.locator(".receipt-tools .number")).to_have_text(request.tracking_number)
    problems += checked(page, "receipt")
    assert not problems, "\n".join(problems)

    receipt = page.locator("article.receipt")
    for fact in (request.tracking_number, ITEM, "花岗社区", "定时代办", "2026-03-10"):
        expect(receipt).to_contain_text(fact)
    expect(receipt).to_contain_text("预计办结")
    expect(receipt.locator("h1")).to_contain_text("受理回执")
    expect(receipt.locator("dt:text-is('状态') + dd")).to_have_text("已受理")
    expect(receipt.locator("dt:text-is('预计办结') + dd")).to_contain_text(
        request.due_date.isoformat()
    )
    expect(receipt.locator("svg.qr")).to_be_visible()
    expect(receipt).to_contain_text(f"/track/?number={request.tracking_number}")
    expect(page.get_by_role("button", name="打印受理回执")).to_be_visible()
    page.emulate_media(media="print")
    for hidden in (".site-header", ".staff-nav", ".receipt-tools", ".messages"):
        expect(page.locator(hidden)).to_be_hidden()
    expect(receipt.locator("svg.qr")).to_be_visible()
    expect(receipt).to_contain_text("居民签名")
    clerk.shot("receipt-print")
