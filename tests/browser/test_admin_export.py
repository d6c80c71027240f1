"""An official filters the request list, exports it to Excel, and finds the export in
the record of reads; searches it by a phone number that stays out of every address;
the same list on a phone still shows each request's status."""

import csv
import io

import pytest
from openpyxl import load_workbook

from services.models import Status
from tests.services.test_staff_queue import make_requests
from villages.models import AccessRecord

from .conftest import PHONE

expect = pytest.importorskip(
    "playwright.sync_api",
    reason="browser tests need the playwright package (pip install -e '.[test]')",
).expect
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def requests_in_two_villages(village, other_village):
    make_requests(6, village)
    make_requests(4, village, status=Status.COMPLETED)
    make_requests(5, other_village)


def shown_numbers(official) -> list[str]:
    return [
        text.strip()
        for text in official.results.locator("tbody th a").all_inner_texts()
    ]


def test_an_official_exports_the_filtered_list_and_sees_it_recorded(
    person, official, village, requests_in_two_villages, tmp_path
):
    desk = person()
    desk.sign_in(official)
    desk.open_list("办件")
    filters = desk.page.locator("#changelist-filter")
    desk.follow(
        filters.locator("details", has_text="状态").get_by_role("link", name="已受理")
    )
    desk.follow(
        filters.locator("details", has_text="村(社区)").get_by_role(
            "link", name=village.name
        )
    )
    desk.shot("filtered")
    numbers = shown_numbers(desk)
    assert len(numbers) == 6

    with desk.page.expect_download() as download_info:
        desk.page.get_by_role("link", name="导出 Excel").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".xlsx")
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    rows = list(load_workbook(saved).active.iter_rows(values_only=True))
    assert rows[0][0] == "办件编号"
    assert [row[0] for row in rows[1:]] == numbers  # the filtered rows, in order
    assert all(row[3] == village.name for row in rows[1:])
    assert all("****" in row[10] for row in rows[1:])  # phones masked

    desk.home()
    desk.open_list("个人信息查阅记录")
    expect(desk.results).to_contain_text("导出个人信息")
    expect(desk.results).to_contain_text("status__exact=accepted")
    desk.shot("record-of-reads")
    tools = desk.page.locator(".object-tools")
    expect(tools.get_by_role("link", name="增加")).to_have_count(0)  # read-only
    record = AccessRecord.objects.get()
    assert record.kind == "export" and record.actor == official


def test_an_official_searches_by_phone_and_the_number_stays_out_of_addresses(
    person, official, village, requests_in_two_villages, submit, tmp_path
):
    mine = submit("agency", applicant_name="王德明", applicant_phone="13955550023")
    desk = person()
    desk.sign_in(official)
    desk.open_list("办件")
    desk.page.get_by_role("textbox").first.fill("13955550023")
    with desk.page.expect_navigation():
        desk.page.get_by_role("button", name="搜索").click()
    desk.shot("searched-by-phone")
    assert "qs=" in desk.page.url and "13955550023" not in desk.page.url
    assert shown_numbers(desk) == [mine.tracking_number]
    expect(desk.page.locator("#searchbar")).to_have_value("13955550023")
    for link in desk.page.locator(".object-tools a.export-link").all():
        href = link.get_attribute("href") or ""
        assert "qs=" in href and "1395555" not in href

    with desk.page.expect_download() as download_info:
        desk.page.get_by_role("link", name="导出 CSV").click()
    saved = tmp_path / "list.csv"
    download_info.value.save_as(saved)
    rows = list(csv.reader(io.StringIO(saved.read_text("utf-8-sig"))))
    assert [row[0] for row in rows[1:]] == [mine.tracking_number]

    searches = AccessRecord.objects.filter(kind="search")
    assert [r.subject for r in searches] == ["139****0023"]  # once, not per page


def test_the_request_list_fits_a_wide_screen_and_shows_the_status_on_a_phone(
    person, official, requests_in_two_villages
):
    desk = person()
    desk.sign_in(official)
    desk.open_list("办件")
    width = desk.page.evaluate("document.documentElement.scrollWidth")
    assert width <= 1280  # no sideways scrolling of the page
    box = desk.page.locator("#changelist .results")
    overflow = box.evaluate("el => el.scrollWidth - el.clientWidth")
    assert overflow <= 0  # and no column cut off in the table's own box
    headers = desk.results.locator("thead th").all_inner_texts()
    assert {"办件编号", "服务事项", "状态", "申请人", "提交时间"} <= {
        h.strip() for h in headers
    }

    phone = person(viewport=PHONE)
    phone.sign_in(official)
    phone.page.goto(desk.page.url)
    phone.shot("list-on-a-phone")
    status = phone.results.locator("tbody td.field-status_and_due").first
    expect(status).to_be_visible()
    box = status.bounding_box()
    assert box is not None and box["x"] + box["width"] <= PHONE["width"]
