"""The catalog as corrected for issue 11, as loaded: one test per class of correction,
and what the guide, the village page, the catalog and the API show of it."""

import pytest
from django.urls import reverse

from services.models import Body, ServiceItem
from tests.factories import ServiceItemFactory
from villages.models import SubCenter

pytestmark = pytest.mark.django_db

HUAGANG = "340123106001"  # 花岗社区, trip days [2, 5]


def item(code: str) -> ServiceItem:
    return ServiceItem.objects.select_related("body").get(code=code)


def guide(client, code: str, **params) -> str:
    response = client.get(reverse("services:detail", kwargs={"code": code}), params)
    assert response.status_code == 200
    return response.content.decode()


# --- the data ------------------------------------------------------------------------


def test_the_catalog_has_123_active_items_and_one_of_each_merged_kind():
    active = ServiceItem.objects.filter(is_active=True)
    assert active.count() == 123
    assert active.filter(name__contains="最低生活保障申请").count() == 1
    assert active.filter(name__contains="高龄").count() == 1
    assert not active.filter(name__contains="初审及转报", code__startswith="HG-JZ")
    assert not active.filter(name__contains="跨省通办").exists()


def test_the_items_added_in_place_of_the_merged_ones_cite_their_law():
    added = {
        "HG-TY-008": "《中华人民共和国兵役法》",
        "HG-HJ-010": "《中华人民共和国户口登记条例》",
        "HG-HJ-011": "《中华人民共和国临时居民身份证管理办法》",
        "HG-WJ-009": "《中华人民共和国疫苗管理法》第四十七条",
        "HG-NY-009": "《中华人民共和国动物防疫法》第四十九条",
    }
    for code, law in added.items():
        new = item(code)
        assert new.is_active and law in new.legal_basis, code
        assert new.corrections and new.corrections[0]["basis"], code


def test_the_identity_card_fee_is_the_national_one():
    fee = item("HG-HJ-005").fee
    assert "不收费" not in fee
    assert "申领、换领工本费每证20元" in fee and "遗失补领、损坏换领每证40元" in fee
    assert "免收工本费" in fee  # the exemptions of 居民身份证法 art. 20
    assert item("HG-HJ-011").fee == "工本费每证10元"
    assert "以合肥市社会保障卡服务网点公示为准" in item("HG-SB-016").fee
    assert "100元" not in item("HG-CJ-002").fee


def test_no_item_produced_at_the_county_is_instant():
    assert not ServiceItem.objects.filter(
        allows_instant=True, decide_level="county", promised_days__gt=0
    ).exists()
    for code in ["HG-HJ-005", "HG-HJ-006", "HG-HJ-009", "HG-CJ-001"]:
        assert not item(code).allows_instant, code


def test_modes_that_could_not_be_true_are_corrected():
    # 落户 and school applications: in person at the police station or the school.
    for code in ["HG-HJ-007", "HG-HJ-008", "HG-JK-001", "HG-JK-002", "HG-JK-004"]:
        corrected = item(code)
        assert corrected.in_person and not corrected.allows_agency, code
        assert not corrected.allows_instant, code
    assert "学校" in item("HG-JK-001").place or "幼儿园" in item("HG-JK-001").place
    # 残疾人证类别/等级变更: re-assessed with the person there (or at home).
    cj2 = item("HG-CJ-002")
    assert not cj2.allows_agency and cj2.allows_home and cj2.in_person
    # 上门特办 for elderly and disabled residents.
    for code in ["HG-CJ-001", "HG-CJ-003", "HG-CJ-004", "HG-CJ-009"]:
        assert item(code).allows_home, code
    for code in ["HG-YL-003", "HG-YL-004"]:
        assert item(code).allows_home, code
    # 急难救助: 先救助后审批, so also on the spot.
    assert item("HG-JZ-006").allows_instant


def test_the_police_station_implements_the_household_items():
    station = Body.objects.get(code="police-station")
    assert station.kind == Body.Kind.STATIONED and station.is_demo
    household = ServiceItem.objects.filter(code__startswith="HG-HJ-", is_active=True)
    assert household.count() == 11
    assert set(household.values_list("body__code", flat=True)) == {"police-station"}
    for code in ["HG-SF-001", "HG-SF-002", "HG-SF-003"]:
        corrected = item(code)
        assert corrected.body.code == "social-management", code
        assert "司法所" in corrected.level_note, code


def test_wrong_or_outdated_legal_bases_are_replaced():
    bases = dict(ServiceItem.objects.values_list("code", "legal_basis"))
    assert "安徽省最低生活保障工作有关规定" not in bases["HG-JZ-001"]
    assert "民发〔2021〕57号" in bases["HG-JZ-001"]
    for code in ["HG-ZJ-001", "HG-ZJ-003"]:
        assert "建筑法" not in bases[code] and "城市危险房屋" not in bases[code]
        assert "建村〔2021〕35号" in bases[code]
    assert "农村住房安全性鉴定技术导则" in bases["HG-ZJ-003"]
    assert "城镇住房保障条例" not in bases["HG-ZJ-002"]
    assert "住房和城乡建设部令第11号" in bases["HG-ZJ-002"]
    assert "流动就业人员" not in bases["HG-YB-007"]
    assert "医保办发〔2021〕43号" in bases["HG-YB-007"]
    assert "预算法" not in bases["HG-NY-008"] and "一卡通" in bases["HG-NY-008"]
    assert "2016年1月1日以前" in item("HG-WJ-002").conditions
    assert "有关规定" not in bases["HG-QT-001"]


def test_every_correction_says_what_and_on_what_basis():
    corrected = ServiceItem.objects.exclude(corrections=[])
    assert corrected.count() >= 23
    for entry_item in corrected:
        for entry in entry_item.corrections:
            assert entry["what"] and entry["basis"], entry_item.code
            assert set(entry) == {"what", "basis", "source"}, entry_item.code


def test_the_boilerplate_check_points_are_gone():
    from services.models import Material

    assert not Material.objects.filter(
        check_points="如实填写，申请人（或监护人）签字"
    ).exists()
    land = Material.objects.filter(
        item__category__code__in=["agriculture", "land-homestead"],
        item__is_active=True,
    )
    assert not land.filter(check_points__contains="监护人").exists()


# --- the guide page --------------------------------------------------------------------


def test_the_guide_shows_the_basis_and_corrections_note(client):
    html = guide(client, "HG-HJ-005")
    assert "依据/更正说明" in html
    assert "工本费20元" in html and "发改价格〔2003〕2322号" in html
    assert "核对来源：" in html
    # A correction whose basis could not be checked says so.
    html = guide(client, "HG-YL-001")
    assert "未能找到可核对的公开原文。" in html
    # No note where nothing was corrected.
    assert "依据/更正说明" not in guide(client, "HG-SB-001")


def test_every_demo_contact_detail_is_marked_beside_it(client):
    html = guide(
        client, "HG-SB-001"
    )  # a verified item: its contacts are demo all the same
    for css in ["contact-place", "contact-hours"]:
        start = html.index(f'<dd class="{css}">')
        assert "示例数据" in html[start : html.index("</dd>", start)], css
    assert html.count('<dd class="contact-phone">') == 2
    for part in html.split('<dd class="contact-phone">')[1:]:
        assert "示例数据" in part[: part.index("</dd>")]
    ServiceItem.objects.filter(code="HG-SB-001").update(contact_is_demo=False)
    html = guide(client, "HG-SB-001")
    start = html.index('<dd class="contact-place">')
    assert "示例数据" not in html[start : html.index("</dd>", start)]


def test_a_verified_guide_says_it_was_written_from_another_place_s_guide(client):
    html = guide(client, "HG-SB-001")
    assert "参照外地公开指南编写（并非花岗镇发布的指南）：" in html
    assert "From a published government page" not in html


def test_an_agency_guide_lists_every_village_s_days(client):
    html = guide(client, "HG-JZ-001")
    start = html.index('<section class="trip-days"')
    days = html[start : html.index("</section>", start)]
    assert "各村(社区)代办日" in days
    assert days.count("<dt>") == 30
    assert "花岗社区</a></dt><dd>每周二、五" in days
    SubCenter.objects.filter(village__code=HUAGANG).update(trip_weekdays=[])
    assert "花岗社区</a></dt><dd>尚未确定" in guide(client, "HG-JZ-001")


def test_a_guide_without_agency_lists_no_days(client):
    assert '<section class="trip-days"' not in guide(client, "HG-SB-001")


def test_an_in_person_item_says_where_to_go(client):
    html = guide(client, "HG-HJ-007")
    assert "当面办理：请本人到肥西县公安局花岗派出所户籍窗口提出申请" in html
    assert "本事项不能经村(社区)代办。" in html
    assert "窗口当面办理" in html  # among the modes
    assert 'class="mode-sentence mode-sentence-agency"' not in html


def test_the_village_page_shows_its_agency_days(client):
    response = client.get(reverse("villages:detail", kwargs={"code": HUAGANG}))
    html = response.content.decode()
    assert "代办日" in html and "村代办员每周二、五把材料送到镇里。" in html
    SubCenter.objects.filter(village__code=HUAGANG).update(trip_weekdays=[])
    html = client.get(reverse("villages:detail", kwargs={"code": HUAGANG})).content
    assert "尚未确定" in html.decode()


# --- a retired item: off the lists, still on old requests ---------------------------


@pytest.fixture
def retired(items):
    """An item merged into HG-JZ-001, as the loader leaves it."""
    old = ServiceItemFactory(
        code="HG-JZ-002",
        name="农村低保初审及转报",
        category=items["agency"].category,
        body=items["agency"].body,
    )
    ServiceItem.objects.filter(pk=old.pk).update(
        is_active=False, retired_into=ServiceItem.objects.get(code="HG-JZ-001")
    )
    old.refresh_from_db()
    return old


def test_a_retired_item_is_in_no_list(client, retired):
    catalog = client.get(reverse("services:catalog"), {"q": "低保"})
    names = [i.name for i in catalog.context["page"].object_list]
    assert retired.name not in names
    codes = []
    url = "/api/v1/services/"
    while url:
        body = client.get(url).json()
        codes += [row["code"] for row in body["results"]]
        url = body["next"]
    assert retired.code not in codes and len(codes) == 123
    assert client.get(f"/api/v1/services/{retired.code}/").status_code == 404
    apply = client.get(reverse("services:apply", kwargs={"code": retired.code}))
    assert apply.status_code == 404


def test_a_retired_item_s_guide_leads_to_the_item_it_was_merged_into(client, retired):
    response = client.get(reverse("services:detail", kwargs={"code": retired.code}))
    assert response.status_code == 301
    assert response["Location"] == reverse(
        "services:detail", kwargs={"code": "HG-JZ-001"}
    )


def test_an_old_request_for_a_retired_item_is_still_shown(
    client, retired, submit, resident
):
    # Made before the item was merged away.
    ServiceItem.objects.filter(pk=retired.pk).update(is_active=True)
    retired.refresh_from_db()
    request = submit("agency", item=retired)
    ServiceItem.objects.filter(pk=retired.pk).update(is_active=False)
    client.force_login(resident)
    page = client.get(f"/my/requests/{request.tracking_number}/")
    assert page.status_code == 200
    assert "农村低保初审及转报" in page.content.decode()
    assert "农村低保初审及转报" in client.get("/my/requests/").content.decode()


def test_the_police_station_is_named_without_the_town_s_name(client):
    html = guide(client, "HG-HJ-007")
    assert "花岗派出所受理，肥西县公安局户政部门审批。" in html
    assert "花岗镇花岗派出所" not in html


def test_the_api_guide_carries_the_corrections_and_the_in_person_way(client):
    body = client.get("/api/v1/services/HG-HJ-007/").json()
    assert body["modes"] == [] and body["in_person"] is True
    assert body["in_person_sentence"].startswith("当面办理：请本人到")
    assert body["contact_is_demo"] is True
    assert body["corrections"][0]["what"].startswith("取消村(社区)“定时代办”")
    assert set(body["corrections"][0]) == {"what", "basis", "source"}
    assert client.get("/api/v1/services/HG-SB-001/").json()["in_person_sentence"] == ""
