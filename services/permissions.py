"""Who may act on a service request: the one rule every screen, the admin and the API use.

``actor_roles`` says which workflow roles a user holds towards one request;
``services.selectors.service_requests_visible_to`` applies the same rule to querysets.
"""

from villages.models import User

from .models import ServiceRequest
from .workflow import Actor


def body_ids_of(user: User) -> frozenset[int]:
    """The bodies a town-center clerk serves (cached on the user: one query)."""
    cached = getattr(user, "_body_ids", None)
    if cached is None:
        cached = frozenset(user.bodies.values_list("pk", flat=True))
        user._body_ids = cached  # type: ignore[attr-defined]
    return cached


def actor_roles(user: User | None, service_request: ServiceRequest) -> frozenset[Actor]:
    """The workflow roles `user` holds towards `service_request` (maybe none).

    A resident acts on their own requests (linked to their account); a village clerk on
    requests handled by their village; a town-center clerk on requests for items of the
    bodies they serve; an official on every request.
    """
    if user is None or not user.is_authenticated or not user.is_active:
        return frozenset()
    roles: set[Actor] = set()
    if service_request.account_id == user.pk:
        roles.add(Actor.RESIDENT)
    if user.role == User.Role.OFFICIAL:
        roles.add(Actor.OFFICIAL)
    elif user.role == User.Role.VILLAGE_CLERK:
        if user.village_id == service_request.village_id:
            roles.add(Actor.VILLAGE_CLERK)
    elif (
        user.role == User.Role.TOWN_CLERK
        and service_request.item.body_id in body_ids_of(user)
    ):
        roles.add(Actor.TOWN_CLERK)
    return frozenset(roles)


def can_view(user: User | None, service_request: ServiceRequest) -> bool:
    return bool(actor_roles(user, service_request))
