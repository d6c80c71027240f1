"""Periodic sweeps (Celery beat): time-limit cards and 差评 follow-up reminders."""

import datetime as dt
from collections import Counter

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from villages.models import User

from .. import time_limits, workflow
from ..access import serving_village_q
from ..models import DueState, EventKind, FollowUp, ServiceRequest
from ..notifications import FOLLOW_UP_REMINDER, compose, due_card_text, supervisors
from ..working_days import WorkCalendar
from ._core import lock_request, record_event


def time_limits_sweep(
    *, today: dt.date | None = None, calendar: WorkCalendar | None = None
) -> Counter:
    """Mark running requests due soon (黄牌) or overdue (红牌) and tell the assigned
    clerk and the supervisors once per state; fill in due dates that were unknown
    because officials had not yet entered a year's holidays."""
    today = today or timezone.localdate()
    calendar = calendar or WorkCalendar.load()
    counts: Counter = Counter()
    running = ServiceRequest.objects.filter(status__in=workflow.CLOCK_RUNNING)
    for pk in running.filter(due_date__isnull=True).values_list("pk", flat=True):
        counts[_fill_unknown_due_date(pk, calendar, today)] += 1
    cards = (
        running.annotate(flag=time_limits.flag(today=today, calendar=calendar))
        .filter(flag__in=[DueState.DUE_SOON, DueState.OVERDUE])
        .exclude(due_state=F("flag"))
    )
    for pk in cards.values_list("pk", flat=True):
        counts[_mark(pk, today, calendar)] += 1
    return counts


@transaction.atomic
def _fill_unknown_due_date(pk: int, calendar: WorkCalendar, today: dt.date) -> str:
    locked = lock_request(ServiceRequest(pk=pk))
    # Count from the day the clock last started (acceptance or resumption), with the
    # working days it had left then.
    accepted_on = (
        timezone.localdate(locked.accepted_at) if locked.accepted_at else today
    )
    start = locked.clock_started_on or accepted_on
    left = locked.paused_days_left
    clock = time_limits.start(
        today=start,
        promised_days=locked.item.promised_days if left is None else left,
        calendar=calendar,
        label=locked.tracking_number,
    )
    if clock.due_date is None:
        return "still_unknown"
    locked.due_date, locked.due_note, locked.paused_days_left = clock.due_date, "", None
    locked.due_state = time_limits.state(
        due=clock.due_date, today=today, calendar=calendar
    )
    locked.save(
        update_fields=[
            "due_date",
            "due_note",
            "due_state",
            "paused_days_left",
            "updated_at",
        ]
    )
    record_event(
        locked,
        kind=EventKind.TIME_LIMIT,
        by=None,
        public=False,
        note=_("Due date set to %(date)s.") % {"date": clock.due_date},
    )
    return "due_date_filled"


@transaction.atomic
def _mark(pk: int, today: dt.date, calendar: WorkCalendar) -> str:
    locked = lock_request(ServiceRequest(pk=pk))
    new = time_limits.state_of(
        status=locked.status, due=locked.due_date, today=today, calendar=calendar
    )
    if new == locked.due_state or new not in (DueState.DUE_SOON, DueState.OVERDUE):
        return "unchanged"
    locked.due_state = new
    locked.save(update_fields=["due_state", "updated_at"])
    body = due_card_text(locked, new)
    record_event(locked, kind=EventKind.TIME_LIMIT, by=None, public=False, note=body)
    users = supervisors() + ([locked.assigned_to] if locked.assigned_to else [])
    _queue_staff_message(
        key=f"due:{locked.pk}:{new}:{locked.due_date}",
        users=users,
        body=body,
        service_request=locked,
    )
    return new


def _queue_staff_message(
    *, key: str, users: list[User], body: str, service_request: ServiceRequest
) -> None:
    """Queue the SMS to `users` as a Celery task once the transaction commits (at
    once outside one): a gateway failure is retried like a resident's message.

    robust: what the sweep changed stands; a failure to queue (or, when eager, to
    send after every retry) is logged.
    """
    from .. import tasks

    user_ids = list(dict.fromkeys(user.pk for user in users))
    request_id = service_request.pk
    transaction.on_commit(
        lambda: tasks.notify_staff.delay(
            key=key, user_ids=user_ids, body=body, request_id=request_id
        ),
        robust=True,
    )


def _fill_follow_up_deadlines(calendar: WorkCalendar) -> None:
    """Deadlines left empty because the calendar did not know the year, once it does."""
    missing = (
        FollowUp.objects.filter(deadline__isnull=True)
        .exclude(stage=FollowUp.Stage.ANSWERED)
        .select_related("rating")
    )
    for follow_up in missing:
        deadline = time_limits.follow_up_deadline(
            opened_on=timezone.localdate(follow_up.rating.created_at), calendar=calendar
        )
        if deadline is not None:
            FollowUp.objects.filter(pk=follow_up.pk).update(deadline=deadline)


def follow_ups_remind(
    *, today: dt.date | None = None, calendar: WorkCalendar | None = None
) -> int:
    """Remind those who handle them (the village's clerks and the officials), once a
    day, of 差评 follow-ups due by the next working day or already late (the
    messages go out through a retried Celery task)."""
    today = today or timezone.localdate()
    calendar = calendar or WorkCalendar.load()
    _fill_follow_up_deadlines(calendar)
    horizon = time_limits.due_soon_until(today=today, calendar=calendar)
    due = (
        FollowUp.objects.exclude(stage=FollowUp.Stage.ANSWERED)
        .filter(deadline__lte=horizon)
        .exclude(reminded_on=today)
        .select_related("rating__request")
    )
    handlers: dict[int, list[User]] = {}  # village id → who serves it
    count = 0
    for follow_up in due:
        request = follow_up.rating.request
        if request.village_id not in handlers:
            handlers[request.village_id] = list(
                User.objects.filter(serving_village_q(request.village_id))
            )
        people = handlers[request.village_id]
        body = compose(
            FOLLOW_UP_REMINDER, number=request.tracking_number, date=follow_up.deadline
        )
        # Queued before the day is marked: a crash in between queues it again on the
        # same day's next sweep, under the same key, so it is still sent once.
        _queue_staff_message(
            key=f"follow-up:{follow_up.pk}:{today}",
            users=people,
            body=body,
            service_request=request,
        )
        FollowUp.objects.filter(pk=follow_up.pk).update(reminded_on=today)
        count += 1
    return count
