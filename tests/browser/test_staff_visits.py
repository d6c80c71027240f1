"""The workbench's home visits and poor-rating follow-ups, clicked through in Chromium
as a village clerk would: by the visible Chinese labels, never posting a form by hand.

A 上门特办 case accepted in the village is booked for a visit from 等待上门, nobody is
at home, a new date is booked at once, and on that day (at the resident's home, on a
phone) the visit is recorded as done. The resident then rates the service poorly and
the clerk verifies, fixes and answers it.
"""

import datetime as dt
import zoneinfo

import pytest
import time_machine

from services import actions
from services.models import FollowUp, HomeVisit, Notification, Status

from .conftest import PHONE

expect = pytest.importorskip(
    "playwright.sync_api",
    reason="browser tests need the playwright package (pip install -e '.[test]')",
).expect
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


@pytest.fixture
def home_case(submit, village_clerk):
    case = submit(
        "home",
        applicant_name="王桂兰",
        applicant_phone="13955556666",
        applicant_address="花岗社区三组12号",
    )
    actions.service_request_accept(service_request=case, by=village_clerk)
    case.refresh_from_db()
    return case


def open_workbench(clerk, section: str) -> None:
    """From the admin (查看站点) or any portal page: the header's 工作台, then a
    section of the workbench."""
    view_site = clerk.page.get_by_role("link", name="查看站点")
    if view_site.count():
        clerk.follow(view_site)
    clerk.follow(clerk.page.get_by_role("link", name="工作台", exact=True))
    nav = clerk.page.get_by_role("navigation", name="工作台")
    clerk.follow(nav.get_by_role("link", name=section, exact=True))


def no_sideways_scroll(page) -> bool:
    return page.evaluate(
        "document.documentElement.scrollWidth <= document.documentElement.clientWidth"
    )


def test_a_clerk_books_a_visit_reschedules_it_and_records_it_done(
    person, home_case, village_clerk, resident, commit
):
    number = home_case.tracking_number
    clerk = person()
    clerk.sign_in(village_clerk)
    open_workbench(clerk, "上门服务")
    waiting = clerk.page.locator("section").filter(has_text="等待上门")
    row = waiting.get_by_role("row").filter(has_text=number)
    expect(row).to_contain_text("每周二、四")
    clerk.shot("waiting")

    # Book: the resident's next day at home (today, a Tuesday) is suggested.
    clerk.follow(row.get_by_role("link", name="预约上门"))
    expect(clerk.page.get_by_label("上门日期")).to_have_value("2026-03-10")
    clerk.page.get_by_label("开始时间").fill("10:00")
    clerk.page.get_by_label("结束时间").fill("09:00")  # a slip: ends before it starts
    clerk.page.get_by_label("上门人员").select_option(label=village_clerk.name)
    clerk.page.get_by_label("高龄").check()
    clerk.shot("booking-filled")
    clerk.follow(clerk.page.get_by_role("button", name="预约上门"))
    expect(clerk.page.locator(".has-error")).to_contain_text("结束")
    clerk.shot("booking-refused")
    clerk.page.get_by_label("结束时间").fill("11:00")
    clerk.follow(clerk.page.get_by_role("button", name="预约上门"))
    expect(clerk.page.locator(".messages")).to_contain_text(f"已为 {number} 预约上门")
    day = clerk.page.locator("table.visit-day")
    expect(day).to_contain_text("10:00–11:00")
    expect(day).to_contain_text("花岗社区三组12号")
    expect(day).to_contain_text("13955556666")
    clerk.shot("day-list")

    # The day sheet, as printed.
    clerk.follow(clerk.page.get_by_role("link", name="打印当日上门单"))
    expect(clerk.page.get_by_role("heading", level=1)).to_contain_text("2026-03-10")
    clerk.page.emulate_media(media="print")
    clerk.shot("day-sheet-print")
    clerk.page.emulate_media(media="screen")
    clerk.follow(clerk.page.get_by_role("link", name="返回上门服务"))

    # Nobody at home: recorded, and a new date booked straight away.
    clerk.follow(clerk.page.get_by_role("link", name=f"记录上门结果 {number}"))
    clerk.page.get_by_label("家中无人——另约日期").check()
    clerk.shot("absent-filled")
    clerk.follow(clerk.page.get_by_role("button", name="记录上门结果"))
    expect(clerk.page.locator(".messages")).to_contain_text("家中无人")
    clerk.shot("rebook-offered")
    clerk.page.get_by_label("上门日期").fill("2026-03-12")
    clerk.page.get_by_label("开始时间").fill("14:30")
    clerk.page.get_by_label("结束时间").fill("15:30")
    clerk.page.get_by_label("高龄").check()
    clerk.follow(clerk.page.get_by_role("button", name="预约上门"))
    # An afternoon, but the resident said mornings: warned, booked once they agreed.
    warning = clerk.page.get_by_role("alert").filter(has_text="居民说明在家的时间")
    expect(warning).to_contain_text("每周二、四")
    expect(warning).to_contain_text("上午")
    assert not HomeVisit.objects.filter(request=home_case, outcome="planned").exists()
    clerk.shot("rebook-other-time-warned")
    clerk.page.get_by_label("居民已同意改在这个日期和时间").check()
    clerk.follow(clerk.page.get_by_role("button", name="预约上门"))
    expect(clerk.page.locator("table.visit-day")).to_contain_text("14:30–15:30")
    clerk.shot("rebooked")
    visits = HomeVisit.objects.filter(request=home_case).order_by("starts_at")
    assert [v.outcome for v in visits] == ["absent", "planned"]

    # On Thursday at the resident's home, on a phone: the visit is done.
    with time_machine.travel(dt.datetime(2026, 3, 12, 15, tzinfo=SHANGHAI), tick=True):
        phone = person(PHONE)
        phone.sign_in(village_clerk)
        open_workbench(phone, "上门服务")
        expect(phone.page.locator("table.visit-day")).to_contain_text("14:30–15:30")
        assert no_sideways_scroll(phone.page)
        phone.shot("phone-day-list")
        phone.follow(phone.page.get_by_role("link", name=f"记录上门结果 {number}"))
        phone.page.get_by_label("已完成").check()
        phone.page.get_by_label("办理结果或原因").fill("已上门核实，证明已当面交给居民")
        assert no_sideways_scroll(phone.page)
        phone.shot("phone-done-filled")
        phone.follow(phone.page.get_by_role("button", name="记录上门结果"))
        expect(phone.page.locator(".messages")).to_contain_text("已办结")
        phone.shot("phone-done")
    home_case.refresh_from_db()
    assert home_case.status == Status.COMPLETED
    assert home_case.result_note == "已上门核实，证明已当面交给居民"

    # The resident rates it poorly; the clerk answers through the three stages.
    with commit():
        actions.rating_submit(
            service_request=home_case,
            by=resident,
            level=2,
            comment="约好的时间没人来，又等了两天",
        )
    open_workbench(clerk, "差评整改")
    clerk.shot("follow-ups")
    clerk.follow(clerk.page.get_by_role("link", name=number))
    expect(clerk.page.locator(".resident-words")).to_have_text(
        "约好的时间没人来，又等了两天"
    )
    for label, text in [
        ("核实情况", "属实：首次上门时居民外出就医"),
        ("整改措施", "上门前一天电话确认居民在家"),
        ("答复居民", "已致电说明情况并致歉，今后上门前一天电话确认"),
    ]:
        clerk.page.get_by_label(label).fill(text)
        clerk.shot(f"follow-up-{label}")
        clerk.follow(clerk.page.get_by_role("button", name="记录"))
        expect(clerk.page.locator(".messages")).to_be_visible()
        expect(clerk.page.locator(".panel").first).to_contain_text(text)
    clerk.shot("follow-up-answered")
    follow_up = FollowUp.objects.get(rating__request=home_case)
    assert follow_up.stage == FollowUp.Stage.ANSWERED
    assert follow_up.answer == "已致电说明情况并致歉，今后上门前一天电话确认"
    assert Notification.objects.filter(
        recipient="13955556666", body__contains="已致电说明情况并致歉"
    ).exists()
