"""The life events' read-only endpoints answer through the requests' access rule."""

import uuid

import pytest
from rest_framework.test import APIClient

from huagang.privacy import NOTICE_VERSION
from services.actions import events as event_actions
from services.selectors.events import life_event_get, life_event_plan
from tests.factories import UserFactory
from villages.choices import Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def application(village):
    answers = {
        "pension": "yes",
        "disability-card": "yes",
        "cremated": "no",
        "dibao": "no",
    }
    plan = life_event_plan(event=life_event_get(code="after-death"), given=answers)
    return event_actions.life_event_submit(
        plan=plan,
        village=village,
        applicant_name="张桂英",
        applicant_phone="13955550123",
        applicant_id_number="11010519491231002X",
        consent_version=NOTICE_VERSION,
        submission_key=uuid.uuid4(),
    )


def test_the_events_are_public():
    answer = APIClient().get("/api/v1/life-events/")
    assert answer.status_code == 200
    codes = [event["code"] for event in answer.json()["results"]]
    assert codes == ["after-death", "disability", "newborn", "retirement"]
    death = answer.json()["results"][0]
    assert {"item": "HG-SB-017", "when": {"pension": ["yes"]}} in death["items"]


def test_applications_need_a_caller():
    assert APIClient().get("/api/v1/life-event-applications/").status_code == 401


def test_the_village_clerk_sees_the_application_and_its_requests(
    application, village_clerk, other_village_clerk
):
    client = APIClient()
    client.force_authenticate(village_clerk)
    found = client.get("/api/v1/life-event-applications/").json()["results"]
    assert [a["number"] for a in found] == [application.number]
    assert found[0]["total"] == 3 and len(found[0]["requests"]) == 3
    client.force_authenticate(other_village_clerk)
    assert client.get("/api/v1/life-event-applications/").json()["results"] == []
    one = client.get(f"/api/v1/life-event-applications/{application.number}/")
    assert one.status_code == 404


def test_a_resident_sees_only_their_own(application):
    stranger = UserFactory(role=Role.RESIDENT)
    client = APIClient()
    client.force_authenticate(stranger)
    assert client.get("/api/v1/life-event-applications/").json()["results"] == []
    applicant = UserFactory(role=Role.RESIDENT, phone="13955550123")
    applicant.phone_verified_at = applicant.date_joined
    applicant.save()
    client.force_authenticate(applicant)
    found = client.get(f"/api/v1/life-event-applications/{application.number}/")
    assert found.status_code == 200
    assert found.json()["event"] == "after-death"
