"""Every action checks who acts, on the server: the people who serve a request may act on
it; others may not, and nothing changes when they try."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from huagang.exceptions import Conflict, InvalidInput, NotPermitted
from services import actions
from services.models import Notification, RequestEvent, ServiceRequest, Status
from tests.factories import UserFactory
from tests.files import pdf_bytes
from villages.choices import Role

pytestmark = pytest.mark.django_db
PDF = pdf_bytes()  # a real PDF: uploads are parsed


@pytest.fixture
def stranger(db):
    return UserFactory(role=Role.RESIDENT)


@pytest.fixture
def unrelated_town_clerk(db):
    return UserFactory(role=Role.TOWN_CLERK)  # serves no body


@pytest.fixture
def at_town(submit, village, village_clerk, town_clerk):
    """An agency case handed to the town on this village's trip."""
    case = submit("agency")
    actions.service_request_accept(service_request=case, by=village_clerk)
    trip = actions.agency_trip_plan(village=village, by=village_clerk)
    actions.agency_trip_add(trip=trip, service_requests=[case], by=village_clerk)
    actions.agency_trip_hand_over(
        trip=trip, by=village_clerk, received_by=town_clerk, documents=1
    )
    case.refresh_from_db()
    return case, trip


def unchanged(request) -> tuple:
    fresh = ServiceRequest.objects.get(pk=request.pk)
    return (
        fresh.status,
        fresh.version,
        RequestEvent.objects.filter(request=fresh).count(),
    )


def test_another_villages_clerk_cannot_put_a_case_on_this_trip(
    submit, village, village_clerk, other_village_clerk
):
    case = submit("agency")
    actions.service_request_accept(service_request=case, by=village_clerk)
    trip = actions.agency_trip_plan(village=village, by=village_clerk)
    with pytest.raises(NotPermitted):
        actions.agency_trip_add(
            trip=trip, service_requests=[case], by=other_village_clerk
        )
    assert not trip.requests.exists()


def test_a_return_cannot_carry_another_villages_case(
    at_town, other_village, submit, town_clerk, village_clerk
):
    _case, trip = at_town
    foreign = submit("agency", village=other_village)
    with pytest.raises(InvalidInput):
        actions.agency_trip_return(
            trip=trip,
            by=town_clerk,
            received_by=village_clerk,
            documents=1,
            results={foreign.pk: "x"},
        )
    trip.refresh_from_db()
    assert trip.returned_at is None


def test_a_town_clerk_of_other_bodies_cannot_return_results(
    at_town, village_clerk, unrelated_town_clerk
):
    case, trip = at_town
    before = unchanged(case)
    with pytest.raises(NotPermitted):
        actions.agency_trip_return(
            trip=trip,
            by=unrelated_town_clerk,
            received_by=village_clerk,
            documents=1,
            results={case.pk: "x"},
        )
    assert unchanged(case) == before


def test_another_resident_cannot_withdraw(submit, stranger):
    request = submit("agency")
    before = unchanged(request)
    with pytest.raises(NotPermitted):
        actions.service_request_withdraw(service_request=request, by=stranger)
    assert unchanged(request) == before


def test_a_stranger_cannot_upload_to_a_request(submit, stranger):
    request = submit("agency")
    with pytest.raises(NotPermitted):
        actions.attachment_add(
            service_request=request,
            by=stranger,
            upload=SimpleUploadedFile("a.pdf", PDF),
        )
    assert not request.attachments.exists()


def test_a_resident_cannot_write_staff_notes(submit, resident):
    request = submit("agency")
    before = unchanged(request)
    with pytest.raises(NotPermitted):
        actions.service_request_add_note(
            service_request=request, by=resident, note="我自己写的备注"
        )
    assert unchanged(request) == before


def test_a_resident_cannot_record_or_reschedule_visits(submit, village_clerk, resident):
    request = submit("home")
    actions.service_request_accept(service_request=request, by=village_clerk)
    start = timezone.now() + dt.timedelta(hours=1)  # today: outcomes may be recorded
    window = {"starts_at": start, "ends_at": start + dt.timedelta(hours=1)}
    visit = actions.home_visit_schedule(
        service_request=request,
        by=village_clerk,
        staff=village_clerk,
        reason="age",
        **window,
    )
    with pytest.raises(NotPermitted):
        actions.home_visit_record(visit=visit, by=resident, outcome="absent")
    visit.refresh_from_db()
    assert visit.outcome == "planned"
    actions.home_visit_record(visit=visit, by=village_clerk, outcome="absent")
    with pytest.raises(NotPermitted):
        actions.home_visit_schedule(
            service_request=request,
            by=resident,
            staff=village_clerk,
            reason="age",
            **window,
        )
    assert request.home_visits.count() == 1


def test_trip_steps_are_internal_and_every_public_step_sends_one_sms(full_case, commit):
    case = full_case["case"]
    trip_events = case.events.filter(kind="trip")
    assert trip_events.exists() and not trip_events.filter(is_public=True).exists()
    public = case.events.filter(is_public=True).count()
    sms = Notification.objects.filter(
        request=case, channel="sms", recipient=case.applicant_phone
    )
    assert sms.count() == public
    assert sms.values("idempotency_key").distinct().count() == public


def test_a_taken_tracking_number_is_drawn_again(monkeypatch, submit):
    first = submit("agency")
    draws = iter([first.tracking_number, "HG260101000042"])
    monkeypatch.setattr(
        "services.actions.submission.tracking_number_new", lambda now=None: next(draws)
    )
    second = submit("agency")
    assert second.tracking_number == "HG260101000042"
    assert second.events.count() == 1
    assert ServiceRequest.objects.count() == 2


def test_an_unpublished_item_cannot_be_requested(items, village):
    item = items["agency"]
    item.is_active = False
    item.save(update_fields=["is_active"])
    with pytest.raises(InvalidInput) as excinfo:
        actions.service_request_submit(
            item=item,
            village=village,
            mode="agency",
            channel="window",
            applicant_name="王",
            applicant_phone="13900001111",
        )
    assert "item" in excinfo.value.errors
    assert not ServiceRequest.objects.exists()


def test_an_instant_item_accepted_is_due_the_same_working_day(submit, village_clerk):
    import time_machine

    with time_machine.travel(dt.datetime(2026, 3, 4, 2, tzinfo=dt.UTC)):  # Wed 10:00
        request = submit("instant")
        actions.service_request_accept(service_request=request, by=village_clerk)
    request.refresh_from_db()
    assert request.item.promised_days == 0
    assert request.due_date == dt.date(2026, 3, 4)


def test_resuming_when_the_time_was_already_up_leaves_no_extra_days(
    submit, village_clerk
):
    import time_machine

    with time_machine.travel(dt.datetime(2026, 3, 2, 2, tzinfo=dt.UTC)):
        request = submit("agency")
        actions.service_request_accept(service_request=request, by=village_clerk)
        request.refresh_from_db()
        due = request.due_date
    late = dt.datetime.combine(due + dt.timedelta(days=3), dt.time(2), tzinfo=dt.UTC)
    with time_machine.travel(late):
        actions.service_request_ask_supplement(
            service_request=request, by=village_clerk, what="补材料"
        )
        request.refresh_from_db()
        assert request.paused_days_left == 0
        actions.service_request_resume(service_request=request, by=village_clerk)
    request.refresh_from_db()
    from services.working_days import WorkCalendar

    assert request.status == Status.ACCEPTED
    assert request.due_date == WorkCalendar().add(late.date(), 0)


def test_staff_enter_requests_only_where_they_serve(
    items, village, other_village, village_clerk, resident
):
    values = {
        "item": items["agency"],
        "mode": "agency",
        "channel": "phone",
        "applicant_name": "王",
        "applicant_phone": "13900001111",
    }
    with pytest.raises(InvalidInput) as excinfo:
        actions.service_request_submit(
            village=other_village, entered_by=village_clerk, **values
        )
    assert "village" in excinfo.value.errors
    with pytest.raises(NotPermitted):
        actions.service_request_submit(village=village, entered_by=resident, **values)
    assert not ServiceRequest.objects.exists()
    entered = actions.service_request_submit(
        village=village, entered_by=village_clerk, **values
    )
    assert entered.events.get().actor_role == "village_clerk"


def test_a_town_clerk_cannot_take_home_visit_steps(submit, village_clerk, town_clerk):
    request = submit("home")
    actions.service_request_accept(service_request=request, by=village_clerk)
    start = timezone.now() + dt.timedelta(hours=1)  # today: outcomes may be recorded
    window = {"starts_at": start, "ends_at": start + dt.timedelta(hours=1)}
    with pytest.raises(NotPermitted):
        actions.home_visit_schedule(
            service_request=request,
            by=town_clerk,
            staff=village_clerk,
            reason="age",
            **window,
        )
    visit = actions.home_visit_schedule(
        service_request=request,
        by=village_clerk,
        staff=village_clerk,
        reason="age",
        **window,
    )
    for outcome in ("absent", "done"):
        with pytest.raises(NotPermitted):
            actions.home_visit_record(visit=visit, by=town_clerk, outcome=outcome)
    visit.refresh_from_db()
    assert visit.outcome == "planned"


def test_a_case_sits_on_one_open_trip_at_a_time(submit, village, village_clerk):
    case = submit("agency")
    actions.service_request_accept(service_request=case, by=village_clerk)
    first = actions.agency_trip_plan(village=village, by=village_clerk)
    actions.agency_trip_add(trip=first, service_requests=[case], by=village_clerk)
    actions.agency_trip_add(trip=first, service_requests=[case], by=village_clerk)
    later = actions.agency_trip_plan(
        village=village,
        by=village_clerk,
        trip_date=first.trip_date + dt.timedelta(days=3),
    )
    with pytest.raises(Conflict):
        actions.agency_trip_add(trip=later, service_requests=[case], by=village_clerk)
    assert list(case.agency_trips.all()) == [first]
    assert case.events.filter(kind="trip").count() == 1


@pytest.mark.parametrize("weekdays", [5, ["2"], [0], [8]])
def test_bad_trip_days_are_a_clear_400(village, village_clerk, weekdays):
    from django.core.exceptions import ValidationError

    center = village.sub_center
    center.trip_weekdays = weekdays
    with pytest.raises(ValidationError):
        center.full_clean()
    center.save(update_fields=["trip_weekdays"])
    with pytest.raises(InvalidInput):
        actions.agency_trip_plan(village=village, by=village_clerk)


def test_too_many_documents_is_a_clear_400(submit, village, village_clerk, town_clerk):
    case = submit("agency")
    actions.service_request_accept(service_request=case, by=village_clerk)
    trip = actions.agency_trip_plan(village=village, by=village_clerk)
    actions.agency_trip_add(trip=trip, service_requests=[case], by=village_clerk)
    with pytest.raises(InvalidInput):
        actions.agency_trip_hand_over(
            trip=trip, by=village_clerk, received_by=town_clerk, documents=40000
        )


def test_closing_a_request_clears_its_time_limit_flag(submit, village_clerk):
    from services.models import DueState

    request = submit("instant")
    actions.service_request_accept(service_request=request, by=village_clerk)
    actions.service_request_complete(service_request=request, by=village_clerk)
    request.refresh_from_db()
    assert request.due_state == DueState.NONE


def test_materials_are_downloaded_only_by_those_who_act_on_the_request(
    client, submit, village_clerk, other_village_clerk, resident, stranger
):
    from django.urls import reverse

    request = submit("agency", uploads=[(SimpleUploadedFile("身份证.pdf", PDF), None)])
    url = reverse("services:attachment", args=[request.attachments.get().pk])
    for user, status in [
        (village_clerk, 200),
        (resident, 200),
        (other_village_clerk, 404),
        (stranger, 404),
    ]:
        client.force_login(user)
        response = client.get(url)
        assert response.status_code == status, user
        if status == 200:
            assert b"".join(response.streaming_content) == PDF
    client.logout()
    assert client.get(url).status_code == 404
    admin_page = reverse("admin:services_servicerequest_change", args=[request.pk])
    client.force_login(village_clerk)
    assert url in client.get(admin_page).content.decode()
