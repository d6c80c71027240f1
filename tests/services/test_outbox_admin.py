"""The outbox in the admin never shows a verification code: an official who read it
could reset a resident's password with it and read their requests."""

import re

import pytest
from django.test import Client

from services.models import Notification

pytestmark = pytest.mark.django_db

PHONE = "13912345678"
OUTBOX = "/admin/services/notification/"


@pytest.fixture
def code_message() -> tuple[Notification, str]:
    """A registration code sent to PHONE as a resident asks for it, and the code."""
    resident = Client()
    assert resident.get("/account/register/").status_code == 200
    sent = resident.post("/account/register/", {"phone": PHONE})
    assert sent.status_code == 302
    message = Notification.objects.get(
        recipient=PHONE, idempotency_key__startswith="verification-code:"
    )
    code = re.search(r"\b(\d{6})\b", message.body).group(1)
    return message, code


def test_the_outbox_list_masks_the_code(official_client, code_message):
    message, code = code_message
    page = official_client.get(OUTBOX)
    assert page.status_code == 200
    html = page.content.decode()
    assert "您的验证码为 ******" in html
    assert code not in html
    assert message.body == Notification.objects.get(pk=message.pk).body  # kept


def test_a_code_message_page_masks_the_code_and_its_error(
    official_client, code_message
):
    message, code = code_message
    Notification.objects.filter(pk=message.pk).update(
        state="failed", error=f"GatewayError: refused body {message.body}"
    )
    page = official_client.get(f"{OUTBOX}{message.pk}/change/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "您的验证码为 ******，10 分钟内有效" in html
    assert "refused body" in html
    assert code not in html
    history = official_client.get(f"{OUTBOX}{message.pk}/history/")
    assert history.status_code == 200 and code not in history.content.decode()


def test_other_messages_are_shown_in_full(official_client, submit):
    submit()
    message = Notification.objects.exclude(
        idempotency_key__startswith="verification-code:"
    ).first()
    assert message is not None and re.search(r"\d{6}", message.body)
    page = official_client.get(f"{OUTBOX}{message.pk}/change/")
    assert message.body in page.content.decode()


@pytest.mark.parametrize(
    "lookup", ["body__contains", "body__regex", "error__contains", "recipient"]
)
def test_the_outbox_cannot_be_filtered_on_the_message(
    official_client, code_message, lookup
):
    _message, code = code_message
    value = {"recipient": PHONE}.get(lookup, code)
    refused = official_client.get(OUTBOX, {lookup: value})
    assert refused.status_code == 400
    assert "验证码" not in refused.content.decode()  # no row listed


def test_the_outbox_search_does_not_look_in_the_message(official_client, code_message):
    _message, code = code_message
    found = official_client.get(OUTBOX, {"q": code})
    assert found.status_code == 200
    assert found.context["cl"].result_count == 0
