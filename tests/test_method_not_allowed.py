"""Addresses browsers open on their own: a post-only address answers a GET with a page
(not an empty 405), and /favicon.ico leads to the icon."""

import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "path", ["/track/leave/", "/events/track/leave/", "/account/sign-out/"]
)
def test_a_get_of_a_post_only_address_is_a_page_in_chinese(client, path):
    response = client.get(path)
    assert response.status_code == 405
    assert "POST" in response["Allow"]
    html = response.content.decode()
    assert "只能通过页面上的按钮提交" in html
    assert 'href="/"' in html


def test_the_favicon_address_leads_to_the_portal_icon(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 301
    assert response["Location"].endswith("favicon.svg")
