"""Writing a generated history: COPY on PostgreSQL, bulk_create elsewhere.

On PostgreSQL each batch's rows are streamed with ``COPY … FROM STDIN`` (text format)
from a second thread, so that Python draws the next batch while the server stores the
last. When the database user may, the load runs with ``session_replication_role =
replica``: the foreign-key checks (every reference is made consistent here) and the
triggers are skipped. The only triggers in the portal are the catalog-version triggers
of ``services.caching`` on the catalog tables, which a history does not write.
"""

import io
import json
import queue
import threading
import time

from django.core.management.color import no_style
from django.db import connection, connections, transaction
from django.db.models import Max

from huagang.crypto import decrypt

from ..models import (
    AgencyTrip,
    FollowUp,
    HomeVisit,
    Rating,
    RequestEvent,
    ServiceRequest,
    TripCheck,
)
from . import shape
from .simulate import NULL, TABLES

MODELS = {
    "request": ServiceRequest,
    "trip": AgencyTrip,
    "trip_request": AgencyTrip.requests.through,
    "trip_out": AgencyTrip.carried_out.through,
    "trip_back": AgencyTrip.carried_back.through,
    "trip_check": TripCheck,
    "visit": HomeVisit,
    "event": RequestEvent,
    "rating": Rating,
    "follow_up": FollowUp,
}
COLUMNS = {
    "request": (
        "id tracking_number item_id village_id mode channel status version "
        "submission_key applicant_name applicant_phone applicant_id_number "
        "applicant_id_hash "
        "applicant_address account_id entered_by_id description consent_at "
        "privacy_notice_version visit_weekdays visit_time assigned_to_id submitted_at "
        "accepted_at clock_started_on due_date paused_days_left due_state due_note "
        "completed_at result_note town_decided_at delivered_how updated_at grid_id"
    ),
    "trip": (
        "id village_id trip_date handed_over_at handed_over_by_id received_by_id "
        "documents_out returned_at returned_by_id return_received_by_id "
        "documents_back note arrival_checked_at return_checked_at"
    ),
    "trip_request": "id agencytrip_id servicerequest_id",
    "trip_out": "id agencytrip_id servicerequest_id",
    "trip_back": "id agencytrip_id servicerequest_id",
    "trip_check": "id trip_id request_id leg on_list checked_at checked_by_id",
    "visit": (
        "id request_id starts_at ends_at staff_id reason outcome outcome_note "
        "recorded_at"
    ),
    "event": (
        "id request_id kind from_status to_status actor_id actor_role note is_public "
        "created_at"
    ),
    "rating": "id request_id level comment created_at",
    "follow_up": (
        "id rating_id stage deadline supervisor_id verification_note fix_note answer "
        "answered_at reminded_on"
    ),
}
COLUMNS = {table: tuple(names.split()) for table, names in COLUMNS.items()}


def check_columns() -> None:
    """The rows' columns are every column of each table (a new field must be given a
    value here, or the history breaks loudly rather than quietly)."""
    for table, model in MODELS.items():
        expected = {field.attname for field in model._meta.concrete_fields}
        if set(COLUMNS[table]) != expected:
            raise RuntimeError(
                f"{table}: columns {sorted(expected ^ set(COLUMNS[table]))}"
            )


def first_ids() -> dict[str, int]:
    return {
        table: model.objects.aggregate(top=Max("id"))["top"] or 0
        for table, model in MODELS.items()
    }


COPY_CHUNK = 4 << 20  # bytes handed to the server at once (the default 8 KiB
# takes the interpreter's lock thousands of times per batch, slowing the generator)


class CopyWriter:
    """COPY each batch in one transaction, from a thread with its own connection; or
    on the caller's connection when called inside a transaction (whose rows the
    thread could not see, and whose rollback must take the history with it)."""

    def __init__(self):
        self.rows = dict.fromkeys(TABLES, 0)
        self.seconds = dict.fromkeys(TABLES, 0.0)
        self.error: BaseException | None = None
        self.thread = None
        if not connection.in_atomic_block:
            self.queue: queue.Queue = queue.Queue(maxsize=2)
            self.thread = threading.Thread(target=self._run, daemon=True)
            self.thread.start()

    def write(self, batch: dict[str, list]) -> None:
        if self.thread is None:
            self._write(batch)
            return
        if self.error:
            raise self.error
        self.queue.put(batch)

    def close(self) -> None:
        if self.thread is None:
            return
        self.queue.put(None)
        self.thread.join()
        if self.error:
            raise self.error

    def _run(self) -> None:
        try:
            while (batch := self.queue.get()) is not None:
                self._write(batch)
        except BaseException as exc:
            self.error = exc
            while self.queue.get() is not None:
                pass
        finally:
            connections.close_all()

    def _write(self, batch: dict[str, list]) -> None:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
            fast = cursor.fetchone()[0]
            if fast:
                cursor.execute("SET LOCAL session_replication_role = replica")
            # a batch lost in a crash is generated again: no need to wait for it
            cursor.execute("SET LOCAL synchronous_commit = off")
            for table in TABLES:
                self._copy(cursor, table, batch[table])
            if fast:  # for the rest of a caller's transaction
                cursor.execute("SET LOCAL session_replication_role = origin")

    def _copy(self, cursor, table: str, rows: list[tuple]) -> None:
        if not rows:
            return
        text = "\n".join(map("\t".join, rows)) + "\n"
        columns = ", ".join(f'"{name}"' for name in COLUMNS[table])
        sql = f'COPY "{MODELS[table]._meta.db_table}" ({columns}) FROM STDIN'
        started = time.perf_counter()
        cursor.cursor.copy_expert(sql, io.StringIO(text), size=COPY_CHUNK)
        self.seconds[table] += time.perf_counter() - started
        self.rows[table] += len(rows)


class BulkWriter:
    """bulk_create in batches: for SQLite (tests, small histories)."""

    def __init__(self):
        self.rows = dict.fromkeys(TABLES, 0)

    def write(self, batch: dict[str, list]) -> None:
        # keep the generated "updated" times (auto_now would stamp them with now)
        updated = ServiceRequest._meta.get_field("updated_at")
        with transaction.atomic():
            for table in TABLES:
                model = MODELS[table]
                objects = [model(**_values(table, row)) for row in batch[table]]
                updated.auto_now = False
                try:
                    model.objects.bulk_create(objects, batch_size=500)
                finally:
                    updated.auto_now = True
                self.rows[table] += len(objects)

    def close(self) -> None:
        pass


def _values(table: str, row: tuple) -> dict:
    values = {}
    for name, value in zip(COLUMNS[table], row, strict=True):
        if value == NULL:
            value = None
        elif name == "applicant_id_number":  # stored encrypted; the field encrypts
            value = decrypt(value)
        elif name in ("on_list", "is_public"):
            value = value == "t"
        elif name == "visit_weekdays":
            value = json.loads(value)
        values[name] = value
    return values


def writer() -> CopyWriter | BulkWriter:
    return CopyWriter() if connection.vendor == "postgresql" else BulkWriter()


# A big load into PostgreSQL is several times faster with the plain indexes dropped
# and built again once at the end (the primary keys and unique constraints stay).
REBUILD_FROM = 100_000


def drop_indexes() -> list[str]:
    """Drop the indexes of the written tables that back no constraint; return the
    statements that create them again (``restore_indexes``)."""
    tables = [model._meta.db_table for model in MODELS.values()]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) "
            "FROM pg_index i JOIN pg_class t ON t.oid = i.indrelid "
            "WHERE t.relname = ANY(%s) AND NOT EXISTS "
            "(SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)",
            [tables],
        )
        found = cursor.fetchall()
        for name, _definition in found:
            cursor.execute(f"DROP INDEX {name}")
    return [definition for _name, definition in found]


def restore_indexes(definitions: list[str]) -> None:
    """Build the dropped indexes again, two at a time (one per core)."""
    if not definitions:
        return
    pending = queue.Queue()
    for definition in definitions:
        pending.put(definition)

    def build():
        try:
            with connection.cursor() as cursor:
                cursor.execute("SET maintenance_work_mem = '256MB'")
                while True:
                    try:
                        definition = pending.get_nowait()
                    except queue.Empty:
                        return
                    cursor.execute(definition)
        finally:
            connections.close_all()

    builders = [threading.Thread(target=build) for _n in range(2)]
    for thread in builders:
        thread.start()
    for thread in builders:
        thread.join()
    if not pending.empty():
        raise RuntimeError("some indexes could not be built again")


def finish() -> None:
    """Count each generated trip's documents, empty the legs nobody travelled, reset
    the id sequences, and vacuum and analyse the tables."""
    trip = AgencyTrip._meta.db_table
    check = TripCheck._meta.db_table
    with transaction.atomic(), connection.cursor() as cursor:
        for leg, column in (("out", "documents_out"), ("back", "documents_back")):
            cursor.execute(
                f"UPDATE {trip} SET {column} = (SELECT COUNT(*) FROM {check} c "
                f"WHERE c.trip_id = {trip}.id AND c.leg = %s) "
                f"WHERE note = %s AND {column} IS NOT NULL",
                [leg, shape.DEMO_TRIP_NOTE],
            )
        _empty_leg(
            cursor,
            "documents_out",
            "handed_over_at",
            "handed_over_by_id",
            "received_by_id",
            "arrival_checked_at",
        )
        _empty_leg(
            cursor,
            "documents_back",
            "returned_at",
            "returned_by_id",
            "return_received_by_id",
            "return_checked_at",
        )
        for sql in connection.ops.sequence_reset_sql(no_style(), list(MODELS.values())):
            cursor.execute(sql)
    # VACUUM too where it can run (not in a transaction): it sets the visibility
    # map that index-only scans need, as autovacuum would do some time later.
    vacuum = connection.vendor == "postgresql" and not connection.in_atomic_block
    with connection.cursor() as cursor:
        for model in MODELS.values():
            table = model._meta.db_table
            cursor.execute(
                f'VACUUM (ANALYZE) "{table}"' if vacuum else f'ANALYZE "{table}"'
            )


def _empty_leg(cursor, count: str, *columns: str) -> None:
    blanks = ", ".join(f"{name} = NULL" for name in (count, *columns))
    cursor.execute(
        f"UPDATE {AgencyTrip._meta.db_table} SET {blanks} "
        f"WHERE note = %s AND {count} = 0",
        [shape.DEMO_TRIP_NOTE],
    )


def clear() -> int:
    """Delete the generated requests (and everything hanging from them) and the
    generated trips left empty; other requests are kept. Returns the requests deleted."""
    demo = f"SELECT id FROM {ServiceRequest._meta.db_table} WHERE description = %s"
    with transaction.atomic(), connection.cursor() as cursor:
        _delete_dependents(cursor, ServiceRequest, demo, [shape.DEMO_NOTE])
        cursor.execute(
            f"DELETE FROM {ServiceRequest._meta.db_table} WHERE description = %s",
            [shape.DEMO_NOTE],
        )
        deleted = cursor.rowcount
        through = AgencyTrip.requests.through._meta.db_table
        trips = AgencyTrip._meta.db_table
        cursor.execute(
            f"DELETE FROM {trips} WHERE note = %s "
            f"AND NOT EXISTS (SELECT 1 FROM {through} r WHERE r.agencytrip_id = {trips}.id) "
            f"AND NOT EXISTS (SELECT 1 FROM {TripCheck._meta.db_table} c WHERE c.trip_id = {trips}.id)",
            [shape.DEMO_TRIP_NOTE],
        )
    return deleted


def _delete_dependents(cursor, model, ids_sql: str, params: list) -> None:
    """Delete (or, for SET_NULL, detach) the rows referring to `model`'s rows whose
    ids `ids_sql` selects, depth first."""
    for relation in model._meta.related_objects:
        if relation.many_to_many:
            through = relation.through._meta
            column = next(
                f.column
                for f in through.fields
                if getattr(f, "related_model", None) is model
            )
            cursor.execute(
                f"DELETE FROM {through.db_table} WHERE {column} IN ({ids_sql})", params
            )
            continue
        table, column = relation.related_model._meta.db_table, relation.field.column
        where = f"{column} IN ({ids_sql})"
        if relation.field.null and relation.on_delete.__name__ == "SET_NULL":
            cursor.execute(f"UPDATE {table} SET {column} = NULL WHERE {where}", params)
            continue
        _delete_dependents(
            cursor,
            relation.related_model,
            f"SELECT id FROM {table} WHERE {where}",
            params,
        )
        cursor.execute(f"DELETE FROM {table} WHERE {where}", params)
