"""Submitting a request and moving it through its life with the actions."""

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from huagang.exceptions import Conflict, InvalidInput, InvalidTransition, NotPermitted
from services.access import ApplicantProof, applicant_proof_by_lookup
from services.actions import (
    service_request_accept,
    service_request_add_note,
    service_request_ask_supplement,
    service_request_complete,
    service_request_reject,
    service_request_resume,
    service_request_submit,
    service_request_transition,
    service_request_withdraw,
)
from services.models import DueState, Notification, RequestEvent, ServiceRequest, Status

pytestmark = pytest.mark.django_db

VALID_ID = "11010519491231002X"  # the GB 11643 standard's own example


def test_submission_creates_the_request_its_first_event_and_a_message(submit):
    request = submit("agency", applicant_id_number=VALID_ID.lower())
    assert request.status == Status.SUBMITTED
    assert request.applicant_id_number == VALID_ID
    assert (
        request.tracking_number.startswith("HG") and len(request.tracking_number) == 14
    )
    event = request.events.get()
    assert (event.from_status, event.to_status) == ("", Status.SUBMITTED)
    message = Notification.objects.get(request=request, channel="sms")
    assert request.tracking_number in message.body
    assert message.recipient == "13955550123"
    assert Notification.objects.filter(request=request, channel="email").count() == 1


@pytest.mark.parametrize(
    "overrides, field",
    [
        ({"item": "HG-XX-999"}, "item"),
        ({"village": "340123107001"}, "village"),  # a code outside Huagang
        ({"mode": "teleport"}, "mode"),
        ({"applicant_phone": "12345"}, "applicant_phone"),
        ({"applicant_id_number": "110105194912310021"}, "applicant_id_number"),
        ({"applicant_id_number": "110105194913310021"}, "applicant_id_number"),
        ({"applicant_name": "  "}, "applicant_name"),
        ({"channel": "pigeon"}, "channel"),
    ],
    ids=[
        "unknown item",
        "village outside town",
        "unknown mode",
        "bad phone",
        "wrong check digit",
        "bad birth date",
        "no name",
        "bad channel",
    ],
)
def test_bad_input_is_refused_and_nothing_is_saved(submit, overrides, field):
    before = (
        ServiceRequest.objects.count(),
        RequestEvent.objects.count(),
        Notification.objects.count(),
    )
    with pytest.raises(InvalidInput) as excinfo:
        submit("agency", **overrides)
    assert field in excinfo.value.errors
    assert all(excinfo.value.errors[field])
    if overrides.get("applicant_id_number") == "110105194913310021":
        assert "出生日期" in excinfo.value.errors[field][0]  # the birth-date rule ran
    after = (
        ServiceRequest.objects.count(),
        RequestEvent.objects.count(),
        Notification.objects.count(),
    )
    assert after == before


def test_a_mode_the_item_does_not_allow_is_refused(village):
    from services.models import ServiceItem

    item = ServiceItem.objects.filter(allows_home=False).first()
    with pytest.raises(InvalidInput, match=r"cannot be handled|不能|无法|不支持"):
        service_request_submit(
            item=item,
            village=village,
            mode="home",
            channel="window",
            applicant_name="王",
            applicant_phone="13900001111",
        )
    assert not ServiceRequest.objects.exists()


def test_every_problem_is_reported_at_once(submit):
    with pytest.raises(InvalidInput) as excinfo:
        submit("agency", applicant_phone="x", applicant_id_number="123", item="nope")
    assert {"applicant_phone", "applicant_id_number", "item"} <= set(
        excinfo.value.errors
    )


@time_machine.travel(dt.datetime(2026, 2, 12, 10, tzinfo=dt.UTC))
def test_accepting_starts_the_clock_on_working_days(submit, village_clerk, commit):
    request = submit("agency")
    with commit():
        service_request_accept(service_request=request, by=village_clerk)
    request.refresh_from_db()
    assert request.status == Status.ACCEPTED
    assert request.assigned_to == village_clerk
    days = request.item.promised_days
    from services.working_days import WorkCalendar

    assert request.due_date == WorkCalendar().add(dt.date(2026, 2, 12), days)
    assert request.due_date > dt.date(2026, 2, 23)  # the Spring Festival is skipped
    assert Notification.objects.filter(
        request=request, body__contains=str(request.due_date)
    ).exists()


def test_a_clerk_of_another_village_may_not_act(submit, other_village_clerk):
    request = submit("agency")
    with pytest.raises(NotPermitted):
        service_request_accept(service_request=request, by=other_village_clerk)
    request.refresh_from_db()
    assert request.status == Status.SUBMITTED
    assert request.events.count() == 1


def test_a_resident_may_withdraw_but_not_accept(submit, resident):
    request = submit("agency")
    with pytest.raises(NotPermitted):
        service_request_accept(service_request=request, by=resident)
    service_request_withdraw(service_request=request, by=resident, reason="不办了")
    request.refresh_from_db()
    assert request.status == Status.WITHDRAWN


def test_the_applicant_proven_by_number_and_phone_may_withdraw(submit):
    request = submit("instant", account=None)
    found, proof = applicant_proof_by_lookup(
        tracking_number=request.tracking_number, phone_last4="0123"
    )
    assert found == request
    assert (
        applicant_proof_by_lookup(
            tracking_number=request.tracking_number, phone_last4="9999"
        )
        is None
    )
    full_width = request.tracking_number.lower().translate(
        {c: c + 0xFEE0 for c in range(0x21, 0x7F)}  # ＨＧ２６… as a phone may type it
    )
    assert applicant_proof_by_lookup(tracking_number=full_width, phone_last4="０１２３")
    with pytest.raises(NotPermitted):
        service_request_withdraw(service_request=found, by=None)
    service_request_withdraw(service_request=found, by=None, proof=proof)
    assert ServiceRequest.objects.get(pk=request.pk).status == Status.WITHDRAWN


def test_a_proof_covers_only_its_own_request_and_cannot_be_forged(submit):
    request, other = submit("instant", account=None), submit("instant", account=None)
    _found, proof = applicant_proof_by_lookup(
        tracking_number=request.tracking_number, phone_last4="0123"
    )
    with pytest.raises(NotPermitted):
        service_request_withdraw(service_request=other, by=None, proof=proof)
    with pytest.raises(TypeError):
        ApplicantProof(other.pk)
    assert ServiceRequest.objects.get(pk=other.pk).status == Status.SUBMITTED


@pytest.mark.parametrize("typed", ["０１２３", " 0123 ", "\u30000123"])
def test_the_lookup_reads_full_width_digits_as_ascii(submit, typed):
    request = submit("instant", account=None)
    found, _proof = applicant_proof_by_lookup(
        tracking_number=request.tracking_number, phone_last4=typed
    )
    assert found == request


@pytest.mark.parametrize("typed", ["٠١٢٣", "\u0966\u0967\u0968\u0969", "123", "01234"])
def test_the_lookup_accepts_only_four_ascii_digits(submit, typed):
    request = submit("instant", account=None)
    # A row stored as typed before numbers were normalised: even typed the same way
    # again, other scripts' digits do not prove the phone.
    ServiceRequest.objects.filter(pk=request.pk).update(
        applicant_phone="13955550123"[: 11 - len(typed)] + typed
    )
    assert (
        applicant_proof_by_lookup(
            tracking_number=request.tracking_number, phone_last4=typed
        )
        is None
    )


def test_a_full_width_phone_and_id_number_are_stored_as_ascii_digits(submit):
    request = submit(
        "agency",
        applicant_phone="13９５５５５０１２３",
        applicant_id_number="１１０１０５１９４９１２３１００２Ｘ",
    )
    request.refresh_from_db()
    assert request.applicant_phone == "13955550123"
    assert request.applicant_id_number == VALID_ID


@pytest.mark.parametrize(
    "overrides, field",
    [
        ({"applicant_phone": "13٩٠٠٠٠٠٠٧٢"}, "applicant_phone"),
        ({"applicant_id_number": "١١٠١٠٥١٩٤٩١٢٣١٠٠٢X"}, "applicant_id_number"),
    ],
)
def test_digits_of_other_scripts_are_refused_with_a_field_error(
    submit, overrides, field
):
    with pytest.raises(InvalidInput) as excinfo:
        submit("agency", **overrides)
    assert field in excinfo.value.errors
    assert not ServiceRequest.objects.exists()


def test_rejection_needs_a_reason_the_resident_reads(submit, village_clerk, commit):
    request = submit("agency")
    with pytest.raises(InvalidInput) as excinfo:
        service_request_reject(service_request=request, by=village_clerk, reason=" ")
    assert "note" in excinfo.value.errors
    with commit():
        service_request_reject(
            service_request=request, by=village_clerk, reason="不属于本镇受理范围"
        )
    request.refresh_from_db()
    assert request.status == Status.REJECTED
    assert request.result_note == "不属于本镇受理范围"
    assert Notification.objects.filter(body__contains="不属于本镇受理范围").exists()


def test_supplement_pauses_the_clock_and_resuming_keeps_the_days_left(
    submit, village_clerk
):
    with time_machine.travel(dt.datetime(2026, 3, 2, 9, tzinfo=dt.UTC)):  # Monday
        request = submit("agency")
        service_request_accept(service_request=request, by=village_clerk)
        request.refresh_from_db()
        limit = request.item.promised_days
    with time_machine.travel(dt.datetime(2026, 3, 4, 9, tzinfo=dt.UTC)):  # Wednesday
        service_request_ask_supplement(
            service_request=request, by=village_clerk, what="请补交户口簿复印件"
        )
        request.refresh_from_db()
        assert request.status == Status.SUPPLEMENT
        assert request.due_date is None
        assert request.paused_days_left == limit - 2
    with time_machine.travel(dt.datetime(2026, 3, 16, 9, tzinfo=dt.UTC)):  # 2 weeks on
        service_request_resume(service_request=request, by=village_clerk)
        request.refresh_from_db()
    from services.working_days import WorkCalendar

    assert request.status == Status.ACCEPTED
    assert request.due_date == WorkCalendar().add(dt.date(2026, 3, 16), limit - 2)
    assert request.paused_days_left is None


def test_an_instant_item_can_be_completed_on_the_spot(submit, village_clerk):
    request = submit("instant", channel="window")
    service_request_complete(
        service_request=request, by=village_clerk, result="已当场办结"
    )
    request.refresh_from_db()
    assert request.status == Status.COMPLETED
    assert request.completed_at and request.accepted_at
    assert request.result_note == "已当场办结"


def test_an_agency_case_cannot_skip_the_trip(submit, village_clerk):
    request = submit("agency")
    service_request_accept(service_request=request, by=village_clerk)
    with pytest.raises(InvalidTransition):
        service_request_complete(service_request=request, by=village_clerk)


def test_a_stale_version_is_a_conflict_and_changes_nothing(submit, village_clerk):
    request = submit("agency")
    seen = request.version
    service_request_accept(
        service_request=request, by=village_clerk, expected_version=seen
    )
    with pytest.raises(Conflict):
        service_request_reject(
            service_request=request,
            by=village_clerk,
            reason="重复申请",
            expected_version=seen,
        )
    request.refresh_from_db()
    assert request.status == Status.ACCEPTED
    assert request.events.filter(kind="status").count() == 2


def test_generic_transition_dispatches_to_the_owning_action(submit, village_clerk):
    request = submit("instant")
    service_request_transition(
        service_request=request, to=Status.ACCEPTED, by=village_clerk
    )
    request.refresh_from_db()
    with pytest.raises(InvalidTransition):
        service_request_transition(
            service_request=request, to=Status.SENT_TO_TOWN, by=village_clerk
        )
    service_request_transition(
        service_request=request, to=Status.COMPLETED, by=village_clerk, note="办结"
    )
    assert ServiceRequest.objects.get(pk=request.pk).status == Status.COMPLETED


def test_internal_notes_are_not_sent_to_the_resident(submit, village_clerk, commit):
    request = submit("agency")
    count = Notification.objects.count()
    with commit():
        service_request_add_note(
            service_request=request, by=village_clerk, note="已电话联系申请人"
        )
    assert request.events.filter(kind="note", is_public=False).exists()
    assert Notification.objects.count() == count


def test_history_is_rebuilt_from_the_events(submit, village_clerk):
    request = submit("agency")
    service_request_accept(service_request=request, by=village_clerk)
    service_request_ask_supplement(
        service_request=request, by=village_clerk, what="补材料"
    )
    service_request_resume(service_request=request, by=village_clerk)
    status = ""
    for event in request.events.order_by("created_at", "pk"):
        assert event.from_status == status
        status = event.to_status
    assert status == ServiceRequest.objects.get(pk=request.pk).status == Status.ACCEPTED


def test_events_are_append_only(submit):
    request = submit("agency")
    event = request.events.get()
    with pytest.raises(TypeError):
        event.save()
    with pytest.raises(TypeError):
        event.delete()
    with pytest.raises(TypeError):
        RequestEvent.objects.filter(pk=event.pk).update(note="x")
    with pytest.raises(TypeError):
        RequestEvent.objects.filter(pk=event.pk).delete()


def test_an_unknown_calendar_year_leaves_a_note_not_a_wrong_date(
    calendar_known_until_2098, submit, village_clerk
):
    with time_machine.travel(dt.datetime(2098, 12, 29, 1, tzinfo=dt.UTC)):
        request = submit("agency")
        service_request_accept(service_request=request, by=village_clerk)
    request.refresh_from_db()
    assert request.status == Status.ACCEPTED
    assert request.due_date is None
    assert request.due_state == DueState.UNKNOWN
    assert "2099" in request.due_note


def test_personal_data_is_masked_for_display(submit):
    request = submit("agency", applicant_id_number=VALID_ID)
    assert request.masked_phone == "139****0123"
    assert request.masked_id_number == "110***********002X"
    assert timezone.is_aware(request.submitted_at)
