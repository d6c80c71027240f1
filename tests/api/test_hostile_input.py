"""Input no person sends, sent anyway: JSON nested deeper than Python's parser follows (a
400 like any unreadable body, in a request body or a cursor), and a cursor taken from
another list."""

import base64

import pytest

pytestmark = pytest.mark.django_db

DEEP = "[" * 5000 + "]" * 5000


@pytest.mark.parametrize(
    "path",
    ["/api/v1/requests/lookup/", "/api/v1/requests/", "/open311/v2/requests.json"],
)
def test_a_deeply_nested_body_is_a_400(client, path):
    response = client.post(path, DEEP, content_type="application/json")
    assert response.status_code == 400, response.content[:300]
    if path.startswith("/api/"):
        assert response.json()["code"] == "parse_error"


def test_a_deeply_nested_cursor_is_a_400(official_client):
    cursor = base64.urlsafe_b64encode(DEEP.encode()).decode().rstrip("=")
    response = official_client.get(f"/api/v1/requests/?cursor={cursor}")
    assert response.status_code == 400
    assert "cursor" in response.json()["errors"]


def test_a_catalog_list_refuses_another_list_s_cursor(client):
    services = client.get("/api/v1/services/?page_size=2").json()
    cursor = services["next"].split("cursor=")[1].split("&")[0]
    for other in ("villages", "categories", "bodies"):
        response = client.get(f"/api/v1/{other}/?cursor={cursor}")
        assert response.status_code == 400, other
        assert "cursor" in response.json()["errors"]
    # its own list still follows it
    following = client.get(services["next"])
    assert following.status_code == 200
    assert following.json()["results"]
