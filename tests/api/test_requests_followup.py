"""A request's timeline, its rating and the supplement upload, through the API, for
every role: the same actions and the same rule as the resident's pages."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from services import actions
from services.models import Attachment, FollowUp, Rating, RequestEvent
from tests.files import image_bytes, pdf_bytes

from .requests_support import ROLES, url

pytest_plugins = ["tests.api.requests_fixtures"]

pytestmark = pytest.mark.django_db

SEES = {
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
STAFF = {"clerk_a", "town_x", "official", "key_clerk"}


@pytest.fixture
def noted(submit, village_clerk, commit):
    """An accepted request with an internal note and a public one."""
    case = submit("agency")
    with commit():
        actions.service_request_accept(service_request=case, by=village_clerk)
        actions.service_request_add_note(
            service_request=case, by=village_clerk, note="电话核实：内部备注"
        )
        actions.service_request_add_note(
            service_request=case, by=village_clerk, note="请带原件", public=True
        )
    return case


# --- the timeline -----------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_the_timeline_shows_staff_everything_and_the_applicant_the_public(
    role, as_role, noted
):
    response = as_role(role).get(url(noted, "timeline/"))
    assert response.status_code == SEES[role]
    if response.status_code != 200:
        return
    events = response.json()["results"]
    notes = [event["note"] for event in events]
    if role in STAFF:
        assert "电话核实：内部备注" in notes
        assert any(event["actor"] == "村代办员" for event in events)
    else:
        assert "电话核实：内部备注" not in response.content.decode()
        assert all(event["actor"] is None for event in events)
    assert "请带原件" in notes
    assert [event["to_status"] for event in events][:2] == ["submitted", "accepted"]


def test_the_timeline_pages_oldest_first(as_role, noted):
    client = as_role("official")
    first = client.get(url(noted, "timeline/?page_size=2")).json()
    rest = client.get(first["next"]).json()
    ids = [e["id"] for e in first["results"]] + [e["id"] for e in rest["results"]]
    assert ids == list(
        RequestEvent.objects.filter(request=noted)
        .order_by("created_at", "pk")
        .values_list("pk", flat=True)
    )
    newest = client.get(url(noted, "timeline/?ordering=-created_at")).json()
    assert [e["id"] for e in newest["results"]] == ids[::-1]


def test_a_long_timeline_costs_no_more_queries(as_role, noted, village_clerk):
    client = as_role("clerk_a")
    client.get(url(noted, "timeline/"))
    with CaptureQueriesContext(connection) as few:
        client.get(url(noted, "timeline/"))
    for index in range(15):
        actions.service_request_add_note(
            service_request=noted, by=village_clerk, note=f"第{index}条"
        )
    with CaptureQueriesContext(connection) as many:
        assert len(client.get(url(noted, "timeline/")).json()["results"]) == 19
    assert len(few) == len(many)


def test_a_bad_timeline_parameter_is_a_400(as_role, noted):
    response = as_role("official").get(url(noted, "timeline/?ordering=kind"))
    assert response.status_code == 400
    assert "ordering" in response.json()["errors"]


# --- the rating -------------------------------------------------------------------------


@pytest.fixture
def completed(submit, village_clerk, commit):
    case = submit("instant")
    with commit():
        actions.service_request_complete(
            service_request=case, by=village_clerk, result="当场办结"
        )
    return case


@pytest.mark.parametrize("role", ROLES)
def test_who_may_read_the_rating(role, as_role, completed):
    response = as_role(role).get(url(completed, "rating/"))
    assert response.status_code == SEES[role]
    if response.status_code == 200:
        assert response.json() == {"may_rate": role == "owner", "rating": None}


# Who reads the resident's words (a rating's comment): the applicant, and who
# handles a poor rating's follow-up (the village's); the workbench shows them only on
# the follow-up's page, which a town-center clerk cannot open.
WORDS = {"owner", "clerk_a", "official", "key_clerk"}


@pytest.mark.parametrize("role", [role for role in ROLES if SEES[role] == 200])
@pytest.mark.parametrize("level", [1, 4])
def test_the_residents_words_go_to_who_handles_their_follow_up(
    role, level, as_role, completed, people
):
    actions.rating_submit(
        service_request=completed, by=people["owner"], level=level, comment="态度差"
    )
    rating = as_role(role).get(url(completed, "rating/")).json()["rating"]
    assert rating["level"] == level
    poor = level < 3
    assert (rating["follow_up"] is not None) == poor
    shown = role == "owner" or (poor and role in WORDS)
    assert rating["comment"] == ("态度差" if shown else None)


RATES = {
    "anon": 401,
    "owner": 201,
    "other_resident": 404,
    "clerk_a": 403,
    "clerk_b": 404,
    "town_x": 403,
    "town_y": 404,
    "official": 403,
    "key_clerk": 403,
}


@pytest.mark.parametrize("role", ROLES)
def test_only_the_applicant_rates(role, as_role, completed):
    response = as_role(role).post(
        url(completed, "rating/"), {"level": 4, "comment": "很快"}, format="json"
    )
    assert response.status_code == RATES[role]
    assert Rating.objects.count() == (1 if role == "owner" else 0)
    if role == "owner":
        rating = response.json()["rating"]
        assert rating["level"] == 4 and rating["comment"] == "很快"
        assert rating["follow_up"] is None
        assert response.json()["may_rate"] is False


def test_a_poor_rating_shows_its_follow_up(as_role, completed):
    response = as_role("owner").post(
        url(completed, "rating/"), {"level": 1}, format="json"
    )
    assert response.status_code == 201
    follow_up = response.json()["rating"]["follow_up"]
    assert follow_up["stage"] == "open" and follow_up["answer"] is None
    assert FollowUp.objects.count() == 1


def test_rating_twice_or_too_early_is_a_409(as_role, completed, submit):
    client = as_role("owner")
    client.post(url(completed, "rating/"), {"level": 5}, format="json")
    again = client.post(url(completed, "rating/"), {"level": 1}, format="json")
    assert again.status_code == 409 and again.json()["code"] == "conflict"
    open_case = submit("agency")
    early = client.post(url(open_case, "rating/"), {"level": 5}, format="json")
    assert early.status_code == 409
    assert early.json()["code"] == "invalid_transition"
    assert Rating.objects.count() == 1


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({}, "level"),
        ({"level": 6}, "level"),
        ({"level": "good"}, "level"),
        ({"level": 3, "comment": "长" * 501}, "comment"),
    ],
)
def test_a_bad_rating_is_a_400(data, field, as_role, completed):
    response = as_role("owner").post(url(completed, "rating/"), data, format="json")
    assert response.status_code == 400
    assert field in response.json()["errors"]
    assert not Rating.objects.exists()


# --- the supplement ---------------------------------------------------------------------


@pytest.fixture
def asked(submit, village_clerk, commit):
    case = submit("agency")
    with commit():
        actions.service_request_accept(service_request=case, by=village_clerk)
        actions.service_request_ask_supplement(
            service_request=case, by=village_clerk, what="请补充户口簿"
        )
    return case


def _files(case, **more):
    material = case.item.materials.order_by("order").first()
    files = {
        f"material_{material.pk}": SimpleUploadedFile(
            "户口簿.pdf", pdf_bytes(unique=True)
        )
    }
    files.update(more)
    return files


UPLOADS = {
    "anon": 401,
    "owner": 201,
    "other_resident": 404,
    "clerk_a": 201,  # staff may add materials (access.may_upload_supplement)
    "clerk_b": 404,
    "town_x": 201,
    "town_y": 404,
    "official": 201,
    "key_clerk": 201,
}


@pytest.mark.parametrize("role", ROLES)
def test_the_asked_supplement_is_uploaded(role, as_role, asked):
    response = as_role(role).post(
        url(asked, "materials/"), _files(asked), format="multipart"
    )
    assert response.status_code == UPLOADS[role]
    assert Attachment.objects.count() == (1 if response.status_code == 201 else 0)
    if response.status_code == 201:
        (stored,) = response.json()
        assert stored["content_type"] == "application/pdf"
        assert stored["name"] == "户口簿.pdf"


def test_the_applicants_upload_is_on_their_timeline(as_role, asked):
    client = as_role("owner")
    other = SimpleUploadedFile("photo.png", image_bytes())
    client.post(
        url(asked, "materials/"), _files(asked, other=other), format="multipart"
    )
    events = client.get(url(asked, "timeline/")).json()["results"]
    assert events[-1]["kind"] == "attachment" and events[-1]["is_public"]
    assert Attachment.objects.filter(material__isnull=True).count() == 1


def test_no_upload_unless_a_supplement_is_asked(as_role, submit):
    case = submit("agency")
    response = as_role("owner").post(
        url(case, "materials/"), _files(case), format="multipart"
    )
    assert response.status_code == 409
    assert response.json()["code"] == "invalid_transition"
    assert not Attachment.objects.exists()


@pytest.mark.parametrize(
    ("files", "field"),
    [
        ({"other": SimpleUploadedFile("x.pdf", b"%PDF-1.4 broken")}, "other"),
        ({"passport": SimpleUploadedFile("x.pdf", pdf_bytes())}, "passport"),
        (
            {"material_999999": SimpleUploadedFile("x.pdf", pdf_bytes())},
            "material_999999",
        ),
        ({}, "__all__"),
    ],
)
def test_a_bad_upload_keeps_nothing(files, field, as_role, asked):
    data = {**_files(asked), **files} if files else {}
    response = as_role("owner").post(url(asked, "materials/"), data, format="multipart")
    assert response.status_code == 400
    assert field in response.json()["errors"]
    assert not Attachment.objects.exists()


def test_the_upload_takes_files_not_json(as_role, asked):
    response = as_role("owner").post(url(asked, "materials/"), {}, format="json")
    assert response.status_code == 415
