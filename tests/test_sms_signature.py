"""Every text message the portal sends begins with the one signature registered with
the gateway (【花岗镇为民服务】): a resident's request, life event, question and code
messages, and the staff's. The signature is one msgid (``huagang.sms.signed``), so
that no message can drift to another."""

import re
import uuid
from pathlib import Path

import pytest

from huagang.privacy import NOTICE_VERSION
from huagang.sms import signed
from services import actions, notifications
from services.actions import events as event_actions
from services.actions import question_answer, question_ask
from services.models import Notification, Question
from services.selectors.events import life_event_get, life_event_plan
from villages.actions import user_password_set_record
from villages.verification import (
    question_code_send,
    registration_code_send,
    user_mark_phone_verified,
)

pytestmark = pytest.mark.django_db

SIGNATURE = "【花岗镇为民服务】"
ROOT = Path(__file__).resolve().parents[1]


def _life_event(village, resident):
    answers = {"pension": "yes", "disability-card": "no", "cremated": "no"}
    plan = life_event_plan(
        event=life_event_get(code="after-death"), given={**answers, "dibao": "no"}
    )
    return event_actions.life_event_submit(
        plan=plan,
        village=village,
        applicant_name="张桂英",
        applicant_phone="13955550123",
        applicant_id_number="11010519491231002X",
        account=resident,
        consent_version=NOTICE_VERSION,
        submission_key=uuid.uuid4(),
    )


def test_every_message_to_a_resident_begins_with_the_signature(
    submit, village, resident, village_clerk, official, commit
):
    single = submit("agency")  # its submission
    with commit():
        actions.service_request_accept(service_request=single, by=village_clerk)
        application = _life_event(village, resident)  # one message for the event
    # 死亡注销 is the police station's (a village clerk takes no step on it): the
    # village's own linked item, 养老保险注销, is accepted
    linked = application.links.get(service_request__item__code="HG-SB-017")
    with commit():
        actions.service_request_accept(
            service_request=linked.service_request, by=village_clerk
        )
    question = question_ask(
        kind=Question.Kind.CONSULT,
        title="低保怎么申请",
        text="想问低保怎么申请。",
        village=village,
        account=user_mark_phone_verified(user=resident),
    )
    with commit():
        question_answer(question=question, by=village_clerk, answer="请带户口本来办。")
    question_code_send(phone="13955550999")
    registration_code_send(phone=resident.phone)  # "this number has an account"
    with commit():
        user_password_set_record(user=village_clerk, by=official)
    sms = list(Notification.objects.filter(channel="sms").order_by("pk"))
    assert len(sms) == 8
    for message in sms:
        assert message.body.startswith(SIGNATURE), message.body
        assert message.body.count("【") == 1, message.body


def test_every_message_to_staff_begins_with_the_signature(submit):
    request = submit("agency")
    for text in (
        notifications.due_card_text(request, "overdue"),
        notifications.compose(
            notifications.FOLLOW_UP_OPENED, number="HG260310000001", date="2026-03-17"
        ),
        notifications.compose(
            notifications.QUESTION_DUE_CARD, title="问", card="红牌", date="2026-03-17"
        ),
    ):
        assert text.startswith(SIGNATURE) and text.count("【") == 1, text


def test_the_signature_is_one_msgid():
    assert signed("您好") == f"{SIGNATURE}您好"
    sources = [
        path.relative_to(ROOT).as_posix()
        for folder in ("huagang", "services", "villages")
        for path in (ROOT / folder).rglob("*.py")
        if "[Huagang services]" in path.read_text(encoding="utf-8")
    ]
    assert sources == ["huagang/sms.py"]
    catalog = (ROOT / "locale/zh_Hans/LC_MESSAGES/django.po").read_text("utf-8")
    assert len(re.findall(r"【花岗", catalog)) == 1
