"""POST /api/v1/requests/ takes JSON's types as they are: no number for a name, no
"yes" for consent, no NUL in a key, no control character in a text; a material is a
file; a mode the item does not have asks for nothing more."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from services.models import ServiceItem, ServiceRequest
from tests.files import pdf_bytes

from .requests_support import LIST
from .test_requests_create import body

pytest_plugins = ["tests.api.requests_fixtures"]

pytestmark = pytest.mark.django_db


@pytest.fixture
def agency(items):
    return items["agency"]


@pytest.mark.parametrize(
    "field, value",
    [
        ("applicant_name", 123),
        ("applicant_name", 1.5),
        ("applicant_name", True),
        ("applicant_name", ["王五"]),
        ("description", {"a": "b"}),
        ("applicant_phone", 13955550188),
        ("consent", "yes"),
        ("consent", "true"),
        ("consent", 1),
    ],
)
def test_a_value_of_the_wrong_json_type_is_refused(as_role, agency, field, value):
    response = as_role("owner").post(
        LIST, body(agency, **{field: value}), format="json"
    )
    assert response.status_code == 400, response.json()
    assert field in response.json()["errors"]
    assert not ServiceRequest.objects.exists()


@pytest.mark.parametrize("consent", ["true", "1"])
def test_a_form_says_true_as_a_form_can(as_role, agency, consent):
    response = as_role("owner").post(
        LIST, body(agency, consent=consent), format="multipart"
    )
    assert response.status_code == 201, response.json()


def test_a_form_cannot_say_yes(as_role, agency):
    response = as_role("owner").post(
        LIST, body(agency, consent="yes"), format="multipart"
    )
    assert response.status_code == 400
    assert "consent" in response.json()["errors"]


@pytest.mark.parametrize(
    "extra", [{"a\u0000b": "x"}, {"unknown": "a\u0000b"}, {"unknown": ["\u0000"]}]
)
def test_a_nul_anywhere_in_the_json_is_refused(as_role, agency, extra):
    response = as_role("owner").post(LIST, {**body(agency), **extra}, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_input"
    assert not ServiceRequest.objects.exists()


@pytest.mark.parametrize(
    "field, value",
    [
        ("applicant_name", "王\x01五"),
        ("applicant_name", "王\n五"),
        ("applicant_address", "花岗\x85社区"),
        ("description", "更换\x1b残疾人证"),
    ],
)
def test_control_characters_are_refused(as_role, agency, field, value):
    response = as_role("owner").post(
        LIST, body(agency, **{field: value}), format="json"
    )
    assert response.status_code == 400
    assert response.json()["errors"][field] == [
        "请删除文本中的控制字符（不可见字符）。"
    ]
    assert not ServiceRequest.objects.exists()


def test_a_description_keeps_its_lines_and_tabs(as_role, agency):
    text = "第一行\r\n第二行\t完"
    response = as_role("owner").post(
        LIST, body(agency, description=text), format="json"
    )
    assert response.status_code == 201
    assert ServiceRequest.objects.get().description == text


def test_text_under_a_materials_name_is_refused(as_role, agency):
    material = agency.materials.first()
    data = body(agency)
    data[f"material_{material.pk}"] = "scan.pdf"
    response = as_role("owner").post(LIST, data, format="multipart")
    assert response.status_code == 400
    assert f"material_{material.pk}" in response.json()["errors"]
    assert not ServiceRequest.objects.exists()


def test_a_file_under_a_materials_name_is_kept(as_role, agency):
    material = agency.materials.first()
    data = body(agency)
    data[f"material_{material.pk}"] = SimpleUploadedFile("a.pdf", pdf_bytes())
    response = as_role("owner").post(LIST, data, format="multipart")
    assert response.status_code == 201, response.json()


def test_a_mode_the_item_lacks_asks_for_no_visit_details(as_role, items):
    instant_only = items["instant"]
    ServiceItem.objects.filter(pk=instant_only.pk).update(
        allows_instant=True, allows_agency=False, allows_home=False, online=True
    )
    data = body(instant_only, mode="home")
    response = as_role("owner").post(LIST, data, format="json")
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert "mode" in errors
    assert "visit_weekdays" not in errors and "visit_time" not in errors
