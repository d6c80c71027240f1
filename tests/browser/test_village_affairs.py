"""Village affairs in public, clicked through in Chromium: a village clerk drafts a
quarterly 财务公开, attaches a PDF and submits it; an official approves it; a resident
then finds it in the village's public archive, with the PDF."""

import pytest

from tests.files import pdf_bytes

expect = pytest.importorskip(
    "playwright.sync_api",
    reason="browser tests need the playwright package (pip install -e '.[test]')",
).expect
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TITLE = "2025年第四季度财务收支公开"


def open_affairs(person) -> None:
    """From the admin (查看站点): the header's 工作台, then 党务村务财务公开."""
    person.follow(person.page.get_by_role("link", name="查看站点"))
    person.follow(person.page.get_by_role("link", name="工作台", exact=True))
    nav = person.page.get_by_role("navigation", name="工作台")
    person.follow(nav.get_by_role("link", name="党务村务财务公开", exact=True))


def test_a_clerk_publishes_a_quarterly_finance_disclosure_an_official_approves(
    person, village, village_clerk, official, tmp_path, settings
):
    settings.MEDIA_ROOT = tmp_path / "media"
    pdf = tmp_path / "2025年第四季度收支明细.pdf"
    pdf.write_bytes(pdf_bytes())

    clerk = person()
    clerk.sign_in(village_clerk)
    open_affairs(clerk)
    clerk.follow(clerk.page.get_by_role("link", name="新建公开事项"))
    page = clerk.page
    page.get_by_label("类别").select_option(label="财务公开")
    page.get_by_label("年度").fill("2025")
    page.get_by_label("公开周期").select_option(label="季度")
    page.get_by_label("月份或季度").fill("4")
    page.get_by_label("标题").fill(TITLE)
    page.get_by_label("公开内容").fill(
        "本季度收入 12,000 元，支出 8,000 元，明细见附件。"
    )
    clerk.shot("draft")
    clerk.follow(page.get_by_role("button", name="保存草稿"))
    expect(page.locator(".disclosure-status")).to_have_text("草稿")
    page.get_by_label("PDF 文件").set_input_files(str(pdf))
    clerk.follow(page.get_by_role("button", name="上传", exact=True))
    expect(page.get_by_role("link", name=pdf.name, exact=True)).to_be_visible()
    clerk.follow(page.get_by_role("button", name="提交审核"))
    expect(page.locator(".disclosure-status")).to_have_text("待审核")
    clerk.shot("submitted")

    # Not public yet: the village's archive does not show it.
    visitor = person()
    visitor.page.goto(f"{visitor.base_url}/villages/{village.code}/affairs/")
    expect(visitor.page.get_by_text(TITLE)).to_have_count(0)

    boss = person()
    boss.sign_in(official)
    open_affairs(boss)
    boss.follow(boss.page.get_by_role("link", name=TITLE))
    boss.shot("review")
    boss.page.get_by_role("button", name="审核通过并公开").click()  # not ticked yet
    expect(boss.page.locator(".error-summary")).to_contain_text("勾选")
    expect(boss.page.get_by_text(TITLE).first).to_be_visible()
    boss.page.get_by_label("我已核对公开内容及附件（如有），确认向所有人公开。").check()
    boss.follow(boss.page.get_by_role("button", name="审核通过并公开"))
    expect(boss.page.locator(".disclosure-status")).to_have_text("已发布")
    boss.shot("approved")

    # A resident finds it from the village page, with its PDF.
    visitor.page.goto(f"{visitor.base_url}{village.get_absolute_url()}")
    visitor.follow(visitor.page.get_by_role("link", name="党务、村务、财务公开"))
    expect(visitor.page.get_by_role("heading", name=TITLE)).to_be_visible()
    link = visitor.page.get_by_role("link", name=pdf.name, exact=True)
    expect(link).to_be_visible()
    visitor.shot("archive")
    response = visitor.page.request.get(visitor.base_url + link.get_attribute("href"))
    assert response.status == 200
    assert response.body().startswith(b"%PDF-")
