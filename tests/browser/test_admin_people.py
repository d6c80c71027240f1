"""An official in the admin: another official's account is read-only and the official
role is not on offer for a clerk; a request's page masks the applicant's mobile and ID
number and links to the workbench's recorded reveal."""

import pytest

from tests.factories import UserFactory
from villages.choices import Role

expect = pytest.importorskip(
    "playwright.sync_api",
    reason="browser tests need the playwright package (pip install -e '.[test]')",
).expect
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_official_cannot_manage_another_official(person, official, village_clerk):
    other = UserFactory(role=Role.OFFICIAL, is_staff=True, name="另一位管理人员")
    desk = person()
    desk.sign_in(official)
    desk.open_list("用户")
    desk.open_row(other.masked_phone)
    desk.shot("other-official")
    expect(desk.page.get_by_role("button", name="保存", exact=True)).to_have_count(0)
    expect(desk.content).to_contain_text("另一位管理人员")
    desk.open_list("用户")
    desk.open_row(village_clerk.masked_phone)
    offered = desk.labelled("角色").locator("option").all_inner_texts()
    assert offered and not any("管理人员" in text for text in offered)


def test_a_request_s_page_masks_and_links_to_the_recorded_reveal(
    person, official, submit
):
    case = submit("agency", applicant_phone="13912345678")
    desk = person()
    desk.sign_in(official)
    desk.open_list("办件")
    desk.open_row(case.tracking_number)
    expect(desk.content).to_contain_text("139****5678")
    expect(desk.content).to_contain_text("110***********002X")
    assert "13912345678" not in desk.page.content()
    desk.follow(
        desk.content.get_by_role(
            "link", name="在办件页面查看完整信息（将被记录）"
        ).first
    )
    desk.shot("case-page")
    assert f"/staff/cases/{case.tracking_number}/" in desk.page.url
