"""A resident tracks a request in Chromium: the receipt's code opens the form with the
number filled in, they type the last four digits of their phone (first wrong, then
right), read where their request stands and upload the supplement asked for. On a
desktop screen and on a 360 px phone with JavaScript switched off.
"""

import pytest
from django.core.cache import cache

from services import actions
from services.models import Attachment, Status
from tests.factories import MaterialFactory
from tests.files import image_bytes

from .conftest import DESKTOP, PHONE

expect = pytest.importorskip(
    "playwright.sync_api",
    reason="browser tests need the playwright package (pip install -e '.[test]')",
).expect
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WRONG = "没有与该办件编号和手机尾号相符的办件"


@pytest.fixture(autouse=True)
def _no_failed_lookups_counted():
    cache.clear()
    yield
    cache.clear()


def look_up(resident, number: str, digits: str, step: str) -> None:
    """Open the receipt's link, check the number it filled in, type the digits."""
    page = resident.page
    page.goto(f"{resident.base_url}/track/?number={number}")
    expect(page.get_by_label("办件编号")).to_have_value(number)
    page.get_by_label("手机号码后四位").fill(digits)
    resident.shot(f"{step}-filled")
    with page.expect_navigation():
        page.get_by_role("button", name="查询").click()
    resident.shot(step)
    assert digits not in page.url  # the digits never travel in the address


def fits_the_screen(page) -> bool:
    return page.evaluate(
        "document.documentElement.scrollWidth <= document.documentElement.clientWidth"
    )


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["1280px", "360px"])
def test_a_resident_looks_up_a_request_with_wrong_then_right_digits(
    person, submit, viewport
):
    request = submit("agency")
    resident = person(viewport=viewport)
    page = resident.page

    look_up(resident, request.tracking_number, "9999", "wrong-digits")
    expect(page.get_by_role("alert")).to_contain_text(WRONG)
    assert page.url.endswith("/track/")
    expect(page.get_by_label("手机号码后四位")).to_have_value("")  # not shown back
    assert fits_the_screen(page)

    look_up(resident, request.tracking_number, "0123", "right-digits")
    assert page.url.endswith(f"/track/{request.tracking_number}/")
    expect(page.get_by_role("heading", name=request.item.name)).to_be_visible()
    expect(page.locator(".progress-status")).to_have_text("待受理")
    expect(page.locator(".progress-now")).to_contain_text("已在网上提交")
    expect(page.locator(".progress-now")).to_contain_text("正在等待工作人员审核受理")
    # applied online: nothing handed in yet, the clerk says how
    expect(page.locator(".progress-todo")).to_contain_text("请备好纸质材料")
    expect(page.locator(".journey [aria-current=step]")).to_contain_text("申请已提交")
    expect(page.locator(".journey-section")).to_contain_text("纸质材料尚未递交")
    assert fits_the_screen(page)

    # Another browser with the same address sees the form, not the request.
    stranger = person(viewport=viewport)
    stranger.page.goto(page.url)
    expect(stranger.page.get_by_role("heading", name="办件查询")).to_be_visible()
    expect(stranger.page.get_by_text(request.item.name)).to_have_count(0)
    stranger.shot("another-browser")

    # Done on a shared computer: the page is gone.
    with page.expect_navigation():
        page.get_by_role("button", name="查看完毕，隐藏此办件").click()
    page.goto(f"{resident.base_url}/track/{request.tracking_number}/")
    expect(page.get_by_label("手机号码后四位")).to_be_visible()
    resident.shot("after-done")


def test_a_resident_uploads_the_supplement_on_a_phone_without_javascript(
    browser, live_server, screenshots, submit, village_clerk, commit
):
    request = submit("agency")
    MaterialFactory(item=request.item, name="户口簿本人页", order=90)
    with commit():
        actions.service_request_accept(service_request=request, by=village_clerk)
        actions.service_request_ask_supplement(
            service_request=request, by=village_clerk, what="请补交户口簿本人页的照片。"
        )
    context = browser.new_context(
        viewport=PHONE, locale="zh-CN", java_script_enabled=False
    )
    page = context.new_page()
    shots = iter(range(1, 100))

    def shot(step: str) -> None:
        page.screenshot(
            path=str(screenshots / f"{next(shots):02d}-{step}.png"), full_page=True
        )

    try:
        page.goto(f"{live_server.url}/track/?number={request.tracking_number}")
        page.get_by_label("手机号码后四位").fill("0123")
        with page.expect_navigation():
            page.get_by_role("button", name="查询").click()
        expect(page.locator(".progress-status")).to_have_text("待补正")
        supplement = page.locator(".supplement")
        expect(supplement).to_contain_text("请补交户口簿本人页的照片。")
        shot("supplement-asked")

        page.get_by_label("户口簿本人页").set_input_files(
            {
                "name": "户口簿.jpg",
                "mimeType": "image/jpeg",
                "buffer": image_bytes("JPEG"),
            }
        )
        shot("file-chosen")
        with page.expect_navigation():
            page.get_by_role("button", name="上传材料").click()
        shot("uploaded")
        expect(page.locator(".messages")).to_contain_text("已收到您的材料")
        expect(page.locator(".timeline")).to_contain_text(
            "上传了 1 个文件：户口簿本人页"
        )
        expect(page.locator(".files")).to_contain_text("户口簿.jpg")
        # What to do now: nothing, the files are with the staff; more may be added.
        expect(page.locator(".progress-todo")).to_contain_text("已收到您于")
        expect(page.locator(".progress-todo")).not_to_contain_text("请在下方上传")
        expect(page.get_by_label("户口簿本人页")).to_be_hidden()
        page.get_by_text("补充上传文件").click()  # <details>: no JavaScript needed
        expect(page.get_by_label("户口簿本人页")).to_be_visible()
        shot("more-files-opened")
        assert fits_the_screen(page)
        stored = Attachment.objects.get(request=request)
        assert stored.material.name == "户口簿本人页"
        request.refresh_from_db()
        assert request.status == Status.SUPPLEMENT

        # Their own file opens from the page (a download).
        with page.expect_download() as download:
            page.locator(".files").get_by_role("link", name="户口簿.jpg").click()
        assert download.value.suggested_filename == "户口簿.jpg"
    finally:
        context.close()
