"""留言咨询: a resident asks; the body or village that serves the question answers it
(the resident is told once); staff publish a version without personal data, withdraw
it, and make a complaint into a service request.

Who serves a question is ``access.serves_question``; every write here locks the
question's row, checks, changes, and appends a ``QuestionEvent``.
"""

import datetime as dt
import re
import uuid
from collections import Counter

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from huagang.exceptions import Conflict, InvalidInput, NotPermitted
from villages.choices import Role
from villages.models import User, Village
from villages.verification import PhoneProof

from .. import access, time_limits
from ..models import (
    Channel,
    DueState,
    Question,
    QuestionEvent,
    QuestionPublication,
    ServiceItem,
    ServiceRequest,
)
from ..notifications import QUESTION_DUE_CARD, compose
from ..working_days import WorkCalendar

TITLE_MAX = 100
TEXT_MAX = 2000
NAME_MAX = 50


def _record(question: Question, kind: str, by: User | None, note: str = "") -> None:
    QuestionEvent.objects.create(question=question, kind=kind, actor=by, note=note)


def _lock(question: Question) -> Question:
    # of=self: the item and village are outer joins, which PostgreSQL cannot lock
    return (
        Question.objects.select_for_update(of=("self",))
        .select_related("item", "village")
        .get(pk=question.pk)
    )


def _text_problems(values: dict[str, tuple[str, int]]) -> dict[str, list[str]]:
    """Each field that is empty or longer than its limit (field → (text, limit))."""
    errors: dict[str, list[str]] = {}
    for name, (text, limit) in values.items():
        if not text:
            errors[name] = [_("Fill this in.")]
        elif len(text) > limit:
            errors[name] = [_("Write at most %(limit)d characters.") % {"limit": limit}]
    return errors


# A mainland mobile number or an ID number, also with spaces or dashes inside.
_MOBILE = re.compile(r"(?<!\d)1[3-9](?:[\s-]?\d){9}(?!\d)")
_ID_NUMBER = re.compile(r"(?<!\d)\d{6}(?:[\s-]?\d){11}[\s-]?[\dXx](?!\d)")


def _personal_data_left(
    question: Question, values: dict[str, tuple[str, int]]
) -> dict[str, list[str]]:
    """Each public text that still holds the asker's name, a mobile number or an ID
    number: the public version is written without them (the original stays private)."""
    name = (question.asker_name or "").strip()
    errors: dict[str, list[str]] = {}
    for field, (text, _limit) in values.items():
        if (len(name) >= 2 and name in text) or _MOBILE.search(text):
            errors[field] = [
                _("Remove the asker's name and any phone number before publishing.")
            ]
        elif _ID_NUMBER.search(text):
            errors[field] = [_("Remove the ID number before publishing.")]
    return errors


def _asker(
    account: User | None, phone_proof: PhoneProof | None
) -> tuple[User | None, str]:
    """(the account, the proven mobile number) of whoever asks; NotPermitted if the
    number is neither an account's verified one nor proven by a code."""
    signed_in = account if account is not None and account.is_active else None
    if phone_proof is not None:
        return signed_in, phone_proof.phone
    if access.may_ask_question(signed_in):
        return signed_in, signed_in.phone  # type: ignore[union-attr]
    raise NotPermitted(
        _("Sign in, or prove your mobile number with a code, to ask a question.")
    )


@transaction.atomic
def question_ask(
    *,
    kind: str,
    title: str,
    text: str,
    item: ServiceItem | None = None,
    village: Village | None = None,
    asker_name: str = "",
    account: User | None = None,
    phone_proof: PhoneProof | None = None,
    submission_key: uuid.UUID | None = None,
    calendar: WorkCalendar | None = None,
) -> Question:
    """Ask a question on `item` (or in general) naming `village` (or, None, the town).

    The asker is `account` if its mobile number is verified, or whoever holds
    `phone_proof` (a code sent to the number; `account` is then linked if given).
    The answer is due ``HUAGANG_QUESTION_ANSWER_DAYS`` working days later. Raises
    NotPermitted without a proven number, InvalidInput listing every problem. The
    same `submission_key` again returns the first question (a double post).
    """
    if submission_key is not None:
        existing = Question.objects.filter(submission_key=submission_key).first()
        if existing is not None:
            return existing
    account, phone = _asker(account, phone_proof)
    name = (asker_name or "").strip() or (account.name if account else "")
    errors = _text_problems(
        {
            "title": ((title or "").strip(), TITLE_MAX),
            "text": ((text or "").strip(), TEXT_MAX),
            "asker_name": (name, NAME_MAX),
        }
    )
    if kind not in Question.Kind.values:
        errors["kind"] = [_("Choose a question, a suggestion or a complaint.")]
    if item is not None and not item.is_active:
        errors["item"] = [_("This item is not in the catalog.")]
    if errors:
        raise InvalidInput(errors)
    now = timezone.now()
    clock = time_limits.question_clock(
        asked_on=timezone.localdate(now), calendar=calendar or WorkCalendar.load()
    )
    question = Question.objects.create(
        kind=kind,
        item=item,
        village=village,
        account=account,
        asker_name=name,
        asker_phone=phone,
        title=title.strip(),
        text=text.strip(),
        asked_at=now,
        due_date=clock.due_date,
        submission_key=submission_key,
    )
    _record(question, QuestionEvent.Kind.ASKED, account)
    return question


def _check_serves(by: User, question: Question) -> None:
    if not access.serves_question(by, question):
        raise NotPermitted(_("You do not serve this question."))


@transaction.atomic
def question_answer(*, question: Question, by: User, answer: str) -> Question:
    """Answer a question once; the asker is sent the answer (on commit, once: the
    message's key is the question). Raises NotPermitted unless `by` serves it,
    Conflict if it is answered already, InvalidInput on an empty answer."""
    locked = _lock(question)
    _check_serves(by, locked)
    if locked.is_answered:
        raise Conflict(_("This question has already been answered."))
    answer = (answer or "").strip()
    errors = _text_problems({"answer": (answer, TEXT_MAX)})
    if errors:
        raise InvalidInput(errors)
    locked.answer, locked.answered_at, locked.answered_by = answer, timezone.now(), by
    locked.save(update_fields=["answer", "answered_at", "answered_by"])
    _record(locked, QuestionEvent.Kind.ANSWERED, by)
    from .. import tasks

    transaction.on_commit(
        lambda: tasks.notify_question_answered.delay(locked.pk), robust=True
    )
    return locked


@transaction.atomic
def question_publish(
    *, question: Question, by: User, title: str, text: str, answer: str
) -> QuestionPublication:
    """Publish an answered question as `title`, `text` and `answer`, which the staff
    member wrote without personal data (the original stays private). Publishing
    again replaces the public text. Raises NotPermitted unless `by` serves it,
    Conflict before it is answered, InvalidInput if a public text is missing."""
    locked = _lock(question)
    _check_serves(by, locked)
    if not locked.is_answered:
        raise Conflict(_("Answer the question before publishing it."))
    values = {
        "public_title": ((title or "").strip(), TITLE_MAX),
        "public_text": ((text or "").strip(), TEXT_MAX),
        "public_answer": ((answer or "").strip(), TEXT_MAX),
    }
    errors = _text_problems(values) or _personal_data_left(locked, values)
    if errors:
        raise InvalidInput(errors)
    publication, created = QuestionPublication.objects.update_or_create(
        question=locked,
        defaults={
            "item": locked.item,
            "kind": locked.kind,
            "title": values["public_title"][0],
            "text": values["public_text"][0],
            "answer": values["public_answer"][0],
            "answered_on": timezone.localdate(locked.answered_at),
            "published_at": timezone.now(),
            "published_by": by,
        },
    )
    note = "" if created else _("The public text was changed.")
    _record(locked, QuestionEvent.Kind.PUBLISHED, by, note)
    return publication


@transaction.atomic
def question_withdraw(*, question: Question, by: User) -> Question:
    """Take a question off the public list (its public text is deleted). Raises
    NotPermitted unless `by` serves it, Conflict if it is not public."""
    locked = _lock(question)
    _check_serves(by, locked)
    deleted, _rows = QuestionPublication.objects.filter(question=locked).delete()
    if not deleted:
        raise Conflict(_("This question is not public."))
    _record(locked, QuestionEvent.Kind.WITHDRAWN, by)
    return locked


@transaction.atomic
def question_make_request(
    *,
    question: Question,
    by: User,
    item: ServiceItem,
    village: Village,
    mode: str,
    consent_version: str,
    applicant_id_number: str = "",
) -> ServiceRequest:
    """Make a complaint (投诉) into a service request, entered by `by` for the asker
    (``service_request_enter``, by phone: the clerk calls the resident, who agrees to
    the use of their data), and link the two. Raises NotPermitted unless `by` serves
    the question, Conflict if it is not a complaint or already has its request, and
    what ``service_request_enter`` raises (InvalidInput listing every problem)."""
    from .entry import service_request_enter

    locked = _lock(question)
    _check_serves(by, locked)
    if locked.kind != Question.Kind.COMPLAIN:
        raise Conflict(_("Only a complaint can be made into a service request."))
    if locked.service_request_id is not None:
        raise Conflict(_("This complaint has already been made into a request."))
    created = service_request_enter(
        entered_by=by,
        item=item,
        village=village,
        mode=mode,
        channel=Channel.PHONE,
        applicant_name=locked.asker_name,
        applicant_phone=locked.asker_phone,
        applicant_id_number=applicant_id_number,
        consent_version=consent_version,
        description=locked.text,
    )
    locked.service_request = created
    locked.save(update_fields=["service_request"])
    _record(locked, QuestionEvent.Kind.REQUEST, by, created.tracking_number)
    return created


# --- the sweep: unknown due dates filled in, 黄牌 and 红牌 told once --------------------


def questions_sweep(
    *, today: dt.date | None = None, calendar: WorkCalendar | None = None
) -> Counter:
    """For open questions: fill in due dates left empty because the calendar did not
    know the year, and tell the staff who serve a question once when it becomes due
    soon (黄牌: its clerks) and once when overdue (红牌: its clerks and the officials),
    by a retried Celery task."""
    today = today or timezone.localdate()
    calendar = calendar or WorkCalendar.load()
    counts: Counter = Counter()
    waiting = Question.objects.filter(answered_at__isnull=True)
    for question in waiting.filter(due_date__isnull=True):
        clock = time_limits.question_clock(
            asked_on=timezone.localdate(question.asked_at), calendar=calendar
        )
        if clock.due_date is not None:
            Question.objects.filter(pk=question.pk).update(due_date=clock.due_date)
            counts["due_date_filled"] += 1
    cards = (
        waiting.annotate(flag=time_limits.question_flag(today=today, calendar=calendar))
        .filter(flag__in=[DueState.DUE_SOON, DueState.OVERDUE])
        .exclude(due_state=F("flag"))
    )
    for pk in cards.values_list("pk", flat=True):
        counts[_card(pk, today, calendar)] += 1
    return counts


@transaction.atomic
def _card(pk: int, today: dt.date, calendar: WorkCalendar) -> str:
    locked = _lock(Question(pk=pk))
    state = time_limits.question_state(
        answered=locked.is_answered, due=locked.due_date, today=today, calendar=calendar
    )
    if state == locked.due_state or state not in (DueState.DUE_SOON, DueState.OVERDUE):
        return "unchanged"
    locked.due_state = state
    locked.save(update_fields=["due_state"])
    body = compose(
        QUESTION_DUE_CARD,
        title=locked.title,
        card=DueState(state).label,
        date=locked.due_date,
    )
    people = User.objects.filter(access.question_servers_q(locked))
    if state == DueState.DUE_SOON:  # the officials hear of it once it is late
        people = people.exclude(role=Role.OFFICIAL)
    user_ids = list(people.order_by("pk").values_list("pk", flat=True).distinct())
    from .. import tasks

    key = f"question-due:{locked.pk}:{state}:{locked.due_date}"
    transaction.on_commit(
        lambda: tasks.notify_staff.delay(key=key, user_ids=user_ids, body=body),
        robust=True,
    )
    return state
