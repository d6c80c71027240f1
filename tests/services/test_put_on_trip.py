"""Putting cases on their village's next trip: all or nothing, and never onto a trip
that has already left."""

import pytest
from django.urls import reverse

from huagang.exceptions import InvalidInput
from services import actions
from services.models import AgencyTrip, Status

pytestmark = pytest.mark.django_db
CHANGELIST = reverse("admin:services_servicerequest_changelist")


@pytest.fixture
def accepted(submit, village_clerk):
    def make(**overrides):
        case = submit("agency", **overrides)
        actions.service_request_accept(service_request=case, by=village_clerk)
        case.refresh_from_db()
        return case

    return make


def test_one_refused_case_puts_none_on_a_trip_and_leaves_no_empty_trip(
    accepted, submit, village_clerk
):
    good, not_accepted = accepted(), submit("agency")
    with pytest.raises(InvalidInput, match=not_accepted.tracking_number):
        actions.agency_trips_put_on_next(
            service_requests=[good, not_accepted], by=village_clerk
        )
    assert AgencyTrip.objects.count() == 0
    assert not good.agency_trips.exists()


def test_the_admin_action_is_all_or_nothing_too(
    client, accepted, submit, village_clerk
):
    good, not_accepted = accepted(), submit("agency")
    client.force_login(village_clerk)
    response = client.post(
        CHANGELIST,
        {"action": "put_on_next_trip", "_selected_action": [good.pk, not_accepted.pk]},
        follow=True,
    )
    messages = [(m.level_tag, str(m)) for m in response.context["messages"]]
    assert len(messages) == 1 and messages[0][0] == "error"
    assert not_accepted.tracking_number in messages[0][1]
    assert AgencyTrip.objects.count() == 0
    response = client.post(
        CHANGELIST,
        {"action": "put_on_next_trip", "_selected_action": [good.pk]},
        follow=True,
    )
    assert [m.level_tag for m in response.context["messages"]] == ["success"]
    assert good.agency_trips.get().requests.get() == good


def test_after_todays_trip_left_the_next_trip_is_the_next_trip_day(
    accepted, village, village_clerk, town_clerk
):
    first = accepted()
    today = actions.agency_trip_plan(village=village, by=village_clerk)
    actions.agency_trip_add(trip=today, service_requests=[first], by=village_clerk)
    actions.agency_trip_hand_over(
        trip=today, by=village_clerk, received_by=town_clerk, documents=1
    )
    later = accepted()
    (trip,) = actions.agency_trips_put_on_next(
        service_requests=[later], by=village_clerk
    )
    assert trip.trip_date > today.trip_date
    assert trip.handed_over_at is None
    assert later.agency_trips.get() == trip
    first.refresh_from_db()
    assert first.status == Status.SENT_TO_TOWN
