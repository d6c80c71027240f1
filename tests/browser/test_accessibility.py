"""Every public page, in the standard layout and in 长辈版, at 1280 px and 360 px wide.

Each page is loaded, saved as a full-page screenshot, checked by axe-core (no serious
or critical violation), and must not scroll sideways; in 长辈版 all its text is at
least 24 px (18 pt) with line spacing of at least 1.3, and every link, button and field
is at least 60×60 px. The same pages must not scroll sideways at 200% zoom. And 长辈版
is switched on the way a resident does it, with the mouse and with the keyboard.

A new page joins the checks with one line in ``PAGES``.
"""

import re
from collections.abc import Callable

import pytest

from huagang.elder_mode import COOKIE_NAME, ON
from huagang.privacy import NOTICE_VERSION
from services import actions
from services.models import ServiceItem
from tests.factories import UserFactory
from tests.files import image_bytes, pdf_bytes
from villages.choices import Role
from villages.models import Village

from .a11y import (
    axe_violations,
    horizontal_overflow,
    keyboard_problems,
    small_targets,
    small_text,
)
from .clerk import PASSWORD, Person
from .conftest import DESKTOP, PHONE

expect = pytest.importorskip(
    "playwright.sync_api",
    reason="browser tests need the playwright package (pip install -e '.[test]')",
).expect
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _guide(visitor: Person) -> str:
    return ServiceItem.objects.get(code="HG-JZ-001").get_absolute_url()


def _village(visitor: Person) -> str:
    return Village.objects.get(name="花岗社区").get_absolute_url()


def _apply_form(visitor: Person) -> str:
    return ServiceItem.objects.get(name="老年优待证换发").get_absolute_url() + "apply/"


def _applied(visitor: Person) -> str:
    """The confirmation a resident sees after applying online in this browser."""
    page = visitor.page
    page.goto(visitor.base_url + _apply_form(visitor))
    page.get_by_label("姓名").fill("王桂兰")
    page.get_by_label("手机号码").fill("13955550123")
    page.get_by_label("身份证号码").fill("11010519491231002X")
    page.get_by_label("村(社区)").select_option(label="花岗社区")
    page.get_by_label("住址或村民组").fill("花岗社区三组")
    page.get_by_label("定时代办").check()
    page.get_by_label("您要办理什么？").fill(f"换发优待证（{page.viewport_size}）")
    for material, name, mime, content in (
        ("身份证或户口簿", "身份证.pdf", "application/pdf", pdf_bytes()),
        ("一寸照片", "照片.jpg", "image/jpeg", image_bytes("JPEG")),
    ):
        page.get_by_label(material).set_input_files(
            files=[{"name": name, "mimeType": mime, "buffer": content}]
        )
    page.get_by_role("checkbox", name=re.compile("我同意")).check()
    with page.expect_navigation():
        page.get_by_role("button", name="提交申请").click()
    assert "/done/" in page.url, page.locator("main").inner_text()
    return page.url.removeprefix(visitor.base_url)


def _my_requests(visitor: Person) -> str:
    """A resident with a request of their own, signed in on the sign-in page."""
    resident = UserFactory(role=Role.RESIDENT)
    actions.service_request_submit(
        item=ServiceItem.objects.get(name="老年优待证换发"),
        village=Village.objects.get(name="花岗社区"),
        mode="agency",
        channel="online",
        applicant_name=resident.name,
        applicant_phone=resident.phone,
        applicant_id_number="11010519491231002X",
        account=resident,
        consent_version=NOTICE_VERSION,
    )
    page = visitor.page
    page.goto(visitor.base_url + "/account/sign-in/")
    page.get_by_label("手机号码").fill(resident.phone)
    page.get_by_label("密码").fill(PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="登录", exact=True).click()
    return "/my/requests/"


def _tracked_request_awaiting_supplement(visitor: Person) -> str:
    """A request the village asked a supplement for, looked up by its resident in
    this browser (number and phone digits): the progress page with its upload form."""
    village = Village.objects.get(name="花岗社区")
    clerk = UserFactory(role=Role.VILLAGE_CLERK, village=village)
    request = actions.service_request_submit(
        item=ServiceItem.objects.get(code="HG-JZ-001"),
        village=village,
        mode="agency",
        channel="online",
        applicant_name="张桂英",
        applicant_phone="13955550123",
        applicant_id_number="11010519491231002X",
        description=f"{visitor.page.viewport_size}",  # a new request per browser
        consent_version=NOTICE_VERSION,
    )
    actions.service_request_accept(service_request=request, by=clerk)
    actions.service_request_ask_supplement(
        service_request=request, by=clerk, what="请补交户口簿本人页的照片。"
    )
    page = visitor.page
    page.goto(f"{visitor.base_url}/track/?number={request.tracking_number}")
    page.get_by_label("手机号码后四位").fill("0123")
    with page.expect_navigation():
        page.get_by_role("button", name="查询").click()
    return f"/track/{request.tracking_number}/"


# (name, path or setup): a setup gets the visitor, may prepare data or sign them in on
# visitor.page, and returns the path to check.
PAGES: list[tuple[str, str | Callable[[Person], str]]] = [
    ("home", "/"),
    ("catalog", "/services/"),
    ("search", "/services/?q=低保"),
    ("guide", _guide),
    ("villages", "/villages/"),
    ("village", _village),
    ("not-found", "/services/no-such-item/"),
    ("apply", _apply_form),
    ("confirmation", _applied),
    ("track", "/track/"),
    ("track-result", _tracked_request_awaiting_supplement),
    ("privacy", "/privacy/"),
    ("questions", "/questions/"),
    ("ask", "/questions/ask/"),
    ("sign-in", "/account/sign-in/"),
    ("register", "/account/register/"),
    ("password-reset", "/account/password-reset/"),
    ("my-requests", _my_requests),  # signs in: keep after the pages seen signed out
]

WIDTHS = {"1280": {"viewport": DESKTOP}, "360": {"viewport": PHONE}}
# A 1280 px window zoomed to 200% lays pages out 640 CSS px wide.
ZOOM_200 = {"viewport": {"width": 640, "height": 400}, "device_scale_factor": 2}
ELDER_TEXT_PX = 24  # 18 pt
ELDER_LINE_SPACING = 1.3
ELDER_TARGET_PX = 60


def elder_mode_chosen(visitor: Person) -> None:
    """As if the visitor had pressed 长辈版 before (the switch has its own tests)."""
    visitor.page.context.add_cookies(
        [{"name": COOKIE_NAME, "value": ON, "url": visitor.base_url}]
    )


def page_problems(visitor: Person, *, elder: bool) -> list[str]:
    """What is wrong with the page shown, in its layout at its width."""
    page = visitor.page
    found = axe_violations(page) + horizontal_overflow(page)
    body_classes = (page.locator("body").get_attribute("class") or "").split()
    if ("elder" in body_classes) != elder:
        found.append("not in the layout chosen")
    if elder:
        found += small_text(page, min_px=ELDER_TEXT_PX, min_line=ELDER_LINE_SPACING)
        found += small_targets(page, min_px=ELDER_TARGET_PX)
    return found


@pytest.mark.parametrize("layout", ["standard", "elder"])
def test_every_page_in_both_layouts_at_1280_and_360_px(person, layout):
    """Screenshots, axe-core and no sideways scrolling at each width, the keyboard at
    1280 px; in 长辈版 also the text and target sizes. Every page is checked before the
    test fails."""
    elder = layout == "elder"
    problems = []
    for width, options in WIDTHS.items():
        visitor = person(**options)
        if elder:
            elder_mode_chosen(visitor)
        for name, target in PAGES:
            path = target if isinstance(target, str) else target(visitor)
            visitor.page.goto(visitor.base_url + path)
            visitor.shot(f"{width}-{name}")
            found = page_problems(visitor, elder=elder)
            if width == "1280":
                found += keyboard_problems(visitor.page)
            problems += [f"{width} px, {name} ({path}): {p}" for p in found]
    visitor = person(**ZOOM_200)
    if elder:
        elder_mode_chosen(visitor)
    for name, target in PAGES:
        path = target if isinstance(target, str) else target(visitor)
        visitor.page.goto(visitor.base_url + path)
        found = horizontal_overflow(visitor.page)
        problems += [f"200% zoom, {name} ({path}): {p}" for p in found]
    assert not problems, "\n".join(problems)


def main_text_style(visitor: Person) -> tuple[float, float]:
    """Font size and line height (px) of the main text: the page's paragraphs."""
    return visitor.page.evaluate(
        """() => {
          const style = getComputedStyle(document.querySelector('main p'));
          return [parseFloat(style.fontSize), parseFloat(style.lineHeight)];
        }"""
    )


def test_elder_mode_by_click_is_remembered_on_the_next_page(person):
    visitor = person(viewport=PHONE)
    page = visitor.page
    page.goto(visitor.base_url + "/services/?q=低保")
    toggle = page.get_by_role("button", name="长辈版", exact=True)
    expect(toggle).to_have_attribute("aria-pressed", "false")
    expect(toggle).to_contain_text("关")
    assert main_text_style(visitor)[0] < ELDER_TEXT_PX
    visitor.shot("standard")

    visitor.follow(toggle)
    assert page.url == visitor.base_url + "/services/?q=%E4%BD%8E%E4%BF%9D"
    expect(page.locator("body")).to_have_class("elder")
    expect(toggle).to_have_attribute("aria-pressed", "true")
    expect(toggle).to_contain_text("开")
    size, line = main_text_style(visitor)
    assert size >= ELDER_TEXT_PX and line >= ELDER_LINE_SPACING * size
    box = toggle.bounding_box()
    assert box["width"] >= ELDER_TARGET_PX and box["height"] >= ELDER_TARGET_PX
    visitor.shot("elder")

    visitor.follow(page.get_by_role("navigation", name="主导航").get_by_text("首页"))
    expect(page.locator("body")).to_have_class("elder")
    most_used = page.get_by_role("navigation", name="常用服务").get_by_role("link")
    expect(most_used.first).to_have_text(
        ServiceItem.objects.filter(is_active=True).first().name
    )
    expect(most_used).to_have_count(6)
    visitor.shot("home-most-used-first")

    visitor.follow(toggle)
    expect(page.locator("body")).not_to_have_class("elder")
    expect(page.get_by_role("navigation", name="常用服务")).to_have_count(0)
    expect(toggle).to_have_attribute("aria-pressed", "false")


def test_elder_mode_by_keyboard(person):
    """Tab to the switch (its focus ring shows), press Enter: 长辈版 is on."""
    visitor = person(viewport=DESKTOP)
    page = visitor.page
    page.goto(visitor.base_url + "/villages/")
    toggle = page.get_by_role("button", name="长辈版", exact=True)
    for _ in range(12):
        page.keyboard.press("Tab")
        if toggle.evaluate("el => el === document.activeElement"):
            break
    else:
        pytest.fail("Tab never reached the 长辈版 switch")
    outline = toggle.evaluate(
        "el => [getComputedStyle(el).outlineStyle, getComputedStyle(el).outlineWidth]"
    )
    assert outline[0] != "none" and float(outline[1].removesuffix("px")) >= 2
    visitor.shot("switch-focused")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.locator("body")).to_have_class("elder")
    assert page.url == visitor.base_url + "/villages/"
    visitor.shot("elder")
