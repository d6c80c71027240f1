"""一件事一次办 in Chromium, as a new resident and a village clerk would do it.

The resident opens 身后一件事 from the home page, answers the questions (a plain GET
form), sees only the services that apply, uploads each merged material once, sends
one application and gets one event number. The village clerk finds the linked cases
in the queue; 死亡注销 is marked as done at 花岗派出所's window and its page offers
them no step, so the station's window completes it; the resident, tracking the
event by its number and phone digits, sees the progress change. A resident who
types the event number at 办件查询 (the header's tracker of single requests) lands on
the event's progress, and a clerk who types it in the queue's search box finds its
cases.
"""

import re
import uuid

import pytest
from django.core.cache import cache

from huagang.privacy import NOTICE_VERSION
from services.actions import events as event_actions
from services.models import Attachment, LifeEventApplication, ServiceRequest, Status
from services.selectors.events import life_event_get, life_event_plan
from tests.files import pdf_bytes

from .test_staff_cases import find_by_number, sign_in_at_the_portal

expect = pytest.importorskip(
    "playwright.sync_api",
    reason="browser tests need the playwright package (pip install -e '.[test]')",
).expect
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = "13955550123"


def answer_the_questions(resident) -> None:
    page = resident.page
    page.goto(resident.base_url + "/")
    resident.follow(page.get_by_role("link", name="一件事一次办", exact=True))
    resident.shot("events")
    resident.follow(page.get_by_role("link", name="身后一件事"))
    expect(page.get_by_role("heading", level=1)).to_have_text("身后一件事")
    # Sent with nothing ticked, the page says what is missing.
    resident.follow(page.get_by_role("button", name="查看适用的事项"))
    expect(page.get_by_role("alert")).to_contain_text("还有4个问题未回答")
    expect(page.locator(".event-items")).to_have_count(0)
    for question, answer in (
        ("养老保险", "是"),
        ("残疾人证", "否"),
        ("火化", "是"),
        ("低保", "否"),
    ):
        group = page.get_by_role("group", name=re.compile(question))
        group.get_by_label(answer, exact=True).check()
    resident.shot("answered")
    resident.follow(page.get_by_role("button", name="查看适用的事项"))
    resident.shot("plan")


def apply_once(resident) -> None:
    page = resident.page
    page.get_by_label("姓名").fill("王桂兰")
    page.get_by_label("手机号码").fill(PHONE)
    page.get_by_label("身份证号码").fill("11010519491231002X")
    page.get_by_label("村(社区)").select_option(label="花岗社区")
    pickers = page.locator("input[type=file]")
    for index in range(pickers.count()):
        pickers.nth(index).set_input_files(
            files=[
                {
                    "name": f"材料{index}.pdf",
                    "mimeType": "application/pdf",
                    "buffer": pdf_bytes(unique=True),
                }
            ]
        )
    page.get_by_role("checkbox", name=re.compile("我同意")).check()
    resident.shot("form-filled")
    resident.follow(page.get_by_role("button", name="提交申请"))


def test_a_resident_applies_for_a_death_once_and_follows_it(person, village_clerk):
    from services.models import Body
    from tests.factories import UserFactory
    from villages.choices import Role

    station_window = UserFactory(role=Role.TOWN_CLERK, name="派出所户籍窗口")
    Body.objects.get(code="police-station").clerks.add(station_window)
    resident = person()
    page = resident.page
    answer_the_questions(resident)
    plan = page.locator(".event-items")
    expect(plan.locator("li")).to_have_count(3)
    expect(plan).to_contain_text("死亡注销")
    expect(plan).to_contain_text("城乡居民养老保险注销登记（参保人死亡）")
    expect(plan).to_contain_text("惠民殡葬补贴")
    expect(plan).not_to_contain_text("残疾人证注销")
    expect(plan.locator("li", has_text="死亡注销")).to_contain_text("花岗派出所")
    death_certificate = page.locator(".event-materials li", has_text="死亡证明")
    expect(death_certificate).to_have_count(1)
    expect(death_certificate).to_contain_text("死亡注销")
    expect(death_certificate).to_contain_text("惠民殡葬补贴")

    resident.follow(page.get_by_role("link", name="一次申请全部事项"))
    expect(page.get_by_label(re.compile("^死亡证明"))).to_have_count(1)
    apply_once(resident)
    resident.shot("done")
    number = page.locator("#event-number").inner_text()
    application = LifeEventApplication.objects.get()
    assert number == application.number
    linked = ServiceRequest.objects.filter(life_event_link__application=application)
    assert linked.count() == 3
    death_files = Attachment.objects.filter(
        request__in=linked, material__name__in=["死亡医学证明或火化证明", "死亡证明"]
    )
    assert len({a.sha256 for a in death_files}) == 1
    assert death_files.count() == 2  # one upload, on 死亡注销 and on 惠民殡葬补贴
    expect(page.locator(".event-progress h2")).to_have_text(
        "身后一件事：3 项中已办结 0 项"
    )

    clerk = person()
    sign_in_at_the_portal(clerk, village_clerk)
    clerk.page.goto(clerk.base_url + "/staff/")
    queue = clerk.page.locator("table.queue")
    for case in linked:
        expect(queue).to_contain_text(case.tracking_number)
    clerk.shot("queue")
    deregistration = linked.get(item__code="HG-HJ-002")
    row = queue.locator("tr", has_text=deregistration.tracking_number)
    expect(row).to_contain_text("在花岗派出所窗口办理")
    clerk.follow(row.get_by_role("link", name=deregistration.tracking_number))
    expect(clerk.page.locator(".case-life-event")).to_contain_text(number)
    expect(clerk.page.locator(".life-event-siblings li")).to_have_count(2)
    steps = clerk.page.locator(".case-steps")
    expect(steps).to_contain_text("本事项在花岗派出所窗口办理")
    expect(steps.get_by_text("办结", exact=True)).to_have_count(0)
    expect(steps.get_by_text("受理", exact=True)).to_have_count(0)
    expect(steps.get_by_text("添加内部备注")).to_be_visible()
    clerk.shot("case-with-event")

    tracker = person()
    tracker.page.goto(tracker.base_url + f"/events/track/?number={number}")
    tracker.page.get_by_label("手机号码后四位").fill(PHONE[-4:])
    tracker.follow(tracker.page.get_by_role("button", name="查询"))
    progress = tracker.page.locator(".event-progress h2")
    expect(progress).to_have_text("身后一件事：3 项中已办结 0 项")
    tracker.shot("tracked")

    window = person()
    sign_in_at_the_portal(window, station_window)
    window.page.goto(window.base_url + "/staff/")
    station_queue = window.page.locator("table.queue")
    expect(station_queue).to_contain_text(deregistration.tracking_number)
    expect(station_queue).not_to_contain_text("窗口办理")
    window.follow(
        station_queue.get_by_role("link", name=deregistration.tracking_number)
    )
    window.page.get_by_text("办结", exact=True).click()
    window.page.get_by_label("办理结果（居民可见）").fill("户口已注销")
    window.follow(window.page.get_by_role("button", name="确认办结"))
    expect(window.page.locator(".case-state")).to_contain_text("已办结")
    window.shot("completed-at-the-station")
    deregistration.refresh_from_db()
    assert deregistration.status == Status.COMPLETED

    tracker.page.reload()
    expect(progress).to_have_text("身后一件事：3 项中已办结 1 项")
    tracker.shot("progress-changed")


@pytest.fixture
def application(village):
    answers = {"pension": "yes", "disability-card": "no", "cremated": "yes"}
    plan = life_event_plan(
        event=life_event_get(code="after-death"), given={**answers, "dibao": "no"}
    )
    cache.clear()  # no failed lookups counted from an earlier test
    yield event_actions.life_event_submit(
        plan=plan,
        village=village,
        applicant_name="王桂兰",
        applicant_phone=PHONE,
        applicant_id_number="11010519491231002X",
        consent_version=NOTICE_VERSION,
        submission_key=uuid.uuid4(),
    )
    cache.clear()


def test_the_event_number_typed_at_the_request_tracker_opens_the_event(
    person, application
):
    resident = person()
    page = resident.page
    page.goto(resident.base_url + "/")
    resident.follow(page.get_by_role("link", name="办件查询").first)
    page.get_by_label("办件编号").fill(application.number.lower())
    page.get_by_label("手机号码后四位").fill(PHONE[-4:])
    resident.shot("event-number-at-the-request-tracker")
    resident.follow(page.get_by_role("button", name="查询"))
    assert page.url.endswith(f"/events/track/{application.number}/")
    expect(page.locator(".event-progress h2")).to_have_text(
        "身后一件事：3 项中已办结 0 项"
    )
    resident.shot("event-progress")


def test_the_clerk_finds_the_events_cases_by_its_number(
    person, application, village_clerk
):
    clerk = person()
    sign_in_at_the_portal(clerk, village_clerk)
    clerk.page.goto(clerk.base_url + "/staff/")
    find_by_number(clerk, application.number)
    expect(clerk.page.locator(".queue-searching")).to_contain_text(application.number)
    rows = clerk.page.locator("table.queue a.case-link")
    expect(rows).to_have_count(3)
    for link in application.links.select_related("service_request"):
        expect(clerk.page.locator("table.queue")).to_contain_text(
            link.service_request.tracking_number
        )
    clerk.shot("queue-by-event-number")
