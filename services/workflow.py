"""The one state machine for a service request's life. Pure Python: no database access.

For each handling mode the table says which status changes exist, which roles may make
each, and which step (one action in ``services.actions``) makes it. Work on a request
that changes no status (a note, a material, a missed visit) is in ``ACTIVITIES``.
Which roles a given user *holds* towards a request is decided in ``services.access``;
this module only knows roles.

A screen offers exactly ``next_steps(...)``: the steps offered and the steps permitted
come from this one table.
"""

from collections.abc import Iterable
from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _

from huagang.exceptions import InvalidTransition, NotPermitted
from villages.choices import Role

from .choices import HandlingMode, Status


class Step(models.TextChoices):
    """The action that makes a status change (``services.actions.STEP_ACTIONS``)."""

    ACCEPT = "accept", _("accept")
    RESUME = "resume", _("supplement complete, resume")
    REJECT = "reject", _("not accept")
    SUPPLEMENT = "supplement", _("ask for a supplement")
    COMPLETE = "complete", _("complete")
    WITHDRAW = "withdraw", _("withdraw")
    HAND_OVER = "hand_over", _("hand over to the town on a trip")
    RETURN = "return", _("record the result coming back")
    BOOK_VISIT = "book_visit", _("book a home visit")
    VISIT_DONE = "visit_done", _("record a visit as done")
    VISIT_IMPOSSIBLE = "visit_impossible", _("record a visit as impossible")


class Activity(models.TextChoices):
    """Work on a request that changes no status."""

    NOTE = "note", _("add a note")
    ATTACH = "attach", _("add a material")
    PUT_ON_TRIP = "put_on_trip", _("put on a trip")
    REBOOK_VISIT = "rebook_visit", _("book a new visit date")
    VISIT_ABSENT = "visit_absent", _("record that nobody was at home")
    RATE = "rate", _("rate the service")
    DECIDE = "decide", _("record the town's decision and result")


@dataclass(frozen=True)
class Transition:
    roles: frozenset[Role]
    step: Step


S, R = Status, Role
TERMINAL = frozenset({S.COMPLETED, S.REJECTED, S.WITHDRAWN})
OPEN = frozenset(set(Status) - TERMINAL)
# The promised-days clock runs in these statuses; it pauses while awaiting supplement.
CLOCK_RUNNING = frozenset(
    {S.ACCEPTED, S.SENT_TO_TOWN, S.RETURNED_TO_VILLAGE, S.VISIT_SCHEDULED}
)
# These steps need a note the resident will read: the reason, what to bring, or the
# result the town sends back (the resident is told it; "已回村" alone says nothing).
NOTE_REQUIRED = frozenset({S.REJECTED, S.SUPPLEMENT, S.RETURNED_TO_VILLAGE})
# Steps a generic "next step" form can take with a note; the others need a trip or a
# visit form, which gathers more than a note.
FORM_STEPS = frozenset(
    {
        Step.ACCEPT,
        Step.RESUME,
        Step.REJECT,
        Step.SUPPLEMENT,
        Step.COMPLETE,
        Step.WITHDRAW,
    }
)

_VILLAGE = frozenset({R.VILLAGE_CLERK, R.OFFICIAL})
_TOWN = frozenset({R.TOWN_CLERK, R.OFFICIAL})
_WINDOW = _VILLAGE | _TOWN  # 即时即办 can be done at a village or a town window
_WITHDRAW = frozenset({R.RESIDENT, R.VILLAGE_CLERK, R.OFFICIAL})
_ANYONE = frozenset(Role)

Transitions = dict[tuple[Status, Status], Transition]


def _t(roles: frozenset[Role], step: Step) -> Transition:
    return Transition(roles, step)


def _common(handlers: frozenset[Role]) -> Transitions:
    return {
        (S.SUBMITTED, S.ACCEPTED): _t(handlers, Step.ACCEPT),
        (S.SUBMITTED, S.REJECTED): _t(handlers, Step.REJECT),
        (S.SUBMITTED, S.WITHDRAWN): _t(_WITHDRAW, Step.WITHDRAW),
        (S.ACCEPTED, S.SUPPLEMENT): _t(handlers, Step.SUPPLEMENT),
        (S.ACCEPTED, S.REJECTED): _t(handlers, Step.REJECT),
        (S.ACCEPTED, S.WITHDRAWN): _t(_WITHDRAW, Step.WITHDRAW),
        (S.SUPPLEMENT, S.ACCEPTED): _t(handlers, Step.RESUME),
        (S.SUPPLEMENT, S.REJECTED): _t(handlers, Step.REJECT),
        (S.SUPPLEMENT, S.WITHDRAWN): _t(_WITHDRAW, Step.WITHDRAW),
    }


TRANSITIONS: dict[HandlingMode, Transitions] = {
    HandlingMode.INSTANT: {
        **_common(_WINDOW),
        (S.SUBMITTED, S.COMPLETED): _t(_WINDOW, Step.COMPLETE),  # done on the spot
        (S.ACCEPTED, S.COMPLETED): _t(_WINDOW, Step.COMPLETE),
    },
    HandlingMode.AGENCY: {
        **_common(_VILLAGE),
        # carried on the village's trip
        (S.ACCEPTED, S.SENT_TO_TOWN): _t(_VILLAGE, Step.HAND_OVER),
        # the result comes back
        (S.SENT_TO_TOWN, S.RETURNED_TO_VILLAGE): _t(_TOWN, Step.RETURN),
        # the town needs more papers
        (S.SENT_TO_TOWN, S.SUPPLEMENT): _t(_TOWN, Step.SUPPLEMENT),
        # handed to the resident
        (S.RETURNED_TO_VILLAGE, S.COMPLETED): _t(_VILLAGE, Step.COMPLETE),
    },
    HandlingMode.HOME: {
        **_common(_VILLAGE),
        (S.ACCEPTED, S.VISIT_SCHEDULED): _t(_VILLAGE, Step.BOOK_VISIT),
        # done at the resident's home
        (S.VISIT_SCHEDULED, S.COMPLETED): _t(_VILLAGE, Step.VISIT_DONE),
        # visit impossible: plan again
        (S.VISIT_SCHEDULED, S.ACCEPTED): _t(_VILLAGE, Step.VISIT_IMPOSSIBLE),
        (S.VISIT_SCHEDULED, S.SUPPLEMENT): _t(_VILLAGE, Step.SUPPLEMENT),
        (S.VISIT_SCHEDULED, S.WITHDRAWN): _t(_WITHDRAW, Step.WITHDRAW),
    },
}

# Who may do what changes no status; `statuses` is where it is possible at all.
ACTIVITIES: dict[Activity, tuple[frozenset[Role], frozenset[Status]]] = {
    Activity.NOTE: (_ANYONE - {R.RESIDENT}, frozenset(Status)),
    Activity.ATTACH: (_ANYONE, OPEN),
    Activity.PUT_ON_TRIP: (_VILLAGE, frozenset({S.ACCEPTED})),
    Activity.REBOOK_VISIT: (_VILLAGE, frozenset({S.VISIT_SCHEDULED})),
    Activity.VISIT_ABSENT: (_VILLAGE, frozenset({S.VISIT_SCHEDULED})),
    Activity.RATE: (frozenset({R.RESIDENT}), frozenset({S.COMPLETED})),
    # 定时代办 at the town center: the decision is recorded, the case waits for the
    # village's next trip back (Step.RETURN then carries it).
    Activity.DECIDE: (_TOWN, frozenset({S.SENT_TO_TOWN})),
}


# What a refusal says when an activity is not possible in a request's status.
NOT_NOW: dict[Activity, str] = {
    Activity.ATTACH: _(
        "This request is closed (%(status)s): materials can no longer be added to it."
    ),
}


def transition(mode: str, source: str, target: str) -> Transition | None:
    return TRANSITIONS[HandlingMode(mode)].get((Status(source), Status(target)))


def allowed(mode: str, source: str, target: str, roles: Iterable[str]) -> bool:
    found = transition(mode, source, target)
    return bool(found and found.roles & set(roles))


def check(mode: str, source: str, target: str, roles: Iterable[str]) -> Transition:
    """The transition, or InvalidTransition if the step does not exist from `source`
    in this mode, NotPermitted if none of `roles` may make it."""
    found = transition(mode, source, target)
    if found is None:
        raise InvalidTransition(
            _("A request that is “%(source)s” cannot become “%(target)s”.")
            % {"source": Status(source).label, "target": Status(target).label}
        )
    if not found.roles & set(roles):
        raise NotPermitted(
            _("You may not move this request to “%(target)s”.")
            % {"target": Status(target).label}
        )
    return found


def next_statuses(mode: str, source: str, roles: Iterable[str]) -> list[Status]:
    """The statuses these roles may move a request to, in the order of ``Status``."""
    return [target for target, _step in next_steps(mode, source, roles)]


def next_steps(
    mode: str, source: str, roles: Iterable[str], *, only: frozenset[Step] | None = None
) -> list[tuple[Status, Step]]:
    """(target, step) for every status change these roles may make now, in the order
    of ``Status``; `only` keeps the steps a screen can take (e.g. ``FORM_STEPS``)."""
    roles = set(roles)
    table = TRANSITIONS[HandlingMode(mode)]
    return [
        (target, found.step)
        for target in Status
        if (found := table.get((Status(source), target)))
        and found.roles & roles
        and (only is None or found.step in only)
    ]


def activity_allowed(activity: Activity, status: str, roles: Iterable[str]) -> bool:
    permitted, statuses = ACTIVITIES[activity]
    return Status(status) in statuses and bool(permitted & set(roles))


def check_activity(activity: Activity, status: str, roles: Iterable[str]) -> None:
    """Raise NotPermitted if none of `roles` may do `activity`, InvalidTransition if it
    is not possible in `status` (e.g. a material for a closed request)."""
    permitted, statuses = ACTIVITIES[activity]
    if not permitted & set(roles):
        raise NotPermitted()
    if Status(status) not in statuses:
        message = NOT_NOW.get(
            activity, _("This is not possible for a request that is “%(status)s”.")
        )
        raise InvalidTransition(message % {"status": Status(status).label})
