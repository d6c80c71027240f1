"""An official opens the statistics, picks a period, reads the figures and the chart,
and downloads a figure as .xlsx that openpyxl opens with the same rows; at 1280 and
360 px wide."""

import io

import pytest
from openpyxl import load_workbook

from tests.services.test_dashboard import history  # noqa: F401 (a fixture)

from .conftest import DESKTOP, PHONE

expect = pytest.importorskip(
    "playwright.sync_api",
    reason="browser tests need the playwright package (pip install -e '.[test]')",
).expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("history", ["daily figures"], indirect=True)
@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["1280", "360"])
def test_official_reads_the_dashboard_and_downloads_a_figure(
    person,
    viewport,
    official,
    history,  # noqa: F811
    village,
):
    boss = person(viewport)
    boss.sign_in(official)
    page = boss.page
    page.goto(boss.base_url + "/dashboard/")
    expect(page.get_by_role("heading", name="统计", level=1)).to_be_visible()
    boss.shot("this-year")

    page.get_by_label("开始日期").fill("2025-01-01")
    page.get_by_label("截止日期").fill("2025-10-31")
    with page.expect_navigation():
        page.get_by_role("button", name="查询").click()
    assert "from=2025-01-01" in page.url and "to=2025-10-31" in page.url
    expect(page.locator("#agency-total")).to_have_text("8")
    expect(page.get_by_text("同比 +33%（上年同期 6 件）")).to_be_visible()
    chart = page.get_by_role("img", name="定时代办累计件数与上年同期对比")
    expect(chart).to_be_visible()
    villages = page.get_by_role("region", name="各村（社区）申请数")
    row = villages.get_by_role("row").filter(has_text=village.name)
    expect(row).to_contain_text("9")
    boss.shot("2025-to-october")
    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, "the page scrolls sideways"

    section = page.locator(
        "section",
        has=page.get_by_role("heading", name="各村（社区）按时办结率与办理用时"),
    )
    with page.expect_download() as caught:
        section.get_by_role("link", name="Excel (.xlsx)").click()
    download = caught.value
    assert download.suggested_filename == (
        "huagang-on-time-by-village-2025-01-01-2025-10-31.xlsx"
    )
    sheet = load_workbook(io.BytesIO(download.path().read_bytes())).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:5] == (
        "村（社区）",
        "办结数",
        "有承诺期限",
        "按时办结",
        "按时办结率",
    )
    found = {row[0]: row[1:] for row in rows[1:]}
    assert found[village.name] == (2, 2, 1, 50, 2.5)
    assert found["合计"] == (3, 3, 2, 66.7, 1.7)

    page.get_by_role(
        "heading", name="超期办件", exact=True
    ).scroll_into_view_if_needed()
    expect(
        page.get_by_role("link", name=history["overdue"].tracking_number)
    ).to_be_visible()
    boss.shot("overdue-list")
