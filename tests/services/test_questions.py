"""留言咨询: the rules of asking, answering, publishing and making a complaint a request
(actions and time limits), who sees what (access, in object and queryset form), and
the pages: asking, 我的留言, the public list and search, the guide's link, the
workbench queue and the dashboard's figure."""

import datetime as dt
import itertools
import re
import uuid

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from huagang.exceptions import Conflict, InvalidInput, NotPermitted
from huagang.privacy import NOTICE_VERSION
from services import access, tasks, time_limits
from services.actions import (
    question_answer,
    question_ask,
    question_make_request,
    question_publish,
    question_withdraw,
    questions_sweep,
)
from services.caching import fragments_forget
from services.models import (
    DueState,
    Notification,
    Question,
    QuestionEvent,
    QuestionPublication,
)
from services.selectors import questions as selectors
from services.working_days import WorkCalendar
from tests.factories import UserFactory
from villages.choices import Role
from villages.verification import (
    PhoneProof,
    phone_prove,
    question_code_send,
    user_mark_phone_verified,
)

pytestmark = pytest.mark.django_db

LOCAL = dt.timezone(dt.timedelta(hours=8))


def at(day: str, hour: int = 10) -> dt.datetime:
    return dt.datetime.fromisoformat(day).replace(hour=hour, tzinfo=LOCAL)


@pytest.fixture
def asker(resident):
    return user_mark_phone_verified(user=resident)


@pytest.fixture
def ask(asker, village):
    titles = itertools.count(1)

    def _ask(**values) -> Question:
        defaults = {
            "kind": Question.Kind.CONSULT,
            "title": f"低保怎么申请 {next(titles)}",
            "text": "我是花岗社区的王秀兰，电话13955550123，想问低保怎么申请。",
            "village": village,
            "account": asker,
        }
        return question_ask(**{**defaults, **values})

    return _ask


# --- asking and the due date ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("asked", "due"),
    [
        ("2026-03-10", dt.date(2026, 3, 17)),  # a Tuesday: five working days on
        ("2026-03-13", dt.date(2026, 3, 20)),  # a Friday
        ("2026-03-14", dt.date(2026, 3, 23)),  # a Saturday: as if asked on Monday
    ],
)
def test_the_answer_is_due_in_working_days(ask, asked, due):
    with time_machine.travel(at(asked), tick=False):
        question = ask()
    assert question.due_date == due
    assert question.events.get().kind == QuestionEvent.Kind.ASKED


def test_the_answer_days_are_a_setting(ask, settings):
    settings.HUAGANG_QUESTION_ANSWER_DAYS = 2
    with time_machine.travel(at("2026-03-10"), tick=False):
        assert ask().due_date == dt.date(2026, 3, 12)


def test_due_soon_and_overdue_like_requests(ask, official):
    with time_machine.travel(at("2026-03-10"), tick=False):
        question = ask()
    calendar = WorkCalendar.load()
    expected = {
        dt.date(2026, 3, 13): DueState.ON_TIME,
        dt.date(2026, 3, 16): DueState.DUE_SOON,  # the next working day is the 17th
        dt.date(2026, 3, 17): DueState.DUE_SOON,
        dt.date(2026, 3, 18): DueState.OVERDUE,
    }
    for today, state in expected.items():
        assert (
            selectors.question_due_state(question, today=today, calendar=calendar)
            == state
        )
        flagged = selectors.questions_for_staff(
            user=official, today=today, calendar=calendar
        ).get(pk=question.pk)
        assert flagged.due_flag == state, today
    question_answer(question=question, by=official, answer="请到村便民服务点申请。")
    question.refresh_from_db()
    assert (
        selectors.question_due_state(
            question, today=dt.date(2026, 3, 30), calendar=calendar
        )
        == DueState.NONE
    )


def test_the_sweep_tells_those_who_serve_it_once_when_due_soon_and_overdue(
    ask, village_clerk, other_village_clerk, official, commit
):
    with time_machine.travel(at("2026-03-10"), tick=False):
        ask()  # due 2026-03-17
        answered = ask()
        question_answer(question=answered, by=official, answer="答")
    cards = Notification.objects.filter(idempotency_key__startswith="question-due:")

    def sweep(day: str) -> dict:
        with time_machine.travel(at(day), tick=False), commit():
            return dict(questions_sweep())

    assert sweep("2026-03-13") == {}
    assert sweep("2026-03-16") == {DueState.DUE_SOON: 1}
    assert set(cards.values_list("recipient", flat=True)) == {village_clerk.phone}
    assert sweep("2026-03-17") == {}  # told once
    assert sweep("2026-03-18") == {DueState.OVERDUE: 1}
    overdue = cards.filter(idempotency_key__contains=":overdue:")
    assert set(overdue.values_list("recipient", flat=True)) == {
        village_clerk.phone,
        official.phone,
    }
    assert "“低保怎么申请" in overdue.first().body
    assert sweep("2026-03-19") == {}
    assert other_village_clerk.phone not in set(
        cards.values_list("recipient", flat=True)
    )


def test_the_sweep_fills_in_a_due_date_the_calendar_did_not_know(ask):
    question = ask()
    Question.objects.filter(pk=question.pk).update(due_date=None)
    with time_machine.travel(at("2026-03-10"), tick=False):
        assert questions_sweep()["due_date_filled"] == 1
    question.refresh_from_db()
    assert question.due_date == dt.date(2026, 3, 17)


def test_asking_needs_a_verified_number_or_a_code(resident, village):
    values = {"kind": "consult", "title": "问", "text": "问题", "village": village}
    with pytest.raises(NotPermitted):
        question_ask(**values, account=resident)  # the number is not verified
    with pytest.raises(NotPermitted):
        question_ask(**values, asker_name="王秀兰")
    with pytest.raises(TypeError):
        PhoneProof(phone="13955550123")  # only phone_prove makes one


def _code_sent_to(phone: str) -> str:
    body = Notification.objects.filter(recipient=phone).latest("pk").body
    return re.search(r"\d{6}", body).group()


def test_a_code_proves_the_number_of_a_resident_without_account(village):
    question_code_send(phone="13955550999")
    with pytest.raises(InvalidInput) as wrong:
        phone_prove(phone="13955550999", code="000000")
    assert set(wrong.value.errors) == {"code"}
    proof = phone_prove(phone="13955550999", code=_code_sent_to("13955550999"))
    question = question_ask(
        kind="suggest",
        title="建议",
        text="建议延长周六办公时间。",
        village=None,
        asker_name="王秀兰",
        phone_proof=proof,
    )
    assert question.asker_phone == "13955550999"
    assert question.account is None
    assert question.village is None


def test_every_problem_is_reported_at_once(asker):
    with pytest.raises(InvalidInput) as raised:
        question_ask(kind="other", title=" ", text="", account=asker)
    assert set(raised.value.errors) == {"kind", "title", "text"}
    assert not Question.objects.exists()


def test_a_double_post_asks_once(ask):
    key = uuid.uuid4()
    assert ask(submission_key=key) == ask(submission_key=key)
    assert Question.objects.count() == 1


# --- answering, and the notification sent once --------------------------------------------


def test_the_asker_is_told_the_answer_exactly_once(ask, village_clerk, commit):
    question = ask()
    with commit():
        question_answer(question=question, by=village_clerk, answer="请带户口本来办。")
    sent = Notification.objects.filter(idempotency_key__startswith="question-answered:")
    assert sent.count() == 2  # SMS, and e-mail to the account's address
    sms = sent.get(channel="sms")
    assert sms.recipient == question.asker_phone
    assert "请带户口本来办。" in sms.body
    tasks.notify_question_answered.delay(question.pk)  # a redelivered task
    assert sent.count() == 2
    with pytest.raises(Conflict), commit():
        question_answer(question=question, by=village_clerk, answer="再答一次")
    assert sent.count() == 2
    assert question.events.filter(kind=QuestionEvent.Kind.ANSWERED).count() == 1


def test_only_who_serves_the_question_answers(ask, other_village_clerk, resident):
    question = ask()
    for user in (other_village_clerk, resident):
        with pytest.raises(NotPermitted):
            question_answer(question=question, by=user, answer="答复")
    with pytest.raises(InvalidInput):
        question_answer(
            question=question, by=UserFactory(role=Role.OFFICIAL), answer="  "
        )
    question.refresh_from_db()
    assert not question.is_answered


# --- publishing ---------------------------------------------------------------------------


def test_publishing_needs_the_answer_and_every_public_text(ask, village_clerk):
    question = ask()
    public = {
        "title": "低保申请条件",
        "text": "低保怎么申请？",
        "answer": "到村里申请。",
    }
    with pytest.raises(Conflict, match="请先答复"):
        question_publish(question=question, by=village_clerk, **public)
    question_answer(
        question=question, by=village_clerk, answer="王秀兰您好，到村里申请。"
    )
    with pytest.raises(InvalidInput) as raised:
        question_publish(
            question=question, by=village_clerk, title="", text=" ", answer=""
        )
    assert set(raised.value.errors) == {"public_title", "public_text", "public_answer"}
    assert not QuestionPublication.objects.exists()
    publication = question_publish(question=question, by=village_clerk, **public)
    assert (publication.title, publication.text, publication.answer) == (
        "低保申请条件",
        "低保怎么申请？",
        "到村里申请。",
    )
    assert publication.published_by == village_clerk
    question.refresh_from_db()
    assert "王秀兰" in question.text  # the original is kept as it was
    published = question.events.get(kind=QuestionEvent.Kind.PUBLISHED)
    assert published.actor == village_clerk
    question_withdraw(question=question, by=village_clerk)
    assert not QuestionPublication.objects.exists()
    assert question.events.filter(kind=QuestionEvent.Kind.WITHDRAWN).count() == 1
    with pytest.raises(Conflict):
        question_withdraw(question=question, by=village_clerk)


def test_publishing_refuses_a_public_text_with_personal_data_left(ask, village_clerk):
    question = ask()
    question_answer(question=question, by=village_clerk, answer="到村里申请。")
    name = question.asker_name
    assert len(name) >= 2
    cases = [
        ({"text": "我的电话 139 5555 0123，想问低保。"}, "public_text", "电话号码"),
        ({"answer": f"{name}您好，到村里申请。"}, "public_answer", "姓名"),
        ({"title": "340123199001011234 的低保"}, "public_title", "身份证号码"),
    ]
    for changed, field, said in cases:
        public = {
            "title": "低保申请条件",
            "text": "低保怎么申请？",
            "answer": "到村里申请。",
        }
        with pytest.raises(InvalidInput) as raised:
            question_publish(
                question=question, by=village_clerk, **{**public, **changed}
            )
        assert set(raised.value.errors) == {field}
        assert said in str(raised.value.errors[field])
    assert not QuestionPublication.objects.exists()


def _published(ask, by, **values) -> QuestionPublication:
    question = ask(**values)
    question_answer(question=question, by=by, answer="答复内容")
    return question_publish(
        question=question,
        by=by,
        title=values.get("title", "公开的标题"),
        text="公开的问题",
        answer="公开的答复",
    )


# --- a complaint made into a request -------------------------------------------------------


def test_a_complaint_becomes_a_linked_request(ask, items, village, village_clerk):
    complaint = ask(kind=Question.Kind.COMPLAIN, item=items["agency"])
    values = {
        "item": items["agency"],
        "village": village,
        "mode": "agency",
        "consent_version": NOTICE_VERSION,
        "applicant_id_number": "11010519491231002X",
    }
    created = question_make_request(question=complaint, by=village_clerk, **values)
    complaint.refresh_from_db()
    assert complaint.service_request == created
    assert created.applicant_phone == complaint.asker_phone
    assert created.applicant_name == complaint.asker_name
    assert created.description == complaint.text
    assert created.entered_by == village_clerk
    event = complaint.events.get(kind=QuestionEvent.Kind.REQUEST)
    assert event.note == created.tracking_number
    with pytest.raises(Conflict, match="已转为办件"):
        question_make_request(question=complaint, by=village_clerk, **values)
    with pytest.raises(Conflict, match="只有投诉"):
        question_make_request(question=ask(), by=village_clerk, **values)


def test_a_complaint_needs_the_residents_consent(ask, items, village, village_clerk):
    complaint = ask(kind=Question.Kind.COMPLAIN)
    with pytest.raises(InvalidInput) as raised:
        question_make_request(
            question=complaint,
            by=village_clerk,
            item=items["agency"],
            village=village,
            mode="agency",
            consent_version="",
            applicant_id_number="11010519491231002X",
        )
    assert "consent" in raised.value.errors
    complaint.refresh_from_db()
    assert complaint.service_request is None


# --- who sees what ------------------------------------------------------------------------


@pytest.fixture
def people(
    asker, village_clerk, other_village_clerk, town_clerk, official, items
) -> dict:
    other_body_clerk = UserFactory(role=Role.TOWN_CLERK)
    other_body = (
        type(items["agency"].body)
        .objects.exclude(pk__in=[item.body_id for item in items.values()])
        .first()
    )
    other_body.clerks.add(other_body_clerk)
    return {
        "asker": asker,
        "other_resident": user_mark_phone_verified(
            user=UserFactory(role=Role.RESIDENT)
        ),
        "clerk_a": village_clerk,
        "clerk_b": other_village_clerk,
        "town_x": town_clerk,
        "town_y": other_body_clerk,
        "official": official,
        "anonymous": None,
    }


@pytest.fixture
def questions(ask, items, village, other_village) -> dict:
    return {
        "village A, general": ask(),
        "village A, on an item": ask(item=items["agency"]),
        "village B, on an item": ask(village=other_village, item=items["home"]),
        "town, general": ask(village=None),
        "town, on an item": ask(village=None, item=items["instant"]),
    }


SERVES = {
    # question → the people who serve it
    "village A, general": {"clerk_a", "official"},
    "village A, on an item": {"clerk_a", "town_x", "official"},
    "village B, on an item": {"clerk_b", "town_x", "official"},
    "town, general": {"town_x", "town_y", "official"},
    "town, on an item": {"town_x", "official"},
}


def test_who_serves_a_question_in_object_and_queryset_form(people, questions):
    for name, question in questions.items():
        for who, user in people.items():
            expected = who in SERVES[name]
            assert access.serves_question(user, question) is expected, (name, who)
            in_scope = access.questions_to_answer(user=user).filter(pk=question.pk)
            assert in_scope.exists() is expected, (name, who)


def test_who_serves_a_question_as_a_filter_on_users(people, questions):
    from villages.models import User

    for name, question in questions.items():
        servers = set(User.objects.filter(access.question_servers_q(question)))
        for who, user in people.items():
            if user is not None:
                assert (user in servers) is (who in SERVES[name]), (name, who)


def test_only_the_asker_sees_a_question_as_its_own(people, questions):
    for question in questions.values():
        for who, user in people.items():
            expected = who == "asker"
            assert access.is_asker(user, question) is expected
            mine = access.questions_of_asker(user=user).filter(pk=question.pk)
            assert mine.exists() is expected


def test_a_verified_number_finds_the_questions_asked_with_it(village):
    question_code_send(phone="13955550777")
    proof = phone_prove(phone="13955550777", code=_code_sent_to("13955550777"))
    question = question_ask(
        kind="consult", title="问", text="问题", asker_name="李", phone_proof=proof
    )
    later = UserFactory(role=Role.RESIDENT, phone="13955550777")
    assert not access.is_asker(later, question)  # not verified yet
    user_mark_phone_verified(user=later)
    assert access.is_asker(later, question)


def test_a_resident_never_sees_another_residents_question(client, people, questions):
    question = questions["village A, general"]
    client.force_login(people["other_resident"])
    assert client.get(reverse("mine:question", args=[question.pk])).status_code == 404
    listing = client.get(reverse("mine:questions")).content.decode()
    assert question.title not in listing
    client.force_login(people["asker"])
    page = client.get(reverse("mine:question", args=[question.pk]))
    assert page.status_code == 200
    assert question.text in page.content.decode()


def test_staff_pages_hide_questions_of_those_they_do_not_serve(
    client, people, questions
):
    question = questions["village A, general"]
    url = reverse("staff:question", args=[question.pk])
    expected = {
        "clerk_a": 200,
        "clerk_b": 404,
        "town_x": 404,
        "official": 200,
        "asker": 403,
    }
    for who, status in expected.items():
        client.force_login(people[who])
        response = client.get(url)
        assert response.status_code == status, who
        queue = client.get(reverse("staff:questions"))
        if status != 403:
            assert (question.title in queue.content.decode()) is (status == 200)
    client.logout()
    assert client.get(url).status_code == 302


def test_a_refused_answer_changes_nothing(client, people, questions):
    question = questions["village A, general"]
    client.force_login(people["clerk_b"])
    url = reverse("staff:question_answer", args=[question.pk])
    assert client.post(url, {"answer": "答复"}).status_code == 404
    assert client.get(url).status_code == 405
    question.refresh_from_db()
    assert not question.is_answered


def test_unpublished_questions_are_not_public(client, ask, village_clerk):
    question = ask(title="未公开的问题")
    question_answer(question=question, by=village_clerk, answer="答复")
    page = client.get(reverse("questions:list")).content.decode()
    assert "未公开的问题" not in page
    assert (
        client.get(reverse("questions:detail", args=[question.pk])).status_code == 404
    )


# --- the pages ----------------------------------------------------------------------------


def test_a_signed_in_resident_asks_and_sees_the_answer(client, asker, village, items):
    client.force_login(asker)
    form = client.get(reverse("questions:ask") + f"?item={items['home'].code}")
    assert form.status_code == 200
    response = client.post(
        reverse("questions:ask"),
        {
            "kind": "consult",
            "village": village.code,
            "item": items["home"].code,
            "title": "上门办理要预约吗",
            "text": "我母亲行动不便。",
            "form_key": str(uuid.uuid4()),
        },
    )
    question = Question.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("mine:question", args=[question.pk])
    assert question.item == items["home"]
    assert question.account == asker
    question_answer(
        question=question, by=UserFactory(role=Role.OFFICIAL), answer="不用预约。"
    )
    page = client.get(response.url).content.decode()
    assert "不用预约。" in page


def test_the_form_keeps_what_was_typed_and_says_what_is_wrong(client, asker):
    client.force_login(asker)
    response = client.post(
        reverse("questions:ask"),
        {"kind": "consult", "title": "", "text": "我想问的事", "form_key": "x"},
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "我想问的事" in page
    assert "请填写此项。" in page
    assert not Question.objects.exists()


def test_without_an_account_the_number_is_proven_on_the_form(client, village):
    values = {
        "kind": "complain",
        "village": village.code,
        "title": "路灯坏了",
        "text": "村口路灯坏了一个月。",
        "asker_name": "赵强",
        "phone": "13955550888",
        "form_key": str(uuid.uuid4()),
    }
    sent = client.post(reverse("questions:ask"), {**values, "send_code": "1"})
    assert sent.status_code == 200
    assert "路灯坏了" in sent.content.decode()  # kept while the code is sent
    missing = client.post(reverse("questions:ask"), values)
    assert missing.status_code == 400
    wrong = client.post(reverse("questions:ask"), {**values, "code": "000000"})
    assert wrong.status_code == 400
    assert not Question.objects.exists()
    code = _code_sent_to("13955550888")
    done = client.post(reverse("questions:ask"), {**values, "code": code})
    assert done.status_code == 302
    question = Question.objects.get()
    assert (question.asker_phone, question.asker_name) == ("13955550888", "赵强")


def test_a_clerk_answers_publishes_and_makes_a_request_on_the_workbench(
    client, ask, village_clerk, items, village
):
    question = ask(kind=Question.Kind.COMPLAIN, item=items["agency"])
    client.force_login(village_clerk)
    url = reverse("staff:question", args=[question.pk])
    empty = client.post(reverse("staff:question_answer", args=[question.pk]), {})
    assert empty.status_code == 400
    answered = client.post(
        reverse("staff:question_answer", args=[question.pk]), {"answer": "已处理。"}
    )
    assert answered.status_code == 302
    assert answered.url == url
    publish = reverse("staff:question_publish", args=[question.pk])
    missing = client.post(publish, {"public_title": "标题", "public_text": "问"})
    assert missing.status_code == 400
    assert "标题" in missing.content.decode()
    assert not QuestionPublication.objects.exists()
    values = {"public_title": "标题", "public_text": "问", "public_answer": "答"}
    assert client.post(publish, values).status_code == 302
    request_url = reverse("staff:question_request", args=[question.pk])
    refused = client.post(
        request_url,
        {"item": items["agency"].code, "village": village.code, "mode": "agency"},
    )
    assert refused.status_code == 400  # no consent
    made = client.post(
        request_url,
        {
            "item": items["agency"].code,
            "village": village.code,
            "mode": "agency",
            "consent": "on",
            "applicant_id_number": "11010519491231002X",
        },
    )
    assert made.status_code == 302
    question.refresh_from_db()
    page = client.get(url).content.decode()
    assert question.service_request.tracking_number in page


def test_the_public_list_is_searched_and_paged(client, ask, official):
    _published(ask, official, title="低保申请条件")
    _published(ask, official, title="养老保险缴费")
    found = client.get(reverse("questions:list"), {"q": "低保"}).content.decode()
    assert "低保申请条件" in found
    assert "养老保险缴费" not in found
    for n in range(21):
        _published(ask, official, title=f"第{n}个问题")
    first = client.get(reverse("questions:list"), {"q": "问题"}).content.decode()
    assert 'rel="next"' in first and "q=%E9%97%AE%E9%A2%98&amp;page=2" in first
    second = client.get(reverse("questions:list"), {"q": "问题", "page": 2})
    assert second.status_code == 200


def test_the_guide_links_its_public_questions_with_their_count(
    client, ask, official, items
):
    item = items["agency"]
    guide = item.get_absolute_url()
    assert "相关问答 (0)" in client.get(guide).content.decode()
    publication = _published(ask, official, item=item)
    _published(ask, official)  # on no item
    page = client.get(guide).content.decode()
    assert "相关问答 (1)" in page  # the cached guide is renewed by publishing
    assert f"{reverse('questions:list')}?item={item.code}" in page
    listing = client.get(reverse("questions:list"), {"item": item.code})
    assert publication.title in listing.content.decode()
    question_withdraw(question=publication.question, by=official)
    assert "相关问答 (0)" in client.get(guide).content.decode()


def test_the_guide_still_costs_the_same_queries(client, items):
    fragments_forget()
    with CaptureQueriesContext(connection) as queries:
        assert client.get(items["agency"].get_absolute_url()).status_code == 200
    assert len(queries) == 8  # as tests/services/test_guide.py counts them


# --- the dashboard and query counts --------------------------------------------------------


def test_the_dashboard_reports_questions_answered_on_time(
    client, ask, official, village
):
    with time_machine.travel(at("2026-03-02"), tick=False):  # due 2026-03-09
        on_time, late, open_late, open_ = ask(), ask(), ask(), ask(village=None)
        question_answer(question=on_time, by=official, answer="答")
    with time_machine.travel(at("2026-03-10"), tick=False):
        question_answer(question=late, by=official, answer="答")
        open_.due_date = dt.date(2026, 3, 20)
        open_.save()
    client.force_login(official)
    response = client.get(
        reverse("dashboard:index"), {"from": "2026-03-01", "to": "2026-03-31"}
    )
    figure = response.context["figures"].questions
    row = next(row for row in figure.rows if row[0] == village.name)
    assert row[1:5] == [3, 2, 1, 1]  # asked, answered, on time, overdue
    assert figure.total[1:5] == [4, 2, 1, 1]
    assert figure.total[5] == pytest.approx(0.5, abs=0.01) or figure.total[5] == 50
    assert open_late.pk
    export = client.get(
        "/dashboard/export/questions.csv", {"from": "2026-03-01", "to": "2026-03-31"}
    )
    assert export.status_code == 200


def test_a_village_clerks_figure_counts_only_their_village(
    client, ask, other_village, village_clerk
):
    ask()
    ask(village=other_village)
    client.force_login(village_clerk)
    response = client.get(
        reverse("dashboard:index"), {"from": "2026-03-01", "to": "2026-03-31"}
    )
    assert response.context["figures"].questions.total[1] == 1


def _count(client, url, params=None) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url, params or {}).status_code == 200
    return len(captured)


def test_the_pages_cost_as_many_queries_for_few_and_many_questions(
    client, ask, official, asker, village
):
    period = {"from": "2026-03-01", "to": "2026-03-31"}
    pages = [
        (official, reverse("staff:questions"), {}),
        (official, reverse("staff:questions"), {"answered": "1"}),
        (official, reverse("dashboard:index"), period),
        (asker, reverse("mine:questions"), {}),
        (None, reverse("questions:list"), {"q": "公开"}),
    ]

    def counts() -> list[int]:
        found = []
        for user, url, params in pages:
            if user is None:
                client.logout()
            else:
                client.force_login(user)
            found.append(_count(client, url, params))
        return found

    for _n in range(2):
        _published(ask, official)
        ask()
    few = counts()
    for _n in range(15):
        _published(ask, official, village=None)
        ask()
    assert counts() == few


def test_the_sql_flag_agrees_with_the_python_state(ask, official):
    calendar = WorkCalendar.load()
    found = [ask(), ask(), ask()]
    question_answer(question=found[0], by=official, answer="答")
    found[2].due_date = None
    found[2].save()
    for today in (dt.date(2026, 3, 10), dt.date(2026, 3, 17), dt.date(2026, 3, 30)):
        flagged = dict(
            Question.objects.annotate(
                flag=time_limits.question_flag(today=today, calendar=calendar)
            ).values_list("pk", "flag")
        )
        for question in Question.objects.all():
            assert flagged[question.pk] == time_limits.question_state(
                answered=question.is_answered,
                due=question.due_date,
                today=today,
                calendar=calendar,
            )
