"""A realistic made-up history of service requests, for demos and benchmarks.

``generate(requests=N, seed=…)`` fills the request tables for the loaded town data
(run ``load_town_data`` first): see ``shape`` for the proportions, ``flows`` for the
steps each case takes, ``simulate`` for the rows, ``load`` for the writing. Every
applicant is made up (names marked 演示, mobiles 1990…), and every generated request
carries ``shape.DEMO_NOTE`` so that ``clear()`` removes only generated data.
"""

import datetime as dt
import time
from dataclasses import dataclass, field

from django.db import connection

from villages.choices import Role
from villages.models import User, Village

from ..models import ServiceRequest
from ..selectors import service_items_requestable
from ..working_days import WorkCalendar
from . import load
from .days import DayTable
from .simulate import History

STAFF_PHONE_PREFIX = "1980000"  # made-up staff for a history on a bare database


@dataclass
class Report:
    rows: dict[str, int] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)


def generate(
    *,
    requests: int,
    seed: int = 8,
    years: int = 5,
    end: dt.date,
    batch_size: int = 20_000,
    progress=None,
) -> Report:
    """Add `requests` generated requests submitted over `years` years up to `end`.

    Raises RuntimeError if the town data is not loaded.
    """
    report, started = Report(), time.perf_counter()
    load.check_columns()
    villages = list(Village.objects.select_related("sub_center").order_by("pk"))
    # The items a request can be made for (an item handled only in person at the
    # police station or a school has no mode of the town's).
    items = list(service_items_requestable().order_by("pk"))
    if not villages or not items:
        raise RuntimeError("Load the town data first (manage.py load_town_data).")
    first = end - dt.timedelta(days=round(365.25 * years) - 1)
    history = History(
        seed=seed,
        villages=villages,
        items=items,
        staff=staff(villages),
        days=DayTable(
            first - dt.timedelta(days=7),
            end + dt.timedelta(days=400),
            WorkCalendar.load(),
        ),
        first=first,
        last=end,
        first_ids=load.first_ids(),
        taken=set(ServiceRequest.objects.values_list("tracking_number", flat=True)),
    )
    report.seconds["prepare"] = time.perf_counter() - started
    dropped = []
    if connection.vendor == "postgresql" and requests >= load.REBUILD_FROM:
        dropped = load.drop_indexes()
    try:
        writer = load.writer()
        try:
            waited = 0.0
            for batch in history.batches(requests, batch_size):
                before = time.perf_counter()
                writer.write(batch)
                waited += time.perf_counter() - before
                if progress:
                    progress(history.ids["request"])
        finally:
            writer.close()
        report.seconds["generate and write"] = time.perf_counter() - started
        report.seconds["(waiting for the writer)"] = waited
    finally:
        load.restore_indexes(dropped)
    report.seconds["indexes built"] = time.perf_counter() - started
    load.finish()
    report.seconds["total"] = time.perf_counter() - started
    report.rows = dict(writer.rows)
    for table, seconds in getattr(writer, "seconds", {}).items():
        report.seconds[f"COPY {table}"] = seconds
    return report


def staff(villages: list[Village]) -> tuple[dict[int, int], list[int], int]:
    """Ids of a clerk per village, the town-center clerks and an official: the
    existing ones, or made-up ones (unusable passwords) where there are none."""
    from villages.actions import user_create

    clerks = {}
    existing = dict(
        User.objects.filter(role=Role.VILLAGE_CLERK, is_active=True)
        .order_by("-pk")
        .values_list("village_id", "pk")
    )
    for index, village in enumerate(villages, start=1):
        clerks[village.pk] = existing.get(village.pk) or _made_up(
            user_create,
            f"{STAFF_PHONE_PREFIX}{index:04d}",
            f"演示代办员（{village.name}）",
            Role.VILLAGE_CLERK,
            village,
        )
    town = list(
        User.objects.filter(role=Role.TOWN_CLERK, is_active=True)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    if not town:
        town = [
            _made_up(
                user_create,
                f"{STAFF_PHONE_PREFIX}{9000 + n}",
                f"演示镇中心办事员{n}",
                Role.TOWN_CLERK,
                None,
            )
            for n in (1, 2)
        ]
    official = (
        User.objects.filter(role=Role.OFFICIAL, is_active=True)
        .order_by("pk")
        .values_list("pk", flat=True)
        .first()
    )
    if official is None:
        official = _made_up(
            user_create,
            f"{STAFF_PHONE_PREFIX}9999",
            "演示督办官员",
            Role.OFFICIAL,
            None,
        )
    return clerks, town, official


def _made_up(user_create, phone, name, role, village) -> int:
    found = User.objects.filter(phone=phone).values_list("pk", flat=True).first()
    if found:
        return found
    return user_create(
        phone=phone, name=name, role=role, password=None, village=village
    ).pk


def clear() -> int:
    return load.clear()


def database_vendor() -> str:
    return connection.vendor
