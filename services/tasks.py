"""Celery tasks: thin wrappers that take primary keys and call actions.

Every task is safe to run twice (acks_late redelivers after a crash): notifications are
keyed, sweeps re-check state under a row lock.
"""

from celery import shared_task
from django.db import OperationalError

from .notifications import NotificationFailed

# A database hiccup or a gateway failure: try again later, with backoff.
RETRY = {
    "autoretry_for": (OperationalError, NotificationFailed),
    "retry_backoff": True,
    "max_retries": 8,
}


@shared_task(acks_late=True, **RETRY)
def notify_event(event_id: int) -> int:
    from .notifications import notifications_for_event

    return len(notifications_for_event(event_id=event_id))


@shared_task(acks_late=True, **RETRY)
def notify_follow_up(follow_up_id: int) -> int:
    from .notifications import notifications_for_follow_up

    return notifications_for_follow_up(follow_up_id=follow_up_id)


@shared_task(acks_late=True, **RETRY)
def notify_question_answered(question_id: int) -> int:
    from .notifications import notifications_for_answer

    return len(notifications_for_answer(question_id=question_id))


@shared_task(acks_late=True, **RETRY)
def notify_staff(
    key: str, user_ids: list[int], body: str, request_id: int | None = None
) -> int:
    """Staff messages (due cards, follow-up reminders), retried like the residents'."""
    from .notifications import notifications_for_staff

    return notifications_for_staff(
        key=key, user_ids=user_ids, body=body, request_id=request_id
    )


@shared_task(acks_late=True, **RETRY)
def sweep_time_limits() -> dict[str, int]:
    from .actions import time_limits_sweep

    return dict(time_limits_sweep())


@shared_task(acks_late=True, **RETRY)
def sweep_questions() -> dict[str, int]:
    """留言咨询: unknown due dates filled in, 黄牌 and 红牌 told once."""
    from .actions import questions_sweep

    return dict(questions_sweep())


@shared_task(acks_late=True, **RETRY)
def remind_follow_ups() -> int:
    from .actions import follow_ups_remind

    return follow_ups_remind()


@shared_task(acks_late=True, **RETRY)
def update_daily_figures() -> int:
    """The dashboard's daily figures, brought up to yesterday (idempotent: each day
    is rebuilt from the requests)."""
    from django.utils import timezone

    from .actions.statistics import daily_figures_update

    return daily_figures_update(today=timezone.localdate())


@shared_task(acks_late=True, **RETRY)
def rebuild_daily_figures_from(first: str) -> int:
    """The daily figures rebuilt from `first` (ISO date) to yesterday: after the
    holiday calendar changed, the working days counted since then may differ."""
    import datetime as dt

    from django.db.models import Min
    from django.utils import timezone

    from .actions.statistics import daily_figures_rebuild
    from .models import ServiceRequest

    oldest = ServiceRequest.objects.aggregate(first=Min("submitted_at"))["first"]
    if oldest is None:
        return 0
    start = max(dt.date.fromisoformat(first), timezone.localdate(oldest))
    last = timezone.localdate() - dt.timedelta(days=1)
    if start > last:
        return 0
    return daily_figures_rebuild(first=start, last=last)
