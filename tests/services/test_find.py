"""Search finds what residents type: synonyms kept as data beside the catalog."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from services.models import SearchSynonym, ServiceItem
from services.selectors import service_items_search

pytestmark = pytest.mark.django_db

CATALOG = reverse("services:catalog")

PAIRS = [
    ("低保", "最低生活保障"),
    ("老人", "老年人"),
    ("高龄", "老年人"),
    ("社保卡", "社会保障卡"),
    ("残疾证", "残疾人证"),
    ("医保", "医疗保险"),
    ("五保", "特困人员"),
    ("计生", "计划生育"),
    ("准生证", "生殖保健服务证"),
    ("退伍军人", "退役军人"),
]


def ranked_names(client, q: str) -> list[str]:
    """Every result of the catalog search for `q`, in the page's order."""
    found, page = [], 1
    while True:
        response = client.get(CATALOG, {"q": q, "page": page})
        assert response.status_code == 200
        found += [item.name for item in response.context["page"].object_list]
        if not response.context["page"].has_next():
            return found
        page += 1


def matched_without_synonyms(word: str) -> set[str]:
    """What a plain substring search for `word` finds (the search before synonyms)."""
    return {
        item.name
        for item in ServiceItem.objects.filter(is_active=True).select_related(
            "category"
        )
        if word in item.name or word in item.keywords or word in item.category.name
    }


def test_dibao_puts_the_minimum_living_allowance_first(client):
    found = ranked_names(client, "低保")
    # One 最低生活保障 item since the rural and urban first-review items were merged
    # into it (issue 11).
    assert found[0] == "最低生活保障申请、审核及转报"
    assert found[1] == "最低生活保障家庭人口及收入变化申报"
    # Then the items whose name says 低保, then those that only list it as a keyword.
    assert found[2:3] == ["低保边缘家庭认定"]
    assert all("低保" not in name for name in found[3:])


@pytest.mark.parametrize("word, term", PAIRS, ids=[f"{w}={t}" for w, t in PAIRS])
def test_a_word_and_its_catalog_wording_find_the_same_items(client, word, term):
    by_word, by_term = ranked_names(client, word), ranked_names(client, term)
    assert by_word and set(by_word) == set(by_term)
    assert by_word == by_term  # ranked alike too
    assert term in by_word[0]  # the catalog's wording first


# Pairs whose letters alone find different items (for the others the catalog's
# keywords already list both words).
NEEDS_SYNONYM = [
    ("低保", "最低生活保障"),
    ("老人", "老年人"),
    ("高龄", "老年人"),
    ("残疾证", "残疾人证"),
    ("医保", "医疗保险"),
    ("计生", "计划生育"),
    ("退伍军人", "退役军人"),
]


@pytest.mark.parametrize(
    "word, term", NEEDS_SYNONYM, ids=[f"{w}={t}" for w, t in NEEDS_SYNONYM]
)
def test_each_synonym_finds_what_either_word_alone_finds(client, word, term):
    assert matched_without_synonyms(word) != matched_without_synonyms(term)
    found = set(ranked_names(client, word))
    assert found == matched_without_synonyms(word) | matched_without_synonyms(term)


def test_a_synonym_works_inside_a_longer_query(client):
    found = ranked_names(client, "农村 低保")
    assert "最低生活保障申请、审核及转报" in found  # keywords 农村低保, 低保
    assert "低保边缘家庭认定" not in found  # every word must match


def test_a_synonym_an_official_adds_in_the_admin_works_on_the_next_search(
    official_client, client
):
    assert ranked_names(client, "养老院") == []
    response = official_client.post(
        reverse("admin:services_searchsynonym_add"),
        {"word": "养老院", "term": "敬老院"},
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert ranked_names(client, "养老院") == ["特困人员集中供养（敬老院入住）申请"]


@pytest.mark.parametrize(
    "word, term, field",
    [
        ("老年人", "长者", "word"),  # 老年人 is already the wording of 老人 and 高龄
        ("长者", "老人", "term"),  # 老人 is itself a synonym of 老年人
        ("低保", "低收入", "word"),  # 低保 is already a synonym
        ("孝亲", "孝亲", "__all__"),
    ],
)
def test_the_admin_refuses_a_synonym_that_would_chain_or_repeat(
    official_client, word, term, field
):
    before = SearchSynonym.objects.count()
    response = official_client.post(
        reverse("admin:services_searchsynonym_add"), {"word": word, "term": term}
    )
    assert response.status_code == 200
    assert response.context["adminform"].form.errors[field]
    assert SearchSynonym.objects.count() == before


def test_an_official_may_extend_the_synonyms_and_a_clerk_may_not(client, official):
    from tests.factories import UserFactory
    from villages.choices import Role

    assert official.has_perm("services.add_searchsynonym")
    assert official.has_perm("services.delete_searchsynonym")
    clerk = UserFactory(role=Role.TOWN_CLERK)
    assert not clerk.has_perm("services.add_searchsynonym")


@pytest.mark.parametrize("q", ["低保", "低保 农村", "老人 补贴 医保", "HG-JZ-001"])
def test_the_search_is_one_query_however_many_words(q):
    with CaptureQueriesContext(connection) as queries:
        found = list(service_items_search(q=q))
    assert len(queries) == 1
    assert all(item.category.name and item.body.name for item in found)  # joined


def test_the_search_page_costs_the_same_for_any_query(client):
    counts = set()
    for q in ["低保", "老人 补贴", "医保 门诊 慢特病"]:
        with CaptureQueriesContext(connection) as queries:
            response = client.get(CATALOG, {"q": q})
        assert response.context["page"].object_list
        counts.add(len(queries))
    assert len(counts) == 1, counts
