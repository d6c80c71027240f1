"""Sending through a gateway: never inside a transaction, and each message once."""

import sys
import types

import pytest
from django.db import connection, transaction

from services import actions
from services.models import Notification
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
