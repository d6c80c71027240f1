"""Cached fragments of the public pages that are never stale.

A fragment (``{% cachedfragment %}`` in ``services/templatetags/fragments.py``) is
stored under a key made of:

- the catalog version: a token in one database row that triggers change, in the same
  transaction, with every write to a table the public pages show (``PUBLIC_MODELS``),
  whoever makes it: the admin, ``load_town_data``, a queryset ``update()``, raw SQL.
  It is read once per request (one indexed single-row query), so a change committed
  by any process is seen by the next request in every process, whatever the cache
  backend (the default per-process locmem, or Redis shared by all);
- the code stamp: a hash of the portal's templates, compiled translations and Python
  modules, so that a deploy never serves fragments rendered by the previous release
  from a shared cache;
- the active language, the fragment's name and what the template says the fragment
  varies on (a query string, an item code, the elder mode …).

A fragment must therefore depend on nothing else: no user, session, CSRF token or
messages inside it, and nothing that changes with the time of day.
"""

from __future__ import annotations

import functools
import hashlib
import logging
import secrets
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, TypeVar

from django.apps import apps
from django.conf import settings
from django.core.cache import caches
from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.utils import translation

# What the public pages show. A model added to a public page belongs here; its table
# gets the triggers at the next `migrate`.
PUBLIC_MODELS = (
    "villages.Town",
    "villages.Village",
    "villages.SubCenter",
    "villages.ServiceWindow",
    "services.Category",
    "services.Body",
    "services.ServiceItem",
    "services.Material",
    "services.SearchSynonym",
    # the guides' "相关问答 (N)" counts the published questions of their item
    "services.QuestionPublication",
    "services.CountyDepartment",
    "services.DelegatedPower",
)
T = TypeVar("T")
logger = logging.getLogger(__name__)
_REQUEST_ATTRIBUTE = "_huagang_catalog_version"
_TRIGGER_PREFIX = "huagang_catalog_version"


def public_tables() -> list[str]:
    """The tables of ``PUBLIC_MODELS`` and of their many-to-many links between them."""
    names = set(PUBLIC_MODELS)
    tables = []
    for label in PUBLIC_MODELS:
        model = apps.get_model(label)
        tables.append(model._meta.db_table)
        for field in model._meta.local_many_to_many:
            if field.related_model._meta.label in names:
                tables.append(field.remote_field.through._meta.db_table)
    return tables


def catalog_version(request: HttpRequest | None = None) -> str:
    """The current catalog version, read once per request (memoized on it)."""
    if request is not None and hasattr(request, _REQUEST_ATTRIBUTE):
        return getattr(request, _REQUEST_ATTRIBUTE)
    from .models import CatalogVersion

    table = CatalogVersion._meta.db_table
    with connection.cursor() as cursor:  # raw: this runs on every public page
        cursor.execute(f'SELECT token FROM "{table}" WHERE id = 1')
        row = cursor.fetchone()
    if row is None:  # a new or flushed database: start a version no cache holds
        token = CatalogVersion.objects.get_or_create(
            pk=1, defaults={"token": secrets.token_hex(16)}
        )[0].token
    else:
        token = row[0]
    if request is not None:
        setattr(request, _REQUEST_ATTRIBUTE, token)
    return token


def catalog_cached(
    request: HttpRequest, name: str, compute: Callable[[], T], *vary_on: object
) -> T:
    """`compute()`, cached until the catalog changes, apart for each `vary_on`.

    For values, not markup: the key holds no language. None is never cached.
    """
    key = fragment_key(name, vary_on, version=catalog_version(request), language="")
    value = cache_get(key)
    if value is None:
        value = compute()
        cache_set(key, value)
    return value


class _LocalCopies:
    """The fragments this process used last, in front of the shared cache.

    Safe because a key never changes meaning: it holds the catalog version and the
    code stamp, so whatever is stored under it is the same in every process. It saves
    a round trip to Redis (and unpickling) on every fragment of a busy page.
    """

    def __init__(self, size: int):
        self.size = size
        self.entries: OrderedDict[str, Any] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key: str) -> Any:
        with self.lock:
            value = self.entries.get(key)
            if value is not None:
                self.entries.move_to_end(key)
            return value

    def set(self, key: str, value: Any) -> None:
        with self.lock:
            self.entries[key] = value
            self.entries.move_to_end(key)
            while len(self.entries) > self.size:
                self.entries.popitem(last=False)


_local = _LocalCopies(size=500)


def fragments_forget() -> None:
    """Drop every cached fragment and value, in this process and the shared cache."""
    with _local.lock:
        _local.entries.clear()
    caches[settings.HUAGANG_FRAGMENT_CACHE].clear()


def cache_get(key: str) -> Any:
    """The cached value, or None when absent or when the cache server is down (the
    page is then rendered uncached: slower, never wrong)."""
    value = _local.get(key)
    if value is not None:
        return value
    try:
        value = caches[settings.HUAGANG_FRAGMENT_CACHE].get(key)
    except Exception:
        logger.warning("page cache unavailable", exc_info=True)
        return None
    if value is not None:
        _local.set(key, value)
    return value


def cache_set(key: str, value: Any) -> None:
    _local.set(key, value)
    try:
        caches[settings.HUAGANG_FRAGMENT_CACHE].set(
            key, value, settings.HUAGANG_FRAGMENT_SECONDS
        )
    except Exception:
        logger.warning("page cache unavailable", exc_info=True)


def catalog_page(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Decorate a view whose page holds cached fragments: reads the catalog version
    first, before the view reads anything a fragment shows.

    Read later, a change committed in between could be rendered from the old rows and
    stored under the new version, and stay there until the next change.
    """

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        catalog_version(request)
        return view(request, *args, **kwargs)

    return wrapper


@functools.cache
def code_stamp() -> str:
    """A hash of the templates, compiled translations and Python modules of the portal
    (once per process)."""
    digest = hashlib.sha1(usedforsecurity=False)
    base = Path(settings.BASE_DIR)
    folders = [base / "templates", *map(Path, settings.LOCALE_PATHS)]
    folders += [base / app for app in ("huagang", "services", "villages")]
    for folder in folders:
        for path in sorted(folder.rglob("*")):
            if path.suffix in {".html", ".mo", ".py", ".txt"} and path.is_file():
                digest.update(str(path.relative_to(base)).encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def fragment_key(
    name: str, vary_on: Iterable[object], *, version: str, language: str | None = None
) -> str:
    """The cache key of a fragment: its name, the language (default: the active
    one), the code stamp, the catalog version and a hash of the `vary_on` values."""
    varies = hashlib.md5(usedforsecurity=False)
    for value in vary_on:
        varies.update(str(value).encode())
        varies.update(b"\x00")
    if language is None:
        language = translation.get_language() or settings.LANGUAGE_CODE
    return ":".join(
        ("fragment", name, language, code_stamp(), version, varies.hexdigest())
    )


# --- the triggers -------------------------------------------------------------------


def install_catalog_triggers(using: str = "default", **kwargs: object) -> None:
    """Create (or re-create) the triggers that change the catalog version.

    Connected to ``post_migrate``: SQLite drops a table's triggers when a migration
    rebuilds the table, and a model added to ``PUBLIC_MODELS`` needs its own.
    """
    from django.db import connections

    conn = connections[using]
    version_table = apps.get_model("services.CatalogVersion")._meta.db_table
    if version_table not in conn.introspection.table_names():
        return
    statements = (
        _postgresql_statements
        if conn.vendor == "postgresql"
        else _sqlite_statements
        if conn.vendor == "sqlite"
        else None
    )
    if statements is None:
        raise NotImplementedError(f"no catalog triggers for {conn.vendor}")
    with conn.cursor() as cursor:
        for table in public_tables():
            for sql in statements(table, version_table):
                cursor.execute(sql)


def _postgresql_statements(table: str, version_table: str) -> list[str]:
    function = f"{_TRIGGER_PREFIX}_bump"
    return [
        f"""CREATE OR REPLACE FUNCTION {function}() RETURNS trigger AS $$
        BEGIN
            INSERT INTO {version_table} (id, token)
            VALUES (1, md5(random()::text || clock_timestamp()::text))
            ON CONFLICT (id) DO UPDATE SET token = EXCLUDED.token;
            RETURN NULL;
        END $$ LANGUAGE plpgsql""",
        f'DROP TRIGGER IF EXISTS {_TRIGGER_PREFIX} ON "{table}"',
        f"""CREATE TRIGGER {_TRIGGER_PREFIX}
        AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "{table}"
        FOR EACH STATEMENT EXECUTE FUNCTION {function}()""",
    ]


def _sqlite_statements(table: str, version_table: str) -> list[str]:
    statements = []
    for event in ("INSERT", "UPDATE", "DELETE"):
        name = f"{_TRIGGER_PREFIX}_{table}_{event.lower()}"
        statements += [
            f'DROP TRIGGER IF EXISTS "{name}"',
            f"""CREATE TRIGGER "{name}" AFTER {event} ON "{table}" BEGIN
            INSERT INTO "{version_table}" (id, token)
            VALUES (1, lower(hex(randomblob(16))))
            ON CONFLICT (id) DO UPDATE SET token = excluded.token;
            END""",
        ]
    return statements


def catalog_triggers_missing(using: str = "default") -> list[str]:
    """The public tables without a catalog trigger (for the system check and tests)."""
    from django.db import connections

    conn = connections[using]
    with conn.cursor() as cursor:
        if conn.vendor == "postgresql":
            cursor.execute(
                "SELECT DISTINCT event_object_table FROM information_schema.triggers "
                "WHERE trigger_name = %s",
                [_TRIGGER_PREFIX],
            )
        else:
            cursor.execute(
                "SELECT DISTINCT tbl_name FROM sqlite_master "
                "WHERE type = 'trigger' AND name LIKE %s",
                [f"{_TRIGGER_PREFIX}_%"],
            )
        present = {row[0] for row in cursor.fetchall()}
    return [table for table in public_tables() if table not in present]
