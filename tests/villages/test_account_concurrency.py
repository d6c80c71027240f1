"""Codes under real concurrency (PostgreSQL): one code opens one account, and wrong
guesses sent at once are all counted."""

import re
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection, connections

from huagang.exceptions import InvalidInput
from services.models import Notification
from villages import verification
from villages.models import User, VerificationCode

pytestmark = [pytest.mark.postgres_only, pytest.mark.django_db(transaction=True)]

PHONE = "13912345678"


@pytest.fixture(autouse=True)
def postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip(
            "needs PostgreSQL (row locks, concurrent writers); set DATABASE_URL"
        )


def at_once(function, arguments: list) -> list:
    barrier = threading.Barrier(len(arguments))

    def run(argument):
        try:
            barrier.wait(10)
            return function(argument)
        except Exception as exc:  # any outcome: the test asserts which
            return exc
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=len(arguments)) as pool:
        return list(pool.map(run, arguments))


def sent_code() -> str:
    verification.verification_code_send(
        phone=PHONE, purpose=VerificationCode.Purpose.REGISTER
    )
    body = Notification.objects.get(recipient=PHONE).body
    return re.search(r"\b(\d{6})\b", body).group(1)


def test_ten_registrations_with_one_code_at_once_open_one_account():
    code = sent_code()
    outcomes = at_once(
        lambda n: verification.account_register(
            phone=PHONE, code=code, name=f"第{n}人", password="chrysanthemum-2026"
        ),
        list(range(10)),
    )
    users = [o for o in outcomes if isinstance(o, User)]
    refused = [o for o in outcomes if isinstance(o, InvalidInput)]
    assert len(users) == 1 and len(refused) == 9, outcomes
    assert all("code" in error.errors for error in refused)
    assert User.objects.filter(phone=PHONE).count() == 1


def test_wrong_guesses_at_once_are_all_counted_up_to_the_limit():
    code = sent_code()
    wrong = [f"{(int(code) + n) % 10**6:06d}" for n in range(1, 11)]
    outcomes = at_once(
        lambda guess: verification.account_register(
            phone=PHONE, code=guess, name="猜测者", password="chrysanthemum-2026"
        ),
        wrong,
    )
    assert all(isinstance(o, InvalidInput) for o in outcomes), outcomes
    assert VerificationCode.objects.get(phone=PHONE).attempts == 5
    assert not User.objects.filter(phone=PHONE).exists()
