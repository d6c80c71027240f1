"""Reading and checking the town's human-editable data files, and upserting by code.

Both apps' loaders build on this: every record is checked field by field before anything
is written, and a problem is reported with its file, record and field.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from django.db import models
from django.utils.translation import gettext as _


class DataFileError(Exception):
    """A data file that cannot be loaded; nothing is written when this is raised."""

    def __init__(self, file: str, message: str, record: str = "", field: str = ""):
        self.file, self.record, self.field, self.message = file, record, field, message
        super().__init__(str(self))

    def __str__(self) -> str:
        parts = [self.file]
        if self.record:
            parts.append(_("record %(record)s") % {"record": self.record})
        if self.field:
            parts.append(_("field “%(field)s”") % {"field": self.field})
        return "{}: {}".format(", ".join(parts), self.message)


def read_yaml(path: Path) -> Any:
    """Parse a YAML file, turning any read or syntax problem into a DataFileError."""
    try:
        with path.open(encoding="utf-8") as handle:
            return yaml.safe_load(handle)
    except FileNotFoundError:
        raise DataFileError(path.name, _("the file does not exist")) from None
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise DataFileError(
            path.name, _("not valid YAML: %(e)s") % {"e": exc}
        ) from None


@dataclass
class Record:
    """One mapping from a data file, with typed accessors that report bad fields."""

    file: str
    label: str
    data: Mapping[str, Any]

    @classmethod
    def each(cls, file: str, rows: Any, key: str = "code") -> Iterable[Record]:
        if not isinstance(rows, list):
            raise DataFileError(file, _("expected a list of records"))
        seen: set[Any] = set()
        for index, row in enumerate(rows, start=1):
            if not isinstance(row, dict):
                raise DataFileError(file, _("expected a mapping"), record=f"#{index}")
            label = f"#{index} ({row.get(key, '?')})"
            if row.get(key) in seen:
                raise DataFileError(file, _("duplicate value"), label, key)
            seen.add(row.get(key))
            yield cls(file, label, row)

    def error(self, name: str, message: str) -> DataFileError:
        return DataFileError(self.file, message, self.label, name)

    def _get(self, name: str, required: bool) -> Any:
        if name not in self.data:
            if required:
                raise self.error(name, _("missing"))
            return None
        return self.data[name]

    def text(self, name: str, *, required: bool = True, max_length: int = 0) -> str:
        value = self._get(name, required)
        if value is None and not required:
            return ""
        if isinstance(value, int | float) and not isinstance(value, bool):
            value = str(value)
        if not isinstance(value, str) or (required and not value.strip()):
            raise self.error(name, _("must be non-empty text"))
        if max_length and len(value) > max_length:
            raise self.error(
                name, _("longer than %(n)d characters") % {"n": max_length}
            )
        return value.strip()

    def integer(
        self,
        name: str,
        *,
        minimum: int = 0,
        maximum: int = 10_000,
        nullable: bool = False,
    ) -> int | None:
        value = self._get(name, not nullable)
        if value is None and nullable:
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.error(name, _("must be a whole number"))
        if not minimum <= value <= maximum:
            raise self.error(
                name,
                _("must be between %(min)d and %(max)d")
                % {"min": minimum, "max": maximum},
            )
        return value

    def boolean(self, name: str) -> bool:
        value = self._get(name, True)
        if not isinstance(value, bool):
            raise self.error(name, _("must be true or false"))
        return value

    def choice(self, name: str, choices: Iterable[str]) -> str:
        allowed = list(choices)
        value = self._get(name, True)
        if value not in allowed:
            raise self.error(
                name, _("must be one of: %(c)s") % {"c": ", ".join(map(str, allowed))}
            )
        return value

    def choices(
        self, name: str, choices: Iterable[str], *, required: bool = True
    ) -> list[str]:
        allowed = list(choices)
        value = self._get(name, required) or []
        if not isinstance(value, list) or (required and not value):
            raise self.error(name, _("must be a non-empty list"))
        for entry in value:
            if entry not in allowed:
                raise self.error(
                    name, _("must contain only: %(c)s") % {"c": ", ".join(allowed)}
                )
        return value

    def text_list(self, name: str, *, required: bool = True) -> list[str]:
        value = self._get(name, required) or []
        if not isinstance(value, list) or (required and not value):
            raise self.error(name, _("must be a non-empty list"))
        if not all(isinstance(v, str | int) and str(v).strip() for v in value):
            raise self.error(name, _("must contain only non-empty text"))
        return [str(v).strip() for v in value]

    def records(self, name: str, *, required: bool = True) -> list[Record]:
        value = self._get(name, required) or []
        if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
            raise self.error(name, _("must be a list of mappings"))
        return [
            Record(self.file, f"{self.label} {name}[{i}]", v)
            for i, v in enumerate(value, start=1)
        ]


@dataclass
class LoadReport:
    """What a load did, per model: created, updated, unchanged."""

    counts: dict[str, Counter[str]] = field(default_factory=dict)

    def add(self, model: type[models.Model], outcome: str) -> None:
        name = str(model._meta.verbose_name_plural)
        self.counts.setdefault(name, Counter())[outcome] += 1

    @property
    def changes(self) -> int:
        return sum(c["created"] + c["updated"] for c in self.counts.values())


def upsert(
    model: type[models.Model],
    lookup: dict[str, Any],
    values: dict[str, Any],
    report: LoadReport,
) -> tuple[models.Model, bool]:
    """Create or update one row by its stable key; record whether anything changed.

    Returns the instance and True when it was created or updated. Only the fields that
    differ are written.
    """
    instance = model._default_manager.filter(**lookup).first()
    if instance is None:
        instance = model._default_manager.create(**lookup, **values)
        report.add(model, "created")
        return instance, True
    changed = [k for k, v in values.items() if getattr(instance, k) != v]
    if changed:
        for name in changed:
            setattr(instance, name, values[name])
        auto_now = [
            f.name for f in model._meta.concrete_fields if getattr(f, "auto_now", False)
        ]
        instance.save(update_fields=changed + auto_now)
    report.add(model, "updated" if changed else "unchanged")
    return instance, bool(changed)


def mark_updated(model: type[models.Model], report: LoadReport) -> None:
    """Move one row of `model` from unchanged to updated (a related part changed)."""
    counter = report.counts[str(model._meta.verbose_name_plural)]
    counter["unchanged"] -= 1
    counter["updated"] += 1
