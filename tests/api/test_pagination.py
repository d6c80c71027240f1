"""Every list answers bad paging input alike: a cursor it did not make, and a page
size that is not a number from 1 to 100, are a 400 naming the parameter (the caller's
input is at fault; DRF's cursor pagination said 404 and ignored a bad page size)."""

import pytest

from tests.api.answers import client_of

pytestmark = pytest.mark.django_db

LISTS = [
    "/api/v1/services/",
    "/api/v1/categories/",
    "/api/v1/bodies/",
    "/api/v1/villages/",
    "/api/v1/requests/",
    "/api/v1/trips/",
    "/api/v1/visits/",
    "/api/v1/follow-ups/",
    "/api/v1/statistics/overdue/",
]


@pytest.mark.parametrize("url", LISTS)
@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"cursor": "abc"}, "cursor"),
        ({"cursor": "xyz"}, "cursor"),
        ({"page_size": "0"}, "page_size"),
        ({"page_size": "abc"}, "page_size"),
        ({"page_size": "101"}, "page_size"),
        ({"page_size": "-1"}, "page_size"),
        ({"page_size": "²"}, "page_size"),
    ],
)
def test_bad_paging_input_is_a_400_naming_it(official, url, query, field):
    response = client_of(official).get(url, query, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400, (url, query, response.content[:300])
    body = response.json()
    assert body["code"] == "invalid_input"
    assert list(body["errors"]) == [field]


@pytest.mark.parametrize("url", LISTS)
def test_the_largest_page_is_allowed(official, url):
    response = client_of(official).get(url, {"page_size": "100"})
    assert response.status_code == 200, response.content[:300]


def test_the_schema_says_a_list_answers_400_and_the_page_size_s_bounds(client):
    schema = client.get("/api/v1/schema/", {"format": "json"}).json()
    for url in LISTS:
        operation = schema["paths"][url]["get"]
        assert "400" in operation["responses"], url
        parameters = {p["name"]: p for p in operation["parameters"]}
        assert parameters["page_size"]["schema"]["maximum"] == 100, url
        assert parameters["page_size"]["schema"]["minimum"] == 1, url
