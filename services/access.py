"""Who may see a request and who may take a step on it: the one rule for every door.

Three predicates decide everything (each written twice, side by side: for one object and
as a queryset filter, and a test checks the two agree for every kind of user):

- *serves the village*: an official, or the village clerk of that village;
- *serves the body*: an official, or a town-center clerk of the body that handles the
  request's item;
- *serves the grid*: the grid worker (网格员) of the grid (网格) a request was entered
  for (``ServiceRequest.grid``); a grid worker takes no status step (``workflow``);
- *is the applicant*: the signed-in account that submitted it or whose verified mobile
  number is the applicant's (a request a clerk entered for it), or whoever holds an
  ``ApplicantProof`` for it (made only by ``applicant_proof_by_lookup``: the tracking
  number plus the last four digits of the applicant's phone).

``roles_towards`` turns them into the roles a user holds towards one request (each
lets them see it); ``services.workflow`` says which steps each role may take. One
domain rule narrows the roles that take status steps (``step_roles``): a stationed
body's item handled 即时即办 is done at that body's own window
(``done_at_its_own_window``), so its village's clerk follows it without taking its
steps. ``next_steps`` offers and ``check_step`` enforces through it. Views, the admin,
the API, tasks and actions ask this module and repeat none of it.
"""

import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

from django.contrib.sessions.backends.base import SessionBase
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext as _

from huagang.converters import LifeEventNumberConverter, TrackingNumberConverter
from huagang.exceptions import Conflict, InvalidTransition, NotPermitted
from villages.choices import STAFF_ROLES, Role
from villages.models import Grid, User, Village
from villages.models_affairs import Disclosure, DisclosureStatus
from villages.validators import ascii_digits, nfkc

from . import workflow
from .models import (
    AgencyTrip,
    Body,
    FollowUp,
    HandlingMode,
    HomeVisit,
    LifeEventApplication,
    Question,
    ServiceItem,
    ServiceRequest,
    Status,
    TripCheck,
)

# --- who a user is ---------------------------------------------------------------------


def _active(user: User | None) -> bool:
    return user is not None and user.is_authenticated and user.is_active


def has_role(user: User | None, *roles: Role) -> bool:
    """The user is signed in, active, and does one of `roles`."""
    return _active(user) and user.role in roles  # type: ignore[union-attr]


def is_staff_member(user: User | None) -> bool:
    return has_role(user, *STAFF_ROLES)


def is_official(user: User | None) -> bool:
    return has_role(user, Role.OFFICIAL)


def may_export_in_full(user: User | None) -> bool:
    """Who may download a list with applicants' phone and ID numbers in clear (each
    time recorded with a reason): officials. Anyone else exports masked."""
    return is_official(user)


def body_ids_of(user: User) -> frozenset[int]:
    """The bodies a town-center clerk serves (cached on the user: one query)."""
    cached = getattr(user, "_body_ids", None)
    if cached is None:
        cached = frozenset(user.bodies.values_list("pk", flat=True))
        user._body_ids = cached  # type: ignore[attr-defined]
    return cached


def grid_ids_of(user: User) -> frozenset[int]:
    """The grids a grid worker serves (cached on the user: one query)."""
    cached = getattr(user, "_grid_ids", None)
    if cached is None:
        cached = frozenset(user.grids.values_list("pk", flat=True))
        user._grid_ids = cached  # type: ignore[attr-defined]
    return cached


def is_grid_worker(user: User | None) -> bool:
    return has_role(user, Role.GRID_WORKER)


def is_office_staff(user: User | None) -> bool:
    """Clerks and officials: the workbench beyond a grid worker's own cases and
    entries (residents' questions, village affairs, statistics)."""
    return is_staff_member(user) and not is_grid_worker(user)


# --- the predicates, each as an object test and as a filter ---------------------------


def serves_village(user: User | None, village_id: int | None) -> bool:
    if has_role(user, Role.OFFICIAL):
        return True
    return has_role(user, Role.VILLAGE_CLERK) and user.village_id == village_id  # type: ignore[union-attr]


def village_roles(user: User | None, village_id: int) -> frozenset[Role]:
    """The roles `user` holds towards every request of the village as its staff."""
    if is_official(user):
        return frozenset({Role.OFFICIAL})
    if serves_village(user, village_id):
        return frozenset({Role.VILLAGE_CLERK})
    return frozenset()


def serving_village_q(village_id: int) -> Q:
    """Users who serve the village (the filter form of ``serves_village``)."""
    return Q(is_active=True) & (
        Q(role=Role.OFFICIAL) | Q(role=Role.VILLAGE_CLERK, village_id=village_id)
    )


TOWN_STAFF = (Role.TOWN_CLERK, Role.OFFICIAL)


def serves_town(user: User | None) -> bool:
    """Town-center staff: who receives what the villages carry to the town (as a
    filter: ``role_q(*TOWN_STAFF)``)."""
    return has_role(user, *TOWN_STAFF)


@dataclass(frozen=True)
class _Rule:
    """A role towards a request: who can hold it, the object test, the filter."""

    role: Role
    holders: frozenset[Role]  # the user roles that can hold it
    matches: Callable[[User, ServiceRequest], bool]
    q: Callable[[User], Q]


def is_applicant(user: User, service_request: ServiceRequest) -> bool:
    """The account that submitted it, or an account whose verified mobile number is the
    applicant's (a request a clerk entered for that number)."""
    return service_request.account_id == user.pk or (
        user.phone_verified_at is not None
        and service_request.applicant_phone == user.phone
    )


def applicant_q(user: User) -> Q:
    """The filter form of ``is_applicant``."""
    mine = Q(account_id=user.pk)
    if user.phone_verified_at is not None:
        mine |= Q(applicant_phone=user.phone)
    return mine


RULES: tuple[_Rule, ...] = (
    _Rule(
        Role.RESIDENT,
        frozenset(Role),  # anyone can apply for themselves, staff included
        is_applicant,
        applicant_q,
    ),
    _Rule(
        Role.VILLAGE_CLERK,
        frozenset({Role.VILLAGE_CLERK}),
        lambda user, request: request.village_id == user.village_id,
        lambda user: Q(village_id=user.village_id),
    ),
    _Rule(
        Role.TOWN_CLERK,
        frozenset({Role.TOWN_CLERK}),
        lambda user, request: request.item.body_id in body_ids_of(user),
        lambda user: Q(item__body_id__in=body_ids_of(user)),
    ),
    _Rule(
        Role.GRID_WORKER,
        frozenset({Role.GRID_WORKER}),
        lambda user, request: request.grid_id in grid_ids_of(user),
        lambda user: Q(grid_id__in=sorted(grid_ids_of(user))),
    ),
    _Rule(
        Role.OFFICIAL,
        frozenset({Role.OFFICIAL}),
        lambda user, request: True,
        # Not Q(): an empty Q is dropped when OR-ed with another, so it cannot mean "all".
        lambda user: Q(pk__isnull=False),
    ),
)


# --- the applicant's proof ---------------------------------------------------------------

_SEAL = object()


@dataclass(frozen=True)
class ApplicantProof:
    """Proof that the holder is the applicant of one request.

    Made only here, by ``applicant_proof_by_lookup``; pass it to an action instead of
    claiming to be the applicant. It proves nothing about any other request.
    """

    request_id: int
    _seal: object = field(repr=False, compare=False, default=None)

    def __post_init__(self) -> None:
        if self._seal is not _SEAL:
            raise TypeError("An ApplicantProof is made only by services.access.")

    def covers(self, service_request: ServiceRequest) -> bool:
        return service_request.pk == self.request_id


def tracking_number_normalize(value: str) -> str:
    """A tracking number as typed (full-width, lower case, spaces) as it is stored."""
    return nfkc(value).upper().replace(" ", "")


# The forms of the numbers, as their addresses take them (huagang/converters.py).
_REQUEST_NUMBER = re.compile(TrackingNumberConverter.regex)
_LIFE_EVENT_NUMBER = re.compile(LifeEventNumberConverter.regex)


def tracking_number_kind(value: str) -> Literal["request", "life_event"] | None:
    """What a number typed is by its form, once normalized: a request's (HG and
    twelve digits), a life event's (HGE and twelve digits), or neither (None). Says
    nothing of whether such a request or event exists."""
    number = tracking_number_normalize(value)
    if _REQUEST_NUMBER.fullmatch(number):
        return "request"
    if _LIFE_EVENT_NUMBER.fullmatch(number):
        return "life_event"
    return None


# What a lookup reads: the request, and of its item and village what a request's
# page names (the API answers a lookup with the request at once; the rest of the
# item's guide would be read for nothing).
_LOOKED_UP = (
    *(field.name for field in ServiceRequest._meta.concrete_fields),
    "item__code",
    "item__name",
    "item__body",
    "village__code",
    "village__name",
)


# Built once: resolving the columns costs more than the query's own filter.
_LOOKUP_WITH_NAMES = (
    ServiceRequest.objects.select_related("item", "village")
    .only(*_LOOKED_UP)
    .order_by()
)
_LOOKUP_ALONE = ServiceRequest.objects.order_by()


def applicant_proof_by_lookup(
    *, tracking_number: str, phone_last4: str, with_names: bool = True
) -> tuple[ServiceRequest, ApplicantProof] | None:
    """The request whose number and applicant's phone (last four digits) both match,
    with a proof for it; None otherwise (the number alone reveals nothing).

    `with_names`: with its item and village read in the same query (a page naming
    them); without, the request's own row only (the API names them from
    ``selectors.api.catalog_names``)."""
    number = tracking_number_normalize(tracking_number)
    digits = ascii_digits(phone_last4)
    if digits is None or len(digits) != 4 or not number:
        return None
    rows = _LOOKUP_WITH_NAMES if with_names else _LOOKUP_ALONE
    found = rows.filter(tracking_number=number, applicant_phone__endswith=digits)[:1]
    found = next(iter(found), None)
    if found is None:
        return None
    return found, ApplicantProof(found.pk, _SEAL)


# A successful lookup is remembered in the visitor's session for one request, so that
# the result page can be reloaded, a supplement uploaded and the request's files opened
# without typing the digits again; never longer than this (a shared computer at a
# village station), and a new lookup replaces it.
PROOF_SESSION_KEY = "huagang_applicant_proof"
PROOF_SECONDS = 30 * 60


def applicant_proof_remember(session: SessionBase, proof: ApplicantProof) -> None:
    """Keep `proof` in `session` (a new session key: the proof raises its privileges)."""
    session.cycle_key()
    session[PROOF_SESSION_KEY] = {
        "request": proof.request_id,
        "until": int(time.time()) + PROOF_SECONDS,
    }


def applicant_proof_forget(session: SessionBase) -> None:
    session.pop(PROOF_SESSION_KEY, None)


def applicant_proof_from_session(
    session: SessionBase, service_request: ServiceRequest
) -> ApplicantProof | None:
    """The proof a lookup in this session made for `service_request`, while it lasts;
    None for any other request, another session or after ``PROOF_SECONDS``."""
    kept = session.get(PROOF_SESSION_KEY)
    if not isinstance(kept, dict) or kept.get("request") != service_request.pk:
        return None
    until = kept.get("until")
    if not isinstance(until, int) or until < time.time():
        return None
    return ApplicantProof(service_request.pk, _SEAL)


# --- roles towards a request, and the same as querysets ---------------------------------


def roles_towards(
    user: User | None,
    service_request: ServiceRequest,
    *,
    proof: ApplicantProof | None = None,
) -> frozenset[Role]:
    """The roles `user` (or the holder of `proof`) holds towards `service_request`."""
    roles: set[Role] = set()
    if proof is not None and proof.covers(service_request):
        roles.add(Role.RESIDENT)
    if _active(user):
        roles.update(
            rule.role
            for rule in RULES
            if user.role in rule.holders and rule.matches(user, service_request)  # type: ignore[union-attr]
        )
    return frozenset(roles)


def service_requests_q(user: User | None) -> Q:
    """The requests towards which `user` holds any role, as a filter."""
    if not _active(user):
        return Q(pk__in=[])
    found = Q(pk__in=[])
    for rule in RULES:
        if user.role in rule.holders:  # type: ignore[union-attr]
            found |= rule.q(user)  # type: ignore[arg-type]
    return found


def service_requests_scope(
    *, user: User | None, queryset: QuerySet[ServiceRequest] | None = None
) -> QuerySet[ServiceRequest]:
    """The requests `user` may see: the queryset form of ``roles_towards``."""
    queryset = ServiceRequest.objects.all() if queryset is None else queryset
    return queryset.filter(service_requests_q(user))


def in_queue(user: User | None, service_request: ServiceRequest) -> bool:
    """Whether an open request is on `user`'s workbench queue: a village clerk's are
    their village's; a grid worker's, their grids'; a town-center clerk's, those of the bodies they serve that are at
    the town (已转递) or handled on the spot (即时即办, which a town window may do);
    an official's, all. (``queue_q`` is the same as a filter.)"""
    if service_request.status not in workflow.OPEN:
        return False
    if is_official(user):
        return True
    if has_role(user, Role.VILLAGE_CLERK):
        return service_request.village_id == user.village_id  # type: ignore[union-attr]
    if is_grid_worker(user):
        return service_request.grid_id in grid_ids_of(user)  # type: ignore[arg-type]
    if has_role(user, Role.TOWN_CLERK):
        return service_request.item.body_id in body_ids_of(user) and (  # type: ignore[arg-type]
            service_request.status == Status.SENT_TO_TOWN
            or service_request.mode == HandlingMode.INSTANT
        )
    return False


def queue_q(user: User | None) -> Q:
    """The filter form of ``in_queue``; always within ``service_requests_q``."""
    open_ = Q(status__in=workflow.OPEN)
    if is_official(user):
        return open_
    if has_role(user, Role.VILLAGE_CLERK):
        return open_ & Q(village_id=user.village_id)  # type: ignore[union-attr]
    if is_grid_worker(user):
        return open_ & Q(grid_id__in=sorted(grid_ids_of(user)))  # type: ignore[arg-type]
    if has_role(user, Role.TOWN_CLERK):
        return (
            open_
            & Q(item__body_id__in=body_ids_of(user))  # type: ignore[arg-type]
            & (Q(status=Status.SENT_TO_TOWN) | Q(mode=HandlingMode.INSTANT))
        )
    return Q(pk__in=[])


def staff_roles_towards(
    user: User | None, service_request: ServiceRequest
) -> frozenset[Role]:
    """The roles `user` holds towards the request as staff (not as its applicant):
    what the workbench's case page needs to show it at all."""
    return roles_towards(user, service_request) & STAFF_ROLES


def staff_requests_q(user: User | None) -> Q:
    """The requests towards which `user` holds a staff role, as a filter (the
    queryset form of ``staff_roles_towards``): their village's, their bodies', every
    one for an official; none for a resident. Without the resident's rule, whose OR
    with a village would keep the database from reading a village's requests in
    order from one index."""
    found = Q(pk__in=[])
    if not is_staff_member(user):
        return found
    for rule in RULES:
        if rule.role in STAFF_ROLES and user.role in rule.holders:  # type: ignore[union-attr]
            found |= rule.q(user)  # type: ignore[arg-type]
    return found


def requests_as_applicant(*, user: User | None) -> QuerySet[ServiceRequest]:
    """The requests of which `user` is the applicant (我的办件), whatever other roles
    they hold: ``service_requests_scope`` restricted to the resident's rule."""
    if not _active(user):
        return ServiceRequest.objects.none()
    return ServiceRequest.objects.filter(applicant_q(user))  # type: ignore[arg-type]


def can_view_request(
    user: User | None,
    service_request: ServiceRequest,
    *,
    proof: ApplicantProof | None = None,
) -> bool:
    return bool(roles_towards(user, service_request, proof=proof))


# The requests this browser session has just submitted: an anonymous applicant's only
# way back to the confirmation and receipt (a URL with the number alone shows nothing).
SUBMITTED_IN_SESSION = "huagang.submitted_requests"
SUBMITTED_KEPT = 20


def submission_remember(session: SessionBase, service_request: ServiceRequest) -> None:
    """Let this browser session see the confirmation of a request it submitted."""
    kept = [
        pk for pk in session.get(SUBMITTED_IN_SESSION, []) if pk != service_request.pk
    ]
    session[SUBMITTED_IN_SESSION] = [*kept, service_request.pk][-SUBMITTED_KEPT:]


def may_see_confirmation(
    user: User | None, session: SessionBase, service_request: ServiceRequest
) -> bool:
    """The session that submitted it, or anyone with a role towards the request."""
    return service_request.pk in session.get(
        SUBMITTED_IN_SESSION, []
    ) or can_view_request(user, service_request)


@dataclass(frozen=True)
class SessionSubmissions:
    """What one browser session submitted: its requests, and its life events (whose
    linked requests it submitted too).

    Made only here, by ``session_submissions``; an action asks it whether a request
    is one this session sent (``q``), so that the same applicant's form sent again
    finds their request and no one else's.
    """

    request_ids: frozenset[int]
    application_ids: frozenset[int]
    _seal: object = field(repr=False, compare=False, default=None)

    def __post_init__(self) -> None:
        if self._seal is not _SEAL:
            raise TypeError("SessionSubmissions are made only by services.access.")

    def q(self) -> Q:
        """The requests this session submitted, as a filter on ServiceRequest."""
        return Q(pk__in=self.request_ids) | Q(
            life_event_link__application_id__in=self.application_ids
        )


def session_submissions(session: SessionBase) -> SessionSubmissions:
    """What `session` submitted (``submission_remember``,
    ``life_event_submission_remember``), the last ``SUBMITTED_KEPT`` of each."""

    def ids(key: str) -> frozenset[int]:
        kept = session.get(key, [])
        return frozenset(pk for pk in kept if isinstance(pk, int))

    return SessionSubmissions(
        ids(SUBMITTED_IN_SESSION), ids(EVENT_SUBMITTED_IN_SESSION), _SEAL
    )


def require(allowed: bool, message: str | None = None) -> None:
    if not allowed:
        raise NotPermitted(message)


# --- a stationed body's own window (派驻机构) -------------------------------------------


def done_at_its_own_window(service_request: ServiceRequest) -> bool:
    """A stationed body's item handled 即时即办 is done at that body's own window.

    花岗派出所 (``Body.Kind.STATIONED``: a county agency in the town) implements the
    户口 items (出生登记, 死亡注销, …); their requests reach it from the life events
    as online requests in 即时即办. Registering or cancelling a 户口 is the police's
    power, which a village sub-center does not hold: the status steps (accept,
    complete, supplement, resume, reject, withdraw) are taken by the clerks serving
    the body and by officials only (``step_roles``). The village's clerk still sees
    the case (their village's resident, often one item of a life event they help
    with) and adds notes and materials; their own entry of such an item is saved
    待受理 for the station (a 收件, as for any item they may not accept).

    The item's other modes stay the village's own service (a home visit, a trip to
    the town) with the village clerk's steps. Reads ``item.body`` (select it).
    """
    return (
        service_request.mode == HandlingMode.INSTANT
        and service_request.item.body.kind == Body.Kind.STATIONED
    )


def step_roles(
    service_request: ServiceRequest, roles: frozenset[Role]
) -> frozenset[Role]:
    """Of the `roles` held towards the request (``roles_towards``), those that take
    its status steps: all of them, but the village clerk's on a case
    ``done_at_its_own_window``. What ``next_steps`` offers and ``check_step``
    permits; work that changes no status (a note, a material) keeps every role."""
    if Role.VILLAGE_CLERK in roles and done_at_its_own_window(service_request):
        return roles - {Role.VILLAGE_CLERK}
    return roles


def steps_at_its_own_window(user: User | None, service_request: ServiceRequest) -> bool:
    """Whether `user` sees the request but ``done_at_its_own_window`` leaves its
    steps to the body's own window: the queue and the case page say where it is
    done rather than show a case that looks like theirs to act on."""
    held = roles_towards(user, service_request)
    return step_roles(service_request, held) != held


def _not_at_this_window(service_request: ServiceRequest) -> NotPermitted:
    return NotPermitted(
        _(
            "“%(item)s” is done at the window of %(body)s: its clerks (or an official) "
            "take its steps. You can follow the case here and add a note."
        )
        % {"item": service_request.item.name, "body": service_request.item.body.name}
    )


def _acting(
    service_request: ServiceRequest, *, to: str, roles: frozenset[Role]
) -> frozenset[Role]:
    """``step_roles``; NotPermitted saying where the case is done when it is the
    rule alone that refuses the change to `to`."""
    acting = step_roles(service_request, roles)
    mode, source = service_request.mode, service_request.status
    if (
        acting != roles
        and workflow.allowed(mode, source, to, roles)
        and not workflow.allowed(mode, source, to, acting)
    ):
        raise _not_at_this_window(service_request)
    return acting


def check_step(
    service_request: ServiceRequest, *, to: str, roles: frozenset[Role]
) -> workflow.Transition:
    """``workflow.check`` of the change to `to` by someone holding `roles` towards
    the request, with the roles that take status steps (``step_roles``): the check
    every status change passes (``actions._core.change_status``). Raises
    InvalidTransition or NotPermitted (saying where the case is done when
    ``done_at_its_own_window`` refuses it)."""
    acting = _acting(service_request, to=to, roles=roles)
    return workflow.check(service_request.mode, service_request.status, to, acting)


# --- steps a user may take now ---------------------------------------------------------


def next_steps(
    user: User | None,
    service_request: ServiceRequest,
    *,
    only: frozenset[workflow.Step] | None = None,
) -> list[tuple[Status, workflow.Step]]:
    """(target, step) for each status change `user` may make on the request now
    (with the roles that take status steps: ``step_roles``)."""
    return workflow.next_steps(
        service_request.mode,
        service_request.status,
        step_roles(service_request, roles_towards(user, service_request)),
        only=only,
    )


def step_target(
    user: User | None,
    service_request: ServiceRequest,
    step: workflow.Step,
    *,
    only: frozenset[workflow.Step] | None = None,
) -> Status:
    """The status `step` takes the request to when `user` takes it now (``next_steps``
    for one step, saying why not): NotPermitted if the step exists from the request's
    status but none of `user`'s roles towards it may take it (403; its message says
    where the case is done when ``done_at_its_own_window`` is the reason),
    InvalidTransition if the step does not exist from that status (409)."""
    for target, offered in next_steps(user, service_request, only=only):
        if offered == step:
            return target
    table = workflow.TRANSITIONS[service_request.mode]
    targets = [
        target
        for (source, target), found in table.items()
        if found.step == step and source == service_request.status
    ]
    if not targets:
        raise InvalidTransition()
    held = roles_towards(user, service_request)
    for target in targets:
        _acting(service_request, to=target, roles=held)
    raise NotPermitted()


def may(
    user: User | None,
    service_request: ServiceRequest,
    activity: workflow.Activity,
    *,
    proof: ApplicantProof | None = None,
) -> bool:
    """Whether `user` (or the holder of `proof`) may do `activity` on the request now."""
    return workflow.activity_allowed(
        activity,
        service_request.status,
        roles_towards(user, service_request, proof=proof),
    )


def check(
    user: User | None, service_request: ServiceRequest, activity: workflow.Activity
) -> None:
    """``may`` saying why not: NotPermitted if none of `user`'s roles towards the
    request may do it (403), InvalidTransition if it is not possible in the request's
    status (409)."""
    workflow.check_activity(
        activity, service_request.status, roles_towards(user, service_request)
    )


def may_upload_supplement(
    user: User | None,
    service_request: ServiceRequest,
    *,
    proof: ApplicantProof | None = None,
) -> bool:
    """Whether the resident's pages offer to upload the supplement asked for: the
    request awaits one (待补正) and `user` or the holder of `proof` may add materials."""
    return service_request.status == Status.SUPPLEMENT and workflow.activity_allowed(
        workflow.Activity.ATTACH,
        service_request.status,
        roles_towards(user, service_request, proof=proof),
    )


def could_ever(user: User | None, work: workflow.Step | workflow.Activity) -> bool:
    """Whether `user`'s role can ever take this step or do this work, on some request
    (to offer a screen or a list action at all; each request is checked again)."""
    if not is_staff_member(user):
        return False
    if isinstance(work, workflow.Activity):
        return user.role in workflow.ACTIVITIES[work][0]  # type: ignore[union-attr]
    return any(
        user.role in found.roles  # type: ignore[union-attr]
        for table in workflow.TRANSITIONS.values()
        for found in table.values()
        if found.step == work
    )


def may_enter_request(user: User | None, village: Village | None) -> bool:
    """Staff enter requests for residents: at a town window for any village, a village
    clerk only for the village they serve, a grid worker for the villages of their
    grids (and then for one of those grids: ``may_enter_for_grid``)."""
    if has_role(user, Role.TOWN_CLERK, Role.OFFICIAL):
        return True
    if village is not None and is_grid_worker(user):
        return grids_for_entry(user).filter(village_id=village.pk).exists()
    return village is not None and serves_village(user, village.pk)


def may_complete_on_entry(user: User | None, item: ServiceItem) -> bool:
    """Whether `user`, entering a 即时即办 request for `item` (for the village they
    serve, if they serve one), may complete it on the spot: ``next_steps`` of that
    request just submitted offers COMPLETE. The entry form offers its "done" button
    only then; otherwise the request is saved 待受理 for those who may (a town window
    for a body it does not serve, a grid worker, a village clerk entering an item
    ``done_at_its_own_window``)."""
    if not is_staff_member(user) or HandlingMode.INSTANT not in item.modes:
        return False
    entered = ServiceRequest(
        item=item,
        village_id=user.village_id,  # type: ignore[union-attr]
        mode=HandlingMode.INSTANT,
        status=Status.SUBMITTED,
    )
    return any(
        step == workflow.Step.COMPLETE for _target, step in next_steps(user, entered)
    )


def villages_for_entry(user: User | None) -> QuerySet[Village]:
    """The villages `user` may enter requests for (``may_enter_request`` as a list)."""
    if has_role(user, Role.TOWN_CLERK, Role.OFFICIAL):
        return Village.objects.all()
    if has_role(user, Role.VILLAGE_CLERK):
        return Village.objects.filter(pk=user.village_id)  # type: ignore[union-attr]
    if is_grid_worker(user):
        return Village.objects.filter(grids__worker=user).distinct()
    return Village.objects.none()


def grids_for_entry(user: User | None) -> QuerySet[Grid]:
    """The grids for whose households `user` enters requests: a grid worker's own
    (their requests carry the grid); nobody else records one on entry."""
    if is_grid_worker(user):
        return Grid.objects.filter(worker=user)
    return Grid.objects.none()


def may_enter_for_grid(user: User | None, grid: Grid | None) -> bool:
    """A grid worker enters every request for one of their grids; other staff for
    none (``grids_for_entry`` as a test)."""
    if is_grid_worker(user):
        return grid is not None and grid.worker_id == user.pk  # type: ignore[union-attr]
    return grid is None


def may_see_receipt(user: User | None, service_request: ServiceRequest) -> bool:
    """Staff print a request's 受理回执: any request they may see, and those they
    entered themselves (a town window takes requests for bodies it does not serve)."""
    if not is_staff_member(user):
        return False
    return service_request.entered_by_id == user.pk or can_view_request(  # type: ignore[union-attr]
        user, service_request
    )


def receipts_scope(*, user: User | None) -> QuerySet[ServiceRequest]:
    """``may_see_receipt`` as a queryset."""
    if not is_staff_member(user):
        return ServiceRequest.objects.none()
    return ServiceRequest.objects.filter(service_requests_q(user) | Q(entered_by=user))


def may_visit(staff: User | None, village_id: int) -> bool:
    """Who may be sent to a resident's home: staff serving the request's village."""
    return serves_village(staff, village_id)


# --- trips and visits ------------------------------------------------------------------


def agency_trips_scope(*, user: User | None) -> QuerySet[AgencyTrip]:
    """Trips a user may see: those of a village they serve, and those carrying a
    request they may see."""
    if not is_staff_member(user):
        return AgencyTrip.objects.none()
    if is_official(user):
        return AgencyTrip.objects.all()
    # EXISTS for each trip (its few cases, by the index on the trip), not IN: an IN
    # list would read every case the user may see and every trip's list first.
    carried = AgencyTrip.requests.through.objects.filter(
        agencytrip=OuterRef("pk"),
        servicerequest__in=service_requests_scope(user=user).values("pk"),
    )
    trips = Q(Exists(carried))
    if has_role(user, Role.VILLAGE_CLERK):
        trips |= Q(village_id=user.village_id)  # type: ignore[union-attr]
    return AgencyTrip.objects.filter(trips)


def home_visits_scope(*, user: User | None) -> QuerySet[HomeVisit]:
    return HomeVisit.objects.filter(
        request__in=service_requests_scope(user=user).values("pk")
    )


def role_q(*roles: Role) -> Q:
    """Active users doing one of `roles` (e.g. the supervisors)."""
    return Q(is_active=True, role__in=list(roles))


def may_fill_trip(user: User | None, trip: AgencyTrip) -> bool:
    """Who puts cases on a trip and hands it over (and so sees the village's trip
    page): staff serving the trip's village. Town-center staff who see the trip (it
    carries a case of their body) may not. The queryset form is
    ``trips_to_fill``."""
    return serves_village(user, trip.village_id)


def trips_to_fill(*, user: User | None) -> QuerySet[AgencyTrip]:
    """The trips `user` may fill and hand over (``may_fill_trip`` as a filter)."""
    if is_official(user):
        return AgencyTrip.objects.all()
    if has_role(user, Role.VILLAGE_CLERK):
        return AgencyTrip.objects.filter(village_id=user.village_id)  # type: ignore[union-attr]
    return AgencyTrip.objects.none()


def trip_steps(user: User | None, trip: AgencyTrip) -> list[workflow.Step]:
    """The steps `user` may take on a trip now, from the same table as a request's:
    hand the village's accepted cases over (roles that serve the village), or record
    results coming back (roles that may return at least one case sent to the town)."""
    if not trip.handed_over_at:
        may_hand_over = workflow.allowed(
            HandlingMode.AGENCY,
            Status.ACCEPTED,
            Status.SENT_TO_TOWN,
            village_roles(user, trip.village_id),
        )
        return [workflow.Step.HAND_OVER] if may_hand_over else []
    if trip.returned_at:
        return []
    returnable = trip_returnable_cases(user=user, trip=trip)
    return [workflow.Step.RETURN] if returnable else []


def trip_returnable_cases(
    *, user: User | None, trip: AgencyTrip
) -> list[ServiceRequest]:
    """Cases of the trip's village at the town that `user` may send back with it."""
    sent = service_requests_scope(user=user).filter(
        village_id=trip.village_id, status=Status.SENT_TO_TOWN
    )
    return [
        case
        for case in sent.select_related("item")
        if workflow.allowed(
            case.mode,
            case.status,
            Status.RETURNED_TO_VILLAGE,
            step_roles(case, roles_towards(user, case)),
        )
    ]


# --- checking a trip's cases in, the town's decision ----------------------------------


def may_check_in(user: User | None, trip: AgencyTrip, leg: str) -> bool:
    """Who checks a trip's cases in by their numbers where it arrives: at the town
    (leg out), town-center staff who may see the trip, once it was handed over; back
    at the village (leg back), staff serving the village, once the return was
    recorded. The queryset form is ``trips_to_check_in``."""
    if leg == TripCheck.Leg.OUT:
        return (
            trip.handed_over_at is not None
            and serves_town(user)
            and (
                is_official(user)
                or agency_trips_scope(user=user).filter(pk=trip.pk).exists()
            )
        )
    return trip.returned_at is not None and serves_village(user, trip.village_id)


def trips_to_check_in(*, user: User | None, leg: str) -> QuerySet[AgencyTrip]:
    """The trips `user` may check in on `leg` (``may_check_in`` as a filter)."""
    if leg == TripCheck.Leg.OUT:
        if not serves_town(user):
            return AgencyTrip.objects.none()
        return agency_trips_scope(user=user).filter(handed_over_at__isnull=False)
    returned = AgencyTrip.objects.filter(returned_at__isnull=False)
    if is_official(user):
        return returned
    if has_role(user, Role.VILLAGE_CLERK):
        return returned.filter(village_id=user.village_id)  # type: ignore[union-attr]
    return AgencyTrip.objects.none()


def may_decide(user: User | None, service_request: ServiceRequest) -> bool:
    """A town-center clerk of the item's body (or an official) records the town's
    decision on a case handed over to the town."""
    return may(user, service_request, workflow.Activity.DECIDE)


def papers_missing_expression() -> Exists:
    """True for a case whose papers never reached the town: it is on a trip whose
    arrival check-in was finished without it, and it has not been checked in at the
    town (late on that trip, or off the list of another) since that trip left. As a
    filter or an annotation; the object form is ``papers_missing``."""
    checked_in_since = TripCheck.objects.filter(
        request=OuterRef(OuterRef("pk")),
        leg=TripCheck.Leg.OUT,
        checked_at__gte=OuterRef("handed_over_at"),
    )
    return Exists(
        AgencyTrip.objects.filter(
            carried_out=OuterRef("pk"), arrival_checked_at__isnull=False
        ).filter(~Exists(checked_in_since))
    )


def papers_missing(service_request: ServiceRequest) -> bool:
    return (
        ServiceRequest.objects.filter(pk=service_request.pk)
        .filter(papers_missing_expression())
        .exists()
    )


def check_papers_arrived(service_request: ServiceRequest) -> None:
    """Conflict (409) if the case's papers are missing at the town: nobody decides on
    papers they do not hold."""
    if papers_missing(service_request):
        raise Conflict(
            _(
                "The papers of %(number)s have not arrived at the town: it was missing "
                "when its trip was checked in. Check it in first (on the trip's "
                "check-in page), then record the decision."
            )
            % {"number": service_request.tracking_number},
            code="papers_missing",
        )


def town_cases_scope(*, user: User | None) -> QuerySet[ServiceRequest]:
    """The cases at the town on which `user` may record the decision (``may_decide``
    as a filter): those of the bodies a town clerk serves; every one for an official."""
    at_town = ServiceRequest.objects.filter(status=Status.SENT_TO_TOWN)
    if is_official(user):
        return at_town
    if has_role(user, Role.TOWN_CLERK):
        return at_town.filter(item__body_id__in=body_ids_of(user))  # type: ignore[arg-type]
    return ServiceRequest.objects.none()


def may_book_visit(user: User | None, service_request: ServiceRequest) -> bool:
    """A first visit (已受理 → 已预约上门) or a new date after nobody was at home."""
    if service_request.status == Status.VISIT_SCHEDULED:
        return may(user, service_request, workflow.Activity.REBOOK_VISIT)
    return workflow.Step.BOOK_VISIT in {
        step for _target, step in next_steps(user, service_request)
    }


def visitors_q(*, user: User | None) -> Q:
    """Staff `user` may send to a resident's home: those serving the villages `user`
    serves (``may_visit`` checks the request's own village)."""
    if has_role(user, Role.VILLAGE_CLERK):
        return serving_village_q(user.village_id)  # type: ignore[union-attr]
    return role_q(Role.VILLAGE_CLERK, Role.OFFICIAL)


def visit_outcomes(user: User | None, visit: HomeVisit) -> list[str]:
    """The outcomes `user` may record for a planned visit (none once recorded)."""
    if visit.outcome != HomeVisit.Outcome.PLANNED:
        return []
    service_request = visit.request
    steps = {step for _target, step in next_steps(user, service_request)}
    outcomes = {
        HomeVisit.Outcome.DONE: workflow.Step.VISIT_DONE in steps,
        HomeVisit.Outcome.ABSENT: may(
            user, service_request, workflow.Activity.VISIT_ABSENT
        ),
        HomeVisit.Outcome.IMPOSSIBLE: workflow.Step.VISIT_IMPOSSIBLE in steps,
    }
    return [outcome for outcome, allowed in outcomes.items() if allowed]


# --- 差评 follow-ups -----------------------------------------------------------------


def may_handle_follow_up(user: User | None, follow_up: FollowUp) -> bool:
    """Who sees, verifies, fixes and answers a 差评 follow-up: whoever serves the rated
    request's village (its village clerk; an official, every one)."""
    return serves_village(user, follow_up.rating.request.village_id)


def follow_ups_q(user: User | None) -> Q:
    """The filter form of ``may_handle_follow_up`` (on FollowUp)."""
    if is_official(user):
        return Q(pk__isnull=False)
    if has_role(user, Role.VILLAGE_CLERK):
        return Q(rating__request__village_id=user.village_id)  # type: ignore[union-attr]
    return Q(pk__in=[])


def follow_ups_scope(*, user: User | None) -> QuerySet[FollowUp]:
    """The follow-ups `user` may see and handle."""
    return FollowUp.objects.filter(follow_ups_q(user))


# --- statistics (the dashboard) -----------------------------------------------------------
# Officials see the whole town's figures; a village clerk those of the village they
# serve; a town-center clerk those of the bodies they serve. Residents see none.


def may_see_statistics(user: User | None) -> bool:
    """Staff, except grid workers (their grid's requests are their list; the grid's
    figures are the officials' ``requests_by_grid``)."""
    return is_office_staff(user)


def statistics_limits(
    user: User | None,
) -> tuple[frozenset[int] | None, frozenset[int] | None]:
    """(village ids, body ids) whose requests the figures of `user` count; None is
    "every". Nobody's when `user` may not see statistics."""
    if is_official(user):
        return None, None
    if has_role(user, Role.VILLAGE_CLERK):
        return frozenset({user.village_id}), None  # type: ignore[union-attr]
    if has_role(user, Role.TOWN_CLERK):
        return None, body_ids_of(user)  # type: ignore[arg-type]
    return frozenset(), frozenset()


def statistics_covers(user: User | None, service_request: ServiceRequest) -> bool:
    """Whether the figures `user` sees count `service_request` (object form)."""
    villages, bodies = statistics_limits(user)
    return (villages is None or service_request.village_id in villages) and (
        bodies is None or service_request.item.body_id in bodies
    )


def statistics_q(user: User | None, *, via: str = "", body: str = "item__body_id") -> Q:
    """The filter form of ``statistics_covers``; `via` is the path to the request
    from another model (e.g. ``"rating__request__"``), `body` the path from there to
    the body's id (``"body_id"`` in the daily figures)."""
    villages, bodies = statistics_limits(user)
    found = Q(**{f"{via}pk__isnull": False})
    if villages is not None:
        found &= Q(**{f"{via}village_id__in": sorted(villages)})
    if bodies is not None:
        found &= Q(**{f"{via}{body}__in": sorted(bodies)})
    return found


# --- 留言咨询: residents' questions ---------------------------------------------------
# Staff who serve a question see it, answer it, publish it and make a complaint into a
# request: an official, every one; a village clerk, the questions naming their
# village; a town-center clerk, those on an item of a body they serve and the general
# questions to the town (no item, no village). Its asker sees their own (the account
# that asked, or an account whose verified mobile number asked). Nobody else sees a
# question: the public reads only its ``QuestionPublication``.


def serves_question(user: User | None, question: Question) -> bool:
    """Whether `user` sees and answers `question` as staff (``serving_questions_q``
    is the filter form)."""
    if is_official(user):
        return True
    if has_role(user, Role.VILLAGE_CLERK):
        return question.village_id is not None and (
            question.village_id == user.village_id  # type: ignore[union-attr]
        )
    if has_role(user, Role.TOWN_CLERK):
        if question.item_id is None:
            return question.village_id is None
        return question.item.body_id in body_ids_of(user)  # type: ignore[arg-type]
    return False


def serving_questions_q(user: User | None) -> Q:
    """The filter form of ``serves_question`` (on Question)."""
    if is_official(user):
        return Q(pk__isnull=False)
    if has_role(user, Role.VILLAGE_CLERK):
        return Q(village_id=user.village_id, village_id__isnull=False)  # type: ignore[union-attr]
    if has_role(user, Role.TOWN_CLERK):
        return Q(item_id__isnull=True, village_id__isnull=True) | Q(
            item__body_id__in=body_ids_of(user)  # type: ignore[arg-type]
        )
    return Q(pk__in=[])


def question_servers_q(question: Question) -> Q:
    """The users who serve `question` (``serves_question`` as a filter on User)."""
    found = Q(role=Role.OFFICIAL)
    if question.village_id is not None:
        found |= Q(role=Role.VILLAGE_CLERK, village_id=question.village_id)
    if question.item_id is not None:
        found |= Q(role=Role.TOWN_CLERK, bodies=question.item.body_id)
    elif question.village_id is None:
        found |= Q(role=Role.TOWN_CLERK)
    return Q(is_active=True) & found


def questions_to_answer(*, user: User | None) -> QuerySet[Question]:
    """The questions `user` serves (``serves_question`` as a queryset)."""
    return Question.objects.filter(serving_questions_q(user))


def is_asker(user: User | None, question: Question) -> bool:
    """The account that asked it, or an account whose verified mobile number did."""
    if not _active(user):
        return False
    return question.account_id == user.pk or (  # type: ignore[union-attr]
        user.phone_verified_at is not None  # type: ignore[union-attr]
        and question.asker_phone == user.phone  # type: ignore[union-attr]
    )


def asker_q(user: User | None) -> Q:
    """The filter form of ``is_asker``."""
    if not _active(user):
        return Q(pk__in=[])
    mine = Q(account_id=user.pk)  # type: ignore[union-attr]
    if user.phone_verified_at is not None:  # type: ignore[union-attr]
        mine |= Q(asker_phone=user.phone)  # type: ignore[union-attr]
    return mine


def questions_of_asker(*, user: User | None) -> QuerySet[Question]:
    """The questions `user` asked (``is_asker`` as a queryset)."""
    return Question.objects.filter(asker_q(user))


def may_ask_question(user: User | None) -> bool:
    """Who may ask on a signed-in page: an active account whose mobile number is
    verified (anyone else proves a number with a code first)."""
    return _active(user) and user.phone_verified_at is not None  # type: ignore[union-attr]


# --- village affairs in public (党务、村务、财务公开) ------------------------------------
# A disclosure is public once approved. Before that only its village's clerk (who
# drafts and submits it) and officials (who approve or return it) see it; a clerk of
# another village or a resident gets the same answer as for one that does not exist.


def may_see_disclosure(user: User | None, disclosure: Disclosure) -> bool:
    if disclosure.status == DisclosureStatus.APPROVED:
        return True
    return serves_village(user, disclosure.village_id)


def disclosures_q(user: User | None) -> Q:
    """The filter form of ``may_see_disclosure``."""
    public = Q(status=DisclosureStatus.APPROVED)
    if is_official(user):
        return Q()
    if has_role(user, Role.VILLAGE_CLERK):
        return public | Q(village_id=user.village_id)  # type: ignore[union-attr]
    return public


def may_draft_disclosure(user: User | None, village_id: int | None) -> bool:
    """Only the village's own clerk drafts, edits and submits its disclosures."""
    return has_role(user, Role.VILLAGE_CLERK) and user.village_id == village_id  # type: ignore[union-attr]


def may_edit_disclosure(user: User | None, disclosure: Disclosure) -> bool:
    return disclosure.is_editable and may_draft_disclosure(user, disclosure.village_id)


def disclosure_roles(user: User | None, disclosure: Disclosure) -> frozenset[Role]:
    """The roles `user` holds towards a disclosure's status changes
    (``villages.models_affairs.TRANSITIONS`` says which role makes which)."""
    if is_official(user):
        return frozenset({Role.OFFICIAL})
    if may_draft_disclosure(user, disclosure.village_id):
        return frozenset({Role.VILLAGE_CLERK})
    return frozenset()


def staff_disclosures_q(user: User | None) -> Q:
    """What a staff member's disclosure list holds: a clerk's own village's, every
    village's for an official, nothing for anyone else."""
    if is_official(user):
        return Q()
    if has_role(user, Role.VILLAGE_CLERK):
        return Q(village_id=user.village_id)  # type: ignore[union-attr]
    return Q(pk__in=[])


# --- life events (一件事一次办) -----------------------------------------------------------
# An application for a life event is seen through its linked requests: whoever may see
# one of them sees the application, and of its requests only those they may see. A
# resident without an account proves the whole application at once by its number and
# the last four digits of the applicant's phone; the proof covers its linked requests.

EVENT_PROOF_SESSION_KEY = "huagang_life_event_proof"


def life_event_applications_scope(
    *, user: User | None, queryset: QuerySet[LifeEventApplication] | None = None
) -> QuerySet[LifeEventApplication]:
    """The applications of which `user` may see at least one linked request."""
    rows = LifeEventApplication.objects.all() if queryset is None else queryset
    visible = service_requests_scope(user=user).filter(
        life_event_link__application=OuterRef("pk")
    )
    return rows.filter(Exists(visible))


def life_event_proof_by_lookup(
    *, number: str, phone_last4: str
) -> LifeEventApplication | None:
    """The application whose number and applicant's phone (last four digits) both
    match; None otherwise."""
    number = tracking_number_normalize(number)
    digits = ascii_digits(phone_last4)
    if digits is None or len(digits) != 4 or not number:
        return None
    return LifeEventApplication.objects.filter(
        number=number, applicant_phone__endswith=digits
    ).first()


def life_event_proof_remember(
    session: SessionBase, application: LifeEventApplication
) -> None:
    """Keep the lookup of `application` in `session` (a new session key), for
    ``PROOF_SECONDS``; it replaces a request's proof, as a new lookup does."""
    session.cycle_key()
    session.pop(PROOF_SESSION_KEY, None)
    session[EVENT_PROOF_SESSION_KEY] = {
        "application": application.pk,
        "until": int(time.time()) + PROOF_SECONDS,
    }


def life_event_proof_forget(session: SessionBase) -> None:
    """Forget this session's event lookup and the events it submitted (a shared
    computer at a village station)."""
    session.pop(EVENT_PROOF_SESSION_KEY, None)
    session.pop(EVENT_SUBMITTED_IN_SESSION, None)


def life_event_proven(session: SessionBase, application: LifeEventApplication) -> bool:
    kept = session.get(EVENT_PROOF_SESSION_KEY)
    if not isinstance(kept, dict) or kept.get("application") != application.pk:
        return False
    until = kept.get("until")
    return isinstance(until, int) and until >= time.time()


def life_event_request_proof(
    session: SessionBase,
    application: LifeEventApplication,
    service_request: ServiceRequest,
) -> ApplicantProof | None:
    """A proof for one linked request of an application this session proved."""
    linked = getattr(service_request, "life_event_link", None)
    if linked is None or linked.application_id != application.pk:
        return None
    if not life_event_proven(session, application):
        return None
    return ApplicantProof(service_request.pk, _SEAL)


def may_see_life_event(
    user: User | None, session: SessionBase, application: LifeEventApplication
) -> bool:
    """The applicant: signed in (``is_applicant`` of a linked request), or this
    session's lookup or submission of the application."""
    if life_event_proven(session, application) or application.pk in session.get(
        EVENT_SUBMITTED_IN_SESSION, []
    ):
        return True
    return _active(user) and any(
        is_applicant(user, link.service_request)  # type: ignore[arg-type]
        for link in application.links.all()
    )


EVENT_SUBMITTED_IN_SESSION = "huagang.submitted_life_events"


def life_event_submission_remember(
    session: SessionBase, application: LifeEventApplication
) -> None:
    kept = [
        pk for pk in session.get(EVENT_SUBMITTED_IN_SESSION, []) if pk != application.pk
    ]
    session[EVENT_SUBMITTED_IN_SESSION] = [*kept, application.pk][-SUBMITTED_KEPT:]
