"""Writes for the villages app: people and their roles, and other systems' API keys."""

import datetime
import hashlib
import secrets
import time

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone, translation
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy

from huagang.sms import signed

from .choices import Role
from .models import AccessRecord, ApiToken, User, Village
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


PASSWORD_SET_TEXT = gettext_lazy(
    "Your password for the Huagang portal was set by %(who)s on %(date)s. If you "
    "did not ask for this, call the town service center."
)
ROLE_CHANGED_TEXT = gettext_lazy(
    "Your role on the Huagang portal is now: %(role)s (changed by %(who)s on %(date)s)."
)


def _person(user: User) -> str:
    """A user as the record of reads names them: name and masked mobile number."""
    return f"{user.name} {user.masked_phone}".strip()


def _role_text(role: str, village_id: int | None) -> str:
    text = str(Role(role).label) if role in Role.values else role
    if village_id is not None:
        village = Village.objects.filter(pk=village_id).first()
        text += f" ({village})" if village else ""
    return text


def _tell_user(*, user: User, key: str, text, values: dict) -> None:
    """Queue a text message to `user` once the transaction commits, through the
    project's sender (``HUAGANG_TEXT_MESSAGE_SENDER``: the services app's outbox, which
    villages must not import). A gateway failure is logged, never undoes the change."""
    with translation.override(settings.LANGUAGE_CODE):
        body = signed(str(text) % {k: str(v) for k, v in values.items()})

    def send() -> None:
        import_string(settings.HUAGANG_TEXT_MESSAGE_SENDER)(
            key=key, channel="sms", recipient=user.phone, body=body
        )

    transaction.on_commit(send, robust=True)


@transaction.atomic
def user_password_set_record(*, user: User, by: User) -> AccessRecord:
    """Record that `by` set `user`'s password (in the admin), and tell `user`."""
    record = access_record(
        by=by, kind=AccessRecord.Kind.PASSWORD_RESET, subject=_person(user)
    )
    _tell_user(
        user=user,
        key=f"password-set:{record.pk}",
        text=PASSWORD_SET_TEXT,
        values={"who": by, "date": timezone.localdate()},
    )
    return record


@transaction.atomic
def user_role_change_record(
    *, user: User, by: User, before_role: str, before_village_id: int | None
) -> AccessRecord | None:
    """Record that `by` changed `user`'s role or village (from the given ones to the
    user's present ones) and tell `user`; None when nothing changed."""
    if (before_role, before_village_id) == (user.role, user.village_id):
        return None
    with translation.override(settings.LANGUAGE_CODE):
        role = _role_text(user.role, user.village_id)
        before = _role_text(before_role, before_village_id)
    record = access_record(
        by=by,
        kind=AccessRecord.Kind.ROLE_CHANGE,
        subject=_person(user),
        detail=f"{before} → {role}",
    )
    _tell_user(
        user=user,
        key=f"role-change:{record.pk}",
        text=ROLE_CHANGED_TEXT,
        values={"who": by, "date": timezone.localdate(), "role": role},
    )
    return record


# --- API keys for other systems ----------------------------------------------------------

API_KEY_PREFIX = "hg_"


def api_key_hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def api_token_create(
    *,
    name: str,
    account: User,
    by: User | None,
    expires_at: datetime.datetime | None = None,
) -> tuple[ApiToken, str]:
    """A new key for another system acting as `account`; returns the token and the key,
    which is shown once and never stored (only its SHA-256)."""
    key = API_KEY_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        name=name,
        account=account,
        prefix=key[: len(API_KEY_PREFIX) + 5],
        key_hash=api_key_hash(key),
        created_by=by,
        expires_at=expires_at,
    )
    return token, key


def api_token_revoke(*, token: ApiToken, by: User | None = None) -> ApiToken:
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
    api_tokens_forget(key_hashes=[token.key_hash])
    return token


def api_token_for_key(key: str) -> ApiToken | None:
    """The live token with this key (not revoked, not expired, its account active),
    with its account; None for any other key. Marks the token used, at most once a
    minute so that a busy system does not write on every call.

    Reading the token and its account from the database cost more than a page of
    the request list, so a found token is kept: in this process for
    ``TOKEN_LOCAL_SECONDS``, in the cache that every worker shares for
    ``TOKEN_CACHE_SECONDS``. Any save of the token or its account (a revoke, a role,
    village or bodies change, a deactivation) forgets it in both at once
    (``villages.signals``); another worker's copy lasts at most
    ``TOKEN_LOCAL_SECONDS`` more. Expiry is checked on every call."""
    if not key.startswith(API_KEY_PREFIX) or len(key) > 100:
        return None
    now = timezone.now()
    key_hash = api_key_hash(key)
    token = _token_kept(key_hash)
    if token is None:
        return None
    if (
        token.revoked_at is not None
        or (token.expires_at is not None and token.expires_at <= now)
        or not token.account.is_active
    ):
        return None
    if token.last_used_at is None or now - token.last_used_at > _USED_EVERY:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
        cache.set(_token_cache_key(key_hash), token, TOKEN_CACHE_SECONDS)
    return token


def _token_kept(key_hash: str) -> ApiToken | None:
    """The token with this hash, live or not: from this process, the shared cache or
    the database (then kept in both)."""
    kept = _local_tokens.get(key_hash)
    if kept is not None and time.monotonic() - kept[0] < TOKEN_LOCAL_SECONDS:
        return kept[1]
    token = cache.get(_token_cache_key(key_hash))
    if token is None:
        # Sliced, not .first(): the hash is unique, and ordering the one row by the
        # model's ordering costs more than the lookup itself. The password's hash
        # stays out of the cache.
        found = (
            ApiToken.objects.select_related("account")
            .defer("account__password")
            .filter(key_hash=key_hash)
            .order_by()[:1]
        )
        token = next(iter(found), None)
        if token is None:
            return None
        cache.set(_token_cache_key(key_hash), token, TOKEN_CACHE_SECONDS)
    if len(_local_tokens) >= _LOCAL_TOKENS_MAX:
        _local_tokens.clear()
    _local_tokens[key_hash] = (time.monotonic(), token)
    return token


def api_tokens_forget(*, key_hashes) -> None:
    """Read these tokens (and their accounts) from the database on their next use."""
    key_hashes = list(key_hashes)
    for key_hash in key_hashes:
        _local_tokens.pop(key_hash, None)
    cache.delete_many([_token_cache_key(h) for h in key_hashes])


def api_tokens_forget_account(*, account_id: int) -> None:
    """Read every token of this account afresh: its role, village or state changed."""
    api_tokens_forget(
        key_hashes=ApiToken.objects.filter(account_id=account_id).values_list(
            "key_hash", flat=True
        )
    )


TOKEN_CACHE_SECONDS = 300
TOKEN_LOCAL_SECONDS = 5
_LOCAL_TOKENS_MAX = 1000
_local_tokens: dict[str, tuple[float, ApiToken]] = {}


def _token_cache_key(key_hash: str) -> str:
    return f"api-token:{key_hash}"


_USED_EVERY = datetime.timedelta(minutes=1)
