"""A resident finds an item and reads how to get it done, in Chromium on a phone.

No JavaScript is needed: the search and the village picker are plain GET forms.
Fields are found by their Chinese labels and buttons by their names.
"""

import pytest

from .conftest import PHONE

expect = pytest.importorskip(
    "playwright.sync_api",
    reason="browser tests need the playwright package (pip install -e '.[test]')",
).expect
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_resident_finds_dibao_and_reads_their_village_s_trip_days(person):
    resident = person(PHONE)
    page = resident.page
    resident.page.goto(resident.base_url + "/")
    page.get_by_label("您要办理什么事项？").fill("低保")
    with page.expect_navigation():
        page.get_by_role("button", name="搜索").click()
    resident.shot("search-results")
    first = page.locator(".item-list .item-name").first
    expect(first).to_have_text("最低生活保障申请、审核及转报")

    resident.follow(first)
    how = page.locator("section.how")
    expect(how).to_contain_text("花岗镇社会管理局受理，肥西县民政局审批。")
    expect(how).to_contain_text("请在下面选择您所在的村(社区)，查看送件日。")
    resident.shot("guide")

    page.get_by_label("您所在的村(社区)").select_option(label="董岗社区")
    with page.expect_navigation():
        page.get_by_role("button", name="查看本村送件日").click()
    resident.shot("village-picked")
    expect(how).to_contain_text("村代办员每周一、四送镇")
    expect(page.get_by_label("您所在的村(社区)")).to_have_value("340123106003")
    apply = page.get_by_role("link", name="在线申请")
    expect(apply).to_be_visible()
    # The village picked comes along to the form.
    assert (
        apply.get_attribute("href") == "/services/HG-JZ-001/apply/?village=340123106003"
    )
