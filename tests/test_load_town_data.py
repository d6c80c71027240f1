"""The loader: the real files, idempotence, and each kind of malformed record."""

import csv
import shutil
from io import StringIO
from pathlib import Path

import pytest
import yaml
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import F
from django.utils import translation

from services.models import Body, Category, Material, SearchSynonym, ServiceItem
from tests.files import pdf_upload
from villages.models import SubCenter, Town, Village

SHARED_VILLAGES = Path(settings.BASE_DIR).parent / "shared" / "domain" / "villages.csv"

pytestmark = pytest.mark.django_db


def load(data_dir: Path | None = None) -> str:
    """Run the loader with English output (the wording is checked below)."""
    out = StringIO()
    args = ["--data-dir", str(data_dir)] if data_dir else []
    with translation.override("en"):
        call_command("load_town_data", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    target = tmp_path / "data"
    shutil.copytree(settings.TOWN_DATA_DIR, target)
    return target


def edit(data_dir: Path, name: str, change) -> None:
    path = data_dir / name
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(document)
    path.write_text(yaml.safe_dump(document, allow_unicode=True), encoding="utf-8")


def snapshot() -> tuple:
    return (
        Village.objects.count(),
        ServiceItem.objects.count(),
        Material.objects.count(),
        list(Village.objects.order_by("code").values_list("name", flat=True)),
        list(ServiceItem.objects.order_by("code").values_list("name", "promised_days")),
    )


def test_the_town_data_is_loaded_in_full():
    assert Village.objects.count() == 30
    assert SubCenter.objects.count() == 30
    # The town's ten bodies, and the county police station that implements the
    # household-registration items.
    assert Body.objects.exclude(kind=Body.Kind.STATIONED).count() == 10
    assert list(
        Body.objects.filter(kind=Body.Kind.STATIONED).values_list("code", flat=True)
    ) == ["police-station"]
    assert ServiceItem.objects.filter(is_active=True).count() == 123
    assert Town.objects.get().village_group_count == 964


# The 30 villages and communities with their statistical division codes
# (../shared/domain/villages.csv, from the national division-code lists 2017–2020).
OFFICIAL_VILLAGES = {
    "340123106001": ("花岗社区", "community"),
    "340123106003": ("董岗社区", "community"),
    "340123106004": ("孙集社区", "community"),
    "340123106006": ("芮店社区", "community"),
    "340123106007": ("天堰社区", "community"),
    "340123106011": ("李祠社区", "community"),
    "340123106012": ("张店社区", "community"),
    "340123106013": ("七十埠社区", "community"),
    "340123106014": ("善岗社区", "community"),
    "340123106015": ("八里社区", "community"),
    "340123106016": ("陶店社区", "community"),
    "340123106017": ("四合社区", "community"),
    "340123106018": ("河丰社区", "community"),
    "340123106019": ("花西社区", "community"),
    "340123106020": ("建新社区", "community"),
    "340123106202": ("粉坊村", "village"),
    "340123106204": ("杨湾村", "village"),
    "340123106206": ("叶岗村", "village"),
    "340123106209": ("陈岗村", "village"),
    "340123106210": ("慈山村", "village"),
    "340123106211": ("童岗村", "village"),
    "340123106212": ("群光村", "village"),
    "340123106213": ("蔡冲村", "village"),
    "340123106214": ("胜利村", "village"),
    "340123106215": ("大众村", "village"),
    "340123106216": ("正新村", "village"),
    "340123106225": ("大黄村", "village"),
    "340123106226": ("红堰村", "village"),
    "340123106229": ("英塘村", "village"),
    "340123106236": ("跨河村", "village"),
}


def test_village_codes_names_and_kinds_are_the_official_ones():
    loaded = {v.code: (v.name, v.kind) for v in Village.objects.all()}
    assert loaded == OFFICIAL_VILLAGES
    assert all(v.committee_name.startswith(v.name) for v in Village.objects.all())


@pytest.mark.skipif(
    not SHARED_VILLAGES.exists(), reason="shared/domain not beside repo"
)
def test_the_list_above_is_the_shared_reference():
    with SHARED_VILLAGES.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert {r["code"]: r["name"] for r in rows} == {
        code: name for code, (name, _kind) in OFFICIAL_VILLAGES.items()
    }


def test_every_item_has_a_complete_guide():
    items = ServiceItem.objects.prefetch_related("materials").select_related(
        "category", "body"
    )
    for item in items:
        assert item.name and item.category and item.body, item.code
        # A mode of the town's, or in person at another body's window (派出所, a school).
        assert item.modes or item.in_person, item.code
        assert item.promised_days is not None, item.code
        assert item.fee.strip(), item.code
        assert item.materials.all() or item.no_materials_note, item.code
        assert len(item.steps) >= 2, item.code
        if item.source == ServiceItem.Source.VERIFIED:
            assert item.source_url.startswith("http"), item.code


def test_no_two_items_alike():
    guides = {
        (i.conditions, i.legal_basis, tuple(i.steps)) for i in ServiceItem.objects.all()
    }
    assert ServiceItem.objects.values("name").distinct().count() == 123
    assert len(guides) > 100


def test_reloading_reports_zero_changes():
    before = snapshot()
    output = load()
    assert "Already up to date: 0 changes." in output
    assert "service items: 0 created, 0 updated, 123 unchanged" in output
    assert "service sub-centers: 0 created, 0 updated, 30 unchanged" in output
    assert not any(f" {n} updated" in output for n in range(1, 200))
    assert snapshot() == before


def test_the_report_is_in_chinese_by_default():
    out = StringIO()
    call_command("load_town_data", stdout=out)
    assert "数据已是最新：0 处变更。" in out.getvalue()


def test_a_changed_record_is_updated_and_reported(data_dir):
    def rename(doc):
        doc[0]["name"] = "社会保障卡注销（更名测试）"

    edit(data_dir, "services.yaml", rename)
    output = load(data_dir)
    assert "Loaded: 1 changes." in output
    assert "service items: 0 created, 1 updated, 122 unchanged" in output
    first = yaml.safe_load((data_dir / "services.yaml").read_text("utf-8"))[0]
    assert (
        ServiceItem.objects.get(code=first["code"]).name == "社会保障卡注销（更名测试）"
    )


def test_a_changed_material_counts_as_an_item_update(data_dir):
    def change(doc):
        doc[0]["materials"].append(
            {
                "name": "新增测试材料",
                "required": False,
                "copies": 1,
                "original": False,
                "source": "申请人自备",
                "check": "清晰",
            }
        )

    edit(data_dir, "services.yaml", change)
    output = load(data_dir)
    assert "service items: 0 created, 1 updated, 122 unchanged" in output
    code = yaml.safe_load((data_dir / "services.yaml").read_text("utf-8"))[0]["code"]
    assert (
        ServiceItem.objects.get(code=code)
        .materials.filter(name="新增测试材料")
        .exists()
    )


def _materials_of(doc: list, code: str) -> list[dict]:
    return next(record for record in doc if record["code"] == code)["materials"]


NEW_MATERIAL = {
    "name": "新增测试材料",
    "required": False,
    "copies": 1,
    "original": False,
    "source": "申请人自备",
    "check": "清晰",
}


@pytest.fixture
def linked(submit, items):
    """An uploaded file linked to the first material of an item with several."""
    item = items["agency"]
    assert item.materials.count() >= 2
    material = item.materials.order_by("order").first()
    request = submit("agency", uploads=[(pdf_upload(), material.pk)])
    return request.attachments.get()


def test_an_upload_keeps_its_material_when_the_catalog_changes(data_dir, linked):
    material = linked.material
    item = material.item

    def change(doc):
        materials = _materials_of(doc, item.code)
        materials[0]["check"] = "核对原件（改写测试）"
        materials[0]["copies"] = 2
        materials.insert(0, NEW_MATERIAL)  # added first: every other one moves down

    edit(data_dir, "services.yaml", change)
    output = load(data_dir)
    assert "service items: 0 created, 1 updated, 122 unchanged" in output
    linked.refresh_from_db()
    assert linked.material_id == material.pk
    material.refresh_from_db()
    assert (material.order, material.copies) == (2, 2)
    assert material.check_points == "核对原件（改写测试）"
    assert item.materials.order_by("order").first().name == "新增测试材料"
    assert "Already up to date: 0 changes." in load(data_dir)


def test_reordered_materials_keep_their_rows(data_dir, linked):
    item = linked.material.item
    before = dict(item.materials.values_list("key", "pk"))

    def change(doc):
        _materials_of(doc, item.code).reverse()

    edit(data_dir, "services.yaml", change)
    assert "service items: 0 created, 1 updated, 122 unchanged" in load(data_dir)
    assert dict(item.materials.values_list("key", "pk")) == before
    names = [m["name"] for m in _materials_of(_doc(data_dir), item.code)]
    assert list(item.materials.values_list("name", flat=True)) == names
    linked.refresh_from_db()
    assert linked.material_id == before[linked.material.key]


def test_a_material_renamed_under_its_old_key_keeps_its_uploads(data_dir, linked):
    material = linked.material

    def change(doc):
        first = _materials_of(doc, material.item.code)[0]
        first["key"], first["name"] = first["name"], "居民身份证（正反面，改名测试）"

    edit(data_dir, "services.yaml", change)
    load(data_dir)
    linked.refresh_from_db()
    assert linked.material_id == material.pk
    assert linked.material.name == "居民身份证（正反面，改名测试）"
    assert "Already up to date: 0 changes." in load(data_dir)


def test_a_removed_material_is_deleted_and_its_uploads_stay(data_dir, linked):
    material = linked.material
    others = set(material.item.materials.exclude(pk=material.pk).values_list("pk"))

    def change(doc):
        del _materials_of(doc, material.item.code)[0]

    edit(data_dir, "services.yaml", change)
    load(data_dir)
    assert not Material.objects.filter(pk=material.pk).exists()
    assert set(material.item.materials.values_list("pk")) == others
    linked.refresh_from_db()
    assert linked.material is None


def test_materials_are_keyed_by_name_unless_a_key_is_given():
    assert not Material.objects.exclude(key=F("name")).exists()


def test_a_material_without_a_key_is_matched_by_its_name(items):
    material = items["agency"].materials.order_by("order").first()
    Material.objects.filter(pk=material.pk).update(key="")  # e.g. added in the admin
    assert "service items: 0 created, 1 updated, 122 unchanged" in load()
    material.refresh_from_db()
    assert material.key == material.name


def _doc(data_dir: Path) -> list:
    return yaml.safe_load((data_dir / "services.yaml").read_text("utf-8"))


def _set(file, index, field, value):
    def change(doc):
        target = doc["villages"] if file == "villages.yaml" else doc
        target[index][field] = value

    return file, change


def _drop(file, index, field):
    def change(doc):
        target = doc["villages"] if file == "villages.yaml" else doc
        del target[index][field]

    return file, change


MALFORMED = {
    "missing field": (*_drop("services.yaml", 5, "legal_basis"), "legal_basis"),
    "empty text": (*_set("services.yaml", 5, "name", "  "), "name"),
    "wrong type": (*_set("services.yaml", 5, "promised_days", "五天"), "promised_days"),
    "negative number": (
        *_set("services.yaml", 5, "promised_days", -1),
        "promised_days",
    ),
    "unknown category": (*_set("services.yaml", 5, "category", "nope"), "category"),
    "unknown body": (*_set("services.yaml", 5, "body", "nope"), "body"),
    "unknown mode": (*_set("services.yaml", 5, "modes", ["teleport"]), "modes"),
    "no mode": (*_set("services.yaml", 5, "modes", []), "modes"),
    "too many visits": (*_set("services.yaml", 5, "visits", 3), "visits"),
    "no materials": (*_set("services.yaml", 5, "materials", []), "materials"),
    "bad boolean": (*_set("services.yaml", 5, "online", "yes"), "online"),
    "verified without source": (
        "services.yaml",
        lambda doc: doc[5].update(source="verified", source_url=""),
        "source_url",
    ),
    "duplicate code": (
        "services.yaml",
        lambda doc: doc[6].update(code=doc[5]["code"]),
        "code",
    ),
    "duplicate name": (
        "services.yaml",
        lambda doc: doc[6].update(name=doc[5]["name"]),
        "name",
    ),
    "bad material": (
        "services.yaml",
        lambda doc: doc[5]["materials"][0].update(copies="两份"),
        "copies",
    ),
    "repeated material name": (
        "services.yaml",
        lambda doc: doc[5]["materials"].append(dict(doc[5]["materials"][0])),
        "name",
    ),
    "repeated material key": (
        "services.yaml",
        lambda doc: (
            doc[5]["materials"].append(
                {**doc[5]["materials"][0], "name": "另一份", "key": "同一标识"}
            )
            or doc[5]["materials"][0].update(key="同一标识")
        ),
        "key",
    ),
    "bad village code": (*_set("villages.yaml", 3, "code", "12345"), "code"),
    "unknown village kind": (*_set("villages.yaml", 3, "kind", "城市"), "kind"),
    "unknown window": (
        "villages.yaml",
        lambda doc: doc["villages"][3]["sub_center"].update(windows=["nope"]),
        "windows",
    ),
    "synonym that is a wording": (
        *_set("synonyms.yaml", 5, "words", ["计生", "老年人"]),
        "words",
    ),
    "synonym without words": (*_set("synonyms.yaml", 5, "words", []), "words"),
    "synonym listed twice": (*_set("synonyms.yaml", 5, "words", ["低保"]), "words"),
    "duplicate synonym term": (
        "synonyms.yaml",
        lambda doc: doc[6].update(term=doc[5]["term"]),
        "term",
    ),
    "bad trip day": (
        "villages.yaml",
        lambda doc: doc["villages"][3]["sub_center"].update(trip_weekdays=[8]),
        "trip_weekdays",
    ),
}


@pytest.mark.parametrize("case_id", MALFORMED.keys())
def test_a_malformed_record_is_reported_and_nothing_loads(data_dir, case_id):
    file, change, field = MALFORMED[case_id]

    def rename_first_village(doc):
        doc["villages"][0]["name"] = "改名但不应保存"

    # A valid change earlier in the load must be rolled back with the bad record.
    edit(data_dir, "villages.yaml", rename_first_village)
    edit(data_dir, file, change)
    before = snapshot()
    with pytest.raises(CommandError, match=rf"{file}.*“{field}”") as excinfo:
        load(data_dir)
    number = 7 if case_id.startswith("duplicate") else (4 if "villages" in file else 6)
    assert f"#{number} (" in str(excinfo.value)  # names the record, counted from 1
    assert snapshot() == before


def test_invalid_yaml_is_reported(data_dir):
    (data_dir / "categories.yaml").write_text("- code: [unclosed\n", encoding="utf-8")
    before = snapshot()
    with pytest.raises(CommandError, match=r"categories\.yaml"):
        load(data_dir)
    assert snapshot() == before


def test_a_missing_file_is_reported(data_dir):
    (data_dir / "bodies.yaml").unlink()
    with pytest.raises(CommandError, match=r"bodies\.yaml"):
        load(data_dir)


def test_categories_are_the_reference_list():
    assert Category.objects.count() == 15


def test_the_search_synonyms_are_loaded_from_their_file():
    groups = yaml.safe_load(
        (Path(settings.TOWN_DATA_DIR) / "synonyms.yaml").read_text("utf-8")
    )
    expected = {(w, g["term"]) for g in groups for w in g["words"]}
    assert set(SearchSynonym.objects.values_list("word", "term")) == expected
    assert ("低保", "最低生活保障") in expected


def test_the_loader_keeps_the_synonyms_officials_added(data_dir):
    SearchSynonym.objects.create(word="养老院", term="敬老院")
    SearchSynonym.objects.filter(word="低保").update(term="低保障")  # edited by hand
    out = load(data_dir)
    assert "search synonyms: 0 created, 1 updated, 14 unchanged" in out
    assert SearchSynonym.objects.get(word="养老院").term == "敬老院"
    assert SearchSynonym.objects.get(word="低保").term == "最低生活保障"
    assert "0 created, 0 updated" in load(data_dir).split("search synonyms")[1]


def test_a_file_synonym_that_is_an_admin_wording_is_reported(data_dir):
    SearchSynonym.objects.create(word="长者", term="高龄")  # 高龄 is a word in the file
    with pytest.raises(CommandError, match=r"synonyms\.yaml.*“words”.*高龄"):
        load(data_dir)


# --- the catalog checks (issue 11): the loader refuses, naming the item ---------------


def _item_index(doc: list, code: str) -> int:
    return next(i for i, item in enumerate(doc) if item["code"] == code)


def _change_item(code: str, **values):
    def change(doc):
        doc[_item_index(doc, code)].update(values)

    return change


def _refused(data_dir: Path, change, field: str, code: str, message: str) -> None:
    edit(data_dir, "services.yaml", change)
    before = snapshot()
    with pytest.raises(CommandError) as excinfo:
        load(data_dir)
    error = str(excinfo.value)
    assert f"({code})" in error and f"“{field}”" in error, error
    assert message in error, error
    assert snapshot() == before


def test_two_items_alike_but_for_brackets_and_sharing_a_mode_are_refused(data_dir):
    # HG-YL-004 老年优待证换发 takes HG-YL-003's name with other brackets; both are
    # instant.
    _refused(
        data_dir,
        _change_item("HG-YL-004", name="老年人优待证 “核发”"),
        "name",
        "HG-YL-004",
        "the same item as HG-YL-003, with the same mode",
    )


def test_the_same_name_with_other_modes_is_refused_as_a_duplicate_name(data_dir):
    _refused(
        data_dir,
        _change_item("HG-YL-004", name="老年人优待证核发", modes=["agency"]),
        "name",
        "HG-YL-004",
        "duplicate value",
    )


def test_a_county_production_time_cannot_be_instant(data_dir):
    # 申请领取居民身份证: produced by the county police in 20 working days.
    _refused(
        data_dir,
        _change_item("HG-HJ-005", modes=["instant", "home"]),
        "modes",
        "HG-HJ-005",
        "decided at the county in 20 working days, so it cannot be instant",
    )


def test_an_instant_item_decided_at_the_county_the_same_day_is_accepted(data_dir):
    # 异地就医备案: decided by the county's system on the spot (promised 0 days).
    edit(data_dir, "services.yaml", _change_item("HG-YB-003", modes=["instant"]))
    assert "service items: 0 created, 1 updated" in load(data_dir)


def test_an_unknown_body_is_refused_with_the_bodies_on_offer(data_dir):
    _refused(
        data_dir,
        _change_item("HG-HJ-001", body="county-police"),
        "body",
        "HG-HJ-001",
        "no body “county-police” in bodies.yaml (one of: service-center,",
    )


@pytest.mark.parametrize(
    "basis, message",
    [
        ("有关法律法规", "“有关法律法规” names no document in 《》"),
        (
            "《中华人民共和国居民身份证法》；社会保障卡发行管理的有关规定",
            "“社会保障卡发行管理的有关规定” names no document in 《》",
        ),
        ("《社会救助暂行办法》第二章", "“《社会救助暂行办法》第二章” does not say who"),
        ("《中华人民共和国户口登记条例》", "does not say who issued it"),
    ],
    ids=["no title", "a vague clause", "no issuer", "a national regulation"],
)
def test_a_legal_basis_without_a_title_or_an_issuer_is_refused(
    data_dir, basis, message
):
    _refused(
        data_dir,
        _change_item("HG-HJ-001", legal_basis=basis),
        "legal_basis",
        "HG-HJ-001",
        message,
    )


@pytest.mark.parametrize(
    "basis",
    [
        "《中华人民共和国社会保险法》",  # a national law
        "《中华人民共和国民法典》第二十七条",
        "《社会救助暂行办法》（国务院令第649号）第二章",  # a decree number
        "《最低生活保障审核确认办法》（民发〔2021〕57号）",  # a document number
        "《安徽省人口与计划生育条例》（安徽省人大常委会）",  # the issuer
        "民政部《特困人员认定办法》",
        "《国务院关于全面建立临时救助制度的通知》",  # the title names its issuer
        "《农村土地经营权流转管理办法》（农业农村部令2021年第1号）；"
        "《中华人民共和国农村土地承包法》",
    ],
)
def test_a_legal_basis_with_titles_and_issuers_is_accepted(basis):
    from services.loading import legal_basis_problem

    assert legal_basis_problem(basis) == ""


def test_every_legal_basis_of_the_catalog_passes_the_check():
    from services.loading import legal_basis_problem

    problems = {
        item.code: legal_basis_problem(item.legal_basis)
        for item in ServiceItem.objects.filter(is_active=True)
    }
    assert {code: p for code, p in problems.items() if p} == {}


# --- retired (merged) items --------------------------------------------------------


def _retire(data_dir: Path, code: str, into: str) -> None:
    edit(data_dir, "services.yaml", lambda doc: doc.pop(_item_index(doc, code)))
    edit(
        data_dir,
        "retired_services.yaml",
        lambda doc: doc.append({"code": code, "retired_into": into, "note": "测试"}),
    )


def test_a_retired_item_keeps_its_row_and_its_requests(data_dir, submit, items):
    item = items["agency"]
    request = submit("agency")
    _retire(data_dir, item.code, "HG-JZ-001")
    output = load(data_dir)
    assert "service items: 0 created, 1 updated, 122 unchanged" in output
    item.refresh_from_db()
    assert not item.is_active and item.retired_into.code == "HG-JZ-001"
    assert item.is_retired
    request.refresh_from_db()
    assert request.item == item  # the request still names the item it was made for
    assert ServiceItem.objects.filter(is_active=True).count() == 122
    assert "Already up to date: 0 changes." in load(data_dir)  # idempotent


def test_listing_a_retired_item_again_brings_it_back(data_dir, items):
    item = items["agency"]
    ServiceItem.objects.filter(pk=item.pk).update(
        is_active=False,
        retired_into=ServiceItem.objects.get(code="HG-JZ-001"),
    )
    assert "service items: 0 created, 1 updated, 122 unchanged" in load(data_dir)
    item.refresh_from_db()
    assert item.is_active and item.retired_into is None


def test_a_retired_code_never_loaded_is_not_created():
    assert not ServiceItem.objects.filter(
        code__in=["HG-JZ-002", "HG-JZ-003", "HG-JZ-009", "HG-YL-002", "HG-SB-006"]
    ).exists()


def test_the_merged_items_of_an_older_catalog_are_retired_into_their_successors():
    from tests.factories import ServiceItemFactory

    old = {
        "HG-JZ-002": ("农村低保初审及转报", "HG-JZ-001"),
        "HG-JZ-003": ("城镇低保初审及转报", "HG-JZ-001"),
        "HG-JZ-009": ("孤儿、事实无人抚养儿童认定（跨省通办）", "HG-JZ-007"),
        "HG-YL-002": ("老年人福利补贴（高龄津贴、基本养老服务补贴）", "HG-YL-001"),
        "HG-SB-006": ("城乡居民养老保险参保登记（困难群体参保登记）", "HG-SB-005"),
    }
    for code, (name, _into) in old.items():
        ServiceItemFactory(code=code, name=name)
    load()
    retired = {
        item.code: item.retired_into.code
        for item in ServiceItem.objects.filter(code__in=old).select_related(
            "retired_into"
        )
    }
    assert retired == {code: into for code, (_name, into) in old.items()}
    assert not ServiceItem.objects.filter(code__in=old, is_active=True).exists()
    assert ServiceItem.objects.filter(is_active=True).count() == 123
    assert "Already up to date: 0 changes." in load()


@pytest.mark.parametrize(
    "entry, field, message",
    [
        (
            {"code": "HG-JZ-001", "retired_into": "HG-JZ-004", "note": "x"},
            "code",
            "still listed in services.yaml",
        ),
        (
            {"code": "HG-JZ-099", "retired_into": "HG-JZ-098", "note": "x"},
            "retired_into",
            "“HG-JZ-098” is not an item of services.yaml",
        ),
    ],
)
def test_a_bad_retired_record_is_refused(data_dir, entry, field, message):
    edit(data_dir, "retired_services.yaml", lambda doc: doc.append(entry))
    before = snapshot()
    with pytest.raises(CommandError, match=rf"retired_services\.yaml.*“{field}”"):
        load(data_dir)
    with pytest.raises(CommandError, match=message):
        load(data_dir)
    assert snapshot() == before


def test_an_item_may_not_take_the_name_a_retired_item_keeps(data_dir):
    from tests.factories import ServiceItemFactory

    ServiceItemFactory(code="HG-JZ-002", name="农村低保初审及转报")
    load()
    _refused(
        data_dir,
        _change_item("HG-JZ-010", name="农村低保初审及转报"),
        "name",
        "HG-JZ-010",
        "the retired item HG-JZ-002 keeps this name",
    )
