"""A new resident applies online in Chromium, on a desktop and on a phone.

Found the way a resident finds things: the home page's search box, the guide's 在线申请
button, fields by their Chinese labels, files chosen in the file pickers, the button
pressed. Chromium's own form submission sends the files; the one script of ours
(static/js/portal.js) only moves the focus to the errors of a form that came back.
"""

import re

import pytest

from services.models import ServiceRequest, Status
from tests.files import image_bytes, pdf_bytes

from .conftest import DESKTOP, PHONE

expect = pytest.importorskip(
    "playwright.sync_api",
    reason="browser tests need the playwright package (pip install -e '.[test]')",
).expect
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ITEM = "老年优待证换发"


def open_the_guide(resident) -> None:
    """From the home page: search for the item and open its guide."""
    page = resident.page
    page.goto(resident.base_url + "/")
    page.get_by_role("searchbox").fill("老年优待证")
    resident.follow(page.get_by_role("button", name="搜索"))
    resident.shot("search")
    resident.follow(page.get_by_role("link", name=ITEM, exact=True))
    expect(page.get_by_role("heading", level=1)).to_have_text(ITEM)
    resident.shot("guide")


def choose_files(resident) -> None:
    """A scan of the ID card (PDF) and a photo, each in its material's file picker."""
    for material, name, mime, content in (
        ("身份证或户口簿", "身份证.pdf", "application/pdf", pdf_bytes()),
        ("一寸照片", "照片.jpg", "image/jpeg", image_bytes("JPEG")),
    ):
        resident.page.get_by_label(material).set_input_files(
            files=[{"name": name, "mimeType": mime, "buffer": content}]
        )


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["1280px", "360px"])
def test_a_new_resident_applies_with_a_pdf_and_a_photo(person, viewport):
    resident = person(viewport=viewport)
    page = resident.page
    open_the_guide(resident)
    resident.follow(page.get_by_role("link", name="在线申请"))
    expect(page.get_by_role("heading", level=1)).to_have_text(f"在线申请：{ITEM}")
    resident.shot("form")

    page.get_by_label("姓名").fill("王桂兰")
    page.get_by_label("手机号码").fill("139 5555 0123")
    page.get_by_label("身份证号码").fill("11010519491231002X")
    page.get_by_label("村(社区)").select_option(label="花岗社区")
    page.get_by_label("住址或村民组").fill("花岗社区三组")
    page.get_by_label("定时代办").check()
    page.get_by_label("您要办理什么？").fill("优待证损坏，申请换发")
    choose_files(resident)
    # Forgot the consent: the page comes back with the error there, the typing kept,
    # and names both files to choose again.
    resident.shot("filled-without-consent")
    resident.follow(page.get_by_role("button", name="提交申请"))
    resident.shot("error")
    consent = page.locator("fieldset.consent")
    expect(consent.locator(".errorlist")).to_contain_text("请先阅读隐私告知")
    expect(page.get_by_label("姓名")).to_have_value("王桂兰")
    expect(page.get_by_label("定时代办")).to_be_checked()
    expect(page.get_by_label("您要办理什么？")).to_have_value("优待证损坏，申请换发")
    expect(page.locator(".reselect")).to_have_count(2)
    expect(page.locator(".error-summary")).to_contain_text("请重新选择“一寸照片”的文件")
    assert not ServiceRequest.objects.exists()

    choose_files(resident)
    page.get_by_role("checkbox", name=re.compile("我同意")).check()
    resident.follow(page.get_by_role("button", name="提交申请"))
    resident.shot("done")

    request = ServiceRequest.objects.get()
    assert request.status == Status.SUBMITTED and request.item.name == ITEM
    assert request.attachments.count() == 2
    expect(page.get_by_role("heading", level=1)).to_have_text("您的申请已提交")
    expect(page.locator(".tracking .number")).to_have_text(request.tracking_number)
    # Nothing runs sideways on a phone: the page fits the screen.
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= viewport["width"]

    resident.follow(page.get_by_role("link", name="打印受理回执"))
    resident.shot("receipt")
    receipt = page.locator("article.receipt")
    for fact in (request.tracking_number, ITEM, "花岗社区", "定时代办", "2026-03-10"):
        expect(receipt).to_contain_text(fact)
    expect(receipt.locator("svg.qr")).to_be_visible()
    expect(receipt).to_contain_text(f"/track/?number={request.tracking_number}")
    page.emulate_media(media="print")
    expect(page.locator(".site-header")).to_be_hidden()
    resident.shot("receipt-print")


def active_element(page) -> dict:
    return page.evaluate(
        "({cls: document.activeElement.className, id: document.activeElement.id})"
    )


def test_after_a_failed_submit_the_focus_is_on_the_error_summary(person):
    """Every error at once, and the keyboard starts there: Tab leads to the first
    field to fix. The village picked on the guide is already chosen."""
    resident = person(viewport=DESKTOP)
    page = resident.page
    open_the_guide(resident)
    page.get_by_label("您所在的村(社区)").select_option(label="花岗社区")
    resident.follow(page.get_by_role("button", name="查看本村送件日"))
    resident.follow(page.get_by_role("link", name="在线申请"))
    expect(page.get_by_label("村(社区)")).to_have_value("340123106001")
    assert active_element(page)["cls"] != "error-summary"  # nothing to fix yet

    page.get_by_label("姓名").fill("王桂兰")
    page.get_by_label("手机号码").fill("123")
    page.get_by_label("身份证号码").fill("110105194912310021")
    page.get_by_label("村(社区)").select_option(value="")
    page.get_by_label("一寸照片").set_input_files(
        files=[{"name": "照片.pdf", "mimeType": "application/pdf", "buffer": b"text"}]
    )
    resident.follow(page.get_by_role("button", name="提交申请"))
    resident.shot("errors")
    assert active_element(page) == {"cls": "error-summary", "id": "errors"}
    summary = page.locator(".error-summary")
    for label in ("手机号码", "身份证号码", "村(社区)", "办理方式", "同意使用个人信息"):
        expect(summary).to_contain_text(label)
    expect(page.locator(".material.has-error")).to_contain_text("不是 PDF")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "手机号码"
    assert not ServiceRequest.objects.exists()


def test_a_failed_tracking_lookup_puts_the_focus_on_its_message(person):
    resident = person(viewport=PHONE)
    page = resident.page
    page.goto(resident.base_url + "/track/")
    assert page.evaluate("document.activeElement === document.body")
    page.get_by_label("办件编号").fill("HG260310000000")
    page.get_by_label("手机号码后四位").fill("12")
    resident.follow(page.get_by_role("button", name="查询"))
    resident.shot("error")
    focused = page.evaluate("document.activeElement.textContent")
    assert "请输入4位数字" in focused, focused
