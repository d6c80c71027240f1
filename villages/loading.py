"""Load the town, its windows and its 30 villages with their sub-centers from YAML.

Call inside a transaction (the ``load_town_data`` command does): a DataFileError part way
through must leave nothing written.
"""

from decimal import Decimal
from pathlib import Path

from django.utils.translation import gettext as _

from huagang.dataload import (
    DataFileError,
    LoadReport,
    Record,
    mark_updated,
    read_yaml,
    upsert,
)

from .models import (
    Grid,
    ServiceWindow,
    SubCenter,
    Town,
    Village,
    VillageGroup,
    VillageLiaison,
)
from .validators import is_weekday_list

FILE = "villages.yaml"


def load_villages(*, data_dir: Path, report: LoadReport) -> None:
    document = read_yaml(data_dir / FILE)
    if not isinstance(document, dict):
        raise DataFileError(FILE, _("expected a mapping with town, windows, villages"))
    _load_town(Record(FILE, "town", document.get("town") or {}), report)
    windows = {
        rec.data.get("code"): _load_window(rec, report)
        for rec in Record.each(FILE, document.get("windows"))
    }
    for rec in Record.each(FILE, document.get("villages")):
        _load_village(rec, windows, report)


def _load_town(rec: Record, report: LoadReport) -> None:
    area = rec.data.get("area_km2")
    if isinstance(area, bool) or not isinstance(area, int | float) or area <= 0:
        raise rec.error("area_km2", _("must be a positive number"))
    upsert(
        Town,
        {"code": rec.text("code", max_length=12)},
        {
            "name": rec.text("name", max_length=50),
            "county": rec.text("county", max_length=50),
            "area_km2": round(Decimal(str(area)), 1),
            "population": rec.integer("population", maximum=10_000_000),
            "population_year": rec.integer(
                "population_year", maximum=2100, nullable=True
            ),
            "village_group_count": rec.integer("village_group_count", maximum=100_000),
            "source_note": rec.text("source_note", required=False, max_length=200),
        },
        report,
    )


def _load_window(rec: Record, report: LoadReport) -> ServiceWindow:
    window, _changed = upsert(
        ServiceWindow,
        {"code": rec.text("code", max_length=30)},
        {
            "name": rec.text("name", max_length=30),
            "order": rec.integer("order", maximum=1000),
        },
        report,
    )
    return window


def _load_village(
    rec: Record, windows: dict[str, ServiceWindow], report: LoadReport
) -> None:
    code = rec.text("code", max_length=12)
    if not (code.isdigit() and len(code) == 12):
        raise rec.error("code", _("must be a 12-digit division code"))
    village, _changed = upsert(
        Village,
        {"code": code},
        {
            "name": rec.text("name", max_length=30),
            "kind": rec.choice("kind", Village.Kind.values),
            "committee_name": rec.text("committee_name", max_length=50),
            "order": rec.integer("order", maximum=1000),
            "group_count": rec.integer("group_count", maximum=1000, nullable=True),
        },
        report,
    )
    center = rec.data.get("sub_center")
    if not isinstance(center, dict):
        raise rec.error("sub_center", _("must be a mapping"))
    _load_sub_center(Record(FILE, rec.label, center), village, windows, report)


def _load_sub_center(
    rec: Record, village: Village, windows: dict[str, ServiceWindow], report: LoadReport
) -> None:
    trip_days = rec.data.get("trip_weekdays", [])
    if not is_weekday_list(trip_days):
        raise rec.error("trip_weekdays", _("must be a list of weekdays 1 to 7"))
    wanted = rec.choices("windows", windows.keys())
    center, _changed = upsert(
        SubCenter,
        {"village": village},
        {
            "name": rec.text("name", max_length=60),
            "address": rec.text("address", max_length=200),
            "phone": rec.text("phone", max_length=30),
            "hours": rec.text("hours", max_length=200),
            "trip_weekdays": sorted(set(trip_days)),
            "is_demo": rec.boolean("demo"),
        },
        report,
    )
    current = set(center.windows.values_list("code", flat=True))
    if current != set(wanted):
        center.windows.set([windows[code] for code in wanted])
        if not _changed:
            mark_updated(SubCenter, report)


GRIDS_FILE = "grids.yaml"


def load_grids(*, data_dir: Path, report: LoadReport) -> None:
    """Load ``grids.yaml``: per village its 分片包联 officials and its grids with the
    village groups each covers. Upserts by (village, number / name); never deletes,
    never touches the accounts linked in the admin (``Grid.worker``,
    ``VillageLiaison.official``). A missing file loads nothing."""
    if not (data_dir / GRIDS_FILE).exists():
        return
    document = read_yaml(data_dir / GRIDS_FILE)
    if not isinstance(document, dict):
        raise DataFileError(GRIDS_FILE, _("expected a mapping with villages"))
    villages = {v.code: v for v in Village.objects.all()}
    for rec in Record.each(GRIDS_FILE, document.get("villages"), key="village"):
        code = rec.text("village", max_length=12)
        village = villages.get(code)
        if village is None:
            raise rec.error("village", _("no village with this code"))
        for liaison in rec.records("liaisons", required=False):
            _load_liaison(liaison, village, report)
        seen_groups: set[str] = set()
        numbers: set[int] = set()
        for grid_rec in rec.records("grids"):
            number = grid_rec.integer("number", minimum=1, maximum=1000)
            if number in numbers:
                raise grid_rec.error("number", _("duplicate value"))
            numbers.add(number)
            _load_grid(grid_rec, village, number, seen_groups, report)


def _load_liaison(rec: Record, village: Village, report: LoadReport) -> None:
    upsert(
        VillageLiaison,
        {"village": village, "name": rec.text("name", max_length=50)},
        {
            "title": rec.text("title", required=False, max_length=50),
            "note": rec.text("note", required=False, max_length=200),
            "is_demo": rec.boolean("demo"),
        },
        report,
    )


def _load_grid(
    rec: Record, village: Village, number: int, seen: set[str], report: LoadReport
) -> None:
    demo = rec.boolean("demo")
    grid, _changed = upsert(
        Grid,
        {"village": village, "number": number},
        {
            "name": rec.text("name", max_length=50),
            "worker_name": rec.text("worker_name", required=False, max_length=50),
            "worker_phone": rec.text("worker_phone", required=False, max_length=20),
            "is_demo": demo,
        },
        report,
    )
    for order, group in enumerate(rec.records("groups"), start=1):
        name = group.text("name", max_length=30)
        if name in seen:
            raise group.error("name", _("duplicate value"))
        seen.add(name)
        upsert(
            VillageGroup,
            {"village": village, "name": name},
            {
                "households": group.integer("households", maximum=100_000),
                "order": order,
                "grid": grid,
                "is_demo": demo,
            },
            report,
        )
