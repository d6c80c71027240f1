"""GET /api/v1/requests/<n>/: one request as the caller may see it; 404 for staff
and residents who may not, 401 for anonymous callers; personal data masked."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from services import actions
from services.api.serializers.requests import RequestDetailOut, RequestRowOut

from .requests_support import ID_NUMBER, LIST, PHONE, ROLES, url

pytest_plugins = ["tests.api.requests_fixtures"]

pytestmark = pytest.mark.django_db

EXPECTED = {
    "anon": 401,
    "owner": 200,
    "other_resident": 404,
    "clerk_a": 200,
    "clerk_b": 404,
    "town_x": 200,
    "town_y": 404,
    "official": 200,
    "key_clerk": 200,
}
# Steps each role may take on a submitted 定时代办 request (access.next_steps).
STEPS = {
    "owner": ["withdraw"],
    "clerk_a": ["accept", "reject", "withdraw"],
    "town_x": [],
    "official": ["accept", "reject", "withdraw"],
    "key_clerk": ["accept", "reject", "withdraw"],
}


@pytest.mark.parametrize("role", ROLES)
def test_each_role_sees_the_request_or_not(role, as_role, submit):
    case = submit("agency")
    response = as_role(role).get(url(case))
    assert response.status_code == EXPECTED[role]
    if response.status_code != 200:
        assert case.tracking_number not in response.content.decode()
        return
    data = response.json()
    assert data["tracking_number"] == case.tracking_number
    assert [step["step"] for step in data["next_steps"]] == STEPS[role]
    assert data["applicant"]["name"] == "张桂英"
    assert data["description"] == case.description


@pytest.mark.parametrize("role", [r for r, code in EXPECTED.items() if code == 200])
def test_whole_phone_and_id_numbers_are_never_shown(role, as_role, submit):
    case = submit("agency", applicant_address="花岗社区5组")
    response = as_role(role).get(url(case))
    text = response.content.decode()
    assert PHONE not in text and ID_NUMBER not in text
    applicant = response.json()["applicant"]
    assert applicant == {
        "name": "张桂英",
        "phone": "139****0123",
        "id_number": "110***********002X",
        "address": "花岗社区5组",
    }


def test_an_unknown_number_is_the_same_404_as_an_invisible_one(as_role, submit):
    case = submit("agency")
    client = as_role("clerk_b")
    invisible = client.get(url(case))
    unknown = client.get(f"{LIST}HG260310999999/")
    assert invisible.status_code == unknown.status_code == 404
    assert invisible.json() == unknown.json()
    assert as_role("anon").get(f"{LIST}HG260310999999/").status_code == 401


@pytest.mark.parametrize("tail", ["", "timeline/", "rating/"])
@pytest.mark.parametrize("number", ["HG123", "hg260310000001", "%C2%84", "lookup2"])
def test_a_malformed_number_is_a_json_404_before_any_query(number, tail, as_role):
    client = as_role("official")
    with CaptureQueriesContext(connection) as queries:
        response = client.get(f"{LIST}{number}/{tail}")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    assert not [q for q in queries if "servicerequest" in q["sql"]]


def test_the_detail_tells_the_time_limit_and_result(
    as_role, submit, village_clerk, commit
):
    case = submit("instant")
    with commit():
        actions.service_request_accept(service_request=case, by=village_clerk)
    data = as_role("owner").get(url(case)).json()
    assert data["status"] == "accepted"
    assert data["due_date"] is not None
    assert data["due_flag"] in ("due_soon", "on_time")
    assert data["accepted_at"] is not None and data["result"] is None
    with commit():
        actions.service_request_complete(
            service_request=case, by=village_clerk, result="已办结，证件已发放"
        )
    data = as_role("owner").get(url(case)).json()
    assert data["status"] == "completed" and data["status_display"] == "已办结"
    assert data["result"] == "已办结，证件已发放"
    assert data["due_flag"] is None and data["completed_at"] is not None
    assert data["version"] == 3


def test_one_request_costs_a_few_queries(as_role, submit):
    case = submit("agency")
    client = as_role("official")
    client.get(url(case))
    with CaptureQueriesContext(connection) as queries:
        client.get(url(case))
    assert len(queries) <= 3  # the session, its user, the request


# --- the schema's serializers describe what the functions answer ----------------------


def _fields(serializer) -> set[str]:
    return set(serializer.fields)


def test_the_schema_describes_the_row_and_the_detail(as_role, submit):
    case = submit("home")
    row = as_role("official").get(LIST).json()["results"][0]
    detail = as_role("official").get(url(case)).json()
    for data, serializer in ((row, RequestRowOut()), (detail, RequestDetailOut())):
        assert set(data) == _fields(serializer)
        for name, field in serializer.fields.items():
            if data[name] is None:
                assert field.allow_null, name
            if hasattr(field, "fields"):
                assert set(data[name]) == set(field.fields), name
