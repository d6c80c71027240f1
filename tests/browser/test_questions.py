"""留言咨询 clicked through in Chromium by the visible Chinese labels: a resident asks
a question from an item's guide, the village clerk answers it on the workbench and
publishes it without the personal details, and the resident later reads the answer
under 我的留言; the public finds the published version by searching."""

import pytest

from services.models import Notification, Question, QuestionPublication
from villages.verification import user_mark_phone_verified

from .clerk import PASSWORD

expect = pytest.importorskip(
    "playwright.sync_api",
    reason="browser tests need the playwright package (pip install -e '.[test]')",
).expect
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in_as_resident(resident, user) -> None:
    page = resident.page
    page.goto(resident.base_url + "/")
    resident.follow(page.get_by_role("link", name="登录/注册"))
    page.get_by_label("手机号码").fill(user.phone)
    page.get_by_label("密码").fill(PASSWORD)
    resident.follow(page.get_by_role("button", name="登录", exact=True))


def test_a_resident_asks_a_clerk_answers_and_the_resident_reads_it(
    person, resident, village, village_clerk, items
):
    user_mark_phone_verified(user=resident)
    item = items["home"]

    # the resident asks from the item's guide
    asker = person()
    page = asker.page
    sign_in_as_resident(asker, resident)
    page.goto(asker.base_url + item.get_absolute_url())
    expect(page.get_by_role("link", name="相关问答 (0)")).to_be_visible()
    asker.follow(page.get_by_role("link", name="就此事项留言咨询"))
    expect(page.get_by_label("涉及的服务事项")).to_have_value(item.code)
    page.get_by_label("您所在的村(社区)").select_option(label=village.name)
    page.get_by_label("标题").fill("上门办理要提前多久预约")
    asker.shot("ask-incomplete")
    asker.follow(page.get_by_role("button", name="提交留言"))
    expect(page.locator(".has-error")).to_contain_text("请填写此项")  # no text yet
    expect(page.get_by_label("标题")).to_have_value("上门办理要提前多久预约")
    page.get_by_label("留言内容").fill(
        "我叫王桂英，住三组12号，母亲行动不便，想请人上门。"
    )
    asker.shot("ask-filled")
    asker.follow(page.get_by_role("button", name="提交留言"))
    expect(page.locator(".messages")).to_contain_text("留言已提交")
    expect(page.locator(".question-answer")).to_contain_text("尚未答复")
    asker.shot("asked")
    question = Question.objects.get()
    assert (question.item, question.village) == (item, village)

    # the village clerk answers it on the workbench, and publishes it cleaned
    clerk = person()
    clerk.sign_in(village_clerk)
    clerk.follow(clerk.page.get_by_role("link", name="查看站点"))
    clerk.follow(clerk.page.get_by_role("link", name="工作台", exact=True))
    nav = clerk.page.get_by_role("navigation", name="工作台")
    clerk.follow(nav.get_by_role("link", name="居民留言", exact=True))
    row = clerk.page.get_by_role("row").filter(has_text="上门办理要提前多久预约")
    expect(row).to_contain_text("2026-03-17")  # five working days on
    clerk.shot("queue")
    clerk.follow(row.get_by_role("link", name="上门办理要提前多久预约"))
    clerk.page.get_by_role("textbox", name="答复").fill(
        "请提前两个工作日联系村便民服务点，我们上门办理。"
    )
    clerk.shot("answer")
    clerk.follow(clerk.page.get_by_role("button", name="答复并通知居民"))
    expect(clerk.page.locator(".messages")).to_contain_text("已记录答复")
    clerk.page.get_by_label("公开的留言内容").fill("家中老人行动不便，能否上门办理？")
    clerk.shot("publish")
    clerk.follow(clerk.page.get_by_role("button", name="公开", exact=True))
    expect(clerk.page.locator(".messages")).to_contain_text("已公开")
    clerk.shot("published")
    publication = QuestionPublication.objects.get()
    assert "王桂英" not in publication.text
    sms = Notification.objects.get(
        idempotency_key=f"question-answered:{question.pk}:sms"
    )
    assert "请提前两个工作日" in sms.body

    # later, the resident reads the answer under 我的留言
    page.goto(asker.base_url + "/")
    asker.follow(page.get_by_role("navigation").get_by_role("link", name="我的办件"))
    asker.follow(page.get_by_role("link", name="我的留言"))
    entry = page.locator(".my-questions > li").filter(has_text="上门办理要提前多久预约")
    expect(entry).to_contain_text("已答复")
    asker.follow(entry.get_by_role("link"))
    expect(page.locator(".question-answer")).to_contain_text("请提前两个工作日")
    expect(page.locator(".question-answer")).to_contain_text("删去您的个人信息后公开")
    asker.shot("answer-read")

    # and anyone finds the published version, without the personal details
    public = person()
    public.page.goto(public.base_url + item.get_absolute_url())
    public.follow(public.page.get_by_role("link", name="相关问答 (1)"))
    public.page.get_by_label("搜索问答").fill("上门")
    public.follow(
        public.page.locator("form.filters").get_by_role("button", name="搜索")
    )
    public.follow(public.page.get_by_role("link", name="上门办理要提前多久预约"))
    expect(public.page.locator("article")).to_contain_text("家中老人行动不便")
    expect(public.page.locator("article")).not_to_contain_text("王桂英")
    public.shot("public")
