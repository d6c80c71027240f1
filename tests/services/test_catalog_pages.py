"""Home, catalog search and filters, service guides, and 404s."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from services.caching import fragments_forget
from services.models import ServiceItem

pytestmark = pytest.mark.django_db


def names(response) -> set[str]:
    return {item.name for item in response.context["page"].object_list}


def all_names(client, **params) -> set[str]:
    found, page = set(), 1
    while True:
        response = client.get(reverse("services:catalog"), {**params, "page": page})
        assert response.status_code == 200
        found |= names(response)
        if not response.context["page"].has_next():
            return found
        page += 1


def test_home_is_in_chinese_with_figures_from_the_data(client):
    response = client.get("/")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="zh-hans">' in html
    assert "即时即办" in html and "定时代办" in html and "上门特办" in html
    figures = response.context["figures"]
    assert (figures.villages, figures.items, figures.bodies) == (30, 123, 10)
    assert "<strong>123</strong>" in html and "<strong>30</strong>" in html


def test_chinese_whatever_the_browser_prefers(client):
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert '<html lang="zh-hans">' in response.content.decode()


def test_english_is_available_through_the_switch(client):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/services/"})
    assert response.status_code == 302
    html = client.get("/services/").content.decode()
    assert '<html lang="en">' in html and "Public-service items" in html


@pytest.mark.parametrize(
    "query, expected",
    [
        ("低保", {"最低生活保障申请、审核及转报", "低保边缘家庭认定"}),
        ("社保卡", {"社会保障卡注销", "社会保障卡密码修改与重置", "社会保障卡启用"}),
        ("残疾人证", {"第二代残疾人证申请转报", "残疾人证挂失补办"}),
    ],
)
def test_search_finds_items_by_chinese_keyword(client, query, expected):
    found = all_names(client, q=query)
    missing = {name for name in expected if not any(name in f for f in found)}
    assert not missing, (missing, found)


def test_search_ranks_name_matches_first(client):
    response = client.get(reverse("services:catalog"), {"q": "低保"})
    assert not response.context["page"].has_next()
    found = [item.name for item in response.context["page"].object_list]
    in_name = ["低保" in name or "最低生活保障" in name for name in found]  # a synonym
    assert any(in_name) and not all(in_name)  # both kinds of match are present
    assert in_name == sorted(in_name, reverse=True)


def test_search_with_no_match_says_so(client):
    response = client.get(reverse("services:catalog"), {"q": "火星移民"})
    assert response.status_code == 200
    assert response.context["page"].paginator.count == 0
    assert "低保" in response.content.decode()  # the hint suggests a shorter word


@pytest.mark.parametrize(
    "params, check",
    [
        ({"mode": "home"}, lambda item: item.allows_home),
        ({"mode": "instant"}, lambda item: item.allows_instant),
        ({"level": "village"}, lambda item: item.accept_level == "village"),
        (
            {"category": "social-assistance"},
            lambda item: item.category.code == "social-assistance",
        ),
        (
            {"body": "social-management"},
            lambda item: item.body.code == "social-management",
        ),
    ],
)
def test_filters_narrow_the_catalog(client, params, check):
    found = all_names(client, **params)
    items = ServiceItem.objects.filter(name__in=found).select_related(
        "category", "body"
    )
    expected = [
        i for i in ServiceItem.objects.select_related("category", "body") if check(i)
    ]
    assert found and all(check(item) for item in items)
    assert len(found) == len(expected)


def test_unknown_filter_value_is_a_clear_400(client):
    response = client.get(reverse("services:catalog"), {"category": "no-such"})
    assert response.status_code == 400
    assert "error-summary" in response.content.decode()


def test_catalog_is_paginated(client):
    response = client.get(reverse("services:catalog"))
    page = response.context["page"]
    assert len(page.object_list) == 20 and page.paginator.num_pages == 7
    last = client.get(reverse("services:catalog"), {"page": 7})
    assert len(last.context["page"].object_list) == 123 - 6 * 20


def test_guide_shows_every_element(client):
    item = ServiceItem.objects.filter(source="verified").first()
    response = client.get(item.get_absolute_url())
    html = response.content.decode()
    assert response.status_code == 200
    for text in [
        item.name,
        item.code,
        item.body.name,
        item.fee,
        item.place,
        item.inquiry_phone,
        item.complaint_phone,
        item.source_url,
    ]:
        assert text in html
    for material in item.materials.all():
        assert material.name in html


def test_a_material_only_shown_says_so_not_0_copies(client):
    """copies 0 means the original is shown and no copy is kept (data/SCHEMA.md)."""
    item = ServiceItem.objects.get(name="老年优待证换发")
    assert item.materials.get(name="原老年人优待证").copies == 0
    html = client.get(item.get_absolute_url()).content.decode()
    row = html[html.index("<td>原老年人优待证</td>") :]
    row = row[: row.index("</tr>")]
    assert ">仅需出示原件</td>" in row and ">0</td>" not in row
    assert ">原件</td>" in row


def test_demo_items_are_labelled(client):
    item = ServiceItem.objects.filter(source="demo").first()
    html = client.get(item.get_absolute_url()).content.decode()
    assert "示例数据" in html


@pytest.mark.parametrize(
    "url",
    [
        "/services/HG-XX-999/",
        "/villages/340123106999/",
        "/no-such-page/",
        "/villages/abc/",
    ],
)
def test_unknown_codes_give_a_404_page(client, url):
    response = client.get(url)
    assert response.status_code == 404
    assert "页面不存在" in response.content.decode()


def _query_count(client, url, params=None) -> int:
    """Queries of rendering the page afresh (its cached fragments dropped first)."""
    fragments_forget()
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url, params or {}).status_code == 200
    return len(queries)


def _keep_only(count: int) -> None:
    keep = ServiceItem.objects.order_by("code").values_list("pk", flat=True)[:count]
    ServiceItem.objects.exclude(pk__in=list(keep)).delete()


@pytest.mark.parametrize(
    "url_for",
    [
        lambda item: reverse("services:catalog"),
        lambda item: reverse("services:catalog") + "?q=证",
        lambda item: item.get_absolute_url(),
        lambda item: "/",
        lambda item: reverse("villages:detail", args=["340123106001"]),
        lambda item: reverse("villages:list"),
    ],
    ids=["catalog", "search", "guide", "home", "village", "villages"],
)
def test_pages_use_a_constant_number_of_queries(client, url_for):
    item = ServiceItem.objects.order_by("code").first()
    with_all = _query_count(client, url_for(item))
    assert ServiceItem.objects.count() == 123
    _keep_only(5)
    assert _query_count(client, url_for(item)) == with_all
