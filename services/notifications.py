"""Notifications: composing messages and sending each exactly once through a backend.

The default backend is the outbox table itself (officials read it in the admin). A real
SMS or e-mail gateway plugs in through ``HUAGANG_SMS_BACKEND`` / ``HUAGANG_EMAIL_BACKEND``:
a class with ``send(notification)`` that passes ``notification.idempotency_key`` on to
the gateway, so a retry after a crash cannot produce a second message.
"""

import logging
from typing import Protocol

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from huagang.sms import sentences, signed
from villages.choices import Role
from villages.models import User

from .access import role_q, serving_village_q
from .models import (
    EventKind,
    LifeEventApplication,
    LifeEventLink,
    Notification,
    RequestEvent,
    ServiceRequest,
)

logger = logging.getLogger("huagang.notifications")


class NotificationFailed(Exception):
    """The gateway refused or failed; the row is marked failed and the task retries."""


class NotificationBackend(Protocol):
    def send(self, notification: Notification) -> None: ...


class OutboxBackend:
    """Keeps the message in the outbox table only; nothing leaves the portal."""

    def send(self, notification: Notification) -> None:
        return None


def _backend(channel: str) -> NotificationBackend:
    path = (
        settings.HUAGANG_EMAIL_BACKEND
        if channel == Notification.ChannelKind.EMAIL
        else settings.HUAGANG_SMS_BACKEND
    )
    return import_string(path)()


def notification_send(
    *,
    key: str,
    channel: str,
    recipient: str,
    body: str,
    service_request: ServiceRequest | None = None,
) -> Notification:
    """Send one message per `key`, whatever happens around it.

    Call it with no transaction open (from a task, or an on-commit callback): the
    gateway is called with no transaction and no row lock held, however long it takes.

    1. The outbox row for `key` is created (or found) in its own short transaction;
       if it is already sent, it is returned and nothing is sent.
    2. The backend sends it, outside any transaction. The backend must pass
       ``notification.idempotency_key`` on to the gateway: that is what makes a
       second send of the same row safe, when a worker dies after the gateway took
       the message but before step 3 (the task is redelivered and sends the same key
       again) or when two deliveries of the task overlap.
    3. The outcome is recorded in a second short transaction: sent, or failed with
       the error. A row already marked sent is never marked failed.

    A backend error raises NotificationFailed (after step 3) so that the task is
    retried; the next attempt sends the same row.
    """
    notification, _created = Notification.objects.get_or_create(
        idempotency_key=key,
        defaults={
            "channel": channel,
            "recipient": recipient,
            "body": body,
            "request": service_request,
        },
    )
    if notification.state == Notification.State.SENT:
        return notification
    backend = _backend(notification.channel)
    try:
        backend.send(notification)
    except Exception as exc:  # any gateway error: record it, retry later
        _record_outcome(
            notification,
            backend=backend,
            state=Notification.State.FAILED,
            error=f"{type(exc).__name__}: {exc}"[:300],
        )
        logger.warning("notification %s failed (%s)", notification.pk, channel)
        raise NotificationFailed(notification.pk) from exc
    _record_outcome(notification, backend=backend, state=Notification.State.SENT)
    logger.info("notification %s sent (%s)", notification.pk, channel)
    return notification


def _record_outcome(
    notification: Notification,
    *,
    backend: NotificationBackend,
    state: str,
    error: str = "",
) -> None:
    """Mark the row sent or failed in one short transaction, unless it is already
    sent (by an overlapping delivery of the same task); then reload it."""
    changes = {"state": state, "backend": type(backend).__name__, "error": error}
    if state == Notification.State.SENT:
        changes["sent_at"] = timezone.now()
    with transaction.atomic():
        Notification.objects.filter(pk=notification.pk).exclude(
            state=Notification.State.SENT
        ).update(**changes)
    notification.refresh_from_db()


def _event_text(
    event: RequestEvent, application: LifeEventApplication | None = None
) -> str:
    """The applicant's message about `event`; a request linked to a life event
    (`application`) names the event and its number too, the number they keep."""
    request = event.request
    with translation.override(settings.LANGUAGE_CODE):
        parts = [
            _("Your request %(number)s (%(item)s): %(status)s.")
            % {
                "number": request.tracking_number,
                "item": request.item.name,
                "status": request.get_status_display()
                if event.from_status != event.to_status
                else event.get_kind_display(),
            }
        ]
        if application is not None:
            parts.append(
                _("It is part of your %(event)s %(number)s.")
                % {"event": application.event.name, "number": application.number}
            )
        if event.to_status == "submitted" and not event.from_status:
            parts.append(_("Keep this number to follow your request."))
        if request.due_date and event.to_status == "accepted":
            parts.append(_("Promised by %(date)s.") % {"date": request.due_date})
        parts.append(event.note)
        text = sentences(*parts)
    return signed(text)


def told_to_applicant(event: RequestEvent) -> bool:
    """Whether the applicant is sent a message about `event`: every public event,
    except the files they uploaded themselves (the page they uploaded on confirms
    them, and a text about one's own upload only alarms). Staff uploads are not
    public, so they tell the applicant nothing either."""
    if not event.is_public:
        return False
    return not (
        event.kind == EventKind.ATTACHMENT and event.actor_role == Role.RESIDENT
    )


def _life_event_text(application: LifeEventApplication) -> str:
    """The one message for a life event's submission (its requests' first events):
    the number, the items, and where to track them (the portal has no address of
    its own in the settings, so the page is named in words)."""
    links = application.links.select_related("service_request__item").order_by("order")
    with translation.override(settings.LANGUAGE_CODE):
        text = ngettext(
            "Your %(event)s %(number)s was submitted: %(count)d service "
            "(%(items)s). Track it with this number on the portal's “Track a life "
            "event” page.",
            "Your %(event)s %(number)s was submitted: %(count)d services "
            "(%(items)s). Track them with this number on the portal's “Track a life "
            "event” page.",
            len(links),
        ) % {
            "event": application.event.name,
            "number": application.number,
            "count": len(links),
            "items": "、".join(link.service_request.item.name for link in links),
        }
    return signed(text)


def _life_event_of(request: ServiceRequest) -> LifeEventApplication | None:
    """The application `request` is linked to, read with it (``select_related``)."""
    try:
        return request.life_event_link.application
    except LifeEventLink.DoesNotExist:
        return None


def notifications_for_event(*, event_id: int) -> list[Notification]:
    """Tell the applicant about a public event, by SMS and (with an account) e-mail,
    unless ``told_to_applicant`` says it is their own doing.

    The submission of a life event's requests is one message for the event, keyed by
    the application: each request's task sends the same key, so exactly one goes out.
    A linked request's later messages name the event (read in the same query).
    """
    event = RequestEvent.objects.select_related(
        "request__item",
        "request__account",
        "request__life_event_link__application__event",
    ).get(pk=event_id)
    if not told_to_applicant(event):
        return []
    application = _life_event_of(event.request)
    if application is not None and _is_submission(event):
        key = f"life-event:{application.pk}:submitted"
        body = _life_event_text(application)
    else:
        key, body = f"event:{event.pk}", _event_text(event, application)
    account = event.request.account
    recipients = [("sms", event.request.applicant_phone)]
    if account is not None and account.email:
        recipients.append(("email", account.email))
    sent = [
        notification_send(
            key=f"{key}:{channel}",
            channel=channel,
            recipient=recipient,
            body=body,
            service_request=event.request,
        )
        for channel, recipient in recipients
    ]
    return sent


def _is_submission(event: RequestEvent) -> bool:
    return not event.from_status and event.to_status == "submitted"


def notify_staff(
    *, key: str, users: list[User], body: str, service_request: ServiceRequest | None
) -> None:
    """One SMS per staff member for `key` (e.g. a yellow or red card), keyed
    ``<key>:<user pk>``. Call it with no transaction open (see notification_send).

    Every member is tried; if any send failed, NotificationFailed is raised at the
    end so that the task is retried, and the retry sends only the failed ones (the
    others are already sent under their keys).
    """
    failed = []
    for user in users:
        try:
            notification_send(
                key=f"{key}:{user.pk}",
                channel="sms",
                recipient=user.phone,
                body=body,
                service_request=service_request,
            )
        except NotificationFailed as exc:
            failed.append(exc)
    if failed:
        raise NotificationFailed(*(exc.args[0] for exc in failed)) from failed[0]


def notifications_for_staff(
    *, key: str, user_ids: list[int], body: str, request_id: int | None
) -> int:
    """``notify_staff`` by primary keys (what the Celery task receives)."""
    users = list(User.objects.filter(pk__in=user_ids).order_by("pk"))
    service_request = (
        ServiceRequest.objects.get(pk=request_id) if request_id is not None else None
    )
    notify_staff(key=key, users=users, body=body, service_request=service_request)
    return len(users)


def supervisors() -> list[User]:
    return list(User.objects.filter(role_q(Role.OFFICIAL)))


# Messages to staff, composed in the portal's language whoever triggers them.
DUE_CARD = gettext_lazy("Request %(number)s (%(item)s) is %(card)s: due %(date)s.")
FOLLOW_UP_OPENED = gettext_lazy(
    "Poor rating on %(number)s: verify, fix and answer by %(date)s."
)
FOLLOW_UP_REMINDER = gettext_lazy(
    "The poor rating of %(number)s must be answered by %(date)s."
)


def compose(text, **values) -> str:
    """`text` filled in with `values`, in the portal's language, signed."""
    with translation.override(settings.LANGUAGE_CODE):
        return signed(str(text) % {k: str(v) for k, v in values.items()})


def due_card_text(service_request: ServiceRequest, state: str) -> str:
    """The 黄牌 (due soon) or 红牌 (overdue) message for the clerk and supervisors."""
    from .models import DueState

    return compose(
        DUE_CARD,
        number=service_request.tracking_number,
        item=service_request.item.name,
        card=DueState(state).label,
        date=service_request.due_date,
    )


def notifications_for_follow_up(*, follow_up_id: int) -> int:
    """Tell those who handle the follow-up — whoever serves the request's village:
    its clerks and the officials (``access.may_handle_follow_up``) — that a poor
    rating opened it (once)."""
    from .models import FollowUp

    follow_up = FollowUp.objects.select_related("rating__request").get(pk=follow_up_id)
    request = follow_up.rating.request
    body = compose(
        FOLLOW_UP_OPENED, number=request.tracking_number, date=follow_up.deadline
    )
    people = list(User.objects.filter(serving_village_q(request.village_id)))
    notify_staff(
        key=f"follow-up-opened:{follow_up.pk}",
        users=people,
        body=body,
        service_request=request,
    )
    return len(people)


QUESTION_ANSWERED = gettext_lazy(
    "Your question “%(title)s” has been answered: %(answer)s"
)
QUESTION_DUE_CARD = gettext_lazy(
    "A resident's question “%(title)s” is %(card)s: answer by %(date)s."
)
ANSWER_IN_MESSAGE = 300  # characters of the answer a text message carries


def notifications_for_answer(*, question_id: int) -> list[Notification]:
    """Send the asker the answer to their question, by SMS and (with an account that
    has one) e-mail: once per question, whoever calls it how often (keyed)."""
    from .models import Question

    question = Question.objects.select_related("account").get(pk=question_id)
    answer = question.answer
    if len(answer) > ANSWER_IN_MESSAGE:
        answer = answer[: ANSWER_IN_MESSAGE - 1] + "…"
    body = compose(QUESTION_ANSWERED, title=question.title, answer=answer)
    sent = [
        notification_send(
            key=f"question-answered:{question.pk}:sms",
            channel="sms",
            recipient=question.asker_phone,
            body=body,
        )
    ]
    account = question.account
    if account is not None and account.email:
        sent.append(
            notification_send(
                key=f"question-answered:{question.pk}:email",
                channel="email",
                recipient=account.email,
                body=body,
            )
        )
    return sent
