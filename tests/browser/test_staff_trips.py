"""定时代办 in the workbench, clicked through in Chromium: the village clerk puts two
accepted cases on today's trip, prints the hand-over list and hands it over; a town
clerk checks one case in by typing its number, types a number not on the list (flagged
at once), finishes and sees the other case flagged missing; records the town's decision
and hands the case back; the village clerk checks it in. Fields by their Chinese
labels, buttons by their names; screenshots at each step (one at 360 px)."""

import re

import pytest

from services import actions
from services.models import AgencyTrip, ServiceRequest, Status, TripCheck
from villages.models import SubCenter

from .conftest import PHONE

expect = pytest.importorskip(
    "playwright.sync_api",
    reason="browser tests need the playwright package (pip install -e '.[test]')",
).expect
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _trip_today(village):
    """Tuesday 2026-03-10, the tests' day, is one of the village's trip days."""
    SubCenter.objects.filter(village=village).update(trip_weekdays=[2, 5])


def go(person, path: str) -> None:
    person.page.goto(person.base_url + path)


def test_a_trip_to_the_town_and_back(
    person, submit, village_clerk, town_clerk, village
):
    first, second, stray = (submit("agency") for _ in range(3))
    for case in (first, second, stray):
        actions.service_request_accept(service_request=case, by=village_clerk)

    # The village clerk: today's trip, two cases on it, the list printed, handed over.
    clerk = person()
    clerk.sign_in(village_clerk)
    go(clerk, "/staff/")
    clerk.follow(clerk.page.get_by_role("link", name="代办车次", exact=True))
    expect(
        clerk.page.get_by_role("heading", name=re.compile("下一代办车次"))
    ).to_be_visible()
    clerk.shot("next-trip")
    clerk.page.get_by_label(re.compile(first.tracking_number)).check()
    clerk.page.get_by_label(re.compile(second.tracking_number)).check()
    clerk.follow(clerk.page.get_by_role("button", name="加入本车次"))
    expect(clerk.page.locator(".messages")).to_contain_text("办件已加入本车次")
    clerk.shot("two-cases-on-the-trip")
    clerk.follow(clerk.page.get_by_role("link", name="打印交接清单"))
    listing = clerk.page.locator(".trip-print")
    expect(listing.locator("svg.qr")).to_have_count(2)
    expect(listing).to_contain_text("交件人（村）")
    expect(listing).to_contain_text("接收人（镇）")
    clerk.page.emulate_media(media="print")
    clerk.shot("hand-over-list-printed")
    clerk.page.emulate_media(media="screen")
    clerk.page.go_back()
    clerk.page.get_by_label("移交材料份数").fill("4")
    clerk.follow(clerk.page.get_by_role("button", name="移交镇中心"))
    expect(clerk.page.locator(".messages")).to_contain_text("本车次已移交镇中心")
    clerk.shot("handed-over")

    # The town clerk checks the cases in by typing their numbers.
    town = person()
    town.sign_in(town_clerk)
    go(town, "/staff/trips/")  # a town clerk lands on the arrivals
    town.shot("arrivals")
    town.follow(town.page.get_by_role("link", name="签收", exact=True))
    number = town.page.get_by_label("办件编号")
    number.fill(first.tracking_number)
    number.press("Enter")
    expect(town.page.locator(".flag-success")).to_contain_text(
        f"{first.tracking_number} 已签收"
    )
    town.shot("one-case-received")
    number = town.page.get_by_label("办件编号")
    number.fill(stray.tracking_number)
    number.press("Enter")
    expect(town.page.locator(".flag-warning").first).to_contain_text("不在本车次清单上")
    town.shot("not-on-the-list-flagged")
    town.follow(town.page.get_by_role("button", name="结束签收"))
    expect(town.page.locator(".messages")).to_contain_text(second.tracking_number)
    missing = town.page.locator(".case-list.is-missing")
    expect(missing).to_contain_text(second.tracking_number)
    expect(missing).to_contain_text("缺失")
    town.shot("other-case-missing")

    # The town's decision on the case that arrived, then back with the trip.
    town.follow(
        town.page.get_by_role("link", name="代办车次", exact=True)
    )  # → arrivals
    town.follow(town.page.get_by_role("link", name="在镇中心的办件"))
    town.shot("cases-at-the-town")
    row = town.page.locator(".case-list li").filter(has_text=first.tracking_number)
    town.follow(row.get_by_role("link", name="录入办理决定"))
    town.page.get_by_label("镇里的办理决定和结果").fill(
        "审核通过，证件已制作，请到分中心领取"
    )
    town.follow(town.page.get_by_role("button", name="录入镇里办理决定"))
    expect(town.page.locator(".messages")).to_contain_text("办理决定已录入")
    town.shot("decision-recorded")
    trip = AgencyTrip.objects.get()
    go(town, f"/staff/trips/{trip.pk}/")
    town.follow(town.page.get_by_role("link", name="交回已办结论的办件"))
    expect(town.page.get_by_label(re.compile(first.tracking_number))).to_be_checked()
    town.page.get_by_label("带回材料份数").fill("1")
    town.shot("hand-back")
    town.follow(town.page.get_by_role("button", name="交回村里"))
    expect(town.page.locator(".messages")).to_contain_text("带回村")
    town.shot("handed-back")

    # The village clerk checks the case in, back at the village (and on a phone).
    go(clerk, "/staff/trips/")
    clerk.follow(clerk.page.get_by_role("link", name="逐件签收带回的办件"))
    number = clerk.page.get_by_label("办件编号")
    number.fill(first.tracking_number)
    number.press("Enter")
    expect(clerk.page.locator(".flag-success")).to_contain_text("已签收")
    clerk.shot("checked-in-back-at-the-village")
    clerk.follow(clerk.page.get_by_role("button", name="结束签收"))
    expect(clerk.page.locator(".messages")).to_contain_text("全部到齐")
    clerk.shot("return-check-in-finished")

    phone = person(viewport=PHONE)
    phone.sign_in(village_clerk)
    go(phone, f"/staff/trips/{trip.pk}/check/back/")
    width = phone.page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"]
    phone.shot("check-in-on-a-phone")

    first.refresh_from_db()
    assert first.status == Status.RETURNED_TO_VILLAGE
    assert first.result_note.startswith("审核通过")
    assert ServiceRequest.objects.get(pk=second.pk).status == Status.SENT_TO_TOWN
    checks = TripCheck.objects.filter(trip=trip)
    assert {(c.request_id, c.leg, c.on_list) for c in checks} == {
        (first.pk, "out", True),
        (stray.pk, "out", False),
        (first.pk, "back", True),
    }


def test_the_hand_over_list_on_a_phone_is_cards_and_on_paper_a_table(
    person, submit, village_clerk, village
):
    cases = [submit("agency") for _ in range(2)]
    for case in cases:
        actions.service_request_accept(service_request=case, by=village_clerk)
    trip = actions.agency_trip_plan(village=village, by=village_clerk)
    actions.agency_trip_add(trip=trip, service_requests=cases, by=village_clerk)

    phone = person(viewport=PHONE)
    phone.sign_in(village_clerk)
    go(phone, "/staff/trips/")
    phone.follow(phone.page.get_by_role("link", name="打印交接清单"))
    table = phone.page.locator(".print-table")
    expect(table.locator("svg.qr")).to_have_count(2)
    wrap = phone.page.locator(".table-wrap")
    # nothing cut off: no scroll inside the list's box, nor of the page
    assert wrap.evaluate("el => el.scrollWidth <= el.clientWidth")
    assert phone.page.evaluate("document.documentElement.scrollWidth") <= 360
    row = table.locator("tbody tr").first
    assert row.evaluate("el => getComputedStyle(el).display") == "block"
    expect(row).to_contain_text(cases[0].tracking_number)
    head = table.locator("thead")  # kept for screen readers, out of sight
    assert head.evaluate("el => el.getBoundingClientRect().width") <= 1
    phone.shot("hand-over-list-on-a-phone")
    phone.page.emulate_media(media="print")
    assert row.evaluate("el => getComputedStyle(el).display") == "table-row"
    phone.shot("hand-over-list-printed-from-a-phone")
