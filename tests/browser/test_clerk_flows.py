"""The clerks' flows in the admin, clicked through in Chromium as a new clerk would.

Every value reaches the server the way the page sends it: fields are found by their
Chinese labels, options chosen by their text, buttons pressed; no test posts a form
itself. Outcomes are checked on the page (the message, the status shown) and in the
database.
"""

import datetime as dt
import zoneinfo

import pytest
import time_machine

from services.models import AgencyTrip, HomeVisit, ServiceRequest, Status
from villages.choices import Role
from villages.models import SubCenter

from .conftest import PHONE

expect = pytest.importorskip(
    "playwright.sync_api",
    reason="browser tests need the playwright package (pip install -e '.[test]')",
).expect
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _trips_every_day(village):
    """The village's next trip is today (a Tuesday), so the hand-over is not early."""
    SubCenter.objects.filter(village=village).update(
        trip_weekdays=[1, 2, 3, 4, 5, 6, 7]
    )


def enter_request(clerk, *, item, village, mode: str) -> str:
    """A clerk enters a request for a resident at the window; its tracking number."""
    clerk.open_add_form("办件")
    clerk.choose("服务事项", str(item))
    clerk.choose("村(社区)", village.name)
    clerk.choose("办理方式", mode)
    clerk.choose("申请渠道", "窗口申请")
    clerk.type("申请人", "王大爷")
    clerk.type("申请人手机号码", "139 5555 0000")
    clerk.type("住址或村民组", "花岗社区三组")
    clerk.save("entered")
    expect(clerk.success()).to_contain_text("成功添加了 办件")
    return clerk.success().get_by_role("link").inner_text()


def timeline(clerk):
    """The request page's timeline: one row per event, oldest first."""
    group = clerk.page.locator(".inline-group").filter(has_text="办件时间线")
    return group.locator("tbody tr.has_original")


def test_scheduled_agency_from_entry_to_completion(
    person, village_clerk, town_clerk, village, items
):
    """定时代办: entered and accepted in the village, carried to the town on today's
    trip, brought back with a result by the town clerk, completed in the village."""
    clerk = person()
    clerk.sign_in(village_clerk)
    number = enter_request(
        clerk, item=items["agency"], village=village, mode="定时代办"
    )

    clerk.open_row(number)
    expect(clerk.field("状态")).to_have_text("待受理")
    clerk.take_step("已受理")
    expect(clerk.success()).to_contain_text(number)
    expect(clerk.list_cell(number, "状态")).to_have_text("已受理")

    clerk.run_list_action([number], "将所选办件加入本村下一批次代办")
    expect(clerk.success()).to_have_text(
        f"已将 1 件办件加入 {village.name} 2026-03-10 的代办批次。"
    )
    trip = AgencyTrip.objects.get(requests__tracking_number=number)
    assert trip.trip_date == dt.date(2026, 3, 10)

    clerk.open_list("代办批次")
    clerk.open_row(village.name)
    expect(clerk.field("所带办件")).to_have_text(f"{number}（已受理）")
    clerk.choose("操作", "将办件移交镇为民服务中心")
    clerk.choose("接收人", town_clerk.name)
    clerk.type("材料份数", "3")
    clerk.save("handed-over")
    expect(clerk.success()).to_be_visible()
    clerk.open_row(village.name)
    expect(clerk.field("所带办件")).to_have_text(f"{number}（已转递）")
    expect(clerk.field("接收人（镇）")).to_have_text(town_clerk.name)
    expect(clerk.field("移交材料份数")).to_have_text("3")

    town = person()
    town.sign_in(town_clerk)
    town.open_list("代办批次")
    town.open_row(village.name)
    town.choose("操作", "登记带回的办理结果")
    town.choose("接收人", village_clerk.name)
    town.type("材料份数", "2")
    town.page.get_by_label(number).check()
    town.type("告知居民的办理结果", "审核通过，证件已换发")
    town.save("returned")
    expect(town.success()).to_be_visible()
    town.open_row(village.name)
    expect(town.field("所带办件")).to_have_text(f"{number}（已回村）")

    clerk.open_list("办件")
    clerk.open_row(number)
    expect(clerk.field("状态")).to_have_text("已回村")
    expect(clerk.field("办理结果")).to_have_text("审核通过，证件已换发")
    clerk.take_step("已办结")
    expect(clerk.list_cell(number, "状态")).to_have_text("已办结")
    clerk.open_row(number)
    expect(clerk.field("状态")).to_have_text("已办结")
    events = timeline(clerk)
    expect(events.locator("td.field-to_status")).to_have_text(
        ["待受理", "已受理", "已受理", "已转递", "已回村", "已办结"]
    )
    expect(events.locator("td.field-actor")).to_have_text(
        [village_clerk.name] * 4 + [town_clerk.name, village_clerk.name]
    )
    clerk.shot("timeline")

    case = ServiceRequest.objects.get(tracking_number=number)
    assert (case.status, case.entered_by) == (Status.COMPLETED, village_clerk)
    assert case.result_note == "审核通过，证件已换发"
    assert list(case.events.order_by("created_at", "pk").values_list("to_status")) == [
        (Status.SUBMITTED,),
        (Status.ACCEPTED,),
        (Status.ACCEPTED,),  # put on the trip
        (Status.SENT_TO_TOWN,),
        (Status.RETURNED_TO_VILLAGE,),
        (Status.COMPLETED,),
    ]
    trip.refresh_from_db()
    assert (trip.handed_over_by, trip.received_by, trip.documents_out) == (
        village_clerk,
        town_clerk,
        3,
    )
    assert (trip.returned_by, trip.return_received_by, trip.documents_back) == (
        town_clerk,
        village_clerk,
        2,
    )


def test_instant_request_completed_on_the_spot(person, village_clerk, village, items):
    """即时即办: entered at the window and completed while the resident waits."""
    clerk = person()
    clerk.sign_in(village_clerk)
    number = enter_request(
        clerk, item=items["instant"], village=village, mode="即时即办"
    )
    clerk.open_row(number)
    clerk.take_step("已办结", note="当场办结，证明已交申请人")
    expect(clerk.success()).to_contain_text(number)
    clerk.open_row(number)
    expect(clerk.field("状态")).to_have_text("已办结")
    expect(timeline(clerk).locator("td.field-to_status")).to_have_text(
        ["待受理", "已办结"]
    )

    case = ServiceRequest.objects.get(tracking_number=number)
    assert case.status == Status.COMPLETED and case.completed_at
    assert case.result_note == "当场办结，证明已交申请人"


@pytest.mark.parametrize("viewport", [None, PHONE], ids=["desktop", "phone"])
def test_home_visit_booked_and_done(person, viewport, village_clerk, village, items):
    """上门特办: accepted, a visit booked for today, the visit done → completed. Also on
    a phone's screen: the clerk records the outcome where the resident lives."""
    clerk = person(viewport)
    clerk.sign_in(village_clerk)
    number = enter_request(clerk, item=items["home"], village=village, mode="上门特办")
    clerk.open_row(number)
    clerk.take_step("已受理")

    clerk.open_add_form("上门服务")
    clerk.choose("办件", number)
    clerk.choose("工作人员", village_clerk.name)
    clerk.set_date_time("从", date="今天", time="10:00")
    clerk.set_date_time("至", date="今天", time="11:00")
    clerk.choose("原因", "高龄")
    clerk.save("visit-booked")
    expect(clerk.success()).to_contain_text(
        f"成功添加了 上门服务“{number} 2026-03-10 10:00”"
    )
    expect(clerk.list_cell(number, "结果")).to_have_text("已预约")
    visit = HomeVisit.objects.get(request__tracking_number=number)
    starts = dt.datetime(2026, 3, 10, 10, tzinfo=zoneinfo.ZoneInfo("Asia/Shanghai"))
    assert (visit.starts_at, visit.ends_at) == (starts, starts + dt.timedelta(hours=1))
    assert visit.request.status == Status.VISIT_SCHEDULED

    # Back from the visit at 11:30, the clerk records what happened.
    with time_machine.travel(starts + dt.timedelta(minutes=90), tick=True):
        clerk.open_row(number)
        expect(clerk.page.get_by_role("heading", level=2)).to_have_text(str(visit))
        clerk.choose("上门结果", "已完成")
        clerk.type("备注", "已上门核实，材料当场收齐")
        clerk.save("visit-done")
        expect(clerk.success()).to_be_visible()
        clerk.open_list("办件")
        expect(clerk.list_cell(number, "状态")).to_have_text("已办结")
        clerk.open_row(number)
    expect(timeline(clerk).locator("td.field-to_status")).to_have_text(
        ["待受理", "已受理", "已预约上门", "已办结"]
    )
    clerk.shot("timeline")
    visit.refresh_from_db()
    assert visit.outcome == HomeVisit.Outcome.DONE
    assert visit.request.status == Status.COMPLETED


def test_refusing_without_a_reason_shows_why_and_changes_nothing(
    person, submit, village_clerk
):
    """不予受理 needs a reason the resident will read: the page says so."""
    request = submit("agency")
    clerk = person()
    clerk.sign_in(village_clerk)
    clerk.open_list("办件")
    clerk.open_row(request.tracking_number)
    clerk.take_step("不予受理")
    expect(clerk.page.locator(".errornote")).to_have_text("请更正以下错误。")
    expect(clerk.field_errors("给居民的说明")).to_have_text(
        "请说明原因或居民需补充的材料，居民将看到此说明。"
    )
    expect(clerk.form_errors()).to_have_text("未保存任何内容。")
    expect(clerk.field("状态")).to_have_text("待受理")
    request.refresh_from_db()
    assert (request.status, request.version) == (Status.SUBMITTED, 1)
    assert request.events.count() == 1


def test_a_step_on_a_page_someone_else_changed_says_reload(
    person, submit, village_clerk, village
):
    """Two clerks have the same request open; the second one's step is refused with
    a message to reload, and nothing of theirs is saved."""
    from tests.factories import UserFactory

    request = submit("agency")
    colleague_user = UserFactory(role=Role.VILLAGE_CLERK, village=village, name="同事")
    clerk, colleague = person(), person()
    clerk.sign_in(village_clerk)
    colleague.sign_in(colleague_user)
    for someone in (clerk, colleague):
        someone.open_list("办件")
        someone.open_row(request.tracking_number)

    colleague.take_step("已受理")
    expect(colleague.success()).to_be_visible()

    clerk.take_step("不予受理", note="重复申请")
    expect(clerk.form_errors()).to_have_text("该办件刚被他人修改，请刷新页面后重试。")
    request.refresh_from_db()
    assert request.status == Status.ACCEPTED
    assert request.events.filter(to_status=Status.REJECTED).count() == 0

    clerk.page.goto(clerk.page.url)  # what "reload" means after a refused post
    expect(clerk.field("状态")).to_have_text("已受理")
    clerk.shot("reloaded")
