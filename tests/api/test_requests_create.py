"""POST /api/v1/requests/: a resident, another system's key or an anonymous applicant
applies; the same rules as the online form; all or nothing; Idempotency-Key."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient
from rest_framework.throttling import SimpleRateThrottle

from huagang.privacy import NOTICE_VERSION
from services.actions.submission import id_number_required
from services.models import (
    Attachment,
    Channel,
    RequestEvent,
    ServiceItem,
    ServiceRequest,
)
from tests.files import pdf_bytes

from .requests_support import ID_NUMBER, LIST

pytest_plugins = ["tests.api.requests_fixtures"]

pytestmark = pytest.mark.django_db

HUAGANG, FENFANG = "340123106001", "340123106202"


@pytest.fixture
def agency(items):
    return items["agency"]


def body(item: ServiceItem, /, **changes) -> dict:
    values = {
        "item": item.code,
        "village": HUAGANG,
        "mode": "agency",
        "applicant_name": "王秀兰",
        "applicant_phone": "139 5555 0188",
        "applicant_id_number": ID_NUMBER,
        "applicant_address": "花岗社区3组",
        "description": "更换残疾人证",
        "consent": True,
        "privacy_notice_version": NOTICE_VERSION,
    }
    values.update(changes)
    return {name: value for name, value in values.items() if value is not None}


def test_a_resident_applies_and_is_told_where_the_request_lives(
    as_role, agency, people
):
    response = as_role("owner").post(LIST, body(agency), format="json")
    assert response.status_code == 201, response.json()
    created = ServiceRequest.objects.get()
    assert response["Location"].endswith(f"/api/v1/requests/{created.tracking_number}/")
    data = response.json()
    assert data["tracking_number"] == created.tracking_number
    assert data["status"] == "submitted"
    assert data["applicant"]["name"] == "王秀兰"
    assert data["applicant"]["phone"] == "139****0188"
    assert data["next_steps"] == [
        {"step": "withdraw", "label": "撤回", "to_status": "withdrawn"}
    ]
    assert created.account == people["owner"]
    assert created.channel == Channel.ONLINE
    assert created.applicant_phone == "13955550188"
    assert created.privacy_notice_version == NOTICE_VERSION
    assert created.consent_at is not None
    assert RequestEvent.objects.filter(request=created).count() == 1


def test_an_anonymous_applicant_applies_and_sees_it_masked(as_role, agency):
    response = as_role("anon").post(LIST, body(agency), format="json")
    assert response.status_code == 201
    created = ServiceRequest.objects.get()
    assert created.account is None and created.entered_by is None
    data = response.json()
    assert data["applicant"]["name"] == "王**"
    assert data["applicant"]["address"] is None and data["description"] is None
    # The follow-up is the lookup: the address itself answers 401 to anonymous.
    assert as_role("anon").get(response["Location"]).status_code == 401


def test_a_key_acting_as_a_clerk_enters_through_the_api_channel(
    as_role, agency, people
):
    response = as_role("key_clerk").post(LIST, body(agency), format="json")
    assert response.status_code == 201, response.json()
    created = ServiceRequest.objects.get()
    assert created.channel == Channel.API
    assert created.entered_by == people["clerk_a"] and created.account is None
    data = response.json()
    assert data["applicant"]["name"] == "王秀兰"  # the clerk serves it
    assert {step["step"] for step in data["next_steps"]} >= {"accept", "reject"}


def test_a_key_asks_the_same_of_the_applicant_as_the_form(as_role, agency):
    response = as_role("key_clerk").post(
        LIST, body(agency, consent=False), format="json"
    )
    assert response.status_code == 400
    assert "consent" in response.json()["errors"]
    assert not ServiceRequest.objects.exists()


def test_a_key_of_another_village_cannot_enter_for_this_one(as_role, agency, people):
    from villages.actions import api_token_create

    _token, key = api_token_create(name="x", account=people["clerk_b"], by=None)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    response = client.post(LIST, body(agency), format="json")
    assert response.status_code == 400
    assert "village" in response.json()["errors"]
    assert not ServiceRequest.objects.exists()


def test_a_revoked_key_is_refused(as_role, agency, people):
    from villages.actions import api_token_create, api_token_revoke

    token, key = api_token_create(name="x", account=people["clerk_a"], by=None)
    api_token_revoke(token=token)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    response = client.post(LIST, body(agency), format="json")
    assert response.status_code == 401
    assert response.json()["code"] == "authentication_failed"
    assert not ServiceRequest.objects.exists()


# --- materials ------------------------------------------------------------------------


def _material(item: ServiceItem):
    return item.materials.order_by("order").first()


def test_materials_come_as_files_keyed_by_material(as_role, agency):
    material = _material(agency)
    data = body(agency)
    data[f"material_{material.pk}"] = SimpleUploadedFile(
        "表.pdf", pdf_bytes(unique=True), content_type="application/pdf"
    )
    response = as_role("owner").post(LIST, data, format="multipart")
    assert response.status_code == 201, response.json()
    stored = Attachment.objects.get()
    assert stored.material == material
    assert stored.content_type == "application/pdf"


@pytest.mark.parametrize(
    ("field", "content", "problem"),
    [
        ("material_{id}", b"<html><script>x</script></html>", "material_{id}"),
        ("material_{id}", b"", "material_{id}"),
        ("material_999999", pdf_bytes(), "material_999999"),
        ("photo", pdf_bytes(), "photo"),
    ],
)
def test_a_bad_file_creates_nothing(field, content, problem, as_role, agency):
    material = _material(agency)
    data = body(agency)
    data[field.format(id=material.pk)] = SimpleUploadedFile("x.pdf", content)
    response = as_role("owner").post(LIST, data, format="multipart")
    assert response.status_code == 400
    assert problem.format(id=material.pk) in response.json()["errors"]
    assert not ServiceRequest.objects.exists()
    assert not Attachment.objects.exists()


def test_multipart_carries_the_visit_days_as_repeated_fields(as_role, items):
    home = items["home"]
    data = body(home, mode="home", visit_time="morning")
    data["visit_weekdays"] = ["2", "5"]
    response = as_role("owner").post(LIST, data, format="multipart")
    assert response.status_code == 201, response.json()
    assert ServiceRequest.objects.get().visit_weekdays == [2, 5]


# --- bad input on every field ---------------------------------------------------------


def _other_version() -> str:
    return "1999-01"


BAD = [
    ("item", {"item": "HG-NO-999"}),
    ("item", {"item": ""}),
    ("item", {"item": "x" * 21}),
    ("village", {"village": "340123199999"}),
    ("village", {"village": ""}),
    ("mode", {"mode": "teleport"}),
    ("mode", {"mode": "instant"}),  # HG-CJ-002 is agency or home only
    ("applicant_name", {"applicant_name": "   "}),
    ("applicant_name", {"applicant_name": "名" * 51}),
    ("applicant_phone", {"applicant_phone": "12345"}),
    ("applicant_phone", {"applicant_phone": "١٣٩٥٥٥٥٠١٨٨"}),
    ("applicant_id_number", {"applicant_id_number": "110105194912310021"}),
    ("applicant_id_number", {"applicant_id_number": ""}),  # the item asks for it
    ("applicant_address", {"applicant_address": "址" * 201}),
    ("description", {"description": "述" * 1001}),
    ("visit_weekdays", {"mode": "home", "visit_weekdays": [8], "visit_time": "any"}),
    ("visit_weekdays", {"mode": "home", "visit_weekdays": "Tuesday"}),
    ("visit_weekdays", {"mode": "home", "visit_time": "any"}),
    ("visit_time", {"mode": "home", "visit_weekdays": [2], "visit_time": "noon"}),
    ("visit_time", {"mode": "home", "visit_weekdays": [2]}),
    ("consent", {"consent": False}),
    ("consent", {"consent": "perhaps"}),
    ("consent", {"privacy_notice_version": _other_version()}),
    ("privacy_notice_version", {"privacy_notice_version": "v" * 21}),
]


@pytest.mark.parametrize(("field", "changes"), BAD)
@pytest.mark.parametrize("role", ["owner", "anon", "key_clerk"])
def test_bad_input_is_a_400_at_its_field_and_creates_nothing(
    field, changes, role, as_role, agency
):
    assert id_number_required(agency)
    response = as_role(role).post(LIST, body(agency, **changes), format="json")
    assert response.status_code == 400, response.json()
    data = response.json()
    assert data["code"] == "invalid_input"
    assert any(name.split(".")[0] == field for name in data["errors"]), data
    assert not ServiceRequest.objects.exists()


def test_missing_fields_are_each_named(as_role):
    response = as_role("owner").post(LIST, {}, format="json")
    assert response.status_code == 400
    assert set(response.json()["errors"]) >= {
        "item",
        "village",
        "mode",
        "applicant_name",
        "applicant_phone",
    }


def test_an_item_handled_only_in_person_is_refused(as_role):
    counter = ServiceItem.objects.filter(
        is_active=True, online=False, allows_agency=False, allows_home=False
    ).first()
    response = as_role("owner").post(LIST, body(counter, mode="instant"), format="json")
    assert response.status_code == 400
    assert "item" in response.json()["errors"]
    assert not ServiceRequest.objects.exists()


def test_malformed_json_and_other_media_types(as_role):
    client = as_role("owner")
    broken = client.post(LIST, "{not json", content_type="application/json")
    assert broken.status_code == 400
    assert broken.json()["code"] == "parse_error"
    form = client.post(LIST, "item=x", content_type="application/x-www-form-urlencoded")
    assert form.status_code == 415
    assert not ServiceRequest.objects.exists()


def test_anonymous_creation_is_throttled(as_role, agency, monkeypatch):
    monkeypatch.setitem(SimpleRateThrottle.THROTTLE_RATES, "anonymous_create", "2/h")
    client = as_role("anon")
    codes = [
        client.post(
            LIST, body(agency, description=f"第{n}件"), format="json"
        ).status_code
        for n in range(3)
    ]
    assert codes == [201, 201, 429]
    assert ServiceRequest.objects.count() == 2
    # A signed-in resident is not held to the anonymous limit.
    resident = as_role("owner").post(
        LIST, body(agency, description="再来"), format="json"
    )
    assert resident.status_code == 201


# --- the same create again --------------------------------------------------------------


def test_a_retry_with_the_same_key_returns_the_first_request(as_role, agency):
    client = as_role("owner")
    first = client.post(LIST, body(agency), format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    again = client.post(LIST, body(agency), format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert first.status_code == 201 and again.status_code == 200
    assert again.json() == first.json()
    assert ServiceRequest.objects.count() == 1


def test_a_retry_of_a_multipart_create_returns_the_first_request(as_role, agency):
    material = _material(agency)
    content = pdf_bytes(unique=True)

    def send():
        data = body(agency)
        data[f"material_{material.pk}"] = SimpleUploadedFile("a.pdf", content)
        return as_role("anon").post(
            LIST, data, format="multipart", HTTP_IDEMPOTENCY_KEY="upload-7"
        )

    assert send().status_code == 201
    assert send().status_code == 200
    assert ServiceRequest.objects.count() == 1 and Attachment.objects.count() == 1


@pytest.mark.parametrize(
    "changes",
    [
        {"description": "另一件事"},
        {"applicant_phone": "13955550199"},
        {"mode": "home", "visit_weekdays": [3], "visit_time": "any"},
        {"applicant_phone": "bad"},
    ],
)
def test_the_same_key_with_another_request_is_a_422(changes, as_role, agency):
    client = as_role("owner")
    client.post(LIST, body(agency), format="json", HTTP_IDEMPOTENCY_KEY="k-2")
    other = client.post(
        LIST, body(agency, **changes), format="json", HTTP_IDEMPOTENCY_KEY="k-2"
    )
    assert other.status_code == 422
    assert other.json()["code"] == "idempotency_key_reused"
    assert ServiceRequest.objects.count() == 1


def test_the_same_key_from_another_caller_is_another_key(as_role, agency):
    as_role("owner").post(LIST, body(agency), format="json", HTTP_IDEMPOTENCY_KEY="k")
    response = as_role("key_clerk").post(
        LIST, body(agency), format="json", HTTP_IDEMPOTENCY_KEY="k"
    )
    assert response.status_code == 201
    assert ServiceRequest.objects.count() == 2


@pytest.mark.parametrize("key", ["", "x" * 201, "键"])
def test_a_bad_idempotency_key_is_a_400(key, as_role, agency):
    response = as_role("owner").post(
        LIST,
        body(agency),
        format="json",
        HTTP_IDEMPOTENCY_KEY=key.encode().decode("latin-1"),
    )
    assert response.status_code == 400
    assert "Idempotency-Key" in response.json()["errors"]
    assert not ServiceRequest.objects.exists()


def test_the_same_request_sent_again_soon_is_the_first_one(as_role, agency):
    """Without a key, the action's own rule: the same person's identical request
    of the last minutes is returned (200), not doubled."""
    client = as_role("owner")
    first = client.post(LIST, body(agency), format="json")
    again = client.post(LIST, body(agency), format="json")
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["tracking_number"] == first.json()["tracking_number"]
    assert "Location" not in again


def test_the_same_request_sent_again_anonymously_is_refused_naming_nothing(
    as_role, agency
):
    """Without an account, nothing shows whose the first request is: a 409 that
    says it was sent (the applicant has its number by text message)."""
    first = as_role("anon").post(LIST, body(agency), format="json")
    again = as_role("anon").post(LIST, body(agency), format="json")
    assert (first.status_code, again.status_code) == (201, 409)
    assert again.json()["code"] == "already_submitted"
    assert first.json()["tracking_number"] not in again.content.decode()
    assert ServiceRequest.objects.count() == 1


def test_a_different_village_is_another_request(as_role, agency):
    client = as_role("owner")
    client.post(LIST, body(agency), format="json")
    other = client.post(LIST, body(agency, village=FENFANG), format="json")
    assert other.status_code == 201
    assert ServiceRequest.objects.count() == 2


def test_options_describe_the_create(as_role):
    response = as_role("official").options(LIST)
    assert response.status_code == 200
    assert "applicant_phone" in response.json()["actions"]["POST"]
