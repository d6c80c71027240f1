"""Sending through a gateway: never inside a transaction, each message once, and staff
messages retried like the residents' when the gateway fails."""

import datetime as dt
import sys
import types

import pytest
import time_machine
from django.db import connection, transaction

from services import actions
from services.models import DueState, Notification
from services.notifications import NotificationFailed, notification_send


@pytest.fixture
def gateway(settings, monkeypatch):
    """`gateway(cls)` makes `cls` the SMS backend (imported by its dotted path)."""

    def install(cls):
        module = types.ModuleType("test_gateway")
        module.Gateway = cls
        monkeypatch.setitem(sys.modules, "test_gateway", module)
        settings.HUAGANG_SMS_BACKEND = "test_gateway.Gateway"
        return cls

    return install


class RecordingGateway:
    """Delivers, and records each key it delivered; `fail` is a list of exceptions to
    raise, one per call, before it starts delivering."""

    delivered: list[str] = []
    fail: list[Exception] = []
    calls: list[str] = []

    def send(self, notification):
        self.calls.append(notification.idempotency_key)
        if self.fail:
            raise self.fail.pop(0)
        self.delivered.append(notification.idempotency_key)


@pytest.fixture
def recording(gateway):
    class Gateway(RecordingGateway):
        delivered, fail, calls = [], [], []

    return gateway(Gateway)


# --- no transaction is open while the gateway is called ---------------------------------


def _transaction_state() -> tuple[bool, bool]:
    return transaction.get_autocommit(), connection.in_atomic_block


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("fails", [False, True], ids=["delivered", "gateway down"])
def test_the_gateway_is_called_with_no_transaction_open(gateway, fails):
    seen = []

    class Gateway:
        def send(self, notification):
            seen.append(_transaction_state())
            # The row is committed before the call: another connection would see it.
            assert Notification.objects.filter(pk=notification.pk).exists()
            if fails:
                raise ConnectionError("gateway unreachable")

    gateway(Gateway)
    if fails:
        with pytest.raises(NotificationFailed):
            notification_send(
                key="k:1", channel="sms", recipient="13900000000", body="b"
            )
    else:
        notification_send(key="k:1", channel="sms", recipient="13900000000", body="b")
    assert seen == [(True, False)]  # autocommit on, no atomic block
    row = Notification.objects.get(idempotency_key="k:1")
    assert row.state == ("failed" if fails else "sent")
    assert row.backend == "Gateway"
    assert ("unreachable" in row.error) is fails


@pytest.mark.django_db(transaction=True)
def test_a_status_change_reaches_the_gateway_outside_its_transaction(
    gateway, submit, village_clerk
):
    seen = {}

    class Gateway:
        def send(self, notification):
            seen[notification.idempotency_key] = _transaction_state()

    gateway(Gateway)
    request = submit("agency", account=None)
    actions.service_request_accept(service_request=request, by=village_clerk)
    keys = [f"event:{e.pk}:sms" for e in request.events.order_by("pk")]
    assert len(keys) == 2
    assert seen == {key: (True, False) for key in keys}
    assert set(Notification.objects.values_list("state", flat=True)) == {"sent"}


@pytest.mark.django_db
def test_a_failure_never_overwrites_a_message_already_sent(gateway):
    class Gateway:
        """The gateway fails this call, but an overlapping delivery of the same task
        (same key) has sent it meanwhile."""

        def send(self, notification):
            Notification.objects.filter(pk=notification.pk).update(state="sent")
            raise TimeoutError("slow gateway")

    gateway(Gateway)
    with pytest.raises(NotificationFailed):
        notification_send(key="k:2", channel="sms", recipient="13900000000", body="b")
    row = Notification.objects.get(idempotency_key="k:2")
    assert (row.state, row.error) == ("sent", "")


@pytest.mark.django_db
def test_a_sent_message_is_not_sent_again(recording):
    for _ in range(2):
        note = notification_send(
            key="k:3", channel="sms", recipient="13900000000", body="b"
        )
        assert note.state == "sent" and note.sent_at is not None
    assert recording.calls == ["k:3"]


# --- staff messages: retried until each member has theirs, once -------------------------


@pytest.fixture
def retries_inline():
    """An eager task's retry runs at once, in-process, as a worker would run it later.

    The suite's settings make eager tasks propagate errors, and then Celery raises the
    Retry to the caller instead of running it; here it runs it.
    """
    from huagang.celery import app

    saved = app.conf.task_eager_propagates
    app.conf.task_eager_propagates = False
    yield
    app.conf.task_eager_propagates = saved


@pytest.fixture
def accepted(submit, village_clerk):
    with time_machine.travel(dt.datetime(2026, 3, 2, 9, tzinfo=dt.UTC)):
        request = submit("agency")
        actions.service_request_accept(service_request=request, by=village_clerk)
    request.refresh_from_db()
    return request


def _delivered_once_each(recording, prefix: str, people) -> None:
    expected = {f"{prefix}:{person.pk}" for person in people}
    mine = [key for key in recording.delivered if key.startswith(prefix)]
    assert sorted(mine) == sorted(expected)  # each exactly once
    rows = Notification.objects.filter(idempotency_key__startswith=prefix)
    assert {(n.idempotency_key, n.state) for n in rows} == {
        (key, "sent") for key in expected
    }


@pytest.mark.django_db
def test_a_due_card_the_gateway_failed_is_retried_and_sent_once(
    retries_inline, recording, accepted, village_clerk, official, commit
):
    recording.fail.append(ConnectionError("gateway unreachable"))
    day_before = accepted.due_date - dt.timedelta(days=1)
    with commit():
        assert actions.time_limits_sweep(today=day_before)[DueState.DUE_SOON] == 1
    prefix = f"due:{accepted.pk}:{DueState.DUE_SOON}:{accepted.due_date}"
    _delivered_once_each(recording, prefix, [official, village_clerk])
    assert len([k for k in recording.calls if k.startswith(prefix)]) == 3
    with commit():  # the next sweep sees nothing new and sends nothing
        assert actions.time_limits_sweep(today=day_before)[DueState.DUE_SOON] == 0
    _delivered_once_each(recording, prefix, [official, village_clerk])


@pytest.mark.django_db
def test_a_follow_up_reminder_the_gateway_failed_is_retried_and_sent_once(
    retries_inline, recording, submit, village_clerk, resident, official, commit
):
    request = submit("instant")
    actions.service_request_complete(service_request=request, by=village_clerk)
    rating = actions.rating_submit(service_request=request, by=resident, level=1)
    deadline = rating.follow_up.deadline
    recording.fail.append(ConnectionError("gateway unreachable"))
    with commit():
        assert actions.follow_ups_remind(today=deadline) == 1
    prefix = f"follow-up:{rating.follow_up.pk}:{deadline}"
    # to those who handle it: the official and the village's clerk
    _delivered_once_each(recording, prefix, [official, village_clerk])
    calls = [k for k in recording.calls if k.startswith(prefix)]
    # the first call failed and was retried under its key: three calls, two keys
    assert len(calls) == 3
    assert set(calls) == {f"{prefix}:{official.pk}", f"{prefix}:{village_clerk.pk}"}


@pytest.mark.django_db
def test_one_member_the_gateway_refuses_does_not_hold_back_the_others(
    retries_inline, gateway, accepted, village_clerk, official, commit
):
    class Gateway(RecordingGateway):
        delivered, fail, calls = [], [], []

        def send(self, notification):
            if notification.recipient == official.phone:
                raise ConnectionError("number blocked")
            super().send(notification)

    gateway(Gateway)
    day_before = accepted.due_date - dt.timedelta(days=1)
    with commit():
        actions.time_limits_sweep(today=day_before)
    prefix = f"due:{accepted.pk}:{DueState.DUE_SOON}:{accepted.due_date}"
    assert Gateway.delivered == [f"{prefix}:{village_clerk.pk}"]
    refused = Notification.objects.get(idempotency_key=f"{prefix}:{official.pk}")
    assert refused.state == "failed" and "blocked" in refused.error
