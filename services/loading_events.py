"""Load the material kinds and the life events (``material_kinds.yaml``,
``life_events.yaml``); call after the catalog, inside the loader's transaction.

An event naming an unknown item, asking a question no item's condition uses, or
covering an item no combination of answers reaches is refused (``DataFileError``):
see ``life_events.event_problems``.
"""

import re
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_slug
from django.utils.translation import gettext as _

from huagang.dataload import LoadReport, Record, mark_updated, read_yaml, upsert

from . import life_events
from .models import (
    LifeEvent,
    LifeEventItem,
    LifeEventQuestion,
    MaterialKind,
    ServiceItem,
)

KINDS_FILE = "material_kinds.yaml"
EVENTS_FILE = "life_events.yaml"

# A space between two Chinese characters or punctuation marks: lines folded with
# YAML's ">" are joined with one ("一套材料， 由村"), which Chinese text never has.
_CJK = "[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef]"
_SPACE_IN_CHINESE = re.compile(f"{_CJK}\\s+{_CJK}")


def load_material_kinds(*, data_dir: Path, report: LoadReport) -> None:
    for rec in Record.each(KINDS_FILE, read_yaml(data_dir / KINDS_FILE)):
        upsert(
            MaterialKind,
            {"code": rec.text("code", max_length=40)},
            {
                "name": rec.text("name", max_length=50),
                "order": rec.integer("order", maximum=1000),
                "materials": rec.text_list("materials"),
            },
            report,
        )


def load_life_events(*, data_dir: Path, report: LoadReport) -> None:
    """Add and update the events listed (keyed by code); their questions and items
    become exactly the file's."""
    items = dict(ServiceItem.objects.values_list("code", "pk"))
    in_person = set(
        ServiceItem.objects.filter(in_person=True).values_list("code", flat=True)
    )
    for rec in Record.each(EVENTS_FILE, read_yaml(data_dir / EVENTS_FILE)):
        questions = [_question(entry) for entry in rec.records("questions")]
        covered = [_item(entry, items, in_person) for entry in rec.records("items")]
        _check(rec, questions, covered)
        event, changed = upsert(
            LifeEvent,
            {"code": rec.text("code", max_length=40)},
            {
                "name": rec.text("name", max_length=50),
                "for_whom": _prose(rec, "for_whom", max_length=200),
                "summary": _prose(rec, "summary"),
                "policy_basis": rec.text(
                    "policy_basis", required=False, max_length=300
                ),
                "key_matter": rec.boolean("key_matter"),
                "order": rec.integer("order", maximum=1000),
            },
            report,
        )
        if _sync(event, questions, covered) and not changed:
            mark_updated(LifeEvent, report)


def _prose(rec: Record, name: str, **limits: Any) -> str:
    """A text residents read, with no space inside Chinese (``_SPACE_IN_CHINESE``)."""
    value = rec.text(name, **limits)
    if _SPACE_IN_CHINESE.search(value):
        raise rec.error(
            name,
            _(
                "a space between two Chinese characters (a line folded in two?): "
                "write the text on one line"
            ),
        )
    return value


def _question(rec: Record) -> dict[str, Any]:
    kind = rec.choice("kind", LifeEventQuestion.Kind.values)
    if kind == LifeEventQuestion.Kind.YES_NO:
        # Labelled in the reader's language where shown (life_events.option_label).
        options = [{"value": life_events.YES}, {"value": life_events.NO}]
    else:
        options = [
            {
                "value": entry.text("value", max_length=40),
                "label": entry.text("label", max_length=100),
            }
            for entry in rec.records("options")
        ]
        if problem := life_events.options_problem(kind, options):
            raise rec.error("options", problem)
    key = rec.text("key", max_length=40)
    try:
        validate_slug(key)  # as the admin's form checks it
    except ValidationError:
        raise rec.error(
            "key", _("use only letters, digits, hyphens and underscores")
        ) from None
    return {
        "key": key,
        "text": _prose(rec, "text", max_length=200),
        "kind": kind,
        "options": options,
    }


def _item(rec: Record, items: dict[str, int], in_person: set[str]) -> dict[str, Any]:
    code = rec.text("item", max_length=20)
    if code not in items:
        raise rec.error("item", _("no catalog item has this code"))
    if code in in_person:  # life_events.linkable: the catalog's modes are never empty
        raise rec.error(
            "item", _("this item is done only in person at its window, not online")
        )
    when = rec.data.get("when") or {}
    if not life_events.is_condition(when):
        raise rec.error("when", _("must map question keys to lists of answers"))
    return {"item_id": items[code], "when": when, "label": code}


def _check(
    rec: Record, questions: list[dict[str, Any]], covered: list[dict[str, Any]]
) -> None:
    problems = life_events.event_problems(
        [(q["key"], [o["value"] for o in q["options"]]) for q in questions],
        [(entry["label"], entry["when"]) for entry in covered],
    )
    if problems:
        where, code = problems[0]
        raise rec.error("items", f"{where}: {life_events.PROBLEMS[code]}")
    codes = [entry["label"] for entry in covered]
    if len(set(codes)) != len(codes):
        raise rec.error("items", _("duplicate value"))


def _sync(
    event: LifeEvent,
    questions: list[dict[str, Any]],
    covered: list[dict[str, Any]],
) -> bool:
    """Make the event's questions and items the file's; True if anything changed."""
    wanted_q = [{**q, "order": n} for n, q in enumerate(questions, start=1)]
    wanted_i = [
        {"item_id": c["item_id"], "when": c["when"], "order": n}
        for n, c in enumerate(covered, start=1)
    ]
    fields_q = ("key", "text", "kind", "options", "order")
    fields_i = ("item_id", "when", "order")
    current_q = [
        {f: getattr(q, f) for f in fields_q}
        for q in event.questions.order_by("order", "pk")
    ]
    current_i = [
        {f: getattr(i, f) for f in fields_i}
        for i in event.items.order_by("order", "pk")
    ]
    if current_q == wanted_q and current_i == wanted_i:
        return False
    event.questions.all().delete()
    event.items.all().delete()
    LifeEventQuestion.objects.bulk_create(
        LifeEventQuestion(event=event, **q) for q in wanted_q
    )
    LifeEventItem.objects.bulk_create(LifeEventItem(event=event, **i) for i in wanted_i)
    return True
