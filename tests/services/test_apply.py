"""The resident's application form, its confirmation and the printable receipt.

Every post sends what the page sends: the fields are read from the rendered form (its
hidden one-time key and notice version included), and only fields the page has are
filled in.
"""

import re
from html.parser import HTMLParser

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from huagang.privacy import NOTICE_VERSION
from services.actions.submission import id_number_required
from services.models import Attachment, ServiceItem, ServiceRequest
from services.views.apply import tracking_qr_svg
from tests.factories import UserFactory
from tests.files import image_bytes, pdf_bytes
from villages.choices import Role

ELDER_CARD = "老年优待证换发"  # HG-YL-004: 即时即办, 定时代办 or 上门特办, 0 days, ID card + photo
VALID_ID = "11010519491231002X"  # GB 11643's own example
HUAGANG = "340123106001"


class FormReader(HTMLParser):
    """The application form as a browser sees it: its fields and their values."""

    def __init__(self):
        super().__init__()
        self.fields: dict[str, list[dict]] = {}
        self.options: dict[str, list[str]] = {}
        self._select: str | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in ("input", "textarea", "select") and attrs.get("name"):
            self.fields.setdefault(attrs["name"], []).append(attrs)
            self._select = attrs["name"] if tag == "select" else self._select
        elif tag == "option" and self._select:
            self.options.setdefault(self._select, []).append(attrs.get("value", ""))

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None


def read_form(response) -> FormReader:
    reader = FormReader()
    reader.feed(response.content.decode())
    return reader


@pytest.fixture
def elder_card(db) -> ServiceItem:
    return ServiceItem.objects.prefetch_related("materials").get(name=ELDER_CARD)


@pytest.fixture
def apply_page(client):
    """``apply_page(item, **typed)``: open the item's form, fill in what a resident
    types (a value per field the page has; None leaves the field out), and post it
    with the page's hidden fields, in `browser` (a Client; the test's own by
    default). Returns (response, the form read before posting)."""

    def _apply(item, *, follow=False, browser=None, **typed):
        browser = browser or client
        url = reverse("services:apply", kwargs={"code": item.code})
        form = read_form(browser.get(url))
        data = {
            name: attrs[0].get("value", "")
            for name, attrs in form.fields.items()
            if attrs[0].get("type") == "hidden"
        }
        values = {
            "applicant_name": "王桂兰",
            "applicant_phone": "139 5555 0123",
            "applicant_id_number": VALID_ID,
            "village": HUAGANG,
            "applicant_address": "花岗社区三组",
            # 定时代办 (a home visit asks for the days that suit, tested elsewhere).
            "mode": "agency" if item.allows_agency else item.modes[-1].value,
            "description": "优待证损坏，申请换发",
            "consent": "on",
        }
        values.update(typed)
        for name, value in values.items():
            assert name in form.fields, f"the page has no field {name}"
            if value is not None:
                data[name] = value
        return browser.post(url, data, follow=follow), form

    return _apply


def material_field(item: ServiceItem, name: str) -> str:
    return f"material_{item.materials.get(name=name).pk}"


def good_files(item: ServiceItem) -> dict:
    return {
        material_field(item, "身份证或户口簿"): SimpleUploadedFile(
            "身份证.pdf", pdf_bytes()
        ),
        material_field(item, "一寸照片"): SimpleUploadedFile(
            "照片.jpg", image_bytes("JPEG")
        ),
    }


# --- the form -------------------------------------------------------------------------


def test_the_form_offers_the_items_modes_the_30_villages_and_a_file_per_material(
    client, elder_card
):
    response = client.get(reverse("services:apply", kwargs={"code": elder_card.code}))
    assert response.status_code == 200
    form = read_form(response)
    # 上门特办 added for elderly residents (issue 11).
    assert [f["value"] for f in form.fields["mode"]] == ["instant", "agency", "home"]
    villages = [code for code in form.options["village"] if code]
    assert len(villages) == 30 and HUAGANG in villages
    files = sorted(n for n, f in form.fields.items() if f[0].get("type") == "file")
    assert files == sorted(f"material_{m.pk}" for m in elder_card.materials.all())
    assert form.fields["privacy_notice"][0]["value"] == NOTICE_VERSION
    page = response.content.decode()
    assert f'href="{reverse("privacy")}"' in page
    # Each material's rules, and each mode's one-line explanation.
    assert "1张，同一底版，人像清晰" in page and "最大 10 MB" in page
    assert "当天在窗口办结" in page


def test_a_material_only_shown_says_so_on_the_form(client, elder_card):
    """原老年人优待证 has copies 0: the original is shown, no copy is kept."""
    response = client.get(reverse("services:apply", kwargs={"code": elder_card.code}))
    page = response.content.decode()
    rules = page[page.index("<strong>原老年人优待证</strong>") :]
    rules = rules[: rules.index("</ul>")]
    assert "<li>仅需出示原件</li>" in rules and "0 份" not in rules
    photo = page[page.index("<strong>一寸照片</strong>") :]
    assert "<li>原件, 1 份</li>" in photo[: photo.index("</ul>")]


def test_the_guide_links_to_the_form(client, elder_card):
    response = client.get(elder_card.get_absolute_url())
    assert reverse("services:apply", kwargs={"code": elder_card.code}) in (
        response.content.decode()
    )


def apply_links(page) -> list[str]:
    return re.findall(r'href="(/services/[^"/]+/apply/[^"]*)"', page.content.decode())


def test_the_village_picked_on_the_guide_comes_to_the_form(client, elder_card):
    apply_url = reverse("services:apply", kwargs={"code": elder_card.code})
    guide = elder_card.get_absolute_url()
    # The guide's link carries the village picked there (each village's cached
    # fragment its own), and none when none or an unknown one is picked.
    assert apply_links(client.get(guide)) == [apply_url]
    picked = client.get(f"{guide}?village={HUAGANG}")
    assert apply_links(picked) == [f"{apply_url}?village={HUAGANG}"]
    other = "340123106003"
    assert apply_links(client.get(f"{guide}?village={other}")) == [
        f"{apply_url}?village={other}"
    ]
    assert apply_links(client.get(f"{guide}?village={HUAGANG}")) == [
        f"{apply_url}?village={HUAGANG}"
    ]
    assert apply_links(client.get(f"{guide}?village=999")) == [apply_url]
    # Following the link, the form has that village chosen.
    form = client.get(apply_links(picked)[0])
    assert form.status_code == 200
    assert re.findall(r'<option value="(\d+)" selected>', form.content.decode()) == [
        HUAGANG
    ]


@pytest.mark.parametrize("code", ["999", "110105001000", "<b>", ""])
def test_an_unknown_village_in_the_address_is_ignored(client, elder_card, code):
    url = reverse("services:apply", kwargs={"code": elder_card.code})
    response = client.get(url, {"village": code})
    assert response.status_code == 200
    page = response.content.decode()
    assert re.findall(r'<option value="(\d*)" selected>', page) == [""]
    assert "errorlist" not in page and "error-summary" not in page


def test_a_resident_applies_with_a_pdf_and_a_photo(apply_page, elder_card):
    response, _form = apply_page(elder_card, follow=True, **good_files(elder_card))
    request = ServiceRequest.objects.get()
    assert response.redirect_chain == [
        (
            reverse(
                "services:request_done", kwargs={"number": request.tracking_number}
            ),
            302,
        )
    ]
    assert request.channel == "online" and request.account is None
    assert request.applicant_phone == "13955550123"
    assert request.privacy_notice_version == NOTICE_VERSION and request.consent_at
    assert sorted(a.content_type for a in request.attachments.all()) == [
        "application/pdf",
        "image/jpeg",
    ]
    assert {a.material.name for a in request.attachments.all()} == {
        "身份证或户口簿",
        "一寸照片",
    }
    page = response.content.decode()
    assert request.tracking_number in page and "139****0123" in page
    assert "13955550123" not in page  # the full number is not shown again


# --- bad input: an error at the field, in Chinese, and nothing created ----------------

BAD_INPUT = {
    "wrong mobile": ({"applicant_phone": "1395555012"}, "applicant_phone", "手机号码"),
    "wrong ID check digit": (
        {"applicant_id_number": "110105194912310021"},
        "applicant_id_number",
        "校验位",
    ),
    "ID number missing though the item asks for the ID card": (
        {"applicant_id_number": ""},
        "applicant_id_number",
        "身份证号码",
    ),
    "missing consent": ({"consent": None}, "consent", "同意"),
    "a village outside the town": (
        {"village": "110105001000"},
        "village",
        "不属于花岗镇",
    ),
    "no village": ({"village": ""}, "village", "请选择您居住的村(社区)"),
    "no name": ({"applicant_name": "  "}, "applicant_name", "请输入您的姓名"),
}


@pytest.mark.parametrize("case", BAD_INPUT.keys())
def test_bad_input_is_shown_at_its_field_and_creates_nothing(
    apply_page, elder_card, case
):
    typed, field, message = BAD_INPUT[case]
    response, _form = apply_page(elder_card, **typed)
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert list(errors) == [field], errors
    assert message in " ".join(errors[field])
    # shown next to the field (its error list follows the field's label or legend)
    assert re.search(
        rf'class="errorlist"[^>]*>\s*<li>[^<]*{re.escape(message)}',
        response.content.decode(),
    )
    assert not ServiceRequest.objects.exists()


def test_a_mode_the_item_does_not_allow_is_shown_at_its_field(apply_page, db):
    # 城乡居民基本养老保险参保信息维护: 定时代办 only. (老年优待证换发, the item
    # above, allows every mode since 上门特办 was added for elderly residents.)
    item = ServiceItem.objects.get(code="HG-SB-007")
    assert item.modes == ["agency"]
    response, _form = apply_page(item, mode="home")
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert list(errors) == ["mode"], errors
    assert "不能以所选方式办理" in " ".join(errors["mode"])
    assert not ServiceRequest.objects.exists()


def test_a_changed_privacy_notice_asks_for_consent_again(apply_page, elder_card):
    response, _form = apply_page(elder_card, privacy_notice="2025-01")
    assert "隐私告知已更新" in " ".join(response.context["form"].errors["consent"])
    assert not ServiceRequest.objects.exists()


FILE_CASES = {
    "an oversized file": (pdf_bytes(pages=3), "超过"),
    "a file whose content is not its extension": (b"MZ\x90\x00 not a pdf", "不是 PDF"),
}


@pytest.mark.parametrize("case", FILE_CASES.keys())
def test_a_bad_file_is_named_at_its_material_and_the_good_one_asked_again(
    apply_page, elder_card, settings, case
):
    content, message = FILE_CASES[case]
    settings.HUAGANG_MAX_UPLOAD_BYTES = len(pdf_bytes()) + 100
    photo = material_field(elder_card, "一寸照片")
    files = good_files(elder_card) | {photo: SimpleUploadedFile("照片.pdf", content)}
    response, _form = apply_page(elder_card, **files)
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert list(errors) == [photo]
    assert "“照片.pdf”" in errors[photo][0] and message in errors[photo][0]
    page = response.content.decode()
    assert "请另选一个文件" in page
    # The good file cannot be kept by the browser: the page says which to choose again.
    assert "请重新选择“身份证或户口簿”的文件" in page
    assert "您选择过“身份证.pdf”" in page
    # The refused one is said once in the summary (its error) and once at its field,
    # not asked again besides.
    start = page.index('class="error-summary"')
    summary = page[start : page.index("</ul>", start)]
    assert summary.count("<li>") == 2 and summary.count("一寸照片") == 1
    assert "请重新选择“一寸照片”的文件" not in page
    start = page.index("<strong>一寸照片</strong>")
    field = page[start : page.index("</div>", start)]
    assert field.count("“照片.pdf”") == 1 and "您选择过" not in field
    assert not ServiceRequest.objects.exists() and not Attachment.objects.exists()


def test_every_error_is_shown_on_the_first_submit(apply_page, elder_card):
    """The form's own fields (village, mode) and the action's rules (mobile, ID
    number, consent, files) are checked together: no second round of errors."""
    photo = material_field(elder_card, "一寸照片")
    id_card = material_field(elder_card, "身份证或户口簿")
    response, _form = apply_page(
        elder_card,
        applicant_phone="123",
        applicant_id_number="110105194912310021",
        consent=None,
        village="",
        mode=None,
        **{
            photo: SimpleUploadedFile("照片.pdf", b"just some text, not a PDF"),
            id_card: SimpleUploadedFile("身份证.pdf", pdf_bytes()),
        },
    )
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert set(errors) == {
        "applicant_phone",
        "applicant_id_number",
        "village",
        "mode",
        "consent",
        photo,
    }, errors
    assert "校验位" in " ".join(errors["applicant_id_number"])
    assert "不是 PDF" in " ".join(errors[photo])
    assert len(errors["village"]) == len(errors["mode"]) == 1  # said once each
    page = response.content.decode()
    summary = page[page.index('class="error-summary"') : page.index("</ul>")]
    for label in ("手机号码", "身份证号码", "村(社区)", "办理方式", "同意使用个人信息"):
        assert label in summary, label
    assert "请重新选择“身份证或户口簿”的文件" in page
    assert not ServiceRequest.objects.exists() and not Attachment.objects.exists()


def test_nothing_typed_is_lost_on_an_error(apply_page, elder_card):
    response, _form = apply_page(
        elder_card,
        applicant_phone="12345",
        applicant_address="花岗社区五组 12 号",
        description="旧证被水泡坏",
        mode="agency",
    )
    again = read_form(response)
    assert again.fields["applicant_name"][0]["value"] == "王桂兰"
    assert again.fields["applicant_phone"][0]["value"] == "12345"
    assert again.fields["applicant_id_number"][0]["value"] == VALID_ID
    assert again.fields["applicant_address"][0]["value"] == "花岗社区五组 12 号"
    assert [f["value"] for f in again.fields["mode"] if "checked" in f] == ["agency"]
    assert "consent" in again.fields and "checked" in again.fields["consent"][0]
    page = response.content.decode()
    assert "旧证被水泡坏</textarea>" in page
    assert re.search(rf'<option value="{HUAGANG}" selected>', page)


# --- idempotency, accounts, the confirmation's privacy ------------------------------------


def test_a_double_submission_makes_one_request(client, elder_card):
    url = reverse("services:apply", kwargs={"code": elder_card.code})
    form = read_form(client.get(url))
    data = {
        "form_key": form.fields["form_key"][0]["value"],
        "privacy_notice": form.fields["privacy_notice"][0]["value"],
        "applicant_name": "王桂兰",
        "applicant_phone": "13955550123",
        "applicant_id_number": VALID_ID,
        "village": HUAGANG,
        "mode": "agency",
        "consent": "on",
    }
    first = client.post(url, data)
    second = client.post(url, data)
    assert ServiceRequest.objects.count() == 1
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"]


def test_the_back_button_then_send_again_finds_the_first_request(
    apply_page, elder_card
):
    """Not signed in: the form opened again (a new one-time key) and sent with the
    same values is the request this browser just sent, not a second one."""
    first, first_form = apply_page(elder_card)
    again, again_form = apply_page(elder_card)
    key = "form_key"
    assert first_form.fields[key][0]["value"] != again_form.fields[key][0]["value"]
    assert first.status_code == again.status_code == 302
    assert again["Location"] == first["Location"]
    assert ServiceRequest.objects.count() == 1


def test_the_same_request_from_another_browser_is_refused_and_named_nowhere(
    apply_page, elder_card
):
    """Someone else typing the same details is not shown the first request: a 409
    that says it was sent (its number went to the applicant's phone), nothing more."""
    first, _form = apply_page(elder_card)
    number = ServiceRequest.objects.get().tracking_number
    elsewhere = Client()
    refused, _form = apply_page(elder_card, browser=elsewhere)
    assert refused.status_code == 409
    page = refused.content.decode()
    assert "已经提交过" in page and "短信" in page
    assert number not in page and 'href="/services/requests/' not in page
    assert ServiceRequest.objects.count() == 1
    assert elsewhere.get(first["Location"]).status_code == 404
    # Another matter from that browser (another description) is a request of its own.
    other, _form = apply_page(elder_card, browser=elsewhere, description="再办一张")
    assert other.status_code == 302
    assert ServiceRequest.objects.count() == 2


def test_a_signed_in_residents_request_is_on_their_account(
    client, apply_page, elder_card
):
    resident = UserFactory(role=Role.RESIDENT, name="李秀英", phone="13955556666")
    client.force_login(resident)
    form = read_form(
        client.get(reverse("services:apply", kwargs={"code": elder_card.code}))
    )
    assert form.fields["applicant_name"][0]["value"] == "李秀英"
    assert form.fields["applicant_phone"][0]["value"] == "13955556666"
    apply_page(elder_card, applicant_name="李秀英", applicant_phone="13955556666")
    assert ServiceRequest.objects.get().account == resident


@pytest.fixture
def submitted(apply_page, elder_card) -> ServiceRequest:
    response, _form = apply_page(elder_card)
    assert response.status_code == 302
    return ServiceRequest.objects.get()


@pytest.mark.parametrize("page", ["services:request_done", "services:request_receipt"])
def test_the_confirmation_is_seen_only_by_the_session_that_submitted(
    client, django_user_model, submitted, page
):
    from django.test import Client

    url = reverse(page, kwargs={"number": submitted.tracking_number})
    assert client.get(url).status_code == 200
    assert Client().get(url).status_code == 404  # another browser, the same URL
    other = Client()
    other.force_login(UserFactory(role=Role.RESIDENT))
    assert other.get(url).status_code == 404
    unknown = reverse(page, kwargs={"number": "HG260310000000"})
    assert client.get(unknown).status_code == 404


def test_the_receipt_carries_a_local_qr_code_of_the_tracking_page(client, submitted):
    number = submitted.tracking_number
    response = client.get(
        reverse("services:request_receipt", kwargs={"number": number})
    )
    expected = f"http://testserver/track/?number={number}"
    assert response.context["track_url"] == expected
    assert "0123" not in expected  # no phone digits in the code
    page = response.content.decode()
    assert str(tracking_qr_svg(expected)) in page
    assert page.count("<svg") == 1
    # The facts of a 受理回执.
    for fact in (number, ELDER_CARD, "花岗社区", "定时代办", "2026-03-10", "当场办结"):
        assert fact in page


@pytest.fixture
def five_day_item(db) -> ServiceItem:
    """An item promised in 5 working days that a village clerk carries to the town."""
    return (
        ServiceItem.objects.filter(promised_days=5, allows_agency=True)
        .prefetch_related("materials")
        .order_by("code")
        .first()
    )


def test_the_expected_completion_counts_working_days(apply_page, five_day_item):
    """Sent on Tuesday 2026-03-10, 5 working days: Tuesday 17th."""
    response, _form = apply_page(five_day_item, mode="agency", follow=True)
    assert "2026-03-17" in response.content.decode()
    assert "受理后 5 个工作日" in response.content.decode()


# --- 上门特办 ------------------------------------------------------------------------------


@pytest.fixture
def home_item(db) -> ServiceItem:
    return (
        ServiceItem.objects.filter(allows_home=True)
        .prefetch_related("materials")
        .order_by("code")
        .first()
    )


def test_a_home_visit_asks_for_days_and_time(apply_page, home_item):
    response, _form = apply_page(home_item, mode="home")
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert set(errors) == {"visit_weekdays", "visit_time"}
    assert not ServiceRequest.objects.exists()

    response, _form = apply_page(
        home_item, mode="home", visit_weekdays=["5", "2"], visit_time="morning"
    )
    request = ServiceRequest.objects.get()
    assert (request.visit_weekdays, request.visit_time) == ([2, 5], "morning")
    page = response.client.get(response["Location"]).content.decode()
    assert "周二 / 周五" in page and "上午" in page


def test_the_errors_speak_to_the_resident(apply_page, elder_card):
    """The resident reads their own form: “您” (a clerk's entry form speaks of the
    applicant instead, tests/services/test_staff_entry.py)."""
    response, _form = apply_page(
        elder_card, mode="home", applicant_name="", applicant_phone="", consent=None
    )
    assert response.status_code == 400
    assert response.context["form"].errors == {
        "applicant_name": ["请输入您的姓名。"],
        "applicant_phone": ["请输入您的手机号码。"],
        "visit_weekdays": ["请选择您在家的日子。"],
        "visit_time": ["请选择您在家的时段。"],
        "consent": ["请先阅读隐私告知，并勾选同意为办理本件使用您的个人信息。"],
    }


def test_other_modes_store_no_visit_preference(apply_page, home_item):
    other = next(m for m in home_item.modes if m != "home")
    apply_page(home_item, mode=other.value, visit_weekdays=["1"], visit_time="any")
    request = ServiceRequest.objects.get()
    assert (request.visit_weekdays, request.visit_time) == ([], "")


# --- which items need the ID number -------------------------------------------------


@pytest.mark.parametrize(
    "name, needed",
    [
        (ELDER_CARD, True),  # 身份证或户口簿, required
        ("社会保障卡应用状态查询", False),  # only the social security card
        # 有效身份证件（居民身份证、居住证、户口簿等）: any identity document
        ("基本医疗保险参保和变更登记（城乡居民参保登记）", False),
        ("法律援助咨询服务", False),  # the ID card is optional there
    ],
)
def test_the_id_number_is_needed_when_a_required_material_is_the_id_card(
    db, name, needed
):
    assert id_number_required(ServiceItem.objects.get(name=name)) is needed


def test_an_item_without_the_id_card_takes_no_id_number(db, apply_page):
    item = ServiceItem.objects.prefetch_related("materials").get(
        name="社会保障卡应用状态查询"
    )
    response, _form = apply_page(item, applicant_id_number="")
    assert response.status_code == 302
    assert ServiceRequest.objects.get().applicant_id_number == ""


# --- the privacy notice ---------------------------------------------------------------


def test_the_privacy_notice_says_what_why_who_how_long_and_whom_to_contact(client):
    page = client.get(reverse("privacy")).content.decode()
    for heading in (
        "收集哪些信息",
        "为什么收集",
        "谁能看到",
        "保存多久",
        "您的权利",
        "联系",
    ):
        assert heading in page
    assert NOTICE_VERSION in page
    assert page.count("示例数据") >= 2  # retention and contact await the town


@pytest.fixture
def in_english(client, settings):
    """The client asks for English; the language the middleware switches this thread
    to is switched back afterwards, so that the tests after this one read Chinese."""
    from django.utils import translation

    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    with translation.override(settings.LANGUAGE_CODE):
        yield client


def test_the_pages_read_in_english_too(in_english, apply_page, five_day_item):
    response, _form = apply_page(five_day_item, mode="agency", follow=True)
    assert "by 2026-03-17 (5 working days after acceptance)" in (
        response.content.decode()
    )
    number = ServiceRequest.objects.get().tracking_number
    url = reverse("services:request_receipt", kwargs={"number": number})
    assert "Scan to follow this request" in in_english.get(url).content.decode()
    assert "What is collected" in in_english.get(reverse("privacy")).content.decode()


@pytest.mark.django_db
def test_an_item_handled_only_at_the_window_takes_no_online_application(client):
    """The guide shows no 在线申请 button for it, and the form is not there either:
    a post creates nothing and the resident is sent to the guide, which says why."""
    from services.guide import accepts_online_application
    from services.models import ServiceItem

    item = next(
        i for i in ServiceItem.objects.all() if not accepts_online_application(i)
    )
    apply_url = f"/services/{item.code}/apply/"
    assert apply_url not in client.get(item.get_absolute_url()).content.decode()
    for response in (client.get(apply_url), client.post(apply_url, {"name": "张三"})):
        assert response.status_code == 302
        assert response["Location"] == item.get_absolute_url()
    assert not ServiceRequest.objects.exists()
    assert "不能在网上申请" in client.get(item.get_absolute_url()).content.decode()


# --- the receipt's expected completion is the due date the acceptance sets -----------


@pytest.fixture
def fifteen_day_item(db) -> ServiceItem:
    return (
        ServiceItem.objects.filter(promised_days=15, allows_agency=True)
        .prefetch_related("materials")
        .order_by("code")
        .first()
    )


@pytest.mark.parametrize(
    "submitted_at, accepted_at, due",
    [
        # Sunday: accepted that Sunday or on Monday, due on the same day.
        ("2026-11-29 10:00", "2026-11-29 16:00", "2026-12-21"),
        ("2026-11-29 10:00", "2026-11-30 09:00", "2026-12-21"),
        # A working day, accepted the same day.
        ("2026-11-27 10:00", "2026-11-27 15:00", "2026-12-18"),
        # During the National Day holiday, accepted that day.
        ("2026-10-02 10:00", "2026-10-02 11:00", None),
    ],
)
def test_the_receipt_promises_the_due_date_the_acceptance_sets(
    client, apply_page, fifteen_day_item, village_clerk, submitted_at, accepted_at, due
):
    import datetime as dt
    from zoneinfo import ZoneInfo

    import time_machine

    from services import actions

    def moment(text: str) -> dt.datetime:
        return dt.datetime.fromisoformat(text).replace(tzinfo=ZoneInfo("Asia/Shanghai"))

    with time_machine.travel(moment(submitted_at), tick=False):
        response, _form = apply_page(
            fifteen_day_item, mode="agency", village=village_clerk.village.code
        )
        assert response.status_code == 302, response.context["form"].errors
        request = ServiceRequest.objects.get()
        done = client.get(response["Location"])
    promised = done.context["expected"]
    if due is not None:
        assert promised == dt.date.fromisoformat(due)
    assert promised.isoformat() in done.content.decode()
    with time_machine.travel(moment(accepted_at), tick=False):
        actions.service_request_accept(service_request=request, by=village_clerk)
    request.refresh_from_db()
    assert request.due_date == promised
