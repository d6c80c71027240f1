"""A generated history as rows of the portal's tables, in batches.

``History.batches`` walks the days of the range in order, draws each day's cases
(villages, items, modes, channels by the weights in ``shape``), lets each case live its
flow (``flows``) up to the end of the history, and yields the rows of every table for
about `batch_size` requests at a time. Every value is already text as PostgreSQL's COPY
reads it (``NULL`` for none); ids are assigned here, so rows of one batch can refer to
each other. The same seed and end date give the same rows.
"""

import datetime as dt
import json
import random
from collections.abc import Iterator

from huagang.crypto import encrypt, lookup_hash
from huagang.privacy import NOTICE_VERSION
from villages.choices import Role

from ..choices import HandlingMode
from ..workflow import CLOCK_RUNNING
from . import shape
from .cases import DAY, NULL, Case
from .days import DayTable
from .flows import Flows
from .ratings import Ratings

END_OF_DAY = 17 * 60 + 30  # the history ends at half past five on its last day
TABLES = (
    "request",
    "trip",
    "trip_request",
    "trip_out",
    "trip_back",
    "trip_check",
    "visit",
    "event",
    "rating",
    "follow_up",
)


class History(Flows, Ratings):
    def __init__(
        self,
        *,
        seed,
        villages,
        items,
        staff,
        days: DayTable,
        first,
        last,
        first_ids,
        taken,
    ):
        self._ids_stored: dict[str, tuple[str, str]] = {}
        self.rng = random.Random(seed)
        self.villages, self.items, self.days = villages, items, days
        self.clerks, self.town_clerks, self.official = staff
        self.first, self.last = first.toordinal(), last.toordinal()
        self.now = self.last * DAY + END_OF_DAY
        self.ids = dict(first_ids)
        self.taken = taken
        self.trips: dict[tuple[int, int], int] = {}
        self.residents = shape.Residents()
        self._trip_cache: dict[tuple[int, int], int] = {}
        self._village_cw = shape.cumulative(
            shape.village_weight(v.code, v.kind) for v in villages
        )
        self._item_cw = {
            month: shape.cumulative(shape.item_weight(i.code, month) for i in items)
            for month in range(1, 13)
        }
        self._modes = {i.pk: _table(shape.mode_weights(i)) for i in items}
        self.trip_weekdays = {
            v.pk: set(
                getattr(getattr(v, "sub_center", None), "trip_weekdays", None)
                or (1, 2, 3, 4, 5)
            )
            for v in villages
        }
        # residents per village: a pool each, numbered consecutively
        self._pool = {}
        self._next_resident = 0

    # --- the days -------------------------------------------------------------
    def day_counts(self, total: int) -> list[tuple[int, int]]:
        ordinals = list(range(self.first, self.last + 1))
        start_year = dt.date.fromordinal(self.first).year
        weights = [
            shape.day_weight(
                dt.date.fromordinal(d),
                self.days.work[d],
                self.days.holiday.get(d, ""),
                start_year,
            )
            for d in ordinals
        ]
        counts = [0] * len(ordinals)
        for index in self.rng.choices(range(len(ordinals)), weights=weights, k=total):
            counts[index] += 1
        return [(d, n) for d, n in zip(ordinals, counts, strict=True) if n]

    def next_trip(self, village: int, ordinal: int) -> int:
        """The first working day on or after `ordinal` that is one of the village's
        trip days (``actions.trips.next_trip_date``)."""
        key = (village, ordinal)
        found = self._trip_cache.get(key)
        if found is None:
            weekdays = self.trip_weekdays[village]
            day = ordinal
            while not (
                self.days.is_work(day)
                and dt.date.fromordinal(day).isoweekday() in weekdays
            ):
                day += 1
            found = self._trip_cache[key] = day
        return found

    # --- the batches ----------------------------------------------------------
    def batches(self, total: int, batch_size: int) -> Iterator[dict[str, list]]:
        rows = {table: [] for table in TABLES}
        for ordinal, count in self.day_counts(total):
            month = dt.date.fromordinal(ordinal).month
            villages = self.rng.choices(
                self.villages, cum_weights=self._village_cw, k=count
            )
            items = self.rng.choices(
                self.items, cum_weights=self._item_cw[month], k=count
            )
            cases = []
            channels = self._channels(ordinal)
            for village, item in zip(villages, items, strict=True):
                modes, weights = self._modes[item.pk]
                mode = self.rng.choices(modes, cum_weights=weights)[0]
                names, weights = channels[mode]
                channel = self.rng.choices(names, cum_weights=weights)[0]
                if channel == "online" or not self.days.is_work(ordinal):
                    minute = 7 * 60 + self.rng.randrange(16 * 60)
                else:
                    minute = 8 * 60 + 30 + self.rng.randrange(9 * 60)
                if ordinal == self.last:
                    minute = min(minute, END_OF_DAY - 1)  # the history ends then
                cases.append((minute, village, item, mode, channel))
            cases.sort(key=lambda case: case[0])
            for minute, village, item, mode, channel in cases:
                self._case(rows, ordinal * DAY + minute, village, item, mode, channel)
            if len(rows["request"]) >= batch_size:
                yield rows
                rows = {table: [] for table in TABLES}
        if rows["request"]:
            yield rows

    def _channels(self, ordinal: int) -> dict[str, tuple[list, list]]:
        """Mode → (channels, cumulative weights) on this day: more online requests
        each year, and on a rest day only online or by phone."""
        if not self.days.is_work(ordinal):
            rest = _table((("online", 80), ("phone", 20)))
            return dict.fromkeys(HandlingMode.values, rest)
        online = 10 + 20 * (ordinal - self.first) / max(1, self.last - self.first)
        agency = (("clerk", 55), ("window", 15), ("online", online), ("phone", 5))
        return {
            HandlingMode.INSTANT: _table((("window", 80), ("clerk", 20))),
            HandlingMode.HOME: _table((("phone", 50), ("clerk", 40), ("online", 10))),
            HandlingMode.AGENCY: _table(agency),
        }

    def _resident(self, village) -> int:
        pool = self._pool.get(village.pk)
        if pool is None or (self.rng.random() < 0.3 and len(pool) < 50_000):
            number = self._next_resident
            self._next_resident += 1
            pool = self._pool.setdefault(village.pk, [])
            pool.append(number)
            return number
        return self.rng.choice(pool)

    def _tracking_number(self, t0: int) -> str:
        day = dt.date.fromordinal(t0 // DAY)
        while True:
            number = f"HG{day:%y%m%d}{self.rng.randrange(10**6):06d}"
            if number not in self.taken:
                self.taken.add(number)
                return number

    def _next_id(self, table: str) -> int:
        self.ids[table] += 1
        return self.ids[table]

    # --- one case -------------------------------------------------------------
    def _case(self, rows, t0, village, item, mode, channel) -> None:
        rng = self.rng
        horizon = self.now
        recent = t0 // DAY >= self.last - 120
        if rng.random() < (0.04 if recent else 0.0005):  # forgotten: stays open
            horizon = min(self.now, t0 + rng.randint(1, 15) * DAY)
        case = Case(horizon=horizon, mode=mode)
        clerk = self.clerks[village.pk]
        entered_by = None if channel == "online" else clerk
        case.to(
            t0,
            "submitted",
            entered_by,
            Role.RESIDENT if entered_by is None else Role.VILLAGE_CLERK,
        )
        case.fields["visit_time"] = ""
        if mode == HandlingMode.HOME:
            case.fields["visit_time"] = rng.choice(("morning", "afternoon", "any"))
        self.run_flow(case, t0=t0, village=village.pk, item=item, channel=channel)
        rid = self._next_id("request")
        self._request_row(rows, rid, case, t0, village, item, channel, entered_by)
        self._rating(rows, rid, case)
        self._fieldwork_rows(rows, rid, case)
        for moment, kind, source, target, actor, role, note, public in case.events:
            rows["event"].append(
                (
                    str(self._next_id("event")),
                    str(rid),
                    kind,
                    source,
                    target,
                    _id(actor),
                    role,
                    note,
                    "t" if public else "f",
                    self.ts(moment),
                )
            )

    def _id_stored(self, id_number: str) -> tuple[str, str]:
        """The ID number as stored: encrypted, and its keyed hash (huagang/crypto.py);
        made once per resident (a million encryptions would double the time)."""
        found = self._ids_stored.get(id_number)
        if found is None:
            found = self._ids_stored[id_number] = (
                encrypt(id_number),
                lookup_hash(id_number),
            )
        return found

    def _request_row(self, rows, rid, case, t0, village, item, channel, entered_by):
        f, rng = case.fields, self.rng
        resident = self._resident(village)
        name, phone, id_number = self.residents.person(resident)
        status = case.status
        due = f.get("due_date")
        weekdays = "[]"
        if case.mode == HandlingMode.HOME:
            weekdays = json.dumps(rng.choice(([1, 2, 3, 4, 5], [1, 3, 5], [], [2, 4])))
        rows["request"].append(
            (
                str(rid),
                self._tracking_number(t0),
                str(item.pk),
                str(village.pk),
                case.mode,
                channel,
                status,
                str(case.version),
                NULL,
                name,
                phone,
                *(self._id_stored(id_number) if resident % 5 else ("", "")),
                f"{village.name}第{resident % 12 + 1}村民组（演示地址）",
                NULL,
                _id(entered_by),
                shape.DEMO_NOTE,
                self.ts(t0) if channel == "online" else NULL,
                NOTICE_VERSION if channel == "online" else "",
                weekdays,
                f["visit_time"],
                _id(f.get("assigned_to")),
                self.ts(t0),
                self._ts_or_null(f.get("accepted_at")),
                self._day_or_null(f.get("clock_started_on")),
                self._day_or_null(due),
                NULL
                if f.get("paused_days_left") is None
                else str(f["paused_days_left"]),
                self._due_state(status, due),
                "",
                self._ts_or_null(f.get("completed_at")),
                f.get("result_note", ""),
                self._ts_or_null(f.get("town_decided_at")),
                f.get("delivered_how", ""),
                self.ts(max(case.last, t0)),
                NULL,  # grid: only a grid worker's entries have one
            )
        )

    def _due_state(self, status: str, due) -> str:
        if status not in CLOCK_RUNNING:
            return ""
        if due is None:
            return "unknown"
        if due < self.last:
            return "overdue"
        if due <= self.days.add(self.last, 1):
            return "due_soon"
        return "on_time"

    def _fieldwork_rows(self, rows, rid, case) -> None:
        for key in case.trips:
            rows["trip_request"].append(
                (
                    str(self._next_id("trip_request")),
                    str(self._trip(rows, key)),
                    str(rid),
                )
            )
        for key, leg, moment, by in case.checks:
            # what went each way (``carried_out``/``carried_back``) is what arrived
            table = "trip_out" if leg == "out" else "trip_back"
            rows[table].append(
                (str(self._next_id(table)), str(self._trip(rows, key)), str(rid))
            )
            rows["trip_check"].append(
                (
                    str(self._next_id("trip_check")),
                    str(self._trip(rows, key)),
                    str(rid),
                    leg,
                    "t",
                    self.ts(moment),
                    str(by),
                )
            )
        for starts, staff, reason, outcome, note, recorded in case.visits:
            rows["visit"].append(
                (
                    str(self._next_id("visit")),
                    str(rid),
                    self.ts(starts),
                    self.ts(starts + 120),
                    str(staff),
                    reason,
                    outcome,
                    note,
                    self._ts_or_null(recorded),
                )
            )

    def _trip(self, rows, key) -> int:
        """The trip of village `key[0]` on day `key[1]`, its row made once: handed over
        in the morning and back in the afternoon if its day has come (the counts and
        the unused leg are settled once all cases are in, ``load.finish``)."""
        found = self.trips.get(key)
        if found is not None:
            return found
        trip_id = self.trips[key] = self._next_id("trip")
        village, day = key
        clerk, town = (
            str(self.clerks[village]),
            str(self.town_clerks[day % len(self.town_clerks)]),
        )
        if day <= self.last:
            base = day * DAY
            done = (
                self.ts(base + 9 * 60 + 30),
                clerk,
                town,
                "0",
                self.ts(base + 15 * 60),
                town,
                clerk,
                "0",
                shape.DEMO_TRIP_NOTE,
                self.ts(base + 11 * 60 + 30),
                self.ts(base + 16 * 60 + 30),
            )
        else:
            done = (NULL,) * 8 + (shape.DEMO_TRIP_NOTE, NULL, NULL)
        rows["trip"].append((str(trip_id), str(village), self.days.text[day], *done))
        return trip_id

    # --- text -----------------------------------------------------------------
    def ts(self, moment: int) -> str:
        day, minute = divmod(moment, DAY)
        return self.days.text[day] + MINUTES[minute] + SECONDS[moment * 37 % 60]

    def _ts_or_null(self, moment) -> str:
        return NULL if moment is None else self.ts(moment)

    def _day_or_null(self, ordinal) -> str:
        return NULL if ordinal is None else self.days.text[ordinal]


def _table(weighted) -> tuple[list, list]:
    """(population, cumulative weights) for ``Random.choices``: the same draws as
    with the weights, without adding them up at every draw."""
    return [value for value, _w in weighted], shape.cumulative(w for _v, w in weighted)


MINUTES = [f" {m // 60:02d}:{m % 60:02d}:" for m in range(DAY)]
SECONDS = [f"{s:02d}+08:00" for s in range(60)]


def _id(value) -> str:
    return NULL if value is None else str(value)
