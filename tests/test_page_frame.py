"""The page frame (huagang/templatetags/chrome.py): rendered once per process for each
language, 长辈版 and section, and still right for every visitor and page."""

import re

import pytest
from django.template import Context, Template, TemplateSyntaxError
from django.test import Client
from django.utils import translation

pytestmark = pytest.mark.django_db

NAV = {
    "/": "/",
    "/services/": "/services/",
    "/services/HG-SB-001/": "/services/",
    "/villages/": "/villages/",
    "/track/": "/track/",
    "/privacy/": None,
}


def _current(html: str) -> list[str]:
    nav = re.search(r'<nav class="site-nav".*?</nav>', html, re.S).group(0)
    return re.findall(r'<a href="([^"]+)" aria-current="page"', nav)


def _tokens(html: str) -> list[str]:
    return re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)


def test_aria_current_follows_the_page_whatever_was_rendered_before(client):
    for _round in range(2):
        for url, current in NAV.items():
            html = client.get(url).content.decode()
            assert _current(html) == ([current] if current else []), url
    html = client.get("/account/sign-in/").content.decode()
    assert re.search(r'<a href="/account/sign-in/" aria-current="page">', html)
    assert (
        'href="/account/sign-in/" aria-current' not in client.get("/").content.decode()
    )


def test_every_page_gets_its_own_csrf_token_and_address_in_the_header_forms():
    client = Client(enforce_csrf_checks=True)
    first = client.get("/services/", {"q": "低保"}).content.decode()
    second = Client().get("/villages/").content.decode()
    assert len(_tokens(first)) == 2 and len(_tokens(second)) == 2
    assert set(_tokens(first)).isdisjoint(_tokens(second))
    nexts = re.findall(r'<input name="next" type="hidden" value="([^"]*)"', first)
    assert nexts == ["/services/?q=%E4%BD%8E%E4%BF%9D"] * 2
    assert (
        re.findall(r'<input name="next" type="hidden" value="([^"]*)"', second)
        == ["/villages/"] * 2
    )
    # The language form of a page rendered after others still carries a valid token.
    response = client.post(
        "/i18n/setlang/",
        {"csrfmiddlewaretoken": _tokens(first)[1], "language": "en", "next": "/"},
    )
    assert response.status_code == 302
    assert response.cookies["django_language"].value == "en"


def test_language_and_elder_mode_each_get_their_own_frame(client):
    chinese = client.get("/").content.decode()
    client.cookies["huagang_elder"] = "1"
    elder = client.get("/").content.decode()
    client.cookies["django_language"] = "en"
    english_elder = client.get("/").content.decode()
    del client.cookies["huagang_elder"]
    english = client.get("/").content.decode()
    assert '<html lang="zh-hans">' in chinese and "<body>" in chinese
    assert '<html lang="zh-hans" class="elder">' in elder
    assert '<body class="elder">' in elder and 'aria-pressed="true"' in elder
    assert '<html lang="en" class="elder">' in english_elder
    assert '<html lang="en">' in english and ">Track a request</a>" in english
    assert '<option value="en" selected>' in english
    assert '<option value="zh-hans" selected>' in chinese
    assert ">Privacy notice</a>" in english and ">Privacy notice</a>" not in chinese


def test_the_sign_in_state_is_never_shared(resident, official):
    anonymous, signed_in, staff = Client(), Client(), Client()
    signed_in.force_login(resident)
    staff.force_login(official)
    for _round in range(2):
        html = anonymous.get("/").content.decode()
        assert 'href="/account/sign-in/"' in html and "sign-out-form" not in html
        assert len(_tokens(html)) == 2
        html = signed_in.get("/").content.decode()
        assert "sign-out-form" in html and 'href="/account/sign-in/"' not in html
        assert 'href="/admin/"' not in html and len(_tokens(html)) == 3
        assert 'href="/admin/"' in staff.get("/").content.decode()
    html = signed_in.get("/my/requests/").content.decode()
    assert re.search(r'<a href="/my/requests/" aria-current="page">', html)


def test_the_track_form_is_blank_or_prefilled_as_asked(client):
    blank = client.get("/track/").content.decode()
    assert (
        'name="number"' in blank
        and 'value="' not in blank.split('name="number"')[1][:80]
    )
    prefilled = client.get("/track/?number=HG260310000777").content.decode()
    assert 'value="HG260310000777"' in prefilled
    assert "HG260310000777" not in client.get("/track/").content.decode()
    wrong = client.post("/track/", {"number": "HG260310999999", "phone_last4": "1234"})
    assert wrong.status_code == 404 and 'role="alert"' in wrong.content.decode()
    again = client.get("/track/").content.decode()
    assert 'role="alert"' not in again and "HG260310999999" not in again
    assert _tokens(again) != _tokens(blank) and len(_tokens(again)) == 3


def test_a_frame_part_is_kept_per_language_and_named_value():
    template = Template(
        "{% load i18n chrome %}{% chrome mode %}{% translate 'Home' %} {{ mode }} {{ other }}{% endchrome %}"
    )
    with translation.override("en"):
        assert template.render(Context({"mode": 1, "other": "a"})) == "Home 1 a"
        # Not named: the first rendering is kept (why nothing per visitor goes inside).
        assert template.render(Context({"mode": 1, "other": "b"})) == "Home 1 a"
        assert template.render(Context({"mode": 2, "other": "b"})) == "Home 2 b"
    with translation.override("zh-hans"):
        assert template.render(Context({"mode": 1, "other": "c"})) == "首页 1 c"
    # A template parsed again (changed in development) starts with no copies.
    again = Template(template.source)
    with translation.override("en"):
        assert again.render(Context({"mode": 1, "other": "d"})) == "Home 1 d"


def test_a_block_inside_a_frame_part_is_refused():
    with pytest.raises(TemplateSyntaxError, match="block"):
        Template(
            "{% load chrome %}{% chrome %}{% block x %}{% endblock %}{% endchrome %}"
        )
