"""The one state machine for a service request's life. Pure Python: no database access.

The table says, for each handling mode, which status changes exist and which actors may
make each. Whether a given user *is* the village clerk of a request (and so on) is decided
in ``services.permissions``; this module only knows actor roles.
"""

from collections.abc import Iterable

from django.utils.translation import gettext_lazy as _

from huagang.exceptions import InvalidTransition, NotPermitted

from .choices import Actor, HandlingMode, Status

S, A = Status, Actor
TERMINAL = frozenset({S.COMPLETED, S.REJECTED, S.WITHDRAWN})
OPEN = frozenset(set(Status) - TERMINAL)
# The promised-days clock runs in these statuses; it pauses while awaiting supplement.
CLOCK_RUNNING = frozenset(
    {S.ACCEPTED, S.SENT_TO_TOWN, S.RETURNED_TO_VILLAGE, S.VISIT_SCHEDULED}
)
# These steps need a note the resident will read: the reason, or what to bring.
NOTE_REQUIRED = frozenset({S.REJECTED, S.SUPPLEMENT})

_VILLAGE = frozenset({A.VILLAGE_CLERK, A.OFFICIAL})
_TOWN = frozenset({A.TOWN_CLERK, A.OFFICIAL})
_WINDOW = _VILLAGE | _TOWN  # 即时即办 can be done at a village or a town window
_WITHDRAW = frozenset({A.RESIDENT, A.VILLAGE_CLERK, A.OFFICIAL})

Transitions = dict[tuple[Status, Status], frozenset[Actor]]


def _common(handlers: frozenset[Actor]) -> Transitions:
    return {
        (S.SUBMITTED, S.ACCEPTED): handlers,
        (S.SUBMITTED, S.REJECTED): handlers,
        (S.SUBMITTED, S.WITHDRAWN): _WITHDRAW,
        (S.ACCEPTED, S.SUPPLEMENT): handlers,
        (S.ACCEPTED, S.REJECTED): handlers,
        (S.ACCEPTED, S.WITHDRAWN): _WITHDRAW,
        (S.SUPPLEMENT, S.ACCEPTED): handlers,
        (S.SUPPLEMENT, S.REJECTED): handlers,
        (S.SUPPLEMENT, S.WITHDRAWN): _WITHDRAW,
    }


TRANSITIONS: dict[HandlingMode, Transitions] = {
    HandlingMode.INSTANT: {
        **_common(_WINDOW),
        (S.SUBMITTED, S.COMPLETED): _WINDOW,  # done on the spot
        (S.ACCEPTED, S.COMPLETED): _WINDOW,
    },
    HandlingMode.AGENCY: {
        **_common(_VILLAGE),
        (S.ACCEPTED, S.SENT_TO_TOWN): _VILLAGE,  # carried on the village's trip
        (S.SENT_TO_TOWN, S.RETURNED_TO_VILLAGE): _TOWN,  # the result comes back
        (S.SENT_TO_TOWN, S.SUPPLEMENT): _TOWN,  # the town needs more papers
        (S.RETURNED_TO_VILLAGE, S.COMPLETED): _VILLAGE,  # handed to the resident
    },
    HandlingMode.HOME: {
        **_common(_VILLAGE),
        (S.ACCEPTED, S.VISIT_SCHEDULED): _VILLAGE,
        (S.VISIT_SCHEDULED, S.COMPLETED): _VILLAGE,  # done at the resident's home
        (S.VISIT_SCHEDULED, S.ACCEPTED): _VILLAGE,  # visit impossible: plan again
        (S.VISIT_SCHEDULED, S.SUPPLEMENT): _VILLAGE,
        (S.VISIT_SCHEDULED, S.WITHDRAWN): _WITHDRAW,
    },
}


def allowed(mode: str, source: str, target: str, actors: Iterable[str]) -> bool:
    permitted = TRANSITIONS[HandlingMode(mode)].get((Status(source), Status(target)))
    return bool(permitted and permitted & set(actors))


def check(mode: str, source: str, target: str, actors: Iterable[str]) -> None:
    """Raise InvalidTransition if the step does not exist from `source` in this mode,
    NotPermitted if none of `actors` may make it."""
    permitted = TRANSITIONS[HandlingMode(mode)].get((Status(source), Status(target)))
    if permitted is None:
        raise InvalidTransition(
            _("A request that is “%(source)s” cannot become “%(target)s”.")
            % {"source": Status(source).label, "target": Status(target).label}
        )
    if not permitted & set(actors):
        raise NotPermitted(
            _("You may not move this request to “%(target)s”.")
            % {"target": Status(target).label}
        )


def next_statuses(mode: str, source: str, actors: Iterable[str]) -> list[Status]:
    """The statuses these actors may move a request to, in the order of ``Status``."""
    actors = set(actors)
    table = TRANSITIONS[HandlingMode(mode)]
    return [
        target
        for target in Status
        if (permitted := table.get((Status(source), target))) and permitted & actors
    ]
