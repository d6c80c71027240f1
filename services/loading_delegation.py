"""Load the register of delegated powers (县级下放事项) from ``delegated_powers.yaml``.

Call inside a transaction, after the catalog (a power names the items it concerns).
Rows are added and updated by code, never deleted: officials remove a row in the admin.
"""

import datetime as dt
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

from .models import CountyDepartment, DelegatedPower, ServiceItem

FILE = "delegated_powers.yaml"


def load_delegated_powers(*, data_dir: Path, report: LoadReport) -> None:
    document = read_yaml(data_dir / FILE)
    if not isinstance(document, dict):
        raise DataFileError(FILE, _("expected a mapping with departments and powers"))
    departments = {
        rec.data.get("code"): _load_department(rec, report)
        for rec in Record.each(FILE, document.get("departments"))
    }
    item_ids = dict(ServiceItem.objects.values_list("code", "pk"))
    for rec in Record.each(FILE, document.get("powers") or []):
        _load_power(rec, departments, item_ids, report)


def _load_department(rec: Record, report: LoadReport) -> CountyDepartment:
    department, _changed = upsert(
        CountyDepartment,
        {"code": rec.text("code", max_length=40)},
        {
            "name": rec.text("name", max_length=50),
            "order": rec.integer("order", maximum=1000),
            "is_demo": rec.boolean("demo"),
        },
        report,
    )
    return department


def _date(rec: Record, name: str) -> dt.date | None:
    value = rec.data.get(name)
    if value is None:
        return None
    if isinstance(value, dt.datetime) or not isinstance(value, dt.date):
        raise rec.error(name, _("must be a date written as YYYY-MM-DD"))
    return value


def _load_power(
    rec: Record,
    departments: dict[str, CountyDepartment],
    item_ids: dict[str, int],
    report: LoadReport,
) -> None:
    codes = rec.text_list("items", required=False)
    unknown = [code for code in codes if code not in item_ids]
    if unknown:
        raise rec.error(
            "items",
            _("unknown item code(s): %(codes)s") % {"codes": ", ".join(unknown)},
        )
    power, changed = upsert(
        DelegatedPower,
        {"code": rec.text("code", max_length=40)},
        {
            "department_id": departments[rec.choice("department", departments)].pk,
            "name": rec.text("name", max_length=150),
            "kind": rec.choice("kind", DelegatedPower.Kind.values),
            "legal_basis": rec.text("legal_basis"),
            "delegated_on": _date(rec, "delegated_on"),
            "town_role": rec.text("town_role"),
            "is_demo": rec.boolean("demo"),
            "source_note": rec.text("source_note", required=False, max_length=300),
        },
        report,
    )
    wanted = {item_ids[code] for code in codes}
    if set(power.items.values_list("pk", flat=True)) != wanted:
        power.items.set(wanted)
        if not changed:
            mark_updated(DelegatedPower, report)
