"""好差评 with follow-ups, notifications sent once, and the periodic sweeps."""

import datetime as dt
import re

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile

from huagang.exceptions import Conflict, InvalidInput, InvalidTransition, NotPermitted
from services import actions
from services.models import (
    Attachment,
    CalendarYear,
    DueState,
    FollowUp,
    Notification,
    Rating,
    ServiceRequest,
    Status,
)
from services.notifications import notification_send, notifications_for_event
from tests.files import image_bytes, pdf_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture
def completed(submit, village_clerk):
    request = submit("instant")
    actions.service_request_complete(service_request=request, by=village_clerk)
    request.refresh_from_db()
    return request


def test_the_applicant_rates_once(completed, resident):
    rating = actions.rating_submit(service_request=completed, by=resident, level=5)
    assert not rating.is_poor
    assert not FollowUp.objects.exists()
    with pytest.raises(Conflict):
        actions.rating_submit(service_request=completed, by=resident, level=4)
    assert Rating.objects.get(request=completed).level == 5


def test_only_the_applicant_rates_and_only_when_completed(
    submit, completed, village_clerk, resident
):
    with pytest.raises(NotPermitted):
        actions.rating_submit(service_request=completed, by=village_clerk, level=1)
    with pytest.raises(InvalidTransition):
        actions.rating_submit(service_request=submit("agency"), by=resident, level=5)
    with pytest.raises(InvalidInput):
        actions.rating_submit(service_request=completed, by=resident, level=9)
    assert not Rating.objects.exists()


@time_machine.travel(dt.datetime(2026, 9, 29, 9, tzinfo=dt.UTC))
def test_a_poor_rating_opens_a_follow_up_for_the_supervisors(
    completed, resident, official, commit, village_clerk, other_village_clerk
):
    with commit():
        rating = actions.rating_submit(
            service_request=completed, by=resident, level=2, comment="窗口人员态度差"
        )
    follow_up = rating.follow_up
    # 5 working days from Tue 09-29 across National Day: 09-30, 10-08, 09, 10, 12.
    assert follow_up.deadline == dt.date(2026, 10, 12)
    assert follow_up.stage == FollowUp.Stage.OPEN
    opened = Notification.objects.filter(idempotency_key__startswith="follow-up-opened")
    # the official and the village's own clerk, who handle it; not another village's
    assert set(opened.values_list("recipient", flat=True)) == {
        official.phone,
        village_clerk.phone,
    }
    for text in ["情况属实", "已对窗口人员进行培训", "已电话回访并致歉"]:
        actions.follow_up_advance(follow_up=follow_up, by=official, text=text)
    follow_up.refresh_from_db()
    assert follow_up.stage == FollowUp.Stage.ANSWERED
    assert follow_up.answer == "已电话回访并致歉"
    public = completed.events.filter(kind="follow_up", is_public=True)
    assert list(public.values_list("note", flat=True)) == ["已电话回访并致歉"]
    with pytest.raises(Conflict):
        actions.follow_up_advance(follow_up=follow_up, by=official, text="再次")


def test_only_who_serves_the_village_handles_its_follow_ups(
    completed, resident, village_clerk, other_village_clerk, town_clerk
):
    rating = actions.rating_submit(service_request=completed, by=resident, level=1)
    for outsider in (other_village_clerk, town_clerk, resident):
        with pytest.raises(NotPermitted):
            actions.follow_up_advance(
                follow_up=rating.follow_up, by=outsider, text="自查"
            )
    assert FollowUp.objects.get().stage == FollowUp.Stage.OPEN
    actions.follow_up_advance(follow_up=rating.follow_up, by=village_clerk, text="自查")
    assert FollowUp.objects.get().stage == FollowUp.Stage.VERIFIED


def test_a_notification_is_sent_once_per_key(submit):
    request = submit("agency", account=None)
    event = request.events.get()
    first = notifications_for_event(event_id=event.pk)
    again = notifications_for_event(event_id=event.pk)
    assert [n.pk for n in first] == [n.pk for n in again]
    assert Notification.objects.filter(request=request).count() == 1
    assert first[0].state == Notification.State.SENT


def test_a_gateway_backend_plugs_in_by_setting(settings, submit):
    sent = []

    class Gateway:
        def send(self, notification):
            sent.append(notification.idempotency_key)

    import sys
    import types

    module = types.ModuleType("fake_gateway")
    module.Gateway = Gateway
    sys.modules["fake_gateway"] = module
    settings.HUAGANG_SMS_BACKEND = "fake_gateway.Gateway"
    request = submit("agency", account=None)
    notification_send(
        key="test:1",
        channel="sms",
        recipient="13900000000",
        body="测试",
        service_request=request,
    )
    notification_send(
        key="test:1",
        channel="sms",
        recipient="13900000000",
        body="测试",
        service_request=request,
    )
    assert sent.count("test:1") == 1
    assert Notification.objects.get(idempotency_key="test:1").backend == "Gateway"


def test_messages_are_in_chinese_and_carry_no_id_number(submit):
    request = submit("agency", account=None, applicant_id_number="11010519491231002X")
    body = Notification.objects.get(request=request).body
    assert body.startswith("【花岗镇为民服务】")
    assert request.tracking_number in body
    assert "11010519491231002X" not in body


def test_the_sweep_shows_yellow_then_red_cards_once(
    submit, village_clerk, official, commit
):
    with time_machine.travel(dt.datetime(2026, 3, 2, 9, tzinfo=dt.UTC)):
        request = submit("agency")
        actions.service_request_accept(service_request=request, by=village_clerk)
        request.refresh_from_db()
    due = request.due_date
    day_before = due - dt.timedelta(days=1)
    with commit():
        assert actions.time_limits_sweep(today=day_before)[DueState.DUE_SOON] == 1
        assert actions.time_limits_sweep(today=day_before)[DueState.DUE_SOON] == 0
    request.refresh_from_db()
    assert request.due_state == DueState.DUE_SOON
    later = due + dt.timedelta(days=1)
    with commit():
        assert actions.time_limits_sweep(today=later)[DueState.OVERDUE] == 1
        actions.time_limits_sweep(today=later)
    cards = Notification.objects.filter(
        idempotency_key__startswith=f"due:{request.pk}:"
    )
    # One yellow and one red card each for the official and the assigned clerk.
    assert cards.count() == 4
    assert {n.recipient for n in cards} == {official.phone, village_clerk.phone}


def test_the_sweep_fills_in_due_dates_once_officials_add_the_year(
    calendar_known_until_2098, submit, village_clerk
):
    with time_machine.travel(dt.datetime(2098, 12, 29, 1, tzinfo=dt.UTC)):  # a Mon
        request = submit("agency")
        actions.service_request_accept(service_request=request, by=village_clerk)
    assert actions.time_limits_sweep(today=dt.date(2098, 12, 30))["still_unknown"] == 1
    CalendarYear.objects.create(year=2099)
    counts = actions.time_limits_sweep(today=dt.date(2098, 12, 30))
    assert counts["due_date_filled"] == 1
    request.refresh_from_db()
    from services.working_days import WorkCalendar

    # Counted from the day it was accepted, not from the day of the sweep.
    expected = WorkCalendar.load().add(
        dt.date(2098, 12, 29), request.item.promised_days
    )
    assert request.due_date == expected and request.due_note == ""


def test_follow_up_reminders_go_out_once_a_day(
    completed, resident, official, village_clerk, other_village_clerk, commit
):
    rating = actions.rating_submit(service_request=completed, by=resident, level=1)
    deadline = rating.follow_up.deadline
    with commit():
        assert actions.follow_ups_remind(today=deadline) == 1
    assert actions.follow_ups_remind(today=deadline) == 0
    assert actions.follow_ups_remind(today=deadline + dt.timedelta(days=1)) == 1
    reminded = Notification.objects.filter(
        idempotency_key__startswith=f"follow-up:{rating.follow_up.pk}:{deadline}"
    )
    # to those who handle it: the official and the village's clerk, nobody else
    assert set(reminded.values_list("recipient", flat=True)) == {
        official.phone,
        village_clerk.phone,
    }


PDF = pdf_bytes()  # real files: uploads are parsed, not sniffed
PNG = image_bytes("PNG")


def test_uploads_are_checked_by_content(submit, items):
    material = items["agency"].materials.first()
    request = submit(
        "agency",
        uploads=[
            (SimpleUploadedFile("身份证.pdf", PDF), material.pk),
            (SimpleUploadedFile("photo.PNG", PNG), None),
        ],
    )
    stored = list(request.attachments.order_by("pk"))
    assert [a.content_type for a in stored] == ["application/pdf", "image/png"]
    assert stored[0].material == material
    assert "身份证" not in stored[0].file.name  # stored under a generated name


@pytest.mark.parametrize(
    "upload, message",
    [
        (SimpleUploadedFile("scan.pdf", b"MZ\x90\x00 not a pdf"), "PDF"),
        (SimpleUploadedFile("empty.pdf", b""), "空"),
    ],
    ids=["disguised executable", "empty file"],
)
def test_a_file_that_is_not_what_it_claims_is_refused(submit, upload, message):
    before = ServiceRequest.objects.count()
    with pytest.raises(InvalidInput) as excinfo:
        submit("agency", uploads=[(upload, None)])
    assert "uploads" in excinfo.value.errors
    assert re.search(message, " ".join(excinfo.value.errors["uploads"]))
    assert ServiceRequest.objects.count() == before
    assert not Attachment.objects.exists()


def test_an_oversized_file_is_refused(settings, submit):
    settings.HUAGANG_MAX_UPLOAD_BYTES = 64
    with pytest.raises(InvalidInput):
        submit(
            "agency", uploads=[(SimpleUploadedFile("a.pdf", PDF + b"0" * 100), None)]
        )
    assert not ServiceRequest.objects.exists()


def test_a_material_of_another_item_is_refused(submit, items):
    from services.models import Material

    other = Material.objects.exclude(item=items["agency"]).first()
    with pytest.raises(InvalidInput):
        submit("agency", uploads=[(SimpleUploadedFile("a.pdf", PDF), other.pk)])


def test_a_supplement_upload_is_recorded(submit, village_clerk, resident):
    request = submit("agency")
    actions.attachment_add(
        service_request=request, by=resident, upload=SimpleUploadedFile("补充.pdf", PDF)
    )
    assert request.attachments.count() == 1
    assert request.events.filter(kind="attachment").count() == 1
    assert ServiceRequest.objects.get(pk=request.pk).status == Status.SUBMITTED


def test_a_request_resumed_into_an_unknown_year_keeps_its_days_left(
    calendar_known_until_2098, submit, village_clerk
):
    from services.working_days import WorkCalendar

    with time_machine.travel(dt.datetime(2098, 12, 1, 2, tzinfo=dt.UTC)):  # a Mon
        request = submit("agency")
        actions.service_request_accept(service_request=request, by=village_clerk)
    with time_machine.travel(dt.datetime(2098, 12, 3, 2, tzinfo=dt.UTC)):
        actions.service_request_ask_supplement(
            service_request=request, by=village_clerk, what="补材料"
        )
        request.refresh_from_db()
        left = request.paused_days_left
    assert left == request.item.promised_days - 2
    with time_machine.travel(dt.datetime(2098, 12, 29, 2, tzinfo=dt.UTC)):  # a Mon
        actions.service_request_resume(service_request=request, by=village_clerk)
    request.refresh_from_db()
    assert request.due_date is None and request.paused_days_left == left
    CalendarYear.objects.create(year=2099)
    counts = actions.time_limits_sweep(today=dt.date(2098, 12, 30))
    assert counts["due_date_filled"] == 1
    request.refresh_from_db()
    # From the day it resumed, with the days it had left — not from acceptance.
    assert request.due_date == WorkCalendar.load().add(dt.date(2098, 12, 29), left)
    assert request.paused_days_left is None
    assert request.due_state == DueState.ON_TIME


def test_a_follow_up_opened_into_an_unknown_year_gets_its_deadline_later(
    calendar_known_until_2098, submit, village_clerk, resident, official
):
    with time_machine.travel(dt.datetime(2098, 12, 29, 2, tzinfo=dt.UTC)):  # a Mon
        request = submit("instant")
        actions.service_request_complete(service_request=request, by=village_clerk)
        rating = actions.rating_submit(service_request=request, by=resident, level=1)
    follow_up = rating.follow_up
    assert follow_up.deadline is None
    actions.follow_ups_remind(today=dt.date(2098, 12, 30))
    follow_up.refresh_from_db()
    assert follow_up.deadline is None
    CalendarYear.objects.create(year=2099)
    actions.follow_ups_remind(today=dt.date(2098, 12, 30))
    follow_up.refresh_from_db()
    # Five working days from Mon 12-29: 12-30, 12-31, 2099-01-01, 01-02, 01-05.
    assert follow_up.deadline == dt.date(2099, 1, 5)


def test_a_gateway_failure_is_recorded_and_the_same_message_retried(settings):
    import sys
    import types

    from services.notifications import NotificationFailed

    calls = []

    class FlakyGateway:
        def send(self, notification):
            calls.append(notification.idempotency_key)
            if len(calls) == 1:
                raise ConnectionError("gateway unreachable")

    module = types.ModuleType("flaky_gateway")
    module.FlakyGateway = FlakyGateway
    sys.modules["flaky_gateway"] = module
    settings.HUAGANG_SMS_BACKEND = "flaky_gateway.FlakyGateway"
    with pytest.raises(NotificationFailed):
        notification_send(
            key="flaky:1", channel="sms", recipient="13900000000", body="测试"
        )
    failed = Notification.objects.get(idempotency_key="flaky:1")
    assert failed.state == Notification.State.FAILED
    assert "gateway unreachable" in failed.error
    notification_send(
        key="flaky:1", channel="sms", recipient="13900000000", body="测试"
    )
    sent = Notification.objects.get(idempotency_key="flaky:1")
    assert (sent.pk, sent.state, sent.error) == (failed.pk, "sent", "")
    assert calls == ["flaky:1", "flaky:1"]


def test_a_failing_gateway_does_not_undo_or_break_a_submission(settings, submit):
    import sys
    import types

    class DownGateway:
        def send(self, notification):
            raise ConnectionError("down")

    module = types.ModuleType("down_gateway")
    module.DownGateway = DownGateway
    sys.modules["down_gateway"] = module
    settings.HUAGANG_SMS_BACKEND = "down_gateway.DownGateway"
    request = submit("agency", account=None)  # on-commit work runs, eagerly
    assert ServiceRequest.objects.filter(pk=request.pk).exists()
    outbox = Notification.objects.get(request=request)
    assert outbox.state == Notification.State.FAILED and "down" in outbox.error
