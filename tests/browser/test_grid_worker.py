"""A grid worker (网格员) signs in on the portal, opens the workbench from the header,
enters a request for a household of their grid (the one entry flow: channel 网格员代办
fixed, their grid preset), gets the 收件回执 (the village clerk accepts it), and finds
the request in their list; a request of another grid is not there."""

import re

import pytest

from services.models import Channel, ServiceItem, ServiceRequest, Status
from tests.factories import UserFactory
from villages.choices import Role

from .a11y import axe_violations, horizontal_overflow
from .clerk import PASSWORD

expect = pytest.importorskip(
    "playwright.sync_api",
    reason="browser tests need the playwright package (pip install -e '.[test]')",
).expect
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def checked(page, step: str) -> list[str]:
    return [f"{step}: {p}" for p in axe_violations(page) + horizontal_overflow(page)]


def test_a_grid_worker_enters_a_request_for_a_household_and_sees_it_listed(
    person, submit
):
    from villages.models import Grid

    grid = Grid.objects.select_related("village").get(
        village__code="340123106001", number=1
    )
    worker = UserFactory(role=Role.GRID_WORKER, name="周网格")
    grid.worker = worker
    grid.save(update_fields=["worker"])
    # another grid's request, which the grid worker must not see
    elsewhere = submit("agency")
    item = (
        ServiceItem.objects.filter(allows_agency=True, promised_days__gte=5)
        .exclude(name__contains="/")  # a slash would end the link's name pattern
        .order_by("code")
        .first()
    )

    someone = person()
    page = someone.page
    page.goto(someone.base_url + "/account/sign-in/")
    page.get_by_label("手机号码").fill(worker.phone)
    page.get_by_label("密码").fill(PASSWORD)
    someone.follow(page.get_by_role("button", name="登录", exact=True))
    # the header leads to the workbench (no admin for a grid worker)
    expect(page.get_by_role("link", name="管理后台")).to_have_count(0)
    someone.follow(page.get_by_role("link", name="工作台"))
    someone.shot("queue-empty")
    someone.follow(page.locator(".staff-nav").get_by_role("link", name="录入办件"))

    page.get_by_label("查找服务事项").press_sequentially(item.code, delay=40)
    result = page.get_by_role("link", name=re.compile(f"^{re.escape(item.name)}"))
    expect(result).to_be_visible()
    someone.follow(result)
    expect(page.get_by_role("heading", level=1)).to_contain_text(item.name)
    # 网格员代办, fixed; their grid, preset
    expect(page.locator(".fixed-value").filter(has_text="网格员代办")).to_have_count(1)
    grid_choice = page.get_by_label(re.compile("^网格"))
    expect(grid_choice.locator("option:checked")).to_have_text("花岗社区 第一网格")
    someone.shot("form")
    problems = checked(page, "form")

    page.get_by_label("申请人姓名").fill("李大爷")
    page.get_by_label("申请人手机号码").fill("139 5555 0199")
    page.get_by_label("身份证号码").fill("11010519491231002X")
    page.get_by_label("住址或村民组").fill("花岗社区二组")
    page.get_by_label("定时代办").check()
    page.get_by_role("checkbox", name=re.compile("居民同意")).check()
    someone.follow(page.get_by_role("button", name="保存办件"))
    someone.shot("receipt")

    case = ServiceRequest.objects.get(entered_by=worker)
    assert case.grid == grid and case.village == grid.village
    assert case.channel == Channel.GRID and case.status == Status.SUBMITTED
    receipt = page.locator("article.receipt")
    expect(receipt.locator("h1")).to_contain_text("收件回执")
    expect(receipt).to_contain_text(case.tracking_number)
    problems += checked(page, "receipt")

    someone.follow(
        page.locator(".staff-nav").get_by_role("link", name="办件", exact=True)
    )
    listed = page.locator("main")
    expect(listed).to_contain_text(case.tracking_number)
    expect(listed).not_to_contain_text(elsewhere.tracking_number)
    someone.shot("queue")
    problems += checked(page, "queue")
    assert not problems, "\n".join(problems)
