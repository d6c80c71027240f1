"""Discovery, the service list and service definitions: what they say, their cost in
queries, and XML that stays well formed whatever an item's name holds."""

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.throttling import AnonRateThrottle

from huagang.privacy import NOTICE_VERSION
from services.actions.submission import id_number_required
from services.guide import accepts_online_application
from services.models import ServiceItem

from .conftest import OPEN311
from .helpers import get

pytestmark = pytest.mark.django_db


def _queries(client, path: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(f"{OPEN311}/{path}").status_code == 200
    return len(captured)


def test_discovery_dates_its_changeset_by_the_catalogs_last_change(client):
    before = get(client, "discovery.json", "discovery")
    item = ServiceItem.objects.order_by("code").first()
    ServiceItem.objects.filter(pk=item.pk).update(
        updated_at="2099-01-02T03:04:05+08:00"
    )
    after = get(client, "discovery.xml", "discovery")
    assert after["changeset"] == "2099-01-02T03:04:05+08:00" > before["changeset"]
    assert after["endpoints"][0]["changeset"] == after["changeset"]


def test_every_service_says_who_handles_it_how_and_how_long(client):
    services = {s["service_code"]: s for s in get(client, "services.json", "services")}
    items = (
        ServiceItem.objects.filter(is_active=True)
        .exclude(allows_instant=False, allows_agency=False, allows_home=False)
        .select_related("body")
    )
    assert services.keys() == {item.code for item in items}
    for item in items:
        shown = services[item.code]
        assert (shown["metadata"], shown["type"]) == (True, "realtime")
        assert shown["description"].startswith(f"由{item.body.name}办理。")
        assert ("不能通过其他系统申请" in shown["description"]) == (
            not accepts_online_application(item)
        )


def test_an_unpublished_item_is_not_a_service(client, items):
    hidden = items["agency"]
    ServiceItem.objects.filter(pk=hidden.pk).update(is_active=False)
    codes = [s["service_code"] for s in get(client, "services.xml", "services")]
    assert hidden.code not in codes
    get(client, f"services/{hidden.code}.json", "service_definition", expect=404)


def test_an_item_handled_in_person_elsewhere_is_not_a_service(client):
    # 大中专院校毕业在就创业地落户: in person at the police station, no mode of the
    # town's, so no request can be made for it.
    codes = [s["service_code"] for s in get(client, "services.xml", "services")]
    assert "HG-HJ-007" not in codes and "HG-HJ-001" in codes
    get(client, "services/HG-HJ-007.json", "service_definition", expect=404)


def test_the_id_number_is_required_where_the_item_asks_for_the_id_card(client):
    requestable = ServiceItem.objects.exclude(
        allows_instant=False, allows_agency=False, allows_home=False
    )
    for item in requestable.prefetch_related("materials"):
        cache.clear()  # 123 definitions are more than an anonymous minute's allowance
        definition = get(client, f"services/{item.code}.json", "service_definition")
        attributes = {a["code"]: a for a in definition["attributes"]}
        assert attributes["id_number"]["required"] == id_number_required(item)
        assert ("visit_days" in attributes) == item.allows_home
        assert attributes["consent"]["values"] == [
            {"key": NOTICE_VERSION, "name": f"已同意隐私告知 {NOTICE_VERSION} 版"}
        ]


def test_the_list_is_one_query_and_a_definition_three(client, items):
    assert _queries(client, "services.json") == 1
    assert _queries(client, "services.xml") == 1
    assert _queries(client, f"services/{items['home'].code}.xml") == 3


def test_xml_escapes_markup_and_drops_what_xml_cannot_hold(client, items):
    item = items["agency"]
    ServiceItem.objects.filter(pk=item.pk).update(
        name='低保 <b>&amp; "申请"</b>\x01', keywords="a&b <c>"
    )
    response = client.get(f"{OPEN311}/services.xml")
    assert b"<b>" not in response.content
    from .spec import checked

    services = {s["service_code"]: s for s in checked(response, "services", "xml")}
    assert services[item.code]["service_name"] == '低保 <b>&amp; "申请"</b>'
    assert services[item.code]["keywords"] == "a&b, <c>"
    as_json = get(client, "services.json", "services")
    assert (
        '"申请"</b>\x01'
        in {s["service_code"]: s for s in as_json}[item.code]["service_name"]
    )


def test_english_on_request(client, items):
    definition = get(
        client,
        f"services/{items['agency'].code}.json",
        "service_definition",
        language="en",
    )
    assert definition["attributes"][0]["description"].startswith("How the request")


def test_too_many_calls_are_429_in_the_specifications_form(client):
    rate = settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]["anon"]
    allowed, _seconds = AnonRateThrottle().parse_rate(rate)
    for _n in range(allowed):
        assert client.get(f"{OPEN311}/services.json").status_code == 200
    errors = get(client, "services.xml", "services", expect=429)
    assert errors[0]["code"] == 429
    assert int(client.get(f"{OPEN311}/services.json")["Retry-After"]) > 0
