"""Grids (网格), village groups (村民组) and the officials assigned (分片包联): the
model rules, the loader (data/grids.yaml), the admin and the village page."""

import shutil
from io import StringIO
from pathlib import Path

import pytest
import yaml
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from tests.factories import UserFactory
from villages.choices import Role
from villages.models import Grid, Village, VillageGroup, VillageLiaison

pytestmark = pytest.mark.django_db

HUAGANG = "340123106001"
FENFANG = "340123106202"


# --- the model rules ------------------------------------------------------------------


def test_a_grid_is_served_only_by_a_grid_worker(village):
    grid = Grid.objects.get(village=village, number=1)
    grid.worker = UserFactory(role=Role.VILLAGE_CLERK, village=village)
    with pytest.raises(ValidationError) as refused:
        grid.full_clean()
    assert "worker" in refused.value.message_dict
    grid.worker = UserFactory(role=Role.GRID_WORKER)
    grid.full_clean()


def test_a_grid_number_is_unique_in_its_village_and_starts_at_one(village):
    with pytest.raises(IntegrityError), transaction.atomic():
        Grid.objects.create(village=village, number=1, name="重复")
    with pytest.raises(IntegrityError), transaction.atomic():
        Grid.objects.create(village=village, number=0, name="零号")
    other = Village.objects.get(code=FENFANG)
    Grid.objects.create(village=other, number=77, name="另一村的七十七")


def test_a_village_group_belongs_to_a_grid_of_its_own_village(village, other_village):
    group = VillageGroup.objects.filter(village=village).first()
    group.grid = Grid.objects.filter(village=other_village).first()
    with pytest.raises(ValidationError) as refused:
        group.full_clean()
    assert "grid" in refused.value.message_dict
    group.grid = Grid.objects.filter(village=village).last()
    group.full_clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        VillageGroup.objects.create(village=village, name=group.name, households=1)


def test_only_an_official_is_assigned_to_a_village(village):
    liaison = VillageLiaison(village=village, name="某某")
    liaison.account = UserFactory(role=Role.TOWN_CLERK)
    with pytest.raises(ValidationError) as refused:
        liaison.full_clean()
    assert "account" in refused.value.message_dict
    liaison.account = UserFactory(role=Role.OFFICIAL, name="王镇长")
    liaison.full_clean()
    assert liaison.display_name == "王镇长"  # the account's name once linked


def test_the_worker_shown_is_the_account_or_the_recorded_name(village):
    grid = Grid.objects.get(village=village, number=1)
    assert grid.worker_label == "示例网格员一"
    assert grid.worker_masked_phone == "138****7101"
    grid.worker = UserFactory(role=Role.GRID_WORKER, name="张网格", phone="13912345678")
    assert grid.worker_label == "张网格"
    assert grid.worker_masked_phone == "139****5678"


# --- the loader -----------------------------------------------------------------------


def load(data_dir: Path | None = None) -> str:
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


def _edit(data_dir: Path, change) -> None:
    path = data_dir / "grids.yaml"
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(document)
    path.write_text(yaml.safe_dump(document, allow_unicode=True), encoding="utf-8")


def test_the_demo_grids_are_loaded_marked_demo_and_a_second_load_changes_nothing():
    document = yaml.safe_load(
        (Path(settings.TOWN_DATA_DIR) / "grids.yaml").read_text(encoding="utf-8")
    )
    groups = sum(
        len(grid["groups"]) for v in document["villages"] for grid in v["grids"]
    )
    assert VillageGroup.objects.count() == groups
    assert Grid.objects.count() == sum(len(v["grids"]) for v in document["villages"])
    assert VillageLiaison.objects.count() == len(document["villages"])
    assert not Grid.objects.filter(is_demo=False).exists()
    assert not VillageGroup.objects.filter(is_demo=False).exists()
    assert not VillageLiaison.objects.filter(is_demo=False).exists()
    # demo, but never more village groups than the town has (964, the seed's figure)
    assert groups <= 964
    assert "Already up to date: 0 changes." in load()


def test_the_loader_keeps_the_accounts_linked_in_the_admin(village):
    worker = UserFactory(role=Role.GRID_WORKER)
    Grid.objects.filter(village=village, number=1).update(worker=worker)
    load()
    assert Grid.objects.get(village=village, number=1).worker == worker


def test_a_group_moved_to_another_grid_in_the_file_moves(data_dir, village):
    def move(document):
        huagang = next(v for v in document["villages"] if v["village"] == HUAGANG)
        moved = huagang["grids"][0]["groups"].pop()
        huagang["grids"][1]["groups"].append(moved)

    _edit(data_dir, move)
    output = load(data_dir)
    assert "village groups: 0 created, " in output
    last = VillageGroup.objects.filter(village=village, grid__number=2).order_by(
        "order"
    )
    assert last.last().name == "四组"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d["villages"][0].update(village="340123106999"), "no village"),
        (
            lambda d: d["villages"][0]["grids"][1].update(number=1),
            "duplicate value",
        ),
        (
            lambda d: d["villages"][0]["grids"][1]["groups"].append(
                {"name": "一组", "households": 3}
            ),
            "duplicate value",
        ),
        (
            lambda d: d["villages"][0]["grids"][0]["groups"][0].update(households=-1),
            "between",
        ),
        (lambda d: d["villages"][0]["grids"][0].pop("demo"), "missing"),
    ],
    ids=["unknown village", "same number", "group twice", "households", "no demo"],
)
def test_a_malformed_grids_file_loads_nothing(data_dir, change, message):
    _edit(data_dir, change)
    before = (Grid.objects.count(), VillageGroup.objects.count())
    with pytest.raises(CommandError, match=message) as failed:
        load(data_dir)
    assert "grids.yaml" in str(failed.value)
    assert (Grid.objects.count(), VillageGroup.objects.count()) == before


# --- the village page and the admin ---------------------------------------------------


def test_the_village_page_shows_grids_groups_households_and_the_officials(client):
    page = client.get(reverse("villages:detail", kwargs={"code": HUAGANG}))
    text = page.content.decode()
    assert "网格化服务" in text and "示例数据" in text
    assert "分片包联" in text and "示例包联干部甲" in text
    assert "第一网格" in text and "示例网格员一" in text
    assert "138****7101" in text and "13800007101" not in text  # masked
    grid = Grid.objects.get(village__code=HUAGANG, number=1)
    for group in grid.village_groups.all():
        assert f"{group.name}（{group.households}）" in text
    total = sum(g.households for g in VillageGroup.objects.filter(grid=grid))
    assert f'<dd class="households">{total}</dd>' in text
    assert "全镇共有村民组 964 个" in text


def _page_queries(client, code: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        page = client.get(reverse("villages:detail", kwargs={"code": code}))
        assert page.status_code == 200
    return len(captured)


def test_the_village_page_reads_the_grids_in_a_constant_number_of_queries(
    client, village
):
    few = _page_queries(client, HUAGANG)
    for n in range(5):
        grid = Grid.objects.create(village=village, number=40 + n, name=f"加{n}")
        for m in range(3):
            VillageGroup.objects.create(
                village=village, name=f"加{n}-{m}", households=10, grid=grid
            )
    assert _page_queries(client, HUAGANG) == few


def test_a_village_without_grids_shows_no_grid_section(client):
    village = Village.objects.exclude(grids__isnull=False).first()
    text = client.get(village.get_absolute_url()).content.decode()
    assert "网格化服务" not in text


def test_an_official_edits_grids_groups_and_liaisons_in_the_admin(official_client):
    village = Village.objects.get(code=HUAGANG)
    url = reverse("admin:villages_village_change", args=[village.pk])
    page = official_client.get(url)
    assert page.status_code == 200
    text = page.content.decode()
    assert "第一网格" in text and "示例包联干部甲" in text
    # the group's grid: this village's grids only
    other = Grid.objects.get(village__code=FENFANG, number=1)
    assert f'<option value="{other.pk}"' not in text


def test_the_demo_grid_worker_serves_the_first_grid_of_huagang(village):
    from django.core.management import call_command as run

    run("create_demo_accounts", stdout=StringIO())
    grid = Grid.objects.get(village=village, number=1)
    assert grid.worker.phone == "13800000005"
    assert grid.worker.role == Role.GRID_WORKER and not grid.worker.is_staff
    run("create_demo_accounts", stdout=StringIO())  # again: nothing changes
    assert Grid.objects.filter(worker__isnull=False).count() == 1
