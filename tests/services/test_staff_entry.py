"""Walk-in and phone entry in the workbench (/staff/new/): the item picker, the form,
即时即办 done on the spot, and the printable receipt.

Posts send what the page sends: the fields are read from the rendered form (its
hidden village, notice version and one-time key included); only fields the page has
are filled in.
"""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from huagang.exceptions import NotPermitted
from huagang.privacy import NOTICE_VERSION
from services.actions import service_request_enter
from services.models import (
    Attachment,
    EventKind,
    ServiceItem,
    ServiceRequest,
    Status,
)
from services.selectors.entry import service_items_for_picker
from tests.files import image_bytes, pdf_bytes
from tests.services.test_apply import read_form

pytestmark = pytest.mark.django_db

ELDER_CARD = "老年优待证换发"  # HG-YL-004: 即时即办, 定时代办 or 上门特办, 0 days, ID card + photo
DIBAO = "最低生活保障申请、审核及转报"  # HG-JZ-001: 定时代办 or 上门特办, 15 days
VALID_ID = "11010519491231002X"  # GB 11643's own example
HUAGANG = "340123106001"
FENFANG = "340123106202"


@pytest.fixture
def elder_card(db) -> ServiceItem:
    return ServiceItem.objects.prefetch_related("materials").get(name=ELDER_CARD)


@pytest.fixture
def dibao(db) -> ServiceItem:
    return ServiceItem.objects.prefetch_related("materials").get(name=DIBAO)


def material_field(item: ServiceItem, name: str) -> str:
    return f"material_{item.materials.get(name=name).pk}"


def elder_files(item: ServiceItem) -> dict:
    return {
        material_field(item, "身份证或户口簿"): SimpleUploadedFile(
            "身份证.pdf", pdf_bytes()
        ),
        material_field(item, "一寸照片"): SimpleUploadedFile(
            "照片.jpg", image_bytes("JPEG")
        ),
    }


@pytest.fixture
def town_clerk_of_no_item(db):
    """A town-center clerk who serves none of the catalog's bodies."""
    from tests.factories import UserFactory
    from villages.choices import Role

    return UserFactory(role=Role.TOWN_CLERK)


@pytest.fixture
def enter(client):
    """``enter(user, item, **typed)``: as `user`, open the item's entry form, fill in
    what a clerk types (None leaves a field out) and post it with the page's hidden
    fields; ``done=True`` presses "Save and mark done" (posted as well where the page
    does not offer it, with `forged` fields the page does not have). Returns
    (response, form)."""

    def _enter(user, item, *, done=False, files=None, forged=None, **typed):
        client.force_login(user)
        url = reverse("staff:entry_item", kwargs={"code": item.code})
        page = client.get(url)
        assert page.status_code == 200
        form = read_form(page)
        data = {
            name: attrs[0].get("value", "")
            for name, attrs in form.fields.items()
            if attrs[0].get("type") == "hidden"
            and name not in ("csrfmiddlewaretoken", "next", "elder")
        }
        values = {
            "applicant_name": "王桂兰",
            "applicant_phone": "139 5555 0123",
            "applicant_id_number": VALID_ID,
            "applicant_address": "花岗社区三组",
            "channel": "window",
            "mode": item.modes[0].value,
            "description": "优待证损坏，申请换发",
            "consent": "on",
        }
        if "village" in form.options:
            values["village"] = HUAGANG
        values.update(typed)
        for name, value in values.items():
            assert name in form.fields, f"the page has no field {name}"
            if value is not None:
                data[name] = value
        if done:
            data["done"] = "1"
        data.update(forged or {})
        data.update(files or {})
        return client.post(url, data), form

    return _enter


# --- step 1: the item picker ----------------------------------------------------------


@pytest.mark.parametrize(
    "typed",
    ["zdsh", "ZDSH", "zuidi", "zui di", "zuidish", "最低生活", "HG-JZ-001", "jz-001"],
)
def test_the_picker_finds_an_item_by_pinyin_characters_or_code(typed):
    found, total = service_items_for_picker(q=typed)
    assert found[0].name == DIBAO
    assert total == len(found) >= 1


def test_the_picker_finds_synonyms_after_the_names_holding_the_words():
    found, _total = service_items_for_picker(q="低保")
    names = [item.name for item in found]
    assert DIBAO in names
    assert names[0].find("低保") >= 0  # a name holding the words comes first


@pytest.mark.parametrize("typed", ["dibao", "DiBao", "di bao", "db"])
def test_a_synonyms_pinyin_finds_what_its_characters_find(typed):
    by_characters, total = service_items_for_picker(q="低保", limit=200)
    by_pinyin, pinyin_total = service_items_for_picker(q=typed, limit=200)
    assert total > 3
    assert {item.code for item in by_characters} <= {item.code for item in by_pinyin}
    assert pinyin_total >= total
    # the names spelled by the letters themselves still come first
    names = [item.name for item in by_pinyin]
    assert DIBAO in names


def test_a_synonym_found_by_pinyin_is_listed_after_the_direct_matches():
    # 高龄 stands for 老年人: gaoling finds the 老年人 items after those spelling it
    found, total = service_items_for_picker(q="gaoling", limit=200)
    names = [item.name for item in found]
    assert total == service_items_for_picker(q="高龄", limit=200)[1]
    assert "高龄" in names[0]
    assert "老年人优待证核发" in names


def test_the_picker_matches_nothing_for_nonsense_and_nothing_for_an_empty_box():
    assert service_items_for_picker(q="qqqqxz") == ([], 0)
    assert service_items_for_picker(q="   ") == ([], 0)


def test_the_pick_page_lists_matching_items_as_links_to_step_2(client, village_clerk):
    client.force_login(village_clerk)
    response = client.get(reverse("staff:entry"), {"q": "zdsh"})
    assert response.status_code == 200
    page = response.content.decode()
    step2 = reverse("staff:entry_item", kwargs={"code": "HG-JZ-001"})
    assert f'href="{step2}"' in page
    assert "item_picker.js" in page and 'name="q"' in page
    fragment = client.get(reverse("staff:entry"), {"q": "zdsh", "fragment": "1"})
    assert fragment.status_code == 200
    assert f'href="{step2}"' in fragment.content.decode()
    assert "<html" not in fragment.content.decode()


def test_the_pick_answers_in_a_constant_number_of_queries(client, village_clerk):
    client.force_login(village_clerk)
    url = reverse("staff:entry")
    client.get(url, {"q": "zdsh", "fragment": "1"})  # the pinyin is computed once
    counts = []
    for typed in ("z", "zdsh", "sbk", "社保卡", "低保"):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url, {"q": typed, "fragment": "1"}).status_code == 200
        counts.append(len(queries))
    # Session and user, the catalog version, and for Chinese the synonyms' search.
    assert max(counts) - min(counts) <= 1 and max(counts) <= 5, counts


def test_a_too_long_search_is_a_400_not_a_500(client, village_clerk):
    client.force_login(village_clerk)
    response = client.get(reverse("staff:entry"), {"q": "z" * 80})
    assert response.status_code == 400


# --- who may enter --------------------------------------------------------------------


def test_a_resident_gets_403_and_a_visitor_is_sent_to_sign_in(client, resident, dibao):
    url = reverse("staff:entry_item", kwargs={"code": dibao.code})
    assert client.get(reverse("staff:entry")).status_code == 302
    assert client.get(url).status_code == 302
    client.force_login(resident)
    assert client.get(reverse("staff:entry")).status_code == 403
    assert client.get(url).status_code == 403
    assert client.post(url, {"applicant_name": "x"}).status_code == 403
    assert not ServiceRequest.objects.exists()


def test_an_unknown_item_is_404(client, village_clerk):
    client.force_login(village_clerk)
    url = reverse("staff:entry_item", kwargs={"code": "HG-XX-999"})
    assert client.get(url).status_code == 404


# --- step 2: the form -----------------------------------------------------------------


def test_only_the_items_modes_and_window_or_phone_are_offered(
    client, village_clerk, dibao, elder_card
):
    client.force_login(village_clerk)
    form = read_form(
        client.get(reverse("staff:entry_item", kwargs={"code": dibao.code}))
    )
    assert [f["value"] for f in form.fields["mode"]] == ["agency", "home"]
    assert [f["value"] for f in form.fields["channel"]] == ["window", "phone"]
    assert "visit_weekdays" in form.fields and "result" not in form.fields
    files = sorted(n for n, f in form.fields.items() if f[0].get("type") == "file")
    assert files == sorted(f"material_{m.pk}" for m in dibao.materials.all())
    assert all(
        f[0]["accept"] == "image/*,application/pdf"
        for n, f in form.fields.items()
        if n.startswith("material_")
    )
    page = client.get(reverse("staff:entry_item", kwargs={"code": elder_card.code}))
    elder = read_form(page)
    # 上门特办 was added for elderly residents (issue 11).
    assert [f["value"] for f in elder.fields["mode"]] == ["instant", "agency", "home"]
    assert "visit_weekdays" in elder.fields and "result" in elder.fields
    assert "保存并办结" in page.content.decode()


def test_a_material_only_shown_says_so_on_the_entry_form(
    client, village_clerk, elder_card
):
    client.force_login(village_clerk)
    url = reverse("staff:entry_item", kwargs={"code": elder_card.code})
    page = client.get(url).content.decode()
    rules = page[page.index("<strong>原老年人优待证</strong>") :]
    assert "<li>仅需出示原件</li>" in rules[: rules.index("</ul>")]


def test_an_item_handled_in_person_elsewhere_cannot_be_entered(client, village_clerk):
    # 大中专院校毕业在就创业地落户: in person at the police station only.
    assert not service_items_for_picker(q="HG-HJ-007")[0]
    assert service_items_for_picker(q="HG-HJ-001")[0]  # 出生登记 is entered
    client.force_login(village_clerk)
    assert (
        client.get(
            reverse("staff:entry_item", kwargs={"code": "HG-HJ-001"})
        ).status_code
        == 200
    )
    page = client.get(reverse("staff:entry_item", kwargs={"code": "HG-HJ-007"}))
    assert page.status_code == 404


def test_the_channels_are_named_as_everywhere_else(client, enter, village_clerk, dibao):
    """One wording per channel: the form's choices are the model's labels, and the
    receipt says the same."""
    client.force_login(village_clerk)
    page = client.get(reverse("staff:entry_item", kwargs={"code": dibao.code}))
    html = page.content.decode()
    assert "窗口申请" in html and "电话申请" in html
    assert "到窗口办理" not in html and "来电办理" not in html
    response, _form = enter(village_clerk, dibao, mode="agency", channel="phone")
    receipt = client.get(response["Location"]).content.decode()
    assert "电话申请" in receipt and "来电办理" not in receipt
    assert "申请渠道" in html and "申请渠道" in receipt


def test_a_village_clerk_has_their_village_preset_and_fixed(
    client, village_clerk, village, dibao
):
    client.force_login(village_clerk)
    response = client.get(reverse("staff:entry_item", kwargs={"code": dibao.code}))
    form = read_form(response)
    assert form.fields["village"][0]["type"] == "hidden"
    assert form.fields["village"][0]["value"] == HUAGANG
    assert "village" not in form.options  # no list to choose from
    assert village.name in response.content.decode()


def test_a_town_clerk_chooses_among_all_villages(client, town_clerk, dibao):
    client.force_login(town_clerk)
    form = read_form(
        client.get(reverse("staff:entry_item", kwargs={"code": dibao.code}))
    )
    villages = [code for code in form.options["village"] if code]
    assert len(villages) == 30


def test_a_village_clerk_entering_for_their_village_records_everything(
    enter, village_clerk, village, elder_card, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response, _form = enter(
            village_clerk, elder_card, channel="phone", files=elder_files(elder_card)
        )
    created = ServiceRequest.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse(
        "staff:receipt", kwargs={"number": created.tracking_number}
    )
    assert created.village == village and created.channel == "phone"
    assert created.entered_by == village_clerk and created.account is None
    assert created.status == Status.ACCEPTED and created.mode == "instant"
    assert created.applicant_phone == "13955550123"
    assert created.consent_at is not None
    assert created.privacy_notice_version == NOTICE_VERSION
    assert Attachment.objects.filter(request=created).count() == 2
    # the resident is in front of the clerk, who accepts it as they enter it
    events = list(created.events.filter(kind=EventKind.STATUS).order_by("pk"))
    assert [(e.from_status, e.to_status, e.actor) for e in events] == [
        ("", Status.SUBMITTED, village_clerk),
        (Status.SUBMITTED, Status.ACCEPTED, village_clerk),
    ]
    assert created.accepted_at and created.assigned_to == village_clerk
    assert created.due_date is not None


def test_posting_another_village_is_refused_and_nothing_is_saved(
    enter, village_clerk, dibao
):
    response, _form = enter(
        village_clerk, dibao, village=FENFANG, visit_weekdays=None, mode="agency"
    )
    assert response.status_code == 400
    assert "您只能为所服务的村(社区)录入办件" in response.content.decode()
    assert not ServiceRequest.objects.exists()


def test_a_mode_the_item_does_not_allow_is_refused(enter, village_clerk, dibao):
    response, _form = enter(village_clerk, dibao, mode="instant")
    assert response.status_code == 400
    assert not ServiceRequest.objects.exists()


def test_online_is_never_a_channel(enter, village_clerk, dibao):
    response, _form = enter(village_clerk, dibao, mode="agency", channel="online")
    assert response.status_code == 400
    assert not ServiceRequest.objects.exists()


def test_consent_is_required(enter, village_clerk, dibao):
    response, _form = enter(village_clerk, dibao, mode="agency", consent=None)
    assert response.status_code == 400
    assert 'id="consent"' in response.content.decode()
    assert not ServiceRequest.objects.exists()


def test_every_error_at_once_with_typed_values_kept_and_files_named(
    enter, village_clerk, dibao
):
    files = {
        material_field(dibao, "个人申请书"): SimpleUploadedFile(
            "申请书.pdf", pdf_bytes()
        ),
        material_field(dibao, "收入证明"): SimpleUploadedFile(
            "收入.pdf", b"not a pdf at all"
        ),
    }
    response, _form = enter(
        village_clerk,
        dibao,
        mode="home",
        applicant_phone="12345",
        applicant_id_number="",
        consent=None,
        files=files,
    )
    assert response.status_code == 400
    form = response.context["form"]
    for field in (
        "applicant_phone",
        "applicant_id_number",
        "visit_weekdays",
        "visit_time",
        "consent",
        material_field(dibao, "收入证明"),
    ):
        assert form.errors.get(field), field
    page = response.content.decode()
    assert 'value="王桂兰"' in page and 'value="花岗社区三组"' in page
    assert "申请书.pdf" in page  # the good file is named to choose again
    assert not ServiceRequest.objects.exists()


def test_the_errors_speak_of_the_applicant_to_the_clerk(
    enter, village_clerk, elder_card
):
    """The clerk reads the errors, about the applicant (申请人, 居民), never as if
    the resident read them (“您”); the resident's own form still says “您”
    (tests/services/test_apply.py)."""
    response, _form = enter(
        village_clerk,
        elder_card,
        mode="home",
        applicant_name="",
        applicant_phone="",
        consent=None,
    )
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert errors == {
        "applicant_name": ["请填写申请人姓名。"],
        "applicant_phone": ["请填写申请人手机号码。"],
        "visit_weekdays": ["请选择居民在家的日子。"],
        "visit_time": ["请选择居民在家的时段。"],
        "consent": ["请询问居民是否同意使用其个人信息并勾选；未经同意不能录入。"],
    }
    page = response.content.decode()
    start = page.index('id="errors"')
    assert "您" not in page[start : page.index("</div>", start)]


def test_a_damaged_form_key_is_a_400_not_a_500(enter, village_clerk, dibao):
    response, _form = enter(village_clerk, dibao, mode="agency", form_key="x")
    assert response.status_code == 400


def test_a_double_post_makes_one_request(client, enter, village_clerk, elder_card):
    first, form = enter(village_clerk, elder_card, files=elder_files(elder_card))
    assert first.status_code == 302
    url = reverse("staff:entry_item", kwargs={"code": elder_card.code})
    data = {
        "village": HUAGANG,
        "privacy_notice": NOTICE_VERSION,
        "form_key": form.fields["form_key"][0]["value"],
        "applicant_name": "王桂兰",
        "applicant_phone": "13955550123",
        "applicant_id_number": VALID_ID,
        "channel": "window",
        "mode": "instant",
        "consent": "on",
    }
    again = client.post(url, data)
    assert again.status_code == 302 and again["Location"] == first["Location"]
    created = ServiceRequest.objects.get()
    assert created.status == Status.ACCEPTED
    assert created.events.filter(kind=EventKind.STATUS).count() == 2


# --- 即时即办 done on the spot -----------------------------------------------------------


def test_done_on_the_spot_saves_a_completed_request_with_two_events(
    enter, village_clerk, elder_card, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response, _form = enter(
            village_clerk,
            elder_card,
            done=True,
            result="新证已当场发放",
            files=elder_files(elder_card),
        )
    assert response.status_code == 302
    created = ServiceRequest.objects.get()
    assert created.status == Status.COMPLETED and created.completed_at
    assert created.result_note == "新证已当场发放"
    events = list(created.events.filter(kind=EventKind.STATUS).order_by("pk"))
    assert [(e.from_status, e.to_status) for e in events] == [
        ("", Status.SUBMITTED),
        (Status.SUBMITTED, Status.COMPLETED),
    ]
    assert all(e.actor == village_clerk for e in events)


def test_done_on_the_spot_twice_is_one_completed_request(
    client, enter, village_clerk, elder_card
):
    first, form = enter(village_clerk, elder_card, done=True, result="已办结")
    assert first.status_code == 302
    url = reverse("staff:entry_item", kwargs={"code": elder_card.code})
    data = {
        "village": HUAGANG,
        "privacy_notice": NOTICE_VERSION,
        "form_key": form.fields["form_key"][0]["value"],
        "applicant_name": "王桂兰",
        "applicant_phone": "13955550123",
        "applicant_id_number": VALID_ID,
        "channel": "window",
        "mode": "instant",
        "consent": "on",
        "result": "已办结",
        "done": "1",
    }
    again = client.post(url, data)
    assert again.status_code == 302
    created = ServiceRequest.objects.get()
    assert created.status == Status.COMPLETED and created.events.count() == 2


def test_done_on_the_spot_needs_a_result_and_the_instant_mode(
    enter, village_clerk, elder_card
):
    response, _form = enter(village_clerk, elder_card, done=True, result="")
    assert response.status_code == 400
    assert response.context["form"].errors.get("result")
    response, _form = enter(
        village_clerk, elder_card, done=True, result="已办", mode="agency"
    )
    assert response.status_code == 400
    assert response.context["form"].errors.get("mode")
    assert not ServiceRequest.objects.exists()


def test_a_refused_completion_saves_nothing(town_clerk_of_no_item, elder_card, village):
    """A town-center clerk takes requests for any body, but completes only those of
    the bodies they serve: the submission is rolled back with the refusal."""
    with pytest.raises(NotPermitted):
        service_request_enter(
            entered_by=town_clerk_of_no_item,
            done_on_the_spot=True,
            result="已办",
            item=elder_card,
            village=village,
            mode="instant",
            channel="window",
            applicant_name="王桂兰",
            applicant_phone="13955550123",
            applicant_id_number=VALID_ID,
            consent_version=NOTICE_VERSION,
        )
    assert not ServiceRequest.objects.exists()


def test_a_refused_completion_is_shown_on_the_form(
    client, enter, town_clerk_of_no_item, elder_card
):
    """The form offers the "done" button only to who may complete the item
    (``access.may_complete_on_entry``); one posted anyway is refused on the form."""
    client.force_login(town_clerk_of_no_item)
    page = client.get(reverse("staff:entry_item", kwargs={"code": elder_card.code}))
    html = page.content.decode()
    assert "保存并办结" not in html and "等待有权办理的工作人员受理" in html
    response, _form = enter(
        town_clerk_of_no_item, elder_card, done=True, forged={"result": "已办"}
    )
    assert response.status_code == 403
    assert "error-summary" in response.content.decode()
    assert not ServiceRequest.objects.exists()


# --- 花岗派出所's items: done at its own window -----------------------------------------


@pytest.fixture
def birth_registration(db) -> ServiceItem:
    """出生登记: 即时即办 at 花岗派出所 (a stationed body), entered like any item."""
    return ServiceItem.objects.prefetch_related("materials").get(code="HG-HJ-001")


def test_a_village_clerk_enters_a_station_item_as_received_for_the_station(
    client, enter, village_clerk, birth_registration
):
    """The village clerk takes the application in (a 收件 for the station, as for
    any item they may not accept): no "done" button, the request saved 待受理, on
    the station's queue and still on the village's."""
    from services import access
    from tests.factories import UserFactory
    from villages.choices import Role

    client.force_login(village_clerk)
    url = reverse("staff:entry_item", kwargs={"code": birth_registration.code})
    html = client.get(url).content.decode()
    assert "保存并办结" not in html and "等待有权办理的工作人员受理" in html
    response, _form = enter(village_clerk, birth_registration)
    assert response.status_code == 302
    created = ServiceRequest.objects.get()
    assert created.status == Status.SUBMITTED
    assert access.in_queue(village_clerk, created)
    station = UserFactory(role=Role.TOWN_CLERK)
    birth_registration.body.clerks.add(station)
    assert access.in_queue(station, created)
    assert access.may_complete_on_entry(station, birth_registration)
    assert not access.may_complete_on_entry(village_clerk, birth_registration)


def test_a_village_clerks_done_on_the_spot_of_a_station_item_is_refused(
    enter, village_clerk, birth_registration
):
    response, _form = enter(
        village_clerk, birth_registration, done=True, forged={"result": "已登记"}
    )
    assert response.status_code == 403
    html = response.content.decode()
    assert "error-summary" in html and "花岗派出所窗口办理" in html
    assert not ServiceRequest.objects.exists()


# --- the receipt ----------------------------------------------------------------------


def test_the_receipt_shows_the_number_the_date_and_a_qr_code(
    client, enter, village_clerk, elder_card
):
    response, _form = enter(village_clerk, elder_card)
    created = ServiceRequest.objects.get()
    page = client.get(response["Location"])
    assert page.status_code == 200
    text = page.content.decode()
    assert created.tracking_number in text
    assert created.submitted_at.strftime("%Y-%m-%d") in text or "2026-03-10" in text
    assert elder_card.name in text and "<svg" in text and 'class="qr"' in text
    assert f"/track/?number={created.tracking_number}" in text
    assert 'class="print-button"' in text and "onclick" not in text
    assert "13955550123" not in text and VALID_ID not in text


def test_the_receipt_of_a_walk_in_says_accepted_with_its_due_date(
    client, enter, village_clerk, dibao
):
    response, _form = enter(village_clerk, dibao, mode="agency")
    created = ServiceRequest.objects.get()
    assert created.status == Status.ACCEPTED
    text = client.get(response["Location"]).content.decode()
    assert "受理回执" in text and "收件回执" not in text
    assert "已受理" in text and "待受理" not in text
    assert created.due_date.strftime("%Y-%m-%d") in text


def test_the_receipt_of_an_accepted_request_gives_its_due_date(
    client, village_clerk, submit
):
    from services.actions import service_request_accept

    case = service_request_accept(service_request=submit("agency"), by=village_clerk)
    client.force_login(village_clerk)
    page = client.get(reverse("staff:receipt", kwargs={"number": case.tracking_number}))
    assert page.status_code == 200
    assert case.due_date.strftime("%Y-%m-%d") in page.content.decode()


def test_the_receipt_is_404_for_a_clerk_of_another_village_and_403_for_a_resident(
    client, enter, village_clerk, other_village_clerk, resident, elder_card
):
    enter(village_clerk, elder_card)
    number = ServiceRequest.objects.get().tracking_number
    url = reverse("staff:receipt", kwargs={"number": number})
    client.force_login(other_village_clerk)
    assert client.get(url).status_code == 404
    client.force_login(resident)
    assert client.get(url).status_code == 403
    client.force_login(village_clerk)
    assert client.get(url).status_code == 200


def test_the_clerk_who_entered_a_request_prints_its_receipt(
    client, enter, town_clerk_of_no_item, dibao
):
    """A town window takes requests for bodies it does not serve: its clerk still
    prints the receipt of what they entered."""
    response, _form = enter(
        town_clerk_of_no_item, dibao, mode="agency", village=FENFANG
    )
    assert response.status_code == 302
    created = ServiceRequest.objects.get()
    assert created.village.code == FENFANG
    # they may not accept it: it waits for those who may, and the slip says so
    assert created.status == Status.SUBMITTED and created.accepted_at is None
    assert created.events.filter(kind=EventKind.STATUS).count() == 1
    page = client.get(response["Location"])
    assert page.status_code == 200
    text = page.content.decode()
    assert "收件回执" in text and "受理回执" not in text
    assert "待受理" in text and "尚未受理" in text


def test_a_receipt_of_an_unknown_number_is_404(client, official):
    client.force_login(official)
    url = reverse("staff:receipt", kwargs={"number": "HG000000000000"})
    assert client.get(url).status_code == 404


def test_the_receipt_page_has_no_personal_data_in_its_address(
    enter, village_clerk, dibao
):
    response, _form = enter(village_clerk, dibao, mode="agency")
    assert re.fullmatch(r"/staff/cases/HG\d{12}/receipt/", response["Location"])
