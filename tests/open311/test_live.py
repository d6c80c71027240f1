"""Open311 on a live server, driven by the ``georeport`` client from PyPI (reads) and by
``requests`` (POST, discovery): every answer is checked against the JSON Schemas
written for the specification (``spec.checked``), in JSON and in XML."""

import types

import georeport.georeport
import pytest
import requests
from georeport import GeoReport

from services.models import Channel, ServiceItem, ServiceRequest
from villages.models import Village

from .conftest import OPEN311, assert_nothing_personal, post_values
from .spec import checked

pytestmark = pytest.mark.django_db(transaction=True)

FORMATS = ["json", "xml"]


@pytest.fixture
def answers(monkeypatch):
    """Every raw answer the georeport client receives, in order."""
    seen: list[requests.Response] = []

    def get(url, **kwargs):
        response = requests.get(url, timeout=30, **kwargs)
        seen.append(response)
        return response

    monkeypatch.setattr(georeport.georeport, "requests", types.SimpleNamespace(get=get))
    return seen


@pytest.fixture
def root(live_server) -> str:
    return live_server.url + OPEN311


@pytest.mark.parametrize("fmt", FORMATS)
def test_discovery_names_this_endpoint_and_both_formats(root, fmt):
    data = checked(
        requests.get(f"{root}/discovery.{fmt}", timeout=30), "discovery", fmt
    )
    (endpoint,) = data["endpoints"]
    assert endpoint["url"] == root
    assert endpoint["formats"] == ["text/xml", "application/json"]


@pytest.mark.parametrize("fmt", FORMATS)
def test_the_client_lists_every_published_item_as_a_service(root, answers, fmt):
    services = GeoReport(root, output_format=fmt).get_service_list()
    data = checked(answers[-1], "services", fmt)
    # Every published item a request can be made for: not those handled only in
    # person at the police station or a school (they have no mode of the town's).
    published = ServiceItem.objects.filter(is_active=True).exclude(
        allows_instant=False, allows_agency=False, allows_home=False
    )
    assert [s["service_code"] for s in data] == list(
        published.order_by("category__order", "code").values_list("code", flat=True)
    )
    in_person = ServiceItem.objects.filter(is_active=True, in_person=True)
    assert (
        len(services) == len(data) == 123 - in_person.exclude(allows_home=True).count()
    )
    first = published.select_related("category").get(code=data[0]["service_code"])
    assert data[0]["service_name"] == first.name
    assert data[0]["group"] == first.category.name
    assert data[0]["keywords"] == ", ".join(first.keywords.split())
    # the client's own parsing reads the same services
    assert [s["service_code"] for s in services] == [s["service_code"] for s in data]


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_service_definition_lists_the_modes_the_villages_and_the_consent(
    root, answers, items, fmt
):
    item = items["home"]
    definition = GeoReport(root, output_format=fmt).get_service_definition(item.code)
    data = checked(answers[-1], "service_definition", fmt)
    assert data["service_code"] == item.code
    attributes = {a["code"]: a for a in data["attributes"]}
    assert [a["order"] for a in data["attributes"]] == list(
        range(1, len(attributes) + 1)
    )
    assert [v["key"] for v in attributes["mode"]["values"]] == [
        m.value for m in item.modes
    ]
    assert attributes["mode"]["required"] is True
    assert [v["key"] for v in attributes["village"]["values"]] == list(
        Village.objects.order_by("order", "code").values_list("code", flat=True)
    )
    assert len(attributes["village"]["values"]) == 30
    assert attributes["consent"]["required"] is True
    assert {"visit_days", "visit_time", "id_number"} <= attributes.keys()
    assert definition["service_code"] == item.code


@pytest.mark.parametrize("fmt", FORMATS)
def test_the_client_lists_and_gets_requests_with_nothing_personal(
    root, answers, made, fmt
):
    client = GeoReport(root, output_format=fmt)
    listed = client.get_service_requests()
    data = checked(answers[-1], "requests", fmt)
    newest_first = sorted(made.values(), key=lambda r: (r.submitted_at, r.pk))[::-1]
    assert [r["service_request_id"] for r in data] == [str(r.pk) for r in newest_first]
    assert len(listed) == 4
    by_id = {r["service_request_id"]: r for r in data}
    assert by_id[str(made["waiting"].pk)]["status"] == "open"
    assert by_id[str(made["done"].pk)]["status"] == "closed"
    assert by_id[str(made["refused"].pk)]["status"] == "closed"

    closed = client.get_service_requests(status="closed")
    assert {r["service_request_id"] for r in checked(answers[-1], "requests", fmt)} == {
        str(made["done"].pk),
        str(made["refused"].pk),
    }
    assert len(closed) == 2

    one = client.get_service_request(str(made["accepted"].pk))
    (single,) = checked(answers[-1], "requests", fmt)
    assert single == by_id[str(made["accepted"].pk)]
    assert one["service_request_id"] == str(made["accepted"].pk)
    numbers = [r.tracking_number for r in made.values()]
    for answer in answers:
        assert_nothing_personal(answer.content, *numbers)


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_post_with_a_valid_key_creates_a_request_the_client_then_reads(
    root, answers, items, village, system_key, town_clerk, fmt
):
    values = post_values(items["agency"], village.code, api_key=system_key)
    response = requests.post(f"{root}/requests.{fmt}", data=values, timeout=30)
    assert response.status_code == 201
    (created,) = checked(response, "created", fmt)
    made = ServiceRequest.objects.get(pk=int(created["service_request_id"]))
    assert made.tracking_number in created["service_notice"]
    assert created["account_id"] is None
    assert (made.channel, made.entered_by, made.village) == (
        Channel.API,
        town_clerk,
        village,
    )
    assert (made.applicant_name, made.applicant_phone) == ("张清", "13800001111")
    assert made.consent_at is not None

    GeoReport(root, output_format=fmt).get_service_request(str(made.pk))
    (read,) = checked(answers[-1], "requests", fmt)
    assert (read["service_code"], read["status"]) == (items["agency"].code, "open")
    assert read["address"] == village.name
    assert_nothing_personal(answers[-1].content, made.tracking_number)


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("key", [None, "", "hg_not-a-key-of-ours"])
def test_a_post_without_a_valid_key_is_refused_403_and_creates_nothing(
    root, items, village, key, fmt
):
    values = post_values(items["agency"], village.code, api_key=key)
    response = requests.post(f"{root}/requests.{fmt}", data=values, timeout=30)
    assert response.status_code == 403
    (error,) = checked(response, "errors", fmt)
    assert error["code"] == 403
    assert "api_key" in error["description"]
    assert not ServiceRequest.objects.exists()
