"""A village clerk works a case from the workbench (/staff/), clicked through in Chromium.

Signed in at the portal's own sign-in page, the clerk opens 工作台, finds the case by
its number, shows the ID number in full (recorded), accepts it, asks for a supplement
ticking the missing material, resumes once it is in, and completes it with the
result; on a phone the queue becomes cards with the status visible.
"""

import pytest

from services.models import ServiceRequest, Status
from villages.models import AccessRecord

from .clerk import PASSWORD
from .conftest import PHONE

expect = pytest.importorskip(
    "playwright.sync_api",
    reason="browser tests need the playwright package (pip install -e '.[test]')",
).expect
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
ID_NUMBER = "11010519491231002X"


def sign_in_at_the_portal(clerk, user) -> None:
    page = clerk.page
    page.goto(clerk.base_url + "/account/sign-in/")
    page.get_by_label("手机号码").fill(user.phone)
    page.get_by_label("密码").fill(PASSWORD)
    clerk.shot("sign-in")
    clerk.follow(page.get_by_role("button", name="登录", exact=True))


def find_by_number(clerk, number: str) -> None:
    page = clerk.page
    page.get_by_label("办件编号、申请人姓名或手机号码").fill(number)
    clerk.follow(page.get_by_role("button", name="查找"))


def no_sideways_scroll(page) -> bool:
    return page.evaluate(
        "document.documentElement.scrollWidth <= document.documentElement.clientWidth"
    )


def test_a_village_clerk_works_a_case_from_the_workbench(person, submit, village_clerk):
    case = submit("instant", channel="window")
    number = case.tracking_number
    material = case.item.materials.order_by("order").first()
    clerk = person()
    page = clerk.page
    sign_in_at_the_portal(clerk, village_clerk)
    clerk.follow(page.get_by_role("link", name="工作台"))
    expect(page.get_by_role("heading", level=1)).to_have_text("待办办件")
    expect(page.locator("table.queue")).to_contain_text(number)
    expect(page.locator("table.queue")).to_contain_text("张**")
    clerk.shot("queue")

    find_by_number(clerk, number)
    expect(page.get_by_role("heading", level=1)).to_contain_text(number)
    expect(page.locator(".case-applicant")).to_contain_text("110***********002X")
    expect(page.locator(".case-applicant")).not_to_contain_text(ID_NUMBER)
    clerk.shot("case")

    clerk.follow(page.get_by_role("button", name="显示完整身份证号码"))
    expect(page.locator(".case-applicant")).to_contain_text(ID_NUMBER)
    clerk.shot("id-revealed")
    record = AccessRecord.objects.get(kind="reveal_id")
    assert (record.actor, record.subject) == (village_clerk, number)
    # back on the case page's own address: a reload re-posts nothing, shows it masked
    assert page.url.endswith(f"/staff/cases/{number}/")
    page.reload()
    expect(page.locator(".case-applicant")).not_to_contain_text(ID_NUMBER)
    assert AccessRecord.objects.filter(kind="reveal_id").count() == 1

    clerk.follow(page.get_by_role("button", name="受理此申请"))
    expect(page.locator(".messages")).to_contain_text("已完成")
    expect(page.locator(".case-state")).to_contain_text("已受理")

    page.get_by_text("要求补正材料", exact=True).click()
    page.get_by_role("checkbox", name=material.name).check()
    page.get_by_label("居民还需补交或更正的内容").fill("请带原件核对")
    clerk.shot("supplement-form")
    clerk.follow(page.get_by_role("button", name="发出补正通知"))
    expect(page.locator(".case-state")).to_contain_text("待补正")
    expect(page.locator(".case-timeline")).to_contain_text(material.name)
    clerk.shot("supplement-asked")
    asked = ServiceRequest.objects.get(pk=case.pk).events.last()
    assert material.name in asked.note and "请带原件核对" in asked.note

    # the resident brought the material to the window: resume, then complete
    page.get_by_text("补正完成，恢复办理", exact=True).click()
    clerk.follow(page.get_by_role("button", name="恢复办理"))
    expect(page.locator(".case-state")).to_contain_text("已受理")
    page.get_by_text("办结", exact=True).click()
    page.get_by_label("办理结果（居民可见）").fill("证明已开具，当场交居民")
    clerk.shot("complete-form")
    clerk.follow(page.get_by_role("button", name="确认办结"))
    expect(page.locator(".case-state")).to_contain_text("已办结")
    expect(page.locator(".case-steps")).to_contain_text("您目前不能")
    clerk.shot("completed")

    case.refresh_from_db()
    assert (case.status, case.result_note) == (
        Status.COMPLETED,
        "证明已开具，当场交居民",
    )
    assert [e.to_status for e in case.events.order_by("created_at", "pk")] == [
        "submitted",
        "accepted",
        "supplement",
        "accepted",
        "completed",
    ]


def test_the_queue_on_a_phone_shows_each_case_as_a_card_with_its_status(
    person, submit, village_clerk
):
    case = submit("agency", channel="window")
    clerk = person(viewport=PHONE)
    page = clerk.page
    sign_in_at_the_portal(clerk, village_clerk)
    page.goto(clerk.base_url + "/staff/")
    row = page.locator("table.queue tr", has_text=case.tracking_number)
    expect(row.locator(".status")).to_be_visible()
    expect(row.locator(".status")).to_have_text("待受理")
    assert no_sideways_scroll(page)
    clerk.shot("queue-phone")
    find_by_number(clerk, case.tracking_number)
    expect(page.locator(".case-state")).to_contain_text("待受理")
    assert no_sideways_scroll(page)
    clerk.shot("case-phone")


def test_on_a_phone_each_delivery_radio_sits_beside_its_label(
    person, submit, village_clerk
):
    case = submit("agency", channel="window")
    # straight to "back at the village" (the trip itself is another test's story)
    ServiceRequest.objects.filter(pk=case.pk).update(
        status=Status.RETURNED_TO_VILLAGE, accepted_at=case.submitted_at
    )
    clerk = person(viewport=PHONE)
    page = clerk.page
    sign_in_at_the_portal(clerk, village_clerk)
    page.goto(clerk.base_url + f"/staff/cases/{case.tracking_number}/")
    page.get_by_text("办结", exact=True).click()
    choices = page.locator(".step-complete label.choice")
    assert choices.count() >= 3
    clerk.shot("complete-phone")
    for n in range(choices.count()):
        label = choices.nth(n)
        radio = label.locator("input[type=radio]").bounding_box()
        words = label.bounding_box()
        # the radio at the label's left, on its first line, not above or below it
        assert radio["x"] <= words["x"] + 4, (radio, words)
        assert radio["height"] < 30, (radio, words)
        middle = radio["y"] + radio["height"] / 2
        assert abs(middle - (words["y"] + words["height"] / 2)) < 6, (radio, words)
        expect(label.locator("input[type=radio]")).to_be_visible()
    label = choices.first
    label.click()
    expect(label.locator("input[type=radio]")).to_be_checked()
    assert no_sideways_scroll(page)
