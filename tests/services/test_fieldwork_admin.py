"""定时代办 and 上门特办 through the admin, the clerks' first screen."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from services.actions import service_request_accept
from services.models import AgencyTrip, HomeVisit, ServiceRequest, Status

pytestmark = pytest.mark.django_db
REQUESTS = reverse("admin:services_servicerequest_changelist")


@pytest.fixture
def accepted(submit, village_clerk):
    def _accepted(kind="agency"):
        request = submit(kind)
        service_request_accept(service_request=request, by=village_clerk)
        return request

    return _accepted


def test_a_trip_from_the_request_list_to_the_town_and_back(
    client, accepted, village_clerk, town_clerk
):
    cases = [accepted(), accepted()]
    client.force_login(village_clerk)
    response = client.post(
        REQUESTS,
        {"action": "put_on_next_trip", "_selected_action": [c.pk for c in cases]},
        follow=True,
    )
    assert [m.level_tag for m in response.context["messages"]] == ["success"]
    trip = AgencyTrip.objects.get()
    assert set(trip.requests.all()) == set(cases)

    url = reverse("admin:services_agencytrip_change", args=[trip.pk])
    page = client.get(url)
    assert 'name="cases"' not in page.content.decode()  # nothing to return yet
    form = page.context["adminform"].form
    assert [v for v, _ in form.fields["step"].choices if v] == ["hand_over"]
    assert (
        client.post(
            url, {"step": "hand_over", "counterpart": town_clerk.pk, "documents": 4}
        ).status_code
        == 302
    )
    assert set(ServiceRequest.objects.values_list("status", flat=True)) == {
        Status.SENT_TO_TOWN
    }

    client.force_login(town_clerk)
    assert 'name="cases"' in client.get(url).content.decode()
    response = client.post(
        url,
        {
            "step": "return",
            "counterpart": village_clerk.pk,
            "documents": 2,
            "cases": [cases[0].pk],
            "result": "审核通过",
        },
    )
    assert response.status_code == 302
    first, second = (ServiceRequest.objects.get(pk=c.pk) for c in cases)
    assert (first.status, first.result_note) == (Status.RETURNED_TO_VILLAGE, "审核通过")
    assert second.status == Status.SENT_TO_TOWN
    trip.refresh_from_db()
    assert (trip.documents_out, trip.documents_back) == (4, 2)


def test_a_hand_over_needs_a_receiver_and_a_count(client, accepted, village_clerk):
    client.force_login(village_clerk)
    client.post(
        REQUESTS, {"action": "put_on_next_trip", "_selected_action": [accepted().pk]}
    )
    trip = AgencyTrip.objects.get()
    url = reverse("admin:services_agencytrip_change", args=[trip.pk])
    response = client.post(url, {"step": "hand_over", "documents": ""})
    assert response.status_code == 200 and response.context["adminform"].form.errors
    trip.refresh_from_db()
    assert trip.handed_over_at is None


def test_only_accepted_agency_cases_go_on_a_trip(client, submit, village_clerk):
    waiting = submit("agency")
    client.force_login(village_clerk)
    response = client.post(
        REQUESTS,
        {"action": "put_on_next_trip", "_selected_action": [waiting.pk]},
        follow=True,
    )
    assert [m.level_tag for m in response.context["messages"]] == ["error"]
    assert not AgencyTrip.objects.filter(requests=waiting).exists()


def test_a_home_visit_booked_and_done_in_the_admin(client, accepted, village_clerk):
    request = accepted("home")
    start = timezone.localtime(timezone.now())  # today: done may be recorded at once
    client.force_login(village_clerk)
    response = client.post(
        reverse("admin:services_homevisit_add"),
        {
            "request": request.pk,
            "staff": village_clerk.pk,
            "reason": "disability",
            "starts_at_0": start.strftime("%Y-%m-%d"),
            "starts_at_1": "15:00:00",
            "ends_at_0": start.strftime("%Y-%m-%d"),
            "ends_at_1": "16:00:00",
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    visit = HomeVisit.objects.get()
    assert ServiceRequest.objects.get(pk=request.pk).status == Status.VISIT_SCHEDULED

    url = reverse("admin:services_homevisit_change", args=[visit.pk])
    assert (
        client.post(url, {"outcome_choice": "done", "note": "已上门办结"}).status_code
        == 302
    )
    assert ServiceRequest.objects.get(pk=request.pk).status == Status.COMPLETED


def test_a_visit_that_ends_before_it_starts_is_refused(client, accepted, village_clerk):
    request = accepted("home")
    day = (timezone.localdate() + dt.timedelta(days=1)).strftime("%Y-%m-%d")
    client.force_login(village_clerk)
    response = client.post(
        reverse("admin:services_homevisit_add"),
        {
            "request": request.pk,
            "staff": village_clerk.pk,
            "reason": "age",
            "starts_at_0": day,
            "starts_at_1": "10:00:00",
            "ends_at_0": day,
            "ends_at_1": "09:00:00",
        },
    )
    assert response.status_code == 200
    assert response.context["adminform"].form.errors
    assert not HomeVisit.objects.exists()


def test_a_town_clerk_sees_only_their_bodies_cases_on_a_trip(
    client, submit, items, village, village_clerk, town_clerk
):
    from services.actions import agency_trip_add, agency_trip_plan
    from services.models import ServiceItem

    mine = submit("agency")
    other_item = (
        ServiceItem.objects.filter(allows_agency=True)
        .exclude(body__in=town_clerk.bodies.all())
        .first()
    )
    theirs = submit("agency", item=other_item)
    for case in (mine, theirs):
        service_request_accept(service_request=case, by=village_clerk)
    trip = agency_trip_plan(village=village, by=village_clerk)
    agency_trip_add(trip=trip, service_requests=[mine, theirs], by=village_clerk)
    client.force_login(town_clerk)
    html = client.get(
        reverse("admin:services_agencytrip_change", args=[trip.pk])
    ).content.decode()
    assert mine.tracking_number in html
    assert theirs.tracking_number not in html


def test_a_step_without_the_inline_forms_is_taken_once_and_reported_once(
    client, submit, village_clerk
):
    request = submit("agency")
    client.force_login(village_clerk)
    url = reverse("admin:services_servicerequest_change", args=[request.pk])
    response = client.post(
        url, {"step": "accepted", "expected_version": request.version}
    )
    assert response.status_code == 302
    request.refresh_from_db()
    assert request.status == Status.ACCEPTED
    assert request.events.filter(to_status=Status.ACCEPTED).count() == 1


def test_the_admin_refuses_a_hand_over_before_the_trips_day(
    client, accepted, village, village_clerk, town_clerk
):
    from services.actions import agency_trip_add, agency_trip_plan

    case = accepted()
    trip = agency_trip_plan(
        village=village,
        by=village_clerk,
        trip_date=timezone.localdate() + dt.timedelta(days=2),
    )
    agency_trip_add(trip=trip, service_requests=[case], by=village_clerk)
    client.force_login(village_clerk)
    response = client.post(
        reverse("admin:services_agencytrip_change", args=[trip.pk]),
        {"step": "hand_over", "counterpart": town_clerk.pk, "documents": 1},
    )
    assert response.status_code == 200
    assert "2026-03-12" in str(response.context["adminform"].form.errors)
    trip.refresh_from_db()
    assert trip.handed_over_at is None
    assert ServiceRequest.objects.get(pk=case.pk).status == Status.ACCEPTED
