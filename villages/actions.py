"""Writes for the villages app: people and their roles."""

from django.contrib.auth.models import Group
from django.db import transaction

from .models import AccessRecord, User, Village
from .roles import ROLE_GROUPS, ROLE_IS_STAFF, ensure_role_groups


@transaction.atomic
def user_set_role(*, user: User, role: str, village: Village | None = None) -> User:
    """Give `user` a role, its group and admin access; a village clerk needs a village.

    Raises ValidationError (from the model constraint) if a village is given for a role
    other than village clerk, or missing for a village clerk.
    """
    if not Group.objects.filter(name=ROLE_GROUPS[role]).exists():
        ensure_role_groups()
    user.role = role
    user.village = village
    user.is_staff = ROLE_IS_STAFF[role] or user.is_superuser
    user.full_clean(exclude=["password"])
    user.save(update_fields=["role", "village", "is_staff"])
    others = Group.objects.filter(name__in=ROLE_GROUPS.values()).exclude(
        name=ROLE_GROUPS[role]
    )
    user.groups.remove(*others)
    user.groups.add(Group.objects.get(name=ROLE_GROUPS[role]))
    return user


@transaction.atomic
def user_create(
    *,
    phone: str,
    name: str,
    role: str,
    password: str | None,
    village: Village | None = None,
) -> User:
    """Create a user with a role (see ``user_set_role``); no password means unusable."""
    user = User.objects.create_user(phone=phone, password=password, name=name)
    return user_set_role(user=user, role=role, village=village)


def access_record(
    *, by: User, kind: str, subject: str = "", detail: str = ""
) -> AccessRecord:
    """Record that `by` read or took personal data, or changed a staff member's
    password or role (``AccessRecord.Kind``). `subject` and `detail` must not hold the
    data itself: a tracking number, a masked name, a masked search term."""
    return AccessRecord.objects.create(
        actor=by,
        actor_role=by.role,
        kind=AccessRecord.Kind(kind),
        subject=subject[:100],
        detail=detail[:300],
    )
