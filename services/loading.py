"""Load categories, the town's bodies and the service catalog from YAML files.

Every record is checked before it is written; call inside a transaction (the
``load_town_data`` command does) so that a bad record leaves nothing written.
"""

import re
from pathlib import Path
from typing import Any

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
    Body,
    Category,
    HandlingMode,
    Level,
    Material,
    SearchSynonym,
    ServiceItem,
)

SYNONYMS_FILE = "synonyms.yaml"


def load_catalog(*, data_dir: Path, report: LoadReport) -> None:
    categories = {
        rec.data.get("code"): _load_category(rec, report)
        for rec in Record.each(
            "categories.yaml", read_yaml(data_dir / "categories.yaml")
        )
    }
    bodies = {
        rec.data.get("code"): _load_body(rec, report)
        for rec in Record.each("bodies.yaml", read_yaml(data_dir / "bodies.yaml"))
    }
    # Every record is read and the catalog as a whole checked before anything of
    # it is written.
    parsed: list[tuple[Record, str, dict[str, Any], list[dict[str, Any]]]] = []
    names: set[str] = set()
    for rec in Record.each("services.yaml", read_yaml(data_dir / "services.yaml")):
        values = _item_values(rec, categories, bodies)
        if values["name"] in names:
            raise rec.error("name", _("duplicate value"))
        names.add(values["name"])
        materials = _materials(rec)
        if not materials and not values["no_materials_note"]:
            raise rec.error(
                "materials", _("list at least one material or give no_materials_note")
            )
        parsed.append((rec, rec.text("code", max_length=20), values, materials))
    check_catalog([(rec, values) for rec, _code, values, _m in parsed])
    retired = _retired_records(data_dir, {code for _rec, code, _v, _m in parsed})
    _check_names_free(parsed, retired)
    for _rec, code, values, materials in parsed:
        current = ServiceItem.objects.filter(code=code).first()
        if current is not None and current.retired_into_id is not None:
            # Listed again: back in the catalog.
            values = {**values, "retired_into": None, "is_active": True}
        item, changed = upsert(ServiceItem, {"code": code}, values, report)
        if _sync_materials(item, materials) and not changed:
            mark_updated(ServiceItem, report)
    for code, into in retired.items():
        _retire(code, into, report)


def check_catalog(items: list[tuple[Record, dict[str, Any]]]) -> None:
    """Refuse a catalog an official could not sign (see data/SCHEMA.md, "Checks").

    Each item: a county production time is not 即时即办; the legal basis cites each
    law, regulation or document by its title with its issuer. Across items: no two
    with the same name (compared without spaces and brackets) share a mode.
    """
    seen: dict[tuple[str, str], str] = {}
    for rec, values in items:
        if (
            values["allows_instant"]
            and values["decide_level"] == Level.COUNTY
            and values["promised_days"] > 0
        ):
            raise rec.error(
                "modes",
                _(
                    "decided at the county in %(n)d working days, so it cannot be "
                    "instant (即时即办)"
                )
                % {"n": values["promised_days"]},
            )
        problem = legal_basis_problem(values["legal_basis"])
        if problem:
            raise rec.error("legal_basis", problem)
        name = comparable_name(values["name"])
        for mode in HandlingMode.values:
            if not values[f"allows_{mode}"]:
                continue
            other = seen.get((name, mode))
            if other is not None:
                raise rec.error(
                    "name",
                    _("the same item as %(other)s, with the same mode %(mode)s")
                    % {"other": other, "mode": HandlingMode(mode).label},
                )
            seen[(name, mode)] = rec.data.get("code", rec.label)


_TITLE = re.compile(r"《[^《》]+》")
# A document number: 〔2021〕57号, 令第649号, 第11号令, 公告2021年第1号.
_DOC_NUMBER = re.compile(
    r"[〔\[]\d{4}[〕\]]\s*\d+\s*号|令\s*第?\s*\d+\s*号|第\s*\d+\s*号令"
    r"|\d{4}\s*年\s*第\s*\d+\s*号"
)
# An issuing body named beside the title: 国务院, 民政部, 安徽省人民政府, 县残联 …
_ISSUER = re.compile(
    r"国务院|中共中央|中央军事委员会|代表大会|全国人大|人大常委会|人民政府"
    r"|办公厅|办公室|委员会|联合会|残联|[部委厅局署]"
)
# A title that names its issuer itself: 《国务院办公厅关于…的意见》.
_ISSUER_TITLE = re.compile(r"^《[^》]*?(?:" + _ISSUER.pattern + r")[^》]*?关于")
# A national law names the state that enacted it: 《中华人民共和国社会保险法》.
_NATIONAL_LAW = re.compile(r"^《中华人民共和国[^》]*(?:法|法典)》$")


def legal_basis_problem(text: str) -> str:
    """Why `text` is not an acceptable legal basis, or "" when it is.

    The basis is split into citations at "；" (or ";" or a new line). Each citation
    must name a document by its title in 《》 and say who issued it: a document
    number (〔2021〕57号, 令第649号), an issuing body outside the title (（国务院）,
    民政部《…》), a title that starts with its issuer (《国务院关于…》), or a national
    law (《中华人民共和国…法》).
    """
    for citation in re.split(r"[；;\n]", text):
        citation = citation.strip().rstrip("。")
        if not citation:
            continue
        titles = _TITLE.findall(citation)
        if not titles:
            return _("“%(c)s” names no document in 《》") % {"c": citation}
        if (
            _DOC_NUMBER.search(citation)
            or _ISSUER.search(_TITLE.sub("", citation))
            or any(_ISSUER_TITLE.match(t) or _NATIONAL_LAW.match(t) for t in titles)
        ):
            continue
        return _(
            "“%(c)s” does not say who issued it (give the issuer or the document "
            "number)"
        ) % {"c": citation}
    return ""


def comparable_name(name: str) -> str:
    """An item's name for the duplicate check: without spaces, quotes and brackets."""
    return re.sub(r"[\s《》〈〉“”\"'（）()【】\[\]、，,·]", "", name)


RETIRED_FILE = "retired_services.yaml"


def _retired_records(data_dir: Path, active: set[str]) -> dict[str, str]:
    """The retired codes of ``retired_services.yaml``, each with the active code it was
    merged into. The file is optional."""
    path = data_dir / RETIRED_FILE
    if not path.exists():
        return {}
    retired: dict[str, str] = {}
    for rec in Record.each(RETIRED_FILE, read_yaml(path)):
        code = rec.text("code", max_length=20)
        if code in active:
            raise rec.error("code", _("the item is still listed in services.yaml"))
        into = rec.text("retired_into", max_length=20)
        if into not in active:
            raise rec.error(
                "retired_into",
                _("“%(c)s” is not an item of services.yaml") % {"c": into},
            )
        rec.text("note", max_length=300)
        retired[code] = into
    return retired


def _check_names_free(
    parsed: list[tuple[Record, str, dict[str, Any], list[dict[str, Any]]]],
    retired: dict[str, str],
) -> None:
    """An item may not take the name a retired item keeps (names are unique)."""
    kept = dict(
        ServiceItem.objects.filter(code__in=retired).values_list("name", "code")
    )
    for rec, _code, values, _materials in parsed:
        if values["name"] in kept:
            raise rec.error(
                "name",
                _("the retired item %(code)s keeps this name")
                % {"code": kept[values["name"]]},
            )


def _retire(code: str, into: str, report: LoadReport) -> None:
    """Hide the item `code` (merged into `into`) from the catalog, keeping its row and
    guide for the requests that name it. An item never loaded needs nothing."""
    if not ServiceItem.objects.filter(code=code).exists():
        return
    target = ServiceItem.objects.get(code=into)
    upsert(
        ServiceItem,
        {"code": code},
        {"is_active": False, "retired_into_id": target.pk},
        report,
    )


def _load_category(rec: Record, report: LoadReport) -> Category:
    category, _changed = upsert(
        Category,
        {"code": rec.text("code", max_length=40)},
        {
            "prefix": rec.text("prefix", max_length=4),
            "name": rec.text("name", max_length=30),
            "order": rec.integer("order", maximum=1000),
        },
        report,
    )
    return category


def _load_body(rec: Record, report: LoadReport) -> Body:
    body, _changed = upsert(
        Body,
        {"code": rec.text("code", max_length=40)},
        {
            "name": rec.text("name", max_length=30),
            "kind": rec.choice("kind", Body.Kind.values),
            "order": rec.integer("order", maximum=1000),
            "is_demo": rec.boolean("demo"),
            "note": rec.text("note", required=False, max_length=200),
        },
        report,
    )
    return body


def _item_values(
    rec: Record, categories: dict[str, Category], bodies: dict[str, Body]
) -> dict[str, Any]:
    in_person = rec.boolean("in_person") if "in_person" in rec.data else False
    # An item handled only in person at a window (派出所, a school) may list no mode.
    modes = rec.choices("modes", HandlingMode.values, required=not in_person)
    applicants = rec.choices("applicant_types", ["person", "organization"])
    source = rec.choice("source", ServiceItem.Source.values)
    source_url = rec.text("source_url", required=False, max_length=500)
    if source == ServiceItem.Source.VERIFIED and not source_url:
        raise rec.error("source_url", _("a verified item must cite its source address"))
    return {
        "name": rec.text("name", max_length=100),
        "category_id": categories[rec.choice("category", categories)].pk,
        "body_id": _body(rec, bodies).pk,
        "item_type": rec.choice("item_type", ServiceItem.ItemType.values),
        "accept_level": rec.choice("accept_level", Level.values),
        "decide_level": rec.choice("decide_level", Level.values),
        "decided_by": rec.text("decided_by", required=False, max_length=60),
        "level_note": rec.text("level_note", required=False, max_length=300),
        "for_persons": "person" in applicants,
        "for_organizations": "organization" in applicants,
        "keywords": " ".join(rec.text_list("keywords", required=False)),
        "conditions": rec.text("conditions"),
        "legal_basis": rec.text("legal_basis"),
        "steps": rec.text_list("steps"),
        "promised_days": rec.integer("promised_days", maximum=365),
        "statutory_days": rec.integer("statutory_days", maximum=365, nullable=True),
        "statutory_note": rec.text("statutory_note", required=False, max_length=200),
        "fee": rec.text("fee", max_length=300),
        "place": rec.text("place", max_length=300),
        "hours": rec.text("hours", max_length=200),
        "inquiry_phone": rec.text("inquiry_phone", max_length=30),
        "complaint_phone": rec.text("complaint_phone", max_length=30),
        # Every place, hours and phone is a demo value until the town confirms it.
        "contact_is_demo": (
            rec.boolean("contact_demo") if "contact_demo" in rec.data else True
        ),
        "visits": rec.integer("visits", maximum=2),
        "online": rec.boolean("online"),
        "delivery": rec.text("delivery", max_length=200),
        "allows_instant": HandlingMode.INSTANT in modes,
        "allows_agency": HandlingMode.AGENCY in modes,
        "allows_home": HandlingMode.HOME in modes,
        "in_person": in_person,
        "no_materials_note": rec.text(
            "no_materials_note", required=False, max_length=200
        ),
        "faq": _faq(rec),
        "source": source,
        "source_title": rec.text("source_title", required=False, max_length=300),
        "source_url": source_url,
        "source_note": rec.text("source_note", required=False, max_length=300),
        "corrections": _corrections(rec),
    }


def _corrections(rec: Record) -> list[dict[str, str]]:
    """What was corrected in the guide, on what basis, checked against which source
    ("" when no published text could be found: the guide says so)."""
    return [
        {
            "what": entry.text("what", max_length=300),
            "basis": entry.text("basis", max_length=500),
            "source": entry.text("source", required=False, max_length=500),
        }
        for entry in rec.records("corrections", required=False)
    ]


def _body(rec: Record, bodies: dict[str, Body]) -> Body:
    code = rec.data.get("body")
    if code not in bodies:
        raise rec.error(
            "body",
            _("no body “%(b)s” in bodies.yaml (one of: %(c)s)")
            % {"b": code, "c": ", ".join(bodies)},
        )
    return bodies[code]


def _faq(rec: Record) -> list[dict[str, str]]:
    return [
        {"q": entry.text("q"), "a": entry.text("a")}
        for entry in rec.records("faq", required=False)
    ]


def _materials(rec: Record) -> list[dict[str, Any]]:
    """The item's materials in order, each with its key (given, or else its name)."""
    materials, keys = [], set()
    for entry in rec.records("materials", required=False):
        values = _material_values(entry)
        if values["key"] in keys:
            raise entry.error(
                "key" if "key" in entry.data else "name", _("duplicate value")
            )
        keys.add(values["key"])
        materials.append(values)
    return materials


def _material_values(rec: Record) -> dict[str, Any]:
    name = rec.text("name", max_length=200)
    return {
        "key": rec.text("key", required=False, max_length=200) or name,
        "name": name,
        "required": rec.boolean("required"),
        "copies": rec.integer("copies", maximum=20),
        "original": rec.boolean("original"),
        "source": rec.text("source", required=False, max_length=100),
        "check_points": rec.text("check", required=False, max_length=300),
    }


def _sync_materials(item: ServiceItem, wanted: list[dict[str, Any]]) -> bool:
    """Make the item's materials `wanted`, in order; True if anything changed.

    Materials are matched by key (a row without one, e.g. added in the admin, by its
    name) and updated in place, so the uploads linked to them keep their material. Only
    materials whose key is no longer listed are deleted; new keys are created.
    """
    rows = list(item.materials.order_by("order", "pk"))
    current: dict[str, Material] = {}
    gone: list[Material] = []
    for material in rows:
        identity = material.key or material.name
        if identity in current:
            gone.append(material)
        else:
            current[identity] = material
    kept: list[tuple[Material, dict[str, Any]]] = []
    new: list[Material] = []
    for order, values in enumerate(wanted, start=1):
        values = {**values, "order": order}
        material = current.pop(values["key"], None)
        if material is None:
            new.append(Material(item=item, **values))
        elif any(getattr(material, k) != v for k, v in values.items()):
            kept.append((material, values))
    gone.extend(current.values())
    if not (gone or kept or new):
        return False
    Material.objects.filter(pk__in=[m.pk for m in gone]).delete()
    _update_materials(kept, park=1 + max(m.order for m in rows) if rows else 1)
    Material.objects.bulk_create(new)
    return True


def _update_materials(
    changes: list[tuple[Material, dict[str, Any]]], *, park: int
) -> None:
    """Write changed materials. Rows that move are first parked at `park` and after
    (past every current order), so the unique (item, order) constraint holds after
    every statement."""
    moving = [
        material for material, values in changes if material.order != values["order"]
    ]
    for offset, material in enumerate(moving):
        material.order = park + offset
        material.save(update_fields=["order"])
    for material, values in changes:
        for name, value in values.items():
            setattr(material, name, value)
        material.save(update_fields=list(values))


def load_synonyms(*, data_dir: Path, report: LoadReport) -> None:
    """Add and update the search synonyms listed in ``synonyms.yaml``.

    Rows are keyed by the word; a row the file no longer lists is kept, because
    officials add synonyms in the admin that the file does not know. A word that is
    also some group's wording (in the file or in the admin) is refused, so groups stay
    one level deep (see ``SearchSynonym.clean``).
    """
    groups = [
        (rec, rec.text("term", max_length=30), _synonym_words(rec))
        for rec in Record.each(
            SYNONYMS_FILE, read_yaml(data_dir / SYNONYMS_FILE), "term"
        )
    ]
    terms = {term.lower() for _rec, term, _words in groups}
    listed: set[str] = set()
    for rec, _term, words in groups:
        for word in words:
            if word.lower() in listed:
                raise rec.error("words", _("“%(w)s” is listed twice") % {"w": word})
            if word.lower() in terms:
                raise rec.error(
                    "words", _("“%(w)s” is also a catalog wording") % {"w": word}
                )
            listed.add(word.lower())
    # Rows the file does not list (added in the admin) must not chain with it either.
    elsewhere = SearchSynonym.objects.exclude(
        word__in=[word for _rec, _term, words in groups for word in words]
    )
    for rec, term, words in groups:
        if elsewhere.filter(word__iexact=term).exists():
            raise rec.error(
                "term", _("“%(w)s” is a synonym in the admin") % {"w": term}
            )
        for word in words:
            if elsewhere.filter(term__iexact=word).exists():
                raise rec.error(
                    "words",
                    _("“%(w)s” is a catalog wording in the admin") % {"w": word},
                )
            upsert(SearchSynonym, {"word": word}, {"term": term}, report)


def _synonym_words(rec: Record) -> list[str]:
    words = rec.text_list("words")
    if any(len(word) > 30 for word in words):
        raise rec.error("words", _("longer than %(n)d characters") % {"n": 30})
    return words


__all__ = [
    "DataFileError",
    "check_catalog",
    "comparable_name",
    "legal_basis_problem",
    "load_catalog",
    "load_synonyms",
]
