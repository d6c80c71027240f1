"""One case's life, step by step, as the actions would have recorded it.

A ``Case`` collects the status changes and notes (the timeline) and the request's
fields; each step happens only if its moment is not after the case's horizon (the end of
the history, or earlier for a case somebody forgot: it stays open and runs overdue).
Times are minutes since 0001-01-01 local time (day ordinal × 1440 + minute of day).
"""

from ..choices import Status
from ..models import EventKind
from ..workflow import TRANSITIONS

DAY = 1440
NULL = "\\N"  # a missing value in COPY's text format
STATUS = EventKind.STATUS.value


class Case:
    __slots__ = (
        "checks",
        "events",
        "fields",
        "horizon",
        "last",
        "mode",
        "status",
        "trips",
        "version",
        "visits",
    )

    def __init__(self, *, horizon: int, mode: str):
        self.horizon = horizon
        self.mode = mode
        self.status = ""
        self.version = 0
        self.events: list[tuple] = []
        self.fields: dict[str, object] = {}
        self.last = 0
        self.trips: list[tuple[int, int]] = []  # (trip key, time put on it)
        self.checks: list[tuple] = []  # (trip key, leg, time, checked by)
        self.visits: list[tuple] = []  # HomeVisit values

    def can(self, moment: int) -> bool:
        return moment <= self.horizon

    def to(
        self, moment: int, status: Status, actor, role: str, note: str = "", **fields
    ) -> bool:
        """Change the status at `moment` (if within the horizon) and set `fields`."""
        if moment > self.horizon:
            return False
        status = Status(status)
        if self.status and (Status(self.status), status) not in TRANSITIONS[self.mode]:
            raise AssertionError(f"{self.mode}: {self.status} -> {status}")
        self.events.append(
            (moment, STATUS, self.status, status, actor, role, note, True)
        )
        self.status = status.value
        self.version += 1
        self.last = max(self.last, moment)
        self.fields.update(fields)
        return True

    def decide(self, moment: int, actor, role: str, result: str) -> bool:
        """The town's decision (``service_request_town_decide``): no status change,
        but a new version and a private timeline entry."""
        if not self.note(moment, EventKind.DECISION, actor, role, result):
            return False
        self.version += 1
        self.last = max(self.last, moment)
        self.fields.update(town_decided_at=moment, result_note=result)
        return True

    def note(
        self, moment: int, kind: str, actor, role: str, note: str, public=False
    ) -> bool:
        """A timeline entry that changes no status."""
        if moment > self.horizon:
            return False
        self.events.append(
            (moment, kind, self.status, self.status, actor, role, note, public)
        )
        return True
