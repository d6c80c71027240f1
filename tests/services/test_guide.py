"""The guide page says in sentences who handles an item and how each mode works for
the resident's village; its queries are few and fixed, and it is never stale."""

from io import StringIO

import pytest
import yaml
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.forms import CheckboxInput
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from services import guide
from services.caching import fragments_forget
from services.models import ServiceItem
from villages.models import SubCenter, Village

pytestmark = pytest.mark.django_db

DIBAO = (
    "HG-JZ-001"  # 最低生活保障申请: village → town → county (县民政局), agency + home
)
CARD = "HG-SB-001"  # 社会保障卡注销: at the town's window only
HUAGANG = "340123106001"  # 花岗社区, trip days [2, 5]
DONGGANG = "340123106003"  # 董岗社区, trip days [1, 4]


def guide_url(code: str) -> str:
    return reverse("services:detail", kwargs={"code": code})


def how(client, code: str, **params) -> tuple[int, str]:
    """The status and the text of the page's "who handles it and how" section."""
    response = client.get(guide_url(code), params)
    html = response.content.decode()
    start = html.index('<section class="how"')
    return response.status_code, html[start : html.index("</section>", start)]


def test_the_implementing_body_with_the_town_and_the_county_that_decides(client):
    status, text = how(client, DIBAO)
    assert status == 200
    assert "花岗镇社会管理局受理，肥西县民政局审批。" in text


@pytest.mark.parametrize(
    "code, sentence",
    [
        ("HG-SB-002", "花岗镇为民服务中心受理并办结。"),  # decided at the town
        ("HG-SB-012", "村(社区)直接办结，花岗镇社会管理局负责指导。"),  # village
        # 申请转报: the town takes the application in and forwards it (corrected from
        # "accepted at the county").
        ("HG-CJ-001", "花岗镇社会管理局受理，肥西县残联审批。"),
    ],
)
def test_who_handles_at_each_level(client, code, sentence):
    assert sentence in how(client, code)[1]


def test_an_item_accepted_at_the_county_says_the_town_answers_questions(client):
    ServiceItem.objects.filter(code="HG-CJ-001").update(accept_level="county")
    assert (
        "本事项在县级受理，肥西县残联审批；花岗镇社会管理局提供咨询。"
        in how(client, "HG-CJ-001")[1]
    )


def test_a_county_item_without_a_named_body_names_the_county(client):
    ServiceItem.objects.filter(code=DIBAO).update(decided_by="")
    assert "花岗镇社会管理局受理，合肥市肥西县有关部门审批。" in how(client, DIBAO)[1]


@pytest.fixture
def every_mode():
    """最低生活保障申请, decided at the county, here also allowed on the spot."""
    ServiceItem.objects.filter(code=DIBAO).update(allows_instant=True)
    return ServiceItem.objects.get(code=DIBAO)


def test_one_sentence_per_mode_before_a_village_is_picked(client, every_mode):
    _status, text = how(client, DIBAO)
    assert text.count('class="mode-sentence ') == 3
    assert (
        "即时即办：带齐材料到花岗镇为民服务中心社会事务（民政）窗口；各村(社区)为民服务分中心，"
        "窗口当场受理，15个工作日内办结。"
    ) in text
    assert "定时代办：把材料交到您所在村(社区)的为民服务分中心" in text
    assert "请在下面选择您所在的村(社区)，查看送件日。" in text
    assert (
        "上门特办：年老、残疾或患重病、不能亲自前来的居民，可请所在村(社区)的为民服务分中心预约，"
        "工作人员上门办理。"
    ) in text
    assert '<select name="village"' in text  # the picker, a plain GET form


def test_each_mode_for_the_village_picked(client, every_mode):
    _status, text = how(client, DIBAO, village=HUAGANG)
    assert (
        "也可以到花岗社区为民服务分中心（花岗镇花岗社区办公楼一楼（示例地址））办理。"
        in text
    )
    assert (
        "定时代办：把材料交到花岗社区为民服务分中心，村代办员每周二、五送镇，"
        "办好后把结果带回给您。"
    ) in text
    assert "可请花岗社区为民服务分中心（电话0551-00006001）预约" in text
    assert "查看送件日" not in text
    assert f'<option value="{HUAGANG}" selected>' in text
    assert text.count("示例数据") == 3  # the sub-center's data is demo data


def test_the_trip_days_are_the_picked_village_s(client):
    assert "村代办员每周一、四送镇" in how(client, DIBAO, village=DONGGANG)[1]
    SubCenter.objects.filter(village__code=DONGGANG).update(trip_weekdays=[3])
    assert "村代办员每周三送镇" in how(client, DIBAO, village=DONGGANG)[1]


def test_a_sub_center_without_trip_days_says_so(client):
    SubCenter.objects.filter(village__code=HUAGANG).update(trip_weekdays=[])
    text = how(client, DIBAO, village=HUAGANG)[1]
    assert (
        "花岗社区为民服务分中心尚未确定送件到镇的日子，请致电0551-00006001询问。"
        in text
    )


def test_a_village_without_a_sub_center_says_so(client):
    SubCenter.objects.filter(village__code=HUAGANG).delete()
    text = how(client, DIBAO, village=HUAGANG)[1]
    assert "花岗社区的为民服务分中心尚未登记，请向镇为民服务中心咨询。" in text


@pytest.mark.parametrize("bad", ["abc", "340123106999", "3401231060011", "'; --"])
def test_a_bad_village_code_is_a_400_with_the_message_beside_the_picker(client, bad):
    status, text = how(client, DIBAO, village=bad)
    assert status == 400
    error = text.index("请从列表中选择您所在的村(社区)。")
    assert text.index('<label for="id_village">') < error < text.index("<select")
    assert 'aria-invalid="true"' in text
    assert (
        "花岗镇社会管理局受理，肥西县民政局审批。" in text
    )  # the guide is still there


def test_english_sentences(client):
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    text = how(client, DIBAO, village=HUAGANG)[1]
    assert "花岗镇社会管理局 accepts the application and 肥西县民政局 decides." in text
    assert "takes them to the town every Tuesday, Friday and brings" in text
    assert "Apply online" in text


def test_an_item_handled_only_at_a_window_offers_no_village_picker(client):
    _status, text = how(client, CARD)
    assert text.count('class="mode-sentence ') == 1
    assert "即时即办：带齐材料到花岗镇为民服务中心社保卡服务窗口" in text
    assert "<select" not in text


# --- applying online ------------------------------------------------------------------


def test_apply_online_where_the_portal_takes_the_application(client):
    response = client.get(guide_url(DIBAO))
    apply_url = reverse("services:apply", kwargs={"code": DIBAO})
    assert f'href="{apply_url}">在线申请</a>' in response.content.decode()


def test_no_apply_button_for_an_item_done_only_at_a_window(client):
    item = ServiceItem.objects.get(code=CARD)
    assert not (item.online or item.allows_agency or item.allows_home)
    assert "在线申请" not in client.get(guide_url(CARD)).content.decode()


@pytest.mark.parametrize(
    "flags, expected",
    [
        ({"online": True}, True),  # 是否网办
        ({"allows_agency": True}, True),  # the village agent collects the papers
        ({"allows_home": True}, True),  # staff come to the home
        ({"allows_instant": True}, False),  # the resident stands at the window
    ],
)
def test_the_rule_for_applying_online(flags, expected):
    item = ServiceItem(
        online=False, allows_instant=False, allows_agency=False, allows_home=False
    )
    for name, value in flags.items():
        setattr(item, name, value)
    assert guide.accepts_online_application(item) is expected


# --- a fixed number of queries --------------------------------------------------------


def test_the_guide_page_issues_the_same_few_queries_whatever_is_shown(client):
    counts = {}
    for code in [DIBAO, CARD, "HG-SF-002", "HG-CJ-001"]:
        for params in [
            {},
            {"village": HUAGANG},
            {"village": DONGGANG},
            {"village": "x"},
        ]:
            fragments_forget()  # rendered afresh: nothing cached
            with CaptureQueriesContext(connection) as queries:
                response = client.get(guide_url(code), params)
            assert response.status_code in (200, 400)
            counts[code, params.get("village")] = len(queries)
            with CaptureQueriesContext(connection) as again:
                assert client.get(guide_url(code), params).status_code in (200, 400)
            assert len(again) == 1, again.captured_queries  # the catalog version
    # the catalog version, the item names, the village codes; then the guide: the
    # item, its materials, its delegated powers (with their departments), the town,
    # the villages
    assert set(counts.values()) == {8}, counts


# --- never stale ----------------------------------------------------------------------


def admin_form_data(response) -> dict:
    """What the browser posts back from an admin change page left as it is."""
    data: dict = {}

    def add(form) -> None:
        for name, field in form.fields.items():
            bound = form[name]
            value = bound.value()
            if isinstance(field.widget, CheckboxInput):
                if value:
                    data[bound.html_name] = "on"
            elif value is not None:
                data[bound.html_name] = value

    add(response.context["adminform"].form)
    for inline in response.context["inline_admin_formsets"]:
        add(inline.formset.management_form)
        for form in inline.formset.forms:
            add(form)
    return data


def test_the_next_guide_page_shows_an_officials_edit_in_the_admin(
    official_client, client
):
    item = ServiceItem.objects.get(code=DIBAO)
    assert "花岗镇社会管理局受理，肥西县民政局审批。" in how(client, DIBAO)[1]
    url = reverse("admin:services_serviceitem_change", args=[item.pk])
    data = admin_form_data(official_client.get(url))
    data.update(decided_by="肥西县人民政府", allows_instant="on", place="镇一楼3号窗口")
    response = official_client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    text = how(client, DIBAO)[1]
    assert "花岗镇社会管理局受理，肥西县人民政府审批。" in text
    assert "即时即办：带齐材料到镇一楼3号窗口" in text


def test_the_next_guide_page_shows_new_trip_days_set_in_the_admin(
    official_client, client
):
    sub_center = SubCenter.objects.get(village__code=HUAGANG)
    assert "每周二、五送镇" in how(client, DIBAO, village=HUAGANG)[1]
    url = reverse("admin:villages_subcenter_change", args=[sub_center.pk])
    data = admin_form_data(official_client.get(url))
    data["windows"] = [w.pk for w in sub_center.windows.all()]
    data["trip_weekdays"] = "[1, 3, 5]"
    response = official_client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert "每周一、三、五送镇" in how(client, DIBAO, village=HUAGANG)[1]


def test_the_next_guide_page_shows_a_change_loaded_from_the_data_files(
    client, tmp_path
):
    import shutil

    data_dir = tmp_path / "data"
    shutil.copytree(settings.TOWN_DATA_DIR, data_dir)
    items = yaml.safe_load((data_dir / "services.yaml").read_text("utf-8"))
    next(i for i in items if i["code"] == DIBAO)["decided_by"] = "合肥市民政局"
    villages = yaml.safe_load((data_dir / "villages.yaml").read_text("utf-8"))
    village = next(v for v in villages["villages"] if v["code"] == HUAGANG)
    village["sub_center"]["trip_weekdays"] = [4]
    (data_dir / "services.yaml").write_text(yaml.safe_dump(items, allow_unicode=True))
    (data_dir / "villages.yaml").write_text(
        yaml.safe_dump(villages, allow_unicode=True)
    )
    call_command("load_town_data", "--data-dir", str(data_dir), stdout=StringIO())
    text = how(client, DIBAO, village=HUAGANG)[1]
    assert "花岗镇社会管理局受理，合肥市民政局审批。" in text
    assert "村代办员每周四送镇" in text
    assert Village.objects.get(code=HUAGANG).sub_center.trip_weekdays == [4]


def test_an_item_accepted_at_the_village_says_so_and_who_decides(client):
    """The sentence agrees with the facts below it (收件层级 村 / 审批层级 县): the
    resident's own sub-center takes it in, the town body accepts, the county decides."""
    item = ServiceItem.objects.get(code="HG-JZ-001")
    assert (item.accept_level, item.decide_level) == ("village", "county")
    text = how(client, item.code)[1]
    assert (
        "由您所在村(社区)的为民服务分中心收件，花岗镇社会管理局受理，肥西县民政局审批。"
        in text
    )


def test_the_guide_says_whether_the_portal_takes_the_application(client):
    """The portal's own 在线申请 is one fact, the catalog's 全程网办 another: the page
    never shows "是否网办：否" under an 在线申请 button."""
    html = client.get(guide_url("HG-JZ-001")).content.decode()
    assert "在线申请" in html and "可以在网上申请" in html
    assert "全程网办" in html
