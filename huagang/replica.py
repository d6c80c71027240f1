"""A read replica for the heavy reads: the dashboard and the exports.

With ``DATABASE_REPLICA_URL`` set (a streaming replica of the primary, PostgreSQL),
``ReplicaRouter`` sends the reads made inside ``replica_reads()`` (or a view decorated
with ``use_replica``) to it, and a streamed export reads its rows there with
``.using(replica_alias())``; every other read, and every write wherever it is made,
goes to the primary (``default``). Without the setting everything reads the primary.

A replica lags the primary by a moment: only reads that may be a second old belong
here (figures, exports), never a read that follows the request's own write.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.conf import settings

REPLICA = "replica"
_reading: ContextVar[bool] = ContextVar("huagang_replica_reads", default=False)


@contextmanager
def replica_reads() -> Iterator[None]:
    """Reads inside go to the replica, where there is one."""
    token = _reading.set(True)
    try:
        yield
    finally:
        _reading.reset(token)


def use_replica(view: Callable) -> Callable:
    """A view whose reads go to the replica (put it inside the permission checks,
    which read the signed-in user from the primary)."""

    @functools.wraps(view)
    def wrapped(*args, **kwargs):
        with replica_reads():
            return view(*args, **kwargs)

    return wrapped


def replica_alias() -> str:
    """The alias to read from for a queryset read outside the view (a streamed
    export): ``queryset.using(replica_alias())``."""
    return REPLICA if has_replica() else "default"


def has_replica() -> bool:
    return REPLICA in settings.DATABASES


class ReplicaRouter:
    def db_for_read(self, model, **hints) -> str | None:
        if _reading.get() and has_replica():
            return REPLICA
        return None

    def db_for_write(self, model, **hints) -> str | None:
        return None  # the primary

    def allow_relation(self, obj1, obj2, **hints) -> bool | None:
        return True  # the same data, whichever connection read it

    def allow_migrate(self, db: str, app_label: str, **hints) -> bool | None:
        return db != REPLICA  # the replica follows the primary's schema
