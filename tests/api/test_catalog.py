"""The public catalog on the API: services (the site's search, every filter, bad
input), a service's full guide, categories, bodies, villages with their sub-centers;
cursor pages, constant queries, the cache, the language asked for."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from rest_framework.throttling import SimpleRateThrottle

from services import guide as guide_rules
from services import selectors
from services.api.serializers.catalog import ServiceItemSerializer, service_item_row
from services.caching import fragments_forget
from services.models import Body, Category, Material, ServiceItem
from tests.conftest import FENFANG, HUAGANG
from villages.actions import api_token_create
from villages.models import SubCenter, Village
from villages.selectors import town_get

pytestmark = pytest.mark.django_db

SERVICES = "/api/v1/services/"
CODE = "HG-SB-001"  # 社会保障卡注销: on the spot, at the town
LOW_INCOME = "HG-JZ-001"  # 最低生活保障申请: agency and home visit, from the village


def _all_pages(client, url: str, **params) -> list[dict]:
    """Every row of a list, following `next` (asserting the page shape on the way)."""
    rows, response = [], client.get(url, params)
    while True:
        assert response.status_code == 200, response.content
        body = response.json()
        assert set(body) == {"next", "previous", "results"}
        rows += body["results"]
        if body["next"] is None:
            return rows
        response = client.get(body["next"])


def _codes(rows: list[dict]) -> list[str]:
    return [row["code"] for row in rows]


# --- services/ --------------------------------------------------------------------


def test_the_list_pages_through_every_published_item_in_catalog_order(client):
    first = client.get(SERVICES).json()
    assert len(first["results"]) == 20 and first["previous"] is None
    assert "count" not in first
    rows = _all_pages(client, SERVICES)
    expected = list(
        ServiceItem.objects.filter(is_active=True)
        .order_by("category__order", "code")
        .values_list("code", flat=True)
    )
    assert _codes(rows) == expected and len(expected) == 123


def test_a_page_back_is_the_page_before(client):
    first = client.get(SERVICES, {"page_size": 5}).json()
    second = client.get(first["next"]).json()
    assert client.get(second["previous"]).json()["results"] == first["results"]


def test_an_item_in_the_list(client):
    rows = _all_pages(client, SERVICES, q=LOW_INCOME)
    assert rows == [
        {
            "code": LOW_INCOME,
            "name": "最低生活保障申请、审核及转报",
            "category": {"code": "social-assistance", "name": "社会救助"},
            "body": {
                "code": "social-management",
                "name": "社会管理局",
                "is_demo": False,
            },
            "item_type": "payment",
            "accept_level": "village",
            "accept_level_display": "村",
            "modes": [
                {"value": "agency", "label": "定时代办"},
                {"value": "home", "label": "上门特办"},
            ],
            "promised_days": 15,
            "online": False,
            "apply_online": True,
            "is_demo": False,
        }
    ]


def test_unpublished_items_are_not_listed(client):
    ServiceItem.objects.filter(code=CODE).update(is_active=False)
    codes = _codes(_all_pages(client, SERVICES))
    assert CODE not in codes and len(codes) == 122
    assert client.get(f"{SERVICES}{CODE}/").status_code == 404


@pytest.mark.parametrize("q", ["低保", "社保卡", "残疾 证", "hg-sb-001", "养老"])
def test_the_search_finds_what_the_site_finds_in_the_same_order(client, q):
    # Two rows a page: the cursor crosses the ranks' ties.
    rows = _all_pages(client, SERVICES, q=q, page_size=2)
    expected = _codes(
        selectors.service_items_search(q=q).values("code")  # the catalog page's
    )
    assert expected and _codes(rows) == expected


def test_the_search_ranks_the_catalog_wording_first(client):
    rows = client.get(SERVICES, {"q": "低保"}).json()["results"]
    assert rows[0]["name"].startswith("最低生活保障")


def test_a_search_that_finds_nothing_is_an_empty_page(client):
    assert client.get(SERVICES, {"q": "没有这种事项"}).json() == {
        "next": None,
        "previous": None,
        "results": [],
    }


@pytest.mark.parametrize(
    "params, matches",
    [
        ({"category": "social-assistance"}, {"category__code": "social-assistance"}),
        ({"body": "service-center"}, {"body__code": "service-center"}),
        ({"mode": "instant"}, {"allows_instant": True}),
        ({"mode": "agency"}, {"allows_agency": True}),
        ({"mode": "home"}, {"allows_home": True}),
        ({"level": "village"}, {"accept_level": "village"}),
        ({"level": "town"}, {"accept_level": "town"}),
        ({"online": "true"}, {"online": True}),
        ({"online": "false"}, {"online": False}),
        ({"online": "1"}, {"online": True}),
        ({"online": "0"}, {"online": False}),
        (
            {"category": "social-assistance", "mode": "home", "online": "false"},
            {"category__code": "social-assistance", "allows_home": True},
        ),
        ({"q": "证", "body": "social-management"}, {"body__code": "social-management"}),
    ],
)
def test_each_filter_keeps_exactly_the_matching_items(client, params, matches):
    rows = _all_pages(client, SERVICES, **params)
    expected = ServiceItem.objects.filter(is_active=True, **matches)
    if "online" in params and "online" not in matches:
        expected = expected.filter(online=params["online"] == "true")
    if "q" in params:
        expected = expected.filter(
            pk__in=selectors.service_items_search(q=params["q"]).values("pk")
        )
    assert rows and sorted(_codes(rows)) == sorted(
        expected.values_list("code", flat=True)
    )


def test_the_county_level_keeps_the_items_accepted_at_the_county(client):
    # None is since 第二代残疾人证申请转报 was corrected to be taken in by the town.
    assert _all_pages(client, SERVICES, level="county") == []
    ServiceItem.objects.filter(code="HG-CJ-001").update(accept_level="county")
    assert _codes(_all_pages(client, SERVICES, level="county")) == ["HG-CJ-001"]


def test_filters_that_match_nothing_give_an_empty_list(client):
    assert not ServiceItem.objects.filter(accept_level="county", online=True).exists()
    assert _all_pages(client, SERVICES, level="county", online="true") == []


@pytest.mark.parametrize(
    "params, field",
    [
        ({"mode": "nonsense"}, "mode"),
        ({"level": "province"}, "level"),
        ({"online": "maybe"}, "online"),
        ({"online": "yes"}, "online"),
        ({"category": "no-such-category"}, "category"),
        ({"body": "no-such-body"}, "body"),
        ({"q": "社" * 51}, "q"),
        ({"q": "低\x00保"}, "q"),
        ({"mode": "instant\x00"}, "mode"),
    ],
)
def test_bad_filters_are_a_400_naming_the_field(client, params, field):
    response = client.get(SERVICES, params)
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid_input" and body["message"]
    assert list(body["errors"]) == [field]
    assert all(body["errors"][field])


def test_every_bad_filter_is_named_at_once(client):
    response = client.get(
        SERVICES, {"mode": "x", "level": "x", "online": "x", "category": "x"}
    )
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"mode", "level", "online", "category"}


def test_a_nul_in_a_parameter_s_name_is_a_400_without_echoing_it(client):
    response = client.get(SERVICES + "?a%00b=1", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert response.json()["errors"] == {
        "__all__": ["Null characters are not allowed."]
    }


def test_a_nul_in_a_cookie_is_a_400_in_the_api_s_body(client):
    client.cookies["sessionid"] = "abc\x00def"
    response = client.get(SERVICES)
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert list(response.json()["errors"]) == ["__all__"]


def test_an_absurd_lookup_is_a_400_naming_it(client):
    response = client.get(SERVICES, {"updated_at__year": "0001", "mode": "home"})
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_input"
    assert list(response.json()["errors"]) == ["updated_at__year"]


def test_a_cursor_that_is_not_ours_is_a_400(client):
    response = client.get(SERVICES, {"cursor": "garbage"})
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_input"
    assert list(response.json()["errors"]) == ["cursor"]


def test_the_list_takes_the_same_queries_for_1_and_for_20_rows(
    client, django_assert_num_queries
):
    for params in ({}, {"q": "证"}, {"body": "social-management", "mode": "agency"}):
        counts = []
        for size in (1, 20):
            with CaptureQueriesContext(connection) as queries:
                response = client.get(SERVICES, {**params, "page_size": size})
            assert len(response.json()["results"]) == size, params
            counts.append(len(queries))
        assert counts[0] == counts[1], params
    fragments_forget()
    with django_assert_num_queries(2):  # the catalog version, the page (all in it)
        client.get(SERVICES, {"page_size": 20})
    with django_assert_num_queries(1):  # cached: the catalog version alone
        client.get(SERVICES, {"page_size": 20})


def test_a_page_of_the_list_is_the_serializer_s_representation(client):
    """The list's rows are written out for speed (``service_item_row``): the same
    as the serializer the schema describes makes of every item, in both languages."""
    items = ServiceItem.objects.select_related("category", "body")
    for language in ("zh-hans", "en"):
        with translation.override(language):
            for item in items:
                assert service_item_row(item) == ServiceItemSerializer(item).data


def test_a_change_to_the_catalog_shows_in_the_next_list(client):
    before = client.get(SERVICES, {"q": CODE}).json()["results"][0]
    ServiceItem.objects.filter(code=CODE).update(name="社会保障卡注销（新）")
    after = client.get(SERVICES, {"q": CODE}).json()["results"][0]
    assert (before["name"], after["name"]) == ("社会保障卡注销", "社会保障卡注销（新）")
    Body.objects.filter(code="service-center").update(is_demo=True)
    assert client.get(SERVICES, {"q": CODE}).json()["results"][0]["body"]["is_demo"]


def test_the_cached_list_keeps_its_links_to_the_address_asked_for(client):
    first = client.get(SERVICES, {"page_size": 2}, HTTP_HOST="localhost")
    second = client.get(SERVICES, {"page_size": 2}, HTTP_HOST="127.0.0.1")
    assert first.json()["next"].startswith("http://localhost/")
    assert second.json()["next"].startswith("http://127.0.0.1/")


# --- services/<code>/ ---------------------------------------------------------------


def test_the_guide_holds_what_the_guide_page_shows(client):
    response = client.get(f"{SERVICES}{LOW_INCOME}/")
    assert response.status_code == 200
    guide = response.json()
    item = ServiceItem.objects.get(code=LOW_INCOME)
    assert guide["code"] == LOW_INCOME and guide["name"] == item.name
    assert guide["category"] == {"code": "social-assistance", "name": "社会救助"}
    assert guide["body"]["code"] == "social-management"
    assert [m["value"] for m in guide["modes"]] == ["agency", "home"]
    assert guide["promised_days"] == item.promised_days
    assert guide["statutory_days"] == item.statutory_days
    assert guide["fee"] == item.fee and guide["legal_basis"] == item.legal_basis
    assert guide["conditions"] == item.conditions and guide["steps"] == item.steps
    assert guide["faq"] == item.faq
    assert guide["materials"] == [
        {
            "id": m.pk,  # the upload's form field is material_<id>
            "key": m.key,
            "name": m.name,
            "required": m.required,
            "copies": m.copies,
            "original": m.original,
            "source": m.source,
            "check_points": m.check_points,
        }
        for m in item.materials.order_by("order")
    ]
    assert len(guide["materials"]) > 1
    with translation.override("zh-hans"):
        assert guide["who_handles"] == guide_rules.who_handles(item, town_get())
    assert "花岗镇社会管理局" in guide["who_handles"]
    assert guide["apply_online"] is True and guide["village_matters"] is True
    assert guide["village"] is None
    assert guide["page_url"] == f"/services/{LOW_INCOME}/"
    assert guide["source"] == item.source and guide["is_demo"] is item.is_demo


def test_the_guide_explains_the_modes_for_the_village_asked_for(client):
    sub_center = SubCenter.objects.get(village__code=HUAGANG)
    general = client.get(f"{SERVICES}{LOW_INCOME}/").json()["mode_sentences"]
    assert [s["mode"] for s in general] == ["agency", "home"]
    assert sub_center.name not in general[0]["text"]
    assert not any(s["is_demo"] for s in general)
    found = client.get(f"{SERVICES}{LOW_INCOME}/", {"village": HUAGANG}).json()
    assert found["village"] == HUAGANG
    agency, home = found["mode_sentences"]
    assert sub_center.name in agency["text"] and agency["is_demo"] is True
    assert sub_center.phone in home["text"]
    other = client.get(f"{SERVICES}{LOW_INCOME}/", {"village": FENFANG}).json()
    assert other["mode_sentences"] != found["mode_sentences"]


def test_an_unknown_village_is_a_400(client):
    response = client.get(f"{SERVICES}{LOW_INCOME}/", {"village": "340123199999"})
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["village"]


@pytest.mark.parametrize("code", ["HG-XX-999", "x"])
def test_an_unknown_item_is_a_404(client, code):
    response = client.get(f"{SERVICES}{code}/")
    assert response.status_code == 404
    assert response.json() == {"code": "not_found", "message": "未找到。"}


def test_an_item_without_materials_says_so(client):
    Material.objects.filter(item__code=CODE).delete()
    guide = client.get(f"{SERVICES}{CODE}/").json()
    assert guide["materials"] == []
    assert "no_materials_note" in guide


def test_the_guide_takes_a_fixed_number_of_queries_then_one(
    client, django_assert_num_queries
):
    Material.objects.filter(item__code=CODE).delete()  # none here, eight there
    for code in (CODE, LOW_INCOME):
        fragments_forget()
        # version, names, the guide's five (with the county's delegated powers)
        with django_assert_num_queries(7):
            client.get(f"{SERVICES}{code}/")
    fragments_forget()
    with django_assert_num_queries(8):  # and the village codes
        client.get(f"{SERVICES}{LOW_INCOME}/", {"village": HUAGANG})
    with django_assert_num_queries(1):  # cached: the catalog version alone
        assert client.get(f"{SERVICES}{LOW_INCOME}/", {"village": HUAGANG}).json()


def test_a_change_to_the_catalog_shows_in_the_next_guide(client):
    client.get(f"{SERVICES}{CODE}/")
    ServiceItem.objects.filter(code=CODE).update(fee="收费十元")
    assert client.get(f"{SERVICES}{CODE}/").json()["fee"] == "收费十元"
    SubCenter.objects.filter(village__code=HUAGANG).update(phone="0551-12345678")
    found = client.get(f"{SERVICES}{LOW_INCOME}/", {"village": HUAGANG}).json()
    assert "0551-12345678" in found["mode_sentences"][1]["text"]


def test_the_guide_speaks_the_language_asked_for(client):
    url = f"{SERVICES}{LOW_INCOME}/"
    chinese = client.get(url).json()
    english = client.get(url, HTTP_ACCEPT_LANGUAGE="en").json()
    assert chinese["modes"][0]["label"] == "定时代办"
    assert english["modes"][0]["label"] == "Scheduled agency (定时代办)"
    assert english["accept_level_display"] == "village (村)"
    assert english["who_handles"] != chinese["who_handles"]
    assert "accepts the application" in english["who_handles"]
    # and the cached Chinese guide is not served to the next Chinese caller in English
    assert client.get(url, HTTP_ACCEPT_LANGUAGE="zh-Hans").json() == chinese


def test_errors_speak_the_language_asked_for(client):
    chinese = client.get(SERVICES, {"mode": "x"}, HTTP_ACCEPT_LANGUAGE="zh-Hans")
    english = client.get(SERVICES, {"mode": "x"}, HTTP_ACCEPT_LANGUAGE="en")
    assert chinese.json()["errors"]["mode"] == ["没有这种办理方式。"]
    assert english.json()["errors"]["mode"] == ["There is no such handling mode."]
    assert english["Content-Language"] == "en"


# --- categories/, bodies/ ----------------------------------------------------------


def test_categories_in_one_page_with_their_item_counts(client):
    body = client.get("/api/v1/categories/").json()
    assert body["next"] is None and len(body["results"]) == 15
    assert _codes(body["results"]) == list(
        Category.objects.order_by("order", "code").values_list("code", flat=True)
    )
    assert sum(row["item_count"] for row in body["results"]) == 123
    assert body["results"][0] == {
        "code": "social-security",
        "name": "社会保障",
        "prefix": "SB",
        "order": 1,
        "item_count": ServiceItem.objects.filter(
            category__code="social-security"
        ).count(),
    }


def test_an_unpublished_item_is_not_counted(client):
    ServiceItem.objects.filter(code=CODE).update(is_active=False)
    rows = client.get("/api/v1/categories/").json()["results"]
    assert sum(row["item_count"] for row in rows) == 122


def test_bodies_with_their_kind_and_demo_flag(client):
    rows = client.get("/api/v1/bodies/", HTTP_ACCEPT_LANGUAGE="en").json()["results"]
    # The town's ten bodies, then the police station that implements the household
    # items (a county agency stationed in the town).
    assert len(rows) == 11
    assert rows[-1]["code"] == "police-station" and rows[-1]["kind"] == "stationed"
    assert {row["code"]: row["is_demo"] for row in rows} == dict(
        Body.objects.values_list("code", "is_demo")
    )
    center = rows[0]
    assert center["code"] == "service-center"
    assert center["kind"] == "center" and center["kind_display"] == "center"
    assert sum(row["item_count"] for row in rows) == 123


@pytest.mark.parametrize("url", ["/api/v1/categories/", "/api/v1/bodies/"])
def test_the_small_lists_take_one_query(client, url, django_assert_num_queries):
    with django_assert_num_queries(2):  # the catalog version, the list
        client.get(url)
    with django_assert_num_queries(1):
        client.get(url)


# --- villages/ ------------------------------------------------------------------------


def test_the_30_villages_in_one_page_each_with_its_sub_center(client):
    body = client.get("/api/v1/villages/").json()
    assert body["next"] is None and len(body["results"]) == 30
    first = body["results"][0]
    assert first["code"] == HUAGANG and first["kind"] == "community"
    sub_center = first["sub_center"]
    assert sub_center["is_demo"] is True  # the town has not confirmed these yet
    assert set(sub_center) == {
        "name",
        "address",
        "phone",
        "hours",
        "trip_weekdays",
        "trip_days_text",
        "windows",
        "is_demo",
    }


def test_the_village_list_pages_if_asked_to(client):
    rows = _all_pages(client, "/api/v1/villages/", page_size=7)
    assert _codes(rows) == list(
        Village.objects.order_by("order", "code").values_list("code", flat=True)
    )


def test_the_village_list_takes_the_same_queries_for_1_and_for_20_rows(
    client, django_assert_num_queries
):
    for size in (1, 20):
        # the catalog version, the villages with their sub-centers, the windows
        with django_assert_num_queries(3):
            response = client.get("/api/v1/villages/", {"page_size": size})
        assert len(response.json()["results"]) == size


def test_a_village_with_its_sub_center(client, django_assert_num_queries):
    sub_center = SubCenter.objects.get(village__code=HUAGANG)
    # the catalog version, the village codes, the village with its sub-center, the
    # windows; then the catalog version alone
    with django_assert_num_queries(4):
        response = client.get(f"/api/v1/villages/{HUAGANG}/")
    with django_assert_num_queries(1):
        assert client.get(f"/api/v1/villages/{HUAGANG}/").json() == response.json()
    village = response.json()
    assert village["name"] == "花岗社区"
    assert village["page_url"] == f"/villages/{HUAGANG}/"
    found = village["sub_center"]
    assert found["address"] == sub_center.address and found["phone"] == sub_center.phone
    assert found["hours"] == sub_center.hours
    assert found["trip_weekdays"] == sub_center.trip_weekdays
    with translation.override("zh-hans"):
        days = guide_rules.trip_days_text(sub_center.trip_weekdays)
    assert found["trip_days_text"] == days and sub_center.trip_weekdays
    assert [w["code"] for w in found["windows"]] == list(
        sub_center.windows.order_by("order", "code").values_list("code", flat=True)
    )


def test_a_confirmed_sub_center_is_not_marked_demo(client):
    SubCenter.objects.filter(village__code=HUAGANG).update(is_demo=False)
    found = client.get(f"/api/v1/villages/{HUAGANG}/").json()["sub_center"]
    assert found["is_demo"] is False


def test_a_village_without_a_sub_center(client):
    SubCenter.objects.filter(village__code=FENFANG).delete()
    assert client.get(f"/api/v1/villages/{FENFANG}/").json()["sub_center"] is None


def test_the_village_speaks_the_language_asked_for(client):
    url = f"/api/v1/villages/{HUAGANG}/"
    english = client.get(url, HTTP_ACCEPT_LANGUAGE="en").json()
    chinese = client.get(url).json()
    assert english["kind_display"] == "community (社区)"
    assert chinese["kind_display"] == "社区"
    assert english["sub_center"]["trip_days_text"] == "every Tuesday, Friday"
    assert chinese["sub_center"]["trip_days_text"] != "every Tuesday, Friday"


@pytest.mark.parametrize("code", ["340123199999", "abc"])
def test_an_unknown_village_is_a_404(client, code):
    assert client.get(f"/api/v1/villages/{code}/").status_code == 404


# --- who may call ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        SERVICES,
        f"{SERVICES}{CODE}/",
        "/api/v1/categories/",
        "/api/v1/bodies/",
        "/api/v1/villages/",
        f"/api/v1/villages/{HUAGANG}/",
    ],
)
def test_the_catalog_is_public_and_takes_an_api_key(client, url, resident):
    assert client.get(url).status_code == 200
    _token, key = api_token_create(name="县政务服务平台", account=resident, by=None)
    assert client.get(url, HTTP_AUTHORIZATION=f"Token {key}").status_code == 200
    response = client.get(url, HTTP_AUTHORIZATION="Token hg_not-a-key")
    assert response.status_code == 401
    assert response.json()["code"] == "authentication_failed"


def test_the_catalog_takes_no_writes(client):
    response = client.post(SERVICES, {}, content_type="application/json")
    assert response.status_code == 405
    assert response.json()["code"] == "method_not_allowed"


def test_anonymous_callers_are_throttled(client, monkeypatch):
    monkeypatch.setitem(SimpleRateThrottle.THROTTLE_RATES, "anon", "3/min")
    for _ in range(3):
        assert client.get("/api/v1/bodies/").status_code == 200
    response = client.get(f"{SERVICES}{CODE}/")
    assert response.status_code == 429
    assert response.json()["code"] == "throttled"
    assert int(response["Retry-After"]) > 0
