"""长辈版: the header's switch, the remembered choice, and the most used items first."""

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from huagang.elder_mode import COOKIE_MAX_AGE, COOKIE_NAME
from services import selectors
from services.models import ServiceItem, ServiceRequest

pytestmark = pytest.mark.django_db

SWITCH = reverse("elder_mode")


def switch_form(html: str) -> dict[str, str]:
    """The hidden fields of the header's 长辈版 form, as the page sends them."""
    form = re.search(r'<form class="mode-form".*?</form>', html, re.S).group(0)
    assert f'action="{SWITCH}"' in form and 'method="post"' in form
    return dict(re.findall(r'<input name="(\w+)" type="hidden" value="([^"]*)"', form))


def test_the_switch_turns_elder_mode_on_and_back_to_the_page(client):
    html = client.get("/services/", {"q": "低保"}).content.decode()
    assert "<body>" in html and 'aria-pressed="false"' in html
    fields = switch_form(html)
    assert fields == {"next": "/services/?q=%E4%BD%8E%E4%BF%9D", "elder": "1"}

    response = client.post(SWITCH, fields)
    assert response.status_code == 302
    assert response.url == "/services/?q=%E4%BD%8E%E4%BF%9D"
    cookie = response.cookies[COOKIE_NAME]
    assert cookie.value == "1" and cookie["max-age"] == COOKIE_MAX_AGE
    assert cookie["httponly"] and cookie["samesite"] == "Lax"

    html = client.get("/villages/").content.decode()  # remembered on the next page
    assert (
        '<body class="elder">' in html and '<html lang="zh-hans" class="elder">' in html
    )
    assert 'aria-pressed="true"' in html and ">长辈版<" in html
    assert switch_form(html)["elder"] == "0"


def test_the_switch_turns_elder_mode_off(client):
    client.cookies[COOKIE_NAME] = "1"
    response = client.post(SWITCH, {"elder": "0", "next": "/villages/"})
    assert response.status_code == 302 and response.url == "/villages/"
    assert response.cookies[COOKIE_NAME]["max-age"] == 0
    html = client.get("/villages/").content.decode()
    assert "<body>" in html and 'aria-pressed="false"' in html


@pytest.mark.parametrize(
    "next_url", ["https://evil.example/", "//evil.example/x", "javascript:alert(1)"]
)
def test_the_switch_never_sends_the_visitor_to_another_site(client, next_url):
    response = client.post(SWITCH, {"elder": "1", "next": next_url})
    assert response.status_code == 302 and response.url == "/"


def test_without_next_the_switch_goes_back_to_the_referring_page(client):
    response = client.post(
        SWITCH, {"elder": "1"}, HTTP_REFERER="http://testserver/services/"
    )
    assert response.url == "http://testserver/services/"
    response = client.post(SWITCH, {"elder": "1"}, HTTP_REFERER="https://evil.example/")
    assert response.url == "/"


@pytest.mark.parametrize("fields", [{}, {"elder": "yes"}, {"elder": ["1", "0x"]}])
def test_a_bad_choice_is_a_400_that_says_what_to_do(client, fields):
    response = client.post(SWITCH, fields)
    assert response.status_code == 400
    assert "请用页面顶部的“长辈版”按钮切换。" in response.content.decode()
    assert COOKIE_NAME not in response.cookies


def test_the_switch_only_takes_a_form(client):
    assert client.get(SWITCH, {"elder": "1"}).status_code == 405


def test_a_strange_cookie_is_the_standard_layout(client):
    client.cookies[COOKIE_NAME] = "yes"
    assert "<body>" in client.get("/").content.decode()


# --- the most used items first -----------------------------------------------------


def most_used_names(html: str) -> list[str]:
    block = re.search(r'<nav class="most-used".*?</nav>', html, re.S)
    assert block, "no 常用服务 list on the page"
    return re.findall(r'class="big-button" href="[^"]+">([^<]+)</a>', block.group(0))


def test_elder_home_shows_the_most_requested_items_of_the_last_year_first(
    client, submit, items
):
    agency = ServiceItem.objects.filter(allows_agency=True)
    first, second = agency.exclude(pk=items["instant"].pk).reverse()[:2]
    for _ in range(3):
        submit("agency", item=first)
    for _ in range(2):
        submit("agency", item=second)
    old = [submit("instant") for _ in range(4)]  # the most, but over a year ago
    ServiceRequest.objects.filter(pk__in=[r.pk for r in old]).update(
        submitted_at=timezone.now() - dt.timedelta(days=366)
    )
    client.cookies[COOKIE_NAME] = "1"
    html = client.get("/").content.decode()
    rest = ServiceItem.objects.filter(is_active=True).exclude(
        pk__in=[first.pk, second.pk]
    )
    assert most_used_names(html) == [
        first.name,
        second.name,
        *(item.name for item in rest[:4]),
    ]
    # first on the page: before the title and the search box
    assert html.index('class="most-used"') < html.index("<h1>")


def test_with_no_requests_the_most_used_are_the_catalog_first_items(client):
    client.cookies[COOKIE_NAME] = "1"
    names = most_used_names(client.get("/").content.decode())
    assert names == [
        item.name for item in ServiceItem.objects.filter(is_active=True)[:6]
    ]


def test_unpublished_items_are_never_offered(client, submit, items):
    submit("home")
    ServiceItem.objects.filter(pk=items["home"].pk).update(is_active=False)
    client.cookies[COOKIE_NAME] = "1"
    assert items["home"].name not in most_used_names(client.get("/").content.decode())


def test_the_most_used_list_is_one_query(django_assert_num_queries):
    with django_assert_num_queries(1):
        assert len(list(selectors.service_items_most_used(limit=6))) == 6


def test_the_standard_home_page_has_no_most_used_list_and_does_not_query_it(client):
    client.get("/")  # the page's fragments cached
    with CaptureQueriesContext(connection) as standard:
        html = client.get("/").content.decode()
    assert 'class="most-used"' not in html and "常用服务" not in html
    client.cookies[COOKIE_NAME] = "1"
    with CaptureQueriesContext(connection) as elder:
        assert "常用服务" in client.get("/").content.decode()
    assert len(elder) == len(standard) + 1  # the most used, counted once
    with CaptureQueriesContext(connection) as elder_again:
        client.get("/")
    assert len(elder_again) == len(standard)  # then kept for the hour
