"""The resident's account: register with a code sent to the number, sign in, reset the
password by code. Every form is posted as its page sends it (tests/pages.py)."""

import datetime as dt
import logging
import re

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.management import call_command
from django.utils import timezone

from services.models import Notification
from tests.factories import UserFactory
from tests.pages import submit
from villages.choices import Role
from villages.models import VerificationCode

pytestmark = pytest.mark.django_db
User = get_user_model()

PHONE = "13912345678"
REGISTER, REGISTER_VERIFY = "/account/register/", "/account/register/verify/"
RESET, RESET_VERIFY = "/account/password-reset/", "/account/password-reset/verify/"
SIGN_IN = "/account/sign-in/"
PASSWORD = "chrysanthemum-2026"


def code_in_outbox(phone: str = PHONE) -> str:
    """The six digits of the newest text message to `phone` (the outbox backend)."""
    message = (
        Notification.objects.filter(
            recipient=phone, idempotency_key__startswith="verification-code:"
        )
        .order_by("-pk")
        .first()
    )
    assert message is not None, "no code was sent"
    return re.search(r"\b(\d{6})\b", message.body).group(1)


def codes_sent(phone: str = PHONE) -> int:
    return Notification.objects.filter(
        recipient=phone, idempotency_key__startswith="verification-code:"
    ).count()


def ask_for_code(client, phone: str = "139 1234 5678", url: str = REGISTER, **extra):
    page = client.get(url)
    assert page.status_code == 200
    return client.post(url, {"phone": phone}, **extra)


def register(client, code: str, password: str = PASSWORD, name: str = "王桂英"):
    return submit(
        client,
        REGISTER_VERIFY,
        REGISTER_VERIFY,
        code=code,
        name=name,
        password1=password,
        password2=password,
    )


def later(**delta):
    return time_machine.travel(timezone.now() + dt.timedelta(**delta), tick=True)


def page_text(response, *numbers: str) -> str:
    """The page without its CSRF token, each of `numbers` (and its mask) as "N"."""
    html = re.sub(
        r'name="csrfmiddlewaretoken" value="[^"]*"', "", response.content.decode()
    )
    for number in numbers:
        html = html.replace(number, "N").replace(f"{number[:3]}****{number[-4:]}", "N")
    return html


def errors_of(response, field: str) -> list[str]:
    return [str(e) for e in response.context["form"].errors.get(field, [])]


# --- registration ----------------------------------------------------------------------


def test_registration_opens_one_verified_resident_account_and_signs_in(client):
    sent = ask_for_code(client)
    assert sent.status_code == 302 and sent["Location"] == REGISTER_VERIFY
    message = Notification.objects.get(recipient=PHONE)
    assert message.channel == "sms" and "验证码" in message.body
    page = client.get(REGISTER_VERIFY)
    assert "139****5678" in page.content.decode()

    done = register(client, code_in_outbox())

    assert done.status_code == 302 and done["Location"] == "/my/requests/"
    user = User.objects.get(phone=PHONE)
    assert user.role == Role.RESIDENT and user.name == "王桂英"
    assert user.phone_verified_at is not None and not user.is_staff
    assert user.check_password(PASSWORD)
    assert user.groups.filter(name__isnull=False).exists()  # the residents' group
    mine = client.get("/my/requests/")
    assert mine.status_code == 200 and mine.context["user"] == user
    assert "欢迎" in mine.content.decode()


def test_the_code_is_stored_only_as_a_keyed_hash(client):
    ask_for_code(client)
    code = code_in_outbox()
    row = VerificationCode.objects.get(phone=PHONE)
    assert code not in row.code_hash and len(row.code_hash) == 64
    assert row.expires_at - row.created_at == dt.timedelta(minutes=10)


def test_an_expired_code_is_a_field_error_and_creates_nothing(client):
    ask_for_code(client)
    code = code_in_outbox()
    with later(minutes=10, seconds=1):
        refused = register(client, code)
    assert refused.status_code == 400
    assert errors_of(refused, "code") == ["此验证码已过期，请重新获取验证码。"]
    assert not User.objects.filter(phone=PHONE).exists()
    assert "此验证码已过期" in refused.content.decode()


def test_a_code_works_until_it_expires(client):
    ask_for_code(client)
    with later(minutes=9, seconds=50):
        assert register(client, code_in_outbox()).status_code == 302
    assert User.objects.filter(phone=PHONE).count() == 1


def test_a_used_code_is_a_field_error_and_creates_nothing(client, django_user_model):
    ask_for_code(client)
    code = code_in_outbox()
    assert register(client, code).status_code == 302
    # the same code again, from another browser that has reached the same step
    other = type(client)()
    session = other.session
    session["verification:register"] = PHONE
    session.save()
    refused = register(other, code, name="冒名者")
    assert refused.status_code == 400
    assert errors_of(refused, "code") == ["此验证码已使用过，请重新获取验证码。"]
    assert django_user_model.objects.filter(phone=PHONE).count() == 1
    assert django_user_model.objects.get(phone=PHONE).name == "王桂英"


def test_wrong_codes_are_counted_and_five_end_the_code(client):
    ask_for_code(client)
    code = code_in_outbox()
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    for _attempt in range(5):
        refused = register(client, wrong)
        assert refused.status_code == 400
        assert "验证码不正确" in errors_of(refused, "code")[0]
    assert VerificationCode.objects.get(phone=PHONE).attempts == 5
    refused = register(client, code)  # the right one, too late
    assert errors_of(refused, "code") == ["验证码错误次数过多，请重新获取验证码。"]
    assert not User.objects.filter(phone=PHONE).exists()


def test_a_code_that_is_not_six_digits_is_refused_before_any_check(client):
    ask_for_code(client)
    refused = register(client, "12345")
    assert errors_of(refused, "code") == ["请输入验证码的六位数字。"]
    assert VerificationCode.objects.get(phone=PHONE).attempts == 0


def test_only_the_newest_code_counts(client):
    ask_for_code(client)
    first = code_in_outbox()
    with later(minutes=2):
        ask_for_code(client)
        second = code_in_outbox()
        if first != second:
            assert register(client, first).status_code == 400
        assert register(client, second).status_code == 302


def test_a_weak_password_is_refused_and_the_code_still_works(client):
    ask_for_code(client)
    code = code_in_outbox()
    refused = register(client, code, password="12345678")
    assert refused.status_code == 400 and errors_of(refused, "password1")
    mismatch = submit(
        client,
        REGISTER_VERIFY,
        REGISTER_VERIFY,
        code=code,
        name="王桂英",
        password1=PASSWORD,
        password2=PASSWORD + "x",
    )
    assert errors_of(mismatch, "password2") == ["两次输入的密码不一致。"]
    assert VerificationCode.objects.get(phone=PHONE).used_at is None
    assert register(client, code).status_code == 302


def test_a_number_with_an_account_gets_the_same_answer_and_a_message_not_a_code(
    client,
):
    UserFactory(phone=PHONE, name="王桂英")
    stranger = type(client)()
    new_number = "13912340000"
    answers = [
        ask_for_code(c, phone=p) for c, p in ((client, PHONE), (stranger, new_number))
    ]
    assert [a.status_code for a in answers] == [302, 302]
    assert [a["Location"] for a in answers] == [REGISTER_VERIFY, REGISTER_VERIFY]
    pages = [c.get(REGISTER_VERIFY) for c in (client, stranger)]
    assert page_text(pages[0], PHONE) == page_text(pages[1], new_number)
    assert "已注册" not in pages[0].content.decode()

    assert codes_sent() == 0 and not VerificationCode.objects.filter(phone=PHONE)
    told = Notification.objects.get(recipient=PHONE)
    assert told.channel == "sms"
    assert "已注册" in told.body and "忘记密码" in told.body
    assert not re.search(r"\d{6}", told.body)

    refused = register(client, "123456", name="冒名者")
    assert refused.status_code == 400
    assert errors_of(refused, "code") == [
        "验证码不正确。请核对最新一条短信，或重新获取验证码。"
    ]
    assert User.objects.filter(phone=PHONE).count() == 1
    assert User.objects.get(phone=PHONE).name == "王桂英"


def test_a_registered_number_is_rate_limited_like_a_new_one(client):
    """The same number asks at the same moments, first without an account, then with
    one: the answers (status, wait, page) are the same."""
    start = timezone.now()

    def answers() -> list[tuple[int, str | None, str]]:
        cache.clear()
        seen = []
        for seconds in (0, 5, 125, 130):
            with time_machine.travel(start + dt.timedelta(seconds=seconds), tick=False):
                response = ask_for_code(type(client)(), phone=PHONE)
            seen.append(
                (response.status_code, response.get("Retry-After"), page_text(response))
            )
        return seen

    as_new = answers()
    assert [status for status, _wait, _page in as_new] == [302, 429, 302, 429]
    UserFactory(phone=PHONE)
    assert answers() == as_new
    assert codes_sent() == 2
    assert Notification.objects.filter(recipient=PHONE).count() == 4


def test_the_registration_forms_say_what_is_missing_or_too_long(client):
    empty = ask_for_code(client, phone="")
    assert errors_of(empty, "phone") == ["请输入您的手机号码。"]
    ask_for_code(client)
    missing = submit(
        client, REGISTER_VERIFY, REGISTER_VERIFY, code="", name="", password1=""
    )
    assert errors_of(missing, "code") == ["请输入短信中的验证码。"]
    assert errors_of(missing, "name") == ["请输入您的姓名。"]
    assert errors_of(missing, "password1") == ["请设置密码。"]
    assert errors_of(missing, "password2") == ["请再次输入密码。"]
    too_long = register(client, code_in_outbox(), name="王" * 500)
    assert errors_of(too_long, "name") == ["姓名不能超过 50 个字。"]
    for page in (empty, missing, too_long):
        html = page.content.decode()
        assert "必填项" not in html and "确保" not in html and "字符数" not in html


def test_a_too_short_password_is_explained_with_您(client):
    ask_for_code(client)
    refused = register(client, code_in_outbox(), password="lotus7")
    assert errors_of(refused, "password1") == ["密码太短：至少需要 8 个字符。"]
    html = refused.content.decode()
    assert "您的密码至少需要 8 个字符。" in html  # the rules under the field
    assert "你" not in html
    common = register(client, code_in_outbox(), password="12345678")
    assert errors_of(common, "password1") == [
        "这个密码太常见，容易被他人猜到。",
        "这个密码全是数字。",
    ]


def test_the_second_step_without_the_first_goes_back(client):
    assert client.get(REGISTER_VERIFY)["Location"] == REGISTER
    assert client.post(REGISTER_VERIFY, {"code": "123456"})["Location"] == REGISTER


def test_an_invalid_number_is_a_field_error(client):
    refused = ask_for_code(client, phone="12345")
    assert refused.status_code == 400 and errors_of(refused, "phone")
    assert not Notification.objects.exists()


# --- rate limits -----------------------------------------------------------------------


def test_a_number_gets_one_code_a_minute_and_five_an_hour(client):
    assert ask_for_code(client).status_code == 302
    again = ask_for_code(client)
    assert again.status_code == 429
    assert "请 1 分钟后再试" in again.content.decode()
    assert 1 <= int(again["Retry-After"]) <= 60
    assert codes_sent() == 1
    for minutes in (2, 4, 6, 8):
        with later(minutes=minutes):
            assert ask_for_code(client).status_code == 302
    with later(minutes=10):
        refused = ask_for_code(client)
    assert refused.status_code == 429 and codes_sent() == 5
    wait = int(refused["Retry-After"])
    assert wait > 60
    assert f"请 {-(-wait // 60)} 分钟后再试" in refused.content.decode()


def test_one_client_gets_a_limited_number_of_codes(client, settings):
    settings.HUAGANG_CODE_RATES_PER_CLIENT = ["3/h"]
    for n in range(3):
        assert ask_for_code(client, phone=f"1391234000{n}").status_code == 302
    refused = ask_for_code(client, phone="13912340009")
    assert refused.status_code == 429 and codes_sent("13912340009") == 0
    elsewhere = ask_for_code(client, phone="13912340009", REMOTE_ADDR="10.1.2.3")
    assert elsewhere.status_code == 302 and codes_sent("13912340009") == 1


class FailingGateway:
    def send(self, notification):
        raise ConnectionError("gateway down")


def test_a_gateway_failure_says_so(client, settings):
    settings.HUAGANG_SMS_BACKEND = "tests.villages.test_account.FailingGateway"
    refused = ask_for_code(client)
    assert refused.status_code == 503
    assert "短信暂时无法发送" in refused.content.decode()
    assert Notification.objects.get(recipient=PHONE).state == "failed"


def test_codes_and_numbers_reach_the_console_only_in_development(
    client, settings, caplog
):
    caplog.set_level(logging.DEBUG)
    ask_for_code(client)
    code = code_in_outbox()
    assert code not in caplog.text and PHONE not in caplog.text
    settings.HUAGANG_CODES_ON_CONSOLE = True  # `make run` sets it
    with later(minutes=2):
        ask_for_code(client)
    development = [
        r for r in caplog.records if r.name == "huagang.verification.development"
    ]
    assert len(development) == 1
    assert code_in_outbox() in development[0].getMessage()


# --- signing in and out ----------------------------------------------------------------


def test_the_demo_resident_signs_in_with_the_documented_password(client):
    call_command("create_demo_accounts", stdout=open("/dev/null", "w"))  # noqa: SIM115
    resident = User.objects.get(phone="13800000004")
    assert resident.phone_verified_at is not None
    done = submit(
        client, SIGN_IN, SIGN_IN, username="13800000004", password="huagang-demo-2026"
    )
    assert done.status_code == 302 and done["Location"] == "/my/requests/"
    assert client.get("/my/requests/").context["user"] == resident


def test_sign_in_accepts_the_number_as_people_type_it(client):
    UserFactory(phone=PHONE, password=PASSWORD)
    done = submit(
        client, SIGN_IN, SIGN_IN, username="１３９ 1234 5678", password=PASSWORD
    )
    assert done.status_code == 302


def test_a_wrong_password_is_refused(client):
    UserFactory(phone=PHONE, password=PASSWORD)
    refused = submit(client, SIGN_IN, SIGN_IN, username=PHONE, password="wrong-one")
    assert refused.status_code == 400
    assert refused.context["form"].non_field_errors() == [
        "手机号码或密码不正确，请重新输入。"
    ]
    assert "区分大小写" not in refused.content.decode()
    assert "_auth_user_id" not in client.session


def test_an_empty_sign_in_names_each_missing_field(client):
    refused = submit(client, SIGN_IN, SIGN_IN, username="", password="")
    assert refused.status_code == 400
    assert errors_of(refused, "username") == ["请输入您的手机号码。"]
    assert errors_of(refused, "password") == ["请输入密码。"]
    assert "必填项" not in refused.content.decode()


def test_pages_for_residents_send_strangers_to_the_resident_sign_in(client):
    response = client.get("/my/requests/")
    assert response["Location"] == "/account/sign-in/?next=/my/requests/"
    assert client.get("/admin/")["Location"].startswith("/admin/login/")


def test_sign_out_is_a_post(client):
    user = UserFactory(phone=PHONE)
    client.force_login(user)
    page = client.get("/")
    assert 'action="/account/sign-out/"' in page.content.decode()
    assert client.get("/account/sign-out/").status_code == 405
    assert client.post("/account/sign-out/")["Location"] == "/"
    assert "_auth_user_id" not in client.session
    assert 'href="/account/sign-in/"' in client.get("/").content.decode()


# --- password reset --------------------------------------------------------------------


def reset(client, code: str, password: str = "new-peony-2026"):
    return submit(
        client,
        RESET_VERIFY,
        RESET_VERIFY,
        code=code,
        password1=password,
        password2=password,
    )


def test_password_reset_by_code(client):
    user = UserFactory(phone=PHONE, password=PASSWORD)
    assert user.phone_verified_at is None
    assert ask_for_code(client, url=RESET)["Location"] == RESET_VERIFY
    done = reset(client, code_in_outbox())
    assert done.status_code == 302 and client.session["_auth_user_id"] == str(user.pk)
    user.refresh_from_db()
    assert user.check_password("new-peony-2026") and not user.check_password(PASSWORD)
    assert user.phone_verified_at is not None  # the code proved the number
    client.post("/account/sign-out/")
    old = submit(client, SIGN_IN, SIGN_IN, username=PHONE, password=PASSWORD)
    assert old.status_code == 400


def test_a_reset_code_works_once(client):
    UserFactory(phone=PHONE, password=PASSWORD)
    ask_for_code(client, url=RESET)
    code = code_in_outbox()
    assert reset(client, code).status_code == 302
    session = client.session
    session["verification:reset"] = PHONE
    session.save()
    refused = reset(client, code, password="another-lotus-2026")
    assert errors_of(refused, "code") == ["此验证码已使用过，请重新获取验证码。"]
    assert User.objects.get(phone=PHONE).check_password("new-peony-2026")


def test_a_reset_for_an_unknown_number_answers_the_same_and_sends_nothing(client):
    moved_on = ask_for_code(client, url=RESET)
    assert moved_on["Location"] == RESET_VERIFY
    assert "139****5678" in client.get(RESET_VERIFY).content.decode()
    assert codes_sent() == 0
    refused = reset(client, "123456")
    assert (
        refused.status_code == 400 and "验证码不正确" in errors_of(refused, "code")[0]
    )


@pytest.mark.parametrize("role", [Role.VILLAGE_CLERK, Role.TOWN_CLERK, Role.OFFICIAL])
def test_a_staff_password_is_not_reset_by_a_text_message(client, village, role):
    UserFactory(
        phone=PHONE,
        password=PASSWORD,
        role=role,
        village=village if role == Role.VILLAGE_CLERK else None,
    )
    assert ask_for_code(client, url=RESET)["Location"] == RESET_VERIFY
    assert codes_sent() == 0


def test_a_registration_code_does_not_reset_a_password(client):
    ask_for_code(client)
    code = code_in_outbox()
    UserFactory(phone=PHONE, password=PASSWORD)  # registered meanwhile, elsewhere
    session = client.session
    session["verification:reset"] = PHONE
    session.save()
    refused = reset(client, code)
    assert refused.status_code == 400
    assert User.objects.get(phone=PHONE).check_password(PASSWORD)
