"""Reads of 留言咨询: the staff queue, the asker's own questions, the public list.

Which questions a user sees is ``access`` (``questions_to_answer``,
``questions_of_asker``); the public reads only ``QuestionPublication`` rows, never a
question itself.
"""

import datetime as dt

from django.db.models import Q, QuerySet

from villages.models import User

from .. import access, time_limits
from ..models import DueState, Question, QuestionEvent, QuestionPublication
from ..working_days import WorkCalendar


def questions_for_staff(
    *,
    user: User,
    today: dt.date,
    calendar: WorkCalendar,
    answered: bool = False,
) -> QuerySet[Question]:
    """The questions `user` serves: the open ones by due date (overdue first), or the
    answered ones, the latest first; each with ``due_flag`` (one query a page)."""
    found = (
        access.questions_to_answer(user=user)
        .filter(answered_at__isnull=not answered)
        .select_related("item", "village")
        .annotate(due_flag=time_limits.question_flag(today=today, calendar=calendar))
    )
    if answered:
        return found.order_by("-answered_at", "-pk")
    return found.order_by("due_date", "pk")


def question_for_staff(*, user: User, pk: int) -> Question | None:
    """One question `user` serves, with its publication and events, or None."""
    return (
        access.questions_to_answer(user=user)
        .select_related(
            "item__body", "village", "answered_by", "service_request", "publication"
        )
        .filter(pk=pk)
        .first()
    )


def question_events(*, question: Question) -> QuerySet[QuestionEvent]:
    return question.events.select_related("actor").order_by("created_at", "pk")


def questions_of_asker(*, user: User) -> QuerySet[Question]:
    """The questions `user` asked, the latest first."""
    return (
        access.questions_of_asker(user=user)
        .select_related("item", "village", "publication", "service_request")
        .order_by("-asked_at", "-pk")
    )


def question_of_asker(*, user: User, pk: int) -> Question | None:
    return questions_of_asker(user=user).filter(pk=pk).first()


def public_questions(*, query: str = "", item_code: str = "") -> QuerySet:
    """The published questions, the latest first, matching every word of `query` in
    their public title, question or answer or their item's name; of one item with
    `item_code`."""
    found = QuestionPublication.objects.select_related("item")
    for word in query.split()[:10]:
        found = found.filter(
            Q(title__icontains=word)
            | Q(text__icontains=word)
            | Q(answer__icontains=word)
            | Q(item__name__icontains=word)
        )
    if item_code:
        found = found.filter(item__code=item_code)
    return found.order_by("-published_at", "-pk")


def public_question_get(*, pk: int) -> QuestionPublication | None:
    return QuestionPublication.objects.select_related("item").filter(pk=pk).first()


def question_due_state(
    question: Question, *, today: dt.date, calendar: WorkCalendar
) -> DueState:
    """``time_limits.question_state`` of one question (for a page that shows it)."""
    return DueState(
        time_limits.question_state(
            answered=question.is_answered,
            due=question.due_date,
            today=today,
            calendar=calendar,
        )
    )
