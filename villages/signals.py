"""Receivers that keep caches true to the database.

``villages.actions.api_token_for_key`` keeps a found API key and its account in the
cache; a change to either (a revoke, a role, a village, a deactivation — through the
admin, an action or a plain ``save()``) must reach the next call at once.
"""

from django.db.models.signals import m2m_changed, post_delete, post_save

from .actions import api_tokens_forget, api_tokens_forget_account
from .models import ApiToken, User


def _token_changed(sender, instance: ApiToken, **kwargs) -> None:
    api_tokens_forget(key_hashes=[instance.key_hash])


def _account_changed(sender, instance: User, **kwargs) -> None:
    if instance.pk is not None:
        api_tokens_forget_account(account_id=instance.pk)


def _account_relations_changed(sender, instance, action: str, model, pk_set, **kwargs):
    if not action.startswith("post_"):
        return
    if isinstance(instance, User):
        api_tokens_forget_account(account_id=instance.pk)
    elif model is User and pk_set:
        for pk in pk_set:
            api_tokens_forget_account(account_id=pk)
    elif model is User:  # cleared from the other side: whose is not known
        api_tokens_forget(
            key_hashes=ApiToken.objects.values_list("key_hash", flat=True)
        )


def connect() -> None:
    post_save.connect(_token_changed, sender=ApiToken, dispatch_uid="api-token-saved")
    post_delete.connect(
        _token_changed, sender=ApiToken, dispatch_uid="api-token-deleted"
    )
    post_save.connect(_account_changed, sender=User, dispatch_uid="account-saved")
    post_delete.connect(_account_changed, sender=User, dispatch_uid="account-deleted")
    # Groups and the bodies a town-center clerk serves.
    for through in (User.groups.through, User.bodies.through):
        m2m_changed.connect(
            _account_relations_changed,
            sender=through,
            dispatch_uid=f"account-relations-{through._meta.label}",
        )
