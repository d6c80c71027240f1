"""Issue 8's acceptance story, in Chromium, as a new clerk would click through it.

One week in the workbench, by the visible Chinese labels and buttons only (no form is
posted by hand, no step skipped by calling an action):

1. Tuesday 2026-03-10, a trip day: the village clerk enters a walk-in resident's
   定时代办 request (item found by typing pinyin initials), scans a material, records
   the consent, and saves it, which accepts it (the resident is at the desk): the
   受理回执 she prints says 已受理 and the due date;
2. opens its case page (already accepted), shows the ID number in full (recorded),
   puts it and an accepted case entered earlier on today's trip, prints the hand-over
   list and hands the trip over;
3. a town-center clerk checks the new case in by typing its number, types a number
   that is not on the list (flagged at once), finishes: the other case is missing;
4. records the town's decision on the case page; on Friday, the village's next trip,
   hands it back with that trip;
5. the village clerk checks it in by its number and completes it (handed over in
   person); the timeline shows every step;
6. books a 上门特办 visit for next Tuesday and, on that day, records it done;
7. an official reads the dashboard, exports the request list filtered by village
   (openpyxl reads exactly the filtered rows) and finds the clerk's reveal of the ID
   number in the record of reads.

A second, shorter test runs the queue and the case page at 360 px.
"""

import datetime as dt
import io
import re
import zoneinfo
from contextlib import ExitStack

import pytest
import time_machine
from openpyxl import load_workbook

from services import actions
from services.models import AgencyTrip, HomeVisit, ServiceRequest, Status
from tests.files import pdf_bytes
from villages.models import AccessRecord, SubCenter

from .a11y import axe_violations, horizontal_overflow
from .clerk import PASSWORD
from .conftest import PHONE

expect = pytest.importorskip(
    "playwright.sync_api",
    reason="browser tests need the playwright package (pip install -e '.[test]')",
).expect
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
ITEM = "最低生活保障申请、审核及转报"  # HG-JZ-001: 定时代办 or 上门特办
ID_NUMBER = "11010519491231002X"


@pytest.fixture(autouse=True)
def _trips_on_tuesdays_and_fridays(village):
    SubCenter.objects.filter(village=village).update(trip_weekdays=[2, 5])


@pytest.fixture
def earlier(submit, village_clerk, other_village, items):
    """What the village had before the story: an accepted 定时代办 case waiting for
    a trip, one accepted for Friday's trip, an accepted 上门特办 case; another
    village's request (a stray at the town, and one the official filters out)."""
    cases = {
        "second": submit("agency", applicant_name="赵德明"),
        "friday": submit("agency", applicant_name="孙秀英"),
        "home": submit(
            "home",
            applicant_name="王桂兰",
            applicant_phone="13955556666",
            applicant_address="花岗社区三组12号",
        ),
    }
    for case in cases.values():
        actions.service_request_accept(service_request=case, by=village_clerk)
    cases["stray"] = submit("agency", village=other_village, applicant_name="钱多多")
    return cases


def sign_in(person, user) -> None:
    """At the portal's own sign-in page, then into the workbench by its header link."""
    page = person.page
    page.goto(person.base_url + "/account/sign-in/")
    page.get_by_label("手机号码").fill(user.phone)
    page.get_by_label("密码").fill(PASSWORD)
    person.follow(page.get_by_role("button", name="登录", exact=True))
    person.follow(page.get_by_role("link", name="工作台", exact=True))


def section(person, name: str) -> None:
    """A part of the workbench, from its navigation."""
    nav = person.page.get_by_role("navigation", name="工作台")
    person.follow(nav.get_by_role("link", name=name, exact=True))


def open_case(person, number: str) -> None:
    """From the queue, by typing the case's number into its search box."""
    section(person, "办件")
    person.page.get_by_label("办件编号、申请人姓名或手机号码").fill(number)
    person.follow(person.page.get_by_role("button", name="查找"))
    expect(person.page.get_by_role("heading", level=1)).to_contain_text(number)


def type_number(person, number: str) -> None:
    box = person.page.get_by_label("办件编号")
    box.fill(number)
    box.press("Enter")


def message(person):
    return person.page.locator(".messages")


def english_words(page) -> list[str]:
    """Runs of English words in the page's visible text (a missing translation)."""
    text = page.locator("main").inner_text()
    return re.findall(r"[A-Za-z]{3,}(?: [A-Za-z]{2,})+", text)


def test_a_week_in_the_workbench(
    person, earlier, village, village_clerk, town_clerk, official
):
    clock = ExitStack()  # later days of the week, left in reverse order at the end
    problems: dict[str, list[str]] = {}

    def looked_at(who, step: str, *, checked: bool = True) -> None:
        """A screenshot; on the portal's screens (not a print, not Django's admin)
        the page's English words, axe-core's serious findings and contrast, and
        sideways overflow."""
        who.shot(step)
        if not checked:
            return
        found = [f"English: {w}" for w in english_words(who.page)]
        found += axe_violations(who.page) + horizontal_overflow(who.page)
        if found:
            problems[step] = found

    try:
        # --- 1. Tuesday: a walk-in resident's request, entered and its receipt printed.
        clerk = person()
        page = clerk.page
        sign_in(clerk, village_clerk)
        looked_at(clerk, "workbench")
        section(clerk, "录入办件")
        page.get_by_label("查找服务事项").press_sequentially("zdsh", delay=40)
        found = page.get_by_role("link", name=re.compile(f"^{ITEM}"))
        expect(found).to_be_visible()
        looked_at(clerk, "item-found-by-initials")
        clerk.follow(found)
        expect(page.get_by_role("heading", level=1)).to_have_text(f"录入办件：{ITEM}")
        page.get_by_label("申请人姓名").fill("李玉兰")
        page.get_by_label("申请人手机号码").fill("139 5555 0123")
        id_box = page.get_by_label("身份证号码")
        if id_box.count():  # asked for where the item needs it
            id_box.fill(ID_NUMBER)
        page.get_by_label("住址或村民组").fill("花岗社区三组")
        page.get_by_label("窗口申请").check()
        page.get_by_label("定时代办").check()
        page.get_by_label("居民要办的事").fill("家庭收入低，申请低保")
        page.get_by_label("个人申请书").set_input_files(
            files=[
                {
                    "name": "申请书.pdf",
                    "mimeType": "application/pdf",
                    "buffer": pdf_bytes(),
                }
            ]
        )
        page.get_by_role("checkbox", name=re.compile("居民同意")).check()
        looked_at(clerk, "entry-filled")
        clerk.follow(page.get_by_role("button", name="保存办件"))
        new = ServiceRequest.objects.get(applicant_name="李玉兰")
        number = new.tracking_number
        assert (new.status, new.mode, new.channel) == (
            Status.ACCEPTED,
            "agency",
            "window",
        )
        assert new.attachments.count() == 1 and new.consent_at
        receipt = page.locator("article.receipt")
        for fact in (number, ITEM, "花岗社区", "定时代办", "2026-03-10"):
            expect(receipt).to_contain_text(fact)
        expected = receipt.locator("dt:text-is('预计办结') + dd")
        expect(expected).to_contain_text(re.compile(r"2026-\d\d-\d\d"))
        promised = re.search(r"\d{4}-\d\d-\d\d", expected.inner_text()).group()
        assert promised == str(new.due_date)  # accepted as entered, the same day
        expect(receipt.locator("dt:text-is('状态') + dd")).to_have_text("已受理")
        expect(page.get_by_role("button", name="打印受理回执")).to_be_visible()
        page.emulate_media(media="print")
        expect(page.locator(".site-header")).to_be_hidden()
        expect(page.locator(".receipt-tools")).to_be_hidden()
        expect(receipt.locator("svg.qr")).to_be_visible()
        expect(receipt).to_contain_text("居民签名")
        looked_at(clerk, "receipt-printed", checked=False)
        page.emulate_media(media="screen")

        # --- 2. Already accepted; the ID shown in full, on today's trip, handed over.
        clerk.follow(page.get_by_role("link", name="打开办件"))
        expect(page.locator(".case-state")).to_contain_text("已受理")
        expect(page.get_by_role("button", name="受理此申请")).to_have_count(0)
        expect(page.locator(".case-applicant")).not_to_contain_text(ID_NUMBER)
        clerk.follow(page.get_by_role("button", name="显示完整身份证号码"))
        expect(page.locator(".case-applicant")).to_contain_text(ID_NUMBER)
        looked_at(clerk, "id-revealed")

        second = earlier["second"].tracking_number
        section(clerk, "代办车次")
        expect(
            page.get_by_role("heading", name=re.compile("下一代办车次"))
        ).to_contain_text("2026-03-10")
        page.get_by_label(re.compile(number)).check()
        page.get_by_label(re.compile(second)).check()
        clerk.follow(page.get_by_role("button", name="加入本车次"))
        expect(message(clerk)).to_contain_text("办件已加入本车次")
        looked_at(clerk, "two-cases-on-the-trip")
        clerk.follow(page.get_by_role("link", name="打印交接清单"))
        listing = page.locator(".trip-print")
        expect(listing.locator("svg.qr")).to_have_count(2)
        expect(listing).to_contain_text(number)
        expect(listing).to_contain_text(second)
        expect(listing).to_contain_text("交件人（村）")
        expect(listing).to_contain_text("接收人（镇）")
        page.emulate_media(media="print")
        expect(page.locator(".site-header")).to_be_hidden()
        looked_at(clerk, "hand-over-list-printed", checked=False)
        page.emulate_media(media="screen")
        page.go_back()
        page.get_by_label("移交材料份数").fill("3")
        clerk.follow(page.get_by_role("button", name="移交镇中心"))
        expect(message(clerk)).to_contain_text("本车次已移交镇中心")
        looked_at(clerk, "handed-over")

        # --- 3. The town center checks the trip in by typed numbers.
        town = person()
        sign_in(town, town_clerk)
        section(town, "代办车次")  # a town clerk lands on the arrivals
        arriving = town.page.locator(".trip-rows li").filter(has_text=village.name)
        expect(arriving).to_contain_text("2026-03-10")
        looked_at(town, "arrivals")
        town.follow(arriving.get_by_role("link", name="签收", exact=True))
        type_number(town, number)
        expect(town.page.locator(".flag-success")).to_contain_text(f"{number} 已签收")
        type_number(town, earlier["stray"].tracking_number)
        expect(town.page.locator(".flag-warning").first).to_contain_text(
            "不在本车次清单上"
        )
        looked_at(town, "stray-flagged")
        town.follow(town.page.get_by_role("button", name="结束签收"))
        expect(message(town)).to_contain_text(second)
        missing = town.page.locator(".case-list.is-missing")
        expect(missing).to_contain_text(second)
        expect(missing).to_contain_text("缺失")
        looked_at(town, "second-case-missing")

        # --- 4. The town's decision on the case page; back on Friday's trip.
        section(town, "镇中心")
        town.follow(town.page.get_by_role("link", name=number, exact=True))
        expect(town.page.locator(".case-state")).to_contain_text("已转递")
        town.page.get_by_label("镇里的办理决定和结果").fill(
            "审核通过，自2026年4月起享受低保，证明已开具"
        )
        town.follow(town.page.get_by_role("button", name="录入镇里办理决定"))
        expect(message(town)).to_contain_text("办理决定已录入")
        looked_at(town, "decision-recorded")

        clock.enter_context(
            time_machine.travel(dt.datetime(2026, 3, 13, 9, tzinfo=SHANGHAI), tick=True)
        )
        friday = earlier["friday"].tracking_number
        section(clerk, "代办车次")
        expect(
            page.get_by_role("heading", name=re.compile("下一代办车次"))
        ).to_contain_text("2026-03-13")
        page.get_by_label(re.compile(friday)).check()
        clerk.follow(page.get_by_role("button", name="加入本车次"))
        page.get_by_label("移交材料份数").fill("1")
        clerk.follow(page.get_by_role("button", name="移交镇中心"))
        expect(message(clerk)).to_contain_text("本车次已移交镇中心")
        looked_at(clerk, "friday-trip-handed-over")

        section(town, "代办车次")
        arriving = town.page.locator(".trip-rows li").filter(has_text="2026-03-13")
        town.follow(arriving.get_by_role("link", name="车次详情"))
        town.follow(town.page.get_by_role("link", name="交回已办结论的办件"))
        expect(town.page.get_by_label(re.compile(number))).to_be_checked()
        town.page.get_by_label("带回材料份数").fill("1")
        looked_at(town, "hand-back")
        town.follow(town.page.get_by_role("button", name="交回村里"))
        expect(message(town)).to_contain_text("带回村")
        looked_at(town, "handed-back")

        # --- 5. Checked in back at the village, then completed: handed over in person.
        section(clerk, "代办车次")
        clerk.follow(page.get_by_role("link", name="逐件签收带回的办件"))
        type_number(clerk, number)
        expect(page.locator(".flag-success")).to_contain_text("已签收")
        clerk.follow(page.get_by_role("button", name="结束签收"))
        expect(message(clerk)).to_contain_text("全部到齐")
        looked_at(clerk, "checked-in-back")

        open_case(clerk, number)
        expect(page.locator(".case-state")).to_contain_text("已回村")
        page.get_by_text("办结", exact=True).click()
        expect(page.get_by_label("办理结果（居民可见）")).to_have_value(
            re.compile("^审核通过")
        )
        page.get_by_label("当面交给群众").check()
        looked_at(clerk, "complete-filled")
        clerk.follow(page.get_by_role("button", name="确认办结"))
        expect(page.locator(".case-state")).to_contain_text("已办结")
        expect(page.locator(".case-details")).to_contain_text("当面交给群众")
        steps = page.locator(".case-timeline li strong")
        expect(steps).to_have_text(
            [
                "→ 待受理",
                "待受理 → 已受理",
                "代办批次",  # put on the trip
                "已受理 → 已转递",
                "代办批次",  # checked in at the town
                "镇里办理决定",
                "已转递 → 已回村",
                "代办批次",  # checked in back at the village
                "已回村 → 已办结",
            ]
        )
        notes = page.locator(".case-timeline li p")
        expect(notes.filter(has_text="在镇为民服务中心签收")).to_have_count(1)
        expect(notes.filter(has_text="在村（社区）签收（2026-03-13")).to_have_count(1)
        looked_at(clerk, "completed-timeline")
        new.refresh_from_db()
        assert (new.status, new.delivered_how) == (Status.COMPLETED, "in_person")
        assert new.completed_at and new.town_decided_at

        # --- 6. A home visit booked for next Tuesday, and recorded done that day.
        home = earlier["home"].tracking_number
        section(clerk, "上门服务")
        waiting = page.locator("section").filter(has_text="等待上门")
        clerk.follow(
            waiting.get_by_role("row")
            .filter(has_text=home)
            .get_by_role("link", name="预约上门")
        )
        page.get_by_label("上门日期").fill("2026-03-17")
        page.get_by_label("开始时间").fill("09:30")
        page.get_by_label("结束时间").fill("10:30")
        page.get_by_label("上门人员").select_option(label=village_clerk.name)
        page.get_by_label("高龄").check()
        looked_at(clerk, "visit-booking")
        clerk.follow(page.get_by_role("button", name="预约上门"))
        expect(message(clerk)).to_contain_text(f"已为 {home} 预约上门")
        looked_at(clerk, "visit-booked")

        clock.enter_context(
            time_machine.travel(dt.datetime(2026, 3, 17, 9, tzinfo=SHANGHAI), tick=True)
        )
        section(clerk, "上门服务")
        expect(page.locator("table.visit-day")).to_contain_text("09:30–10:30")
        clerk.follow(page.get_by_role("link", name=f"记录上门结果 {home}"))
        page.get_by_label("已完成").check()
        page.get_by_label("办理结果或原因").fill("已上门核实，证明已当面交给居民")
        clerk.follow(page.get_by_role("button", name="记录上门结果"))
        expect(message(clerk)).to_contain_text("已办结")
        looked_at(clerk, "visit-done")
        assert HomeVisit.objects.get(request__tracking_number=home).outcome == "done"

        # --- 7. The official: dashboard, a filtered export, the record of reads.
        boss = person()
        boss.sign_in(official)  # the admin's own sign-in
        boss.page.goto(boss.base_url + "/dashboard/")
        expect(boss.page.get_by_role("heading", name="统计", level=1)).to_be_visible()
        villages = boss.page.get_by_role("region", name="各村（社区）申请数")
        expect(
            villages.get_by_role("row").filter(has_text=village.name)
        ).to_contain_text("4")
        looked_at(boss, "dashboard")

        boss.page.goto(boss.base_url + "/admin/")
        boss.open_list("办件")
        filters = boss.page.locator("#changelist-filter")
        boss.follow(
            filters.locator("details", has_text="村(社区)").get_by_role(
                "link", name=village.name
            )
        )
        boss.shot("request-list-filtered")
        shown = [
            text.strip()
            for text in boss.results.locator("tbody th a").all_inner_texts()
        ]
        ours = set(
            ServiceRequest.objects.filter(village=village).values_list(
                "tracking_number", flat=True
            )
        )
        assert set(shown) == ours and len(ours) == 4
        with boss.page.expect_download() as caught:
            boss.page.get_by_role("link", name="导出 Excel").click()
        download = caught.value
        assert download.suggested_filename.endswith(".xlsx")
        sheet = load_workbook(io.BytesIO(download.path().read_bytes())).active
        rows = list(sheet.iter_rows(values_only=True))
        assert rows[0][0] == "办件编号"
        assert [row[0] for row in rows[1:]] == shown
        assert earlier["stray"].tracking_number not in {row[0] for row in rows}

        boss.home()
        boss.open_list("个人信息查阅记录")
        reveal = boss.results.get_by_role("row").filter(has_text=number)
        expect(reveal).to_contain_text(village_clerk.name)
        expect(reveal).to_contain_text("身份证")
        looked_at(boss, "record-of-reads", checked=False)
        assert AccessRecord.objects.filter(
            kind=AccessRecord.Kind.REVEAL_ID, actor=village_clerk, subject=number
        ).exists()
    finally:
        clock.close()

    assert not problems, "\n".join(
        f"{step}: {problem}" for step, found in problems.items() for problem in found
    )
    back_with = AgencyTrip.objects.get(carried_back__tracking_number=number)
    assert back_with.trip_date == dt.date(
        2026, 3, 13
    )  # the next trip after the decision


def no_sideways_scroll(page) -> bool:
    return page.evaluate(
        "document.documentElement.scrollWidth <= document.documentElement.clientWidth"
    )


def test_the_queue_and_a_case_page_on_a_phone(
    person, full_case, earlier, village_clerk
):
    """A completed 定时代办 case that went to the town and back (trip, timeline) and
    an accepted one, at 360 px: the queue and the case page, its forms unfolded."""
    phone = person(viewport=PHONE)
    page = phone.page
    sign_in(phone, village_clerk)
    expect(page.get_by_role("heading", level=1)).to_have_text("待办办件")
    row = page.locator("table.queue tr", has_text=earlier["second"].tracking_number)
    expect(row.locator(".status")).to_be_visible()
    assert no_sideways_scroll(page), "the queue scrolls sideways"
    phone.shot("queue-phone")
    problems = axe_violations(page)

    open_case(phone, earlier["second"].tracking_number)
    phone.follow(page.get_by_role("button", name="显示完整身份证号码"))
    for summary in page.locator(".case-steps details > summary").all():
        summary.click()
    assert no_sideways_scroll(page), "the open case page scrolls sideways"
    phone.shot("open-case-phone")
    problems += axe_violations(page)

    open_case(phone, full_case["case"].tracking_number)
    expect(page.locator(".case-state")).to_contain_text("已办结")
    expect(page.locator(".case-agency")).to_be_visible()
    assert no_sideways_scroll(page), "the completed case page scrolls sideways"
    phone.shot("completed-case-phone")
    problems += axe_violations(page)
    assert not problems, "\n".join(problems)
