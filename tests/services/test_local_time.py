"""Times people read are Beijing time (Asia/Shanghai), not UTC."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from services.actions import home_visit_schedule, service_request_accept

pytestmark = pytest.mark.django_db


@pytest.fixture
def nine_oclock_visit(submit, village_clerk):
    request = submit("home")
    service_request_accept(service_request=request, by=village_clerk)
    start = dt.datetime(2026, 3, 11, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
    return home_visit_schedule(
        service_request=request,
        by=village_clerk,
        staff=village_clerk,
        # as a form or an API would pass it: the same moment, in UTC (01:00)
        starts_at=start.astimezone(dt.UTC),
        ends_at=(start + dt.timedelta(hours=1)).astimezone(dt.UTC),
        reason="age",
    )


def test_a_visit_at_nine_shows_nine_in_its_title(nine_oclock_visit):
    nine_oclock_visit.refresh_from_db()  # as every page reads it: from the database
    assert str(nine_oclock_visit).endswith("2026-03-11 09:00")


def test_a_visit_at_nine_shows_nine_in_the_event_note(nine_oclock_visit):
    event = nine_oclock_visit.request.events.get(
        kind="status", to_status="visit_scheduled"
    )
    assert "2026-03-11 09:00–10:00" in event.note


def test_the_visit_page_and_the_request_page_show_nine(
    client, village_clerk, nine_oclock_visit
):
    client.force_login(village_clerk)
    for url in (
        reverse("admin:services_homevisit_change", args=[nine_oclock_visit.pk]),
        reverse(
            "admin:services_servicerequest_change",
            args=[nine_oclock_visit.request_id],
        ),
    ):
        html = client.get(url).content.decode()
        assert "2026-03-11 09:00" in html
        assert "2026-03-11 01:00" not in html
