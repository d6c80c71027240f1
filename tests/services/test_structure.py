"""The town's structure (一中心、两办、七局), the register of delegated powers
(县级下放事项) and the seed's figures: each shown with its year and its source, demo
rows marked, a fixed number of queries."""

import shutil
from io import StringIO
from pathlib import Path

import pytest
import yaml
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from services.caching import fragments_forget
from services.models import Body, CountyDepartment, DelegatedPower, ServiceItem

pytestmark = pytest.mark.django_db

SOURCE = "奏响花岗现代化建设的美丽乐章"


def text(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def test_the_structure_page_lists_the_ten_bodies_with_their_items(client):
    page = text(client, "/services/bodies/")
    assert "一中心、两办、七局" in page and SOURCE in page
    for body in Body.objects.all():
        assert body.name in page
    social = Body.objects.get(code="social-management")
    item = ServiceItem.objects.filter(body=social, is_active=True).first()
    assert item.get_absolute_url() in page
    assert page.count("示例数据") >= Body.objects.filter(is_demo=True).count()


def test_the_register_says_how_many_entries_are_real_with_the_seeds_totals(client):
    page = text(client, "/services/delegated-powers/")
    assert "14家县直单位" in page and "共计37项" in page and "2015年" in page
    assert SOURCE in page and "2018-02-09" in page
    assert DelegatedPower.objects.filter(is_demo=False).count() == 0
    assert "本登记册现有真实条目 0 条" in page
    for power in DelegatedPower.objects.select_related("department"):
        assert power.name in page and power.department.name in page


def test_a_real_entry_is_counted_as_real(client):
    DelegatedPower.objects.filter(code="forest-logging-permit").update(is_demo=False)
    page = text(client, "/services/delegated-powers/")
    assert "本登记册现有真实条目 1 条" in page
    demo = DelegatedPower.objects.filter(is_demo=True).count()
    assert f"下列标有“示例数据”的 {demo} 条" in page


def test_the_guide_of_a_concerned_item_shows_the_department(client):
    page = text(client, "/services/HG-ZR-001/")
    assert "县级下放事项" in page and "肥西县规划局（示例）" in page
    unconcerned = text(client, "/services/HG-SB-001/")
    assert "县级下放事项" not in unconcerned.split("<main", 1)[1].split("</main>")[0]


def test_the_seed_figures_carry_their_year_and_source(client):
    home = text(client, "/")
    assert "人口 112000（2017年）" in home
    assert "截至2017年10月" in home and "14030" in home and "同比增加 17%" in home
    assert SOURCE in home


@pytest.mark.parametrize("url", ["/services/bodies/", "/services/delegated-powers/"])
def test_the_pages_issue_the_same_queries_whatever_the_data(client, url):
    def count() -> int:
        fragments_forget()
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    before = count()
    department = CountyDepartment.objects.create(code="x", name="县某局（示例）")
    for n in range(3):
        power = DelegatedPower.objects.create(
            code=f"p{n}",
            department=department,
            name=f"示例权限{n}",
            kind="license",
            legal_basis="《中华人民共和国行政许可法》",
            town_role="受理",
        )
        power.items.set(ServiceItem.objects.all()[:3])
    assert count() == before


def test_a_change_in_the_register_is_seen_at_once(client):
    assert "新下放事项" not in text(client, "/services/delegated-powers/")
    DelegatedPower.objects.filter(code="forest-logging-permit").update(
        name="新下放事项"
    )
    assert "新下放事项" in text(client, "/services/delegated-powers/")


# --- the loader ------------------------------------------------------------------------


def _load(data_dir: Path) -> None:
    call_command("load_town_data", "--data-dir", str(data_dir), stdout=StringIO())


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    target = tmp_path / "data"
    shutil.copytree(settings.TOWN_DATA_DIR, target)
    return target


def _edit(data_dir: Path, change) -> None:
    path = data_dir / "delegated_powers.yaml"
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(document)
    path.write_text(yaml.safe_dump(document, allow_unicode=True), encoding="utf-8")


def test_the_register_is_loaded_with_its_items_and_marked_demo():
    power = DelegatedPower.objects.get(code="rural-housing-completion-check")
    assert set(power.items.values_list("code", flat=True)) == {
        "HG-ZR-003",
        "HG-ZR-004",
    }
    assert power.is_demo and power.department.is_demo
    assert str(power.delegated_on) == "2015-06-30"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d["powers"][0].update(items=["HG-XX-999"]), "HG-XX-999"),
        (lambda d: d["powers"][0].update(department="nowhere"), "department"),
        (lambda d: d["powers"][0].update(kind="magic"), "kind"),
        (lambda d: d["powers"][0].update(delegated_on="June 2015"), "delegated_on"),
        (lambda d: d["powers"][0].pop("demo"), "demo"),
    ],
)
def test_a_bad_power_is_reported_and_nothing_loads(data_dir, change, message):
    _edit(data_dir, change)
    _edit(data_dir, lambda d: d["departments"][0].update(name="改名但不应保存"))
    with pytest.raises(CommandError, match=message):
        _load(data_dir)
    assert not CountyDepartment.objects.filter(name="改名但不应保存").exists()


def test_loading_twice_changes_nothing(data_dir):
    _load(data_dir)
    out = StringIO()
    call_command("load_town_data", "--data-dir", str(data_dir), stdout=out)
    assert "0" in out.getvalue().splitlines()[-1]
