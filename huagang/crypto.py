"""Residents' ID numbers at rest: encrypted, with a keyed hash for exact lookup.

- ``EncryptedTextField`` stores Fernet tokens (AES-128-CBC with HMAC-SHA256, from
  the ``cryptography`` package) made with the first key of ``HUAGANG_FIELD_KEYS``;
  every key listed can still read, so keys are rotated by putting a new one first,
  running ``manage.py rotate_field_keys``, then dropping the old one
  (docs/operations.md). A raw database dump or backup shows only tokens.
- ``lookup_hash`` is an HMAC-SHA256 under ``HUAGANG_HASH_KEY``: the same ID number
  gives the same hash, so a request can be found by its whole ID number without
  decrypting every row, and the hash alone reveals nothing without the key.

The field can be read and written, but not searched: every lookup except ``isnull``
is refused (a ciphertext never equals another), search by ``lookup_hash`` instead.
"""

from __future__ import annotations

import functools
import hashlib
import hmac

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import FieldError, ImproperlyConfigured
from django.db import models

# For development and tests only: production settings refuse it (and any default).
DEVELOPMENT_FIELD_KEY = "ZGV2ZWxvcG1lbnQta2V5LW5ldmVyLWluLXByb2R1Y3Q="
DEVELOPMENT_HASH_KEY = "insecure-development-hash-key-never-in-production"


@functools.lru_cache(maxsize=4)
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    try:
        return MultiFernet([Fernet(key) for key in keys])
    except (ValueError, TypeError) as exc:
        raise ImproperlyConfigured(
            "HUAGANG_FIELD_KEYS must list Fernet keys (32 url-safe base64-encoded "
            "bytes each; make one with `manage.py rotate_field_keys --new-key`)."
        ) from exc


def fernet() -> MultiFernet:
    return _fernet(tuple(settings.HUAGANG_FIELD_KEYS))


def encrypt(text: str) -> str:
    """`text` as a token under the current key ("" stays "": nothing to hide)."""
    if not text:
        return ""
    return fernet().encrypt(text.encode()).decode()


def decrypt(token: str) -> str:
    if not token:
        return ""
    try:
        return fernet().decrypt(token.encode()).decode()
    except InvalidToken as exc:
        raise ImproperlyConfigured(
            "A stored ID number cannot be decrypted with any key of "
            "HUAGANG_FIELD_KEYS (was a key dropped before `rotate_field_keys`?)."
        ) from exc


def rotate(token: str) -> str:
    """The same secret under the current key."""
    return fernet().rotate(token.encode()).decode() if token else ""


def lookup_hash(text: str) -> str:
    """The keyed hash of `text` ("" for ""), for exact lookup."""
    if not text:
        return ""
    key = settings.HUAGANG_HASH_KEY.encode()
    return hmac.new(key, text.encode(), hashlib.sha256).hexdigest()


class EncryptedTextField(models.TextField):
    """Text encrypted at rest; see the module's docstring."""

    description = "Text encrypted at rest"

    def from_db_value(self, value, expression, connection):
        return value if value is None else decrypt(value)

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        return value if value is None else encrypt(value)

    def get_lookup(self, lookup_name):
        if lookup_name != "isnull":
            raise FieldError(
                f"{self.name} is encrypted: it cannot be searched with "
                f"'{lookup_name}'; search its keyed hash (huagang.crypto.lookup_hash)."
            )
        return super().get_lookup(lookup_name)
