"""The public pages' cached fragments are never stale (services/caching.py).

Every test first renders the pages, so that their fragments are in the cache, then
changes the catalog the way people and programs do, and reads the pages again.
"""

import importlib
import os
import shutil
from html.parser import HTMLParser
from io import StringIO

import pytest
import yaml
from django.conf import settings
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection
from django.db.models import F
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import clear_url_caches

from services import caching
from services.models import Body, Category, Material, ServiceItem
from tests.factories import VillageFactory
from villages.models import SubCenter, Town

pytestmark = pytest.mark.django_db

CODE = "HG-SB-001"
NAME = "社会保障卡注销"
GUIDE = f"/services/{CODE}/"
PAGES = ["/", "/services/", GUIDE, "/services/?q=社保卡"]


def _pages(client) -> dict[str, str]:
    """Each page's <main> (the header holds a new CSRF token on every response)."""
    pages = {}
    for url in PAGES:
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        pages[url] = html[html.index("<main") : html.index("</main>")]
    return pages


class _FormFields(HTMLParser):
    """What a browser submits from the form with the given id (no JavaScript)."""

    def __init__(self, form_id: str):
        super().__init__()
        self.form_id, self.inside = form_id, False
        self.data: list[tuple[str, str]] = []
        self._select: str | None = None
        self._textarea: str | None = None
        self._text = ""

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.inside = attrs.get("id") == self.form_id
        if not self.inside or "disabled" in attrs:
            return
        if tag == "input" and attrs.get("name"):
            kind = attrs.get("type", "text")
            if kind in {"checkbox", "radio"} and "checked" not in attrs:
                return
            if kind not in {"submit", "button", "file", "image"}:
                default = "on" if kind in {"checkbox", "radio"} else ""
                self.data.append((attrs["name"], attrs.get("value") or default))
        elif tag == "select":
            self._select = attrs.get("name")
        elif tag == "option" and self._select and "selected" in attrs:
            self.data.append((self._select, attrs.get("value", "")))
        elif tag == "textarea":
            self._textarea, self._text = attrs.get("name"), ""

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False
        elif tag == "select":
            self._select = None
        elif tag == "textarea" and self._textarea:
            self.data.append((self._textarea, self._text.removeprefix("\n")))
            self._textarea = None

    def handle_data(self, data):
        if self._textarea:
            self._text += data


def _admin_form(client, url: str, form_id: str) -> dict[str, list[str]]:
    parser = _FormFields(form_id)
    parser.feed(client.get(url).content.decode())
    assert parser.data, f"no form #{form_id} on {url}"
    fields: dict[str, list[str]] = {}
    for name, value in parser.data:
        fields.setdefault(name, []).append(value)
    return fields


def test_an_admin_edit_of_an_item_shows_on_the_next_pages(client, official_client):
    before = _pages(client)
    assert all(NAME in html for html in before.values())
    item = ServiceItem.objects.get(code=CODE)
    url = f"/admin/services/serviceitem/{item.pk}/change/"
    data = _admin_form(official_client, url, "serviceitem_form")
    data["name"] = ["社会保障卡注销（新）"]
    data["materials-0-name"] = ["新的材料名称"]
    response = official_client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]

    after = _pages(client)
    for url in PAGES:
        assert "社会保障卡注销（新）" in after[url], url
    assert "新的材料名称" in after[GUIDE]


def test_unpublishing_an_item_in_the_admin_removes_its_guide(client, official_client):
    _pages(client)
    item = ServiceItem.objects.get(code=CODE)
    url = f"/admin/services/serviceitem/{item.pk}/change/"
    data = _admin_form(official_client, url, "serviceitem_form")
    del data["is_active"]  # the checkbox unticked
    assert official_client.post(url, data).status_code == 302

    assert client.get(GUIDE).status_code == 404
    assert NAME not in client.get("/").content.decode()
    assert NAME not in client.get("/services/?q=社保卡").content.decode()


def test_load_town_data_changes_show_on_the_next_pages(client, tmp_path):
    _pages(client)
    data_dir = tmp_path / "data"
    shutil.copytree(settings.TOWN_DATA_DIR, data_dir)
    path = data_dir / "services.yaml"
    items = yaml.safe_load(path.read_text(encoding="utf-8"))
    entry = next(i for i in items if i["code"] == CODE)
    entry["name"] = "社会保障卡注销（数据文件）"
    path.write_text(yaml.safe_dump(items, allow_unicode=True), encoding="utf-8")
    towns = data_dir / "villages.yaml"
    towns.write_text(
        towns.read_text(encoding="utf-8").replace(
            "population: 112000", "population: 112345"
        ),
        encoding="utf-8",
    )

    call_command("load_town_data", "--data-dir", str(data_dir), stdout=StringIO())

    after = _pages(client)
    for url in PAGES:
        assert "社会保障卡注销（数据文件）" in after[url], url
    assert "人口 112345" in after["/"]


def test_a_change_made_outside_the_orm_save_shows_too(client):
    """Another process, a queryset update(), raw SQL: no signal in this process knows
    of it, and the fragments cached here must not survive it."""
    _pages(client)
    ServiceItem.objects.filter(code=CODE).update(name="社会保障卡注销（批量）")
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE services_material SET name = %s WHERE item_id = "
            "(SELECT id FROM services_serviceitem WHERE code = %s)",
            ["原始SQL材料", CODE],
        )
    after = _pages(client)
    for url in PAGES:
        assert "社会保障卡注销（批量）" in after[url], url
    assert "原始SQL材料" in after[GUIDE]


@pytest.mark.parametrize("label", caching.PUBLIC_MODELS)
def test_every_write_to_a_public_table_changes_the_catalog_version(label):
    from django.apps import apps

    model = apps.get_model(label)
    row = model.objects.first() or _published_question()  # no town data has one
    before = caching.catalog_version()
    assert model.objects.filter(pk=row.pk).update(id=F("id")) == 1
    assert caching.catalog_version() != before


def _published_question():
    """A published question (留言咨询), made through the actions."""
    from services.actions import question_answer, question_ask, question_publish
    from tests.factories import UserFactory
    from villages.choices import Role
    from villages.verification import user_mark_phone_verified

    asker = user_mark_phone_verified(user=UserFactory(role=Role.RESIDENT))
    official = UserFactory(role=Role.OFFICIAL)
    question = question_ask(kind="consult", title="问", text="问题", account=asker)
    question_answer(question=question, by=official, answer="答复")
    return question_publish(
        question=question, by=official, title="问", text="问题", answer="答复"
    )


def test_the_triggers_cover_every_public_table(db):
    assert caching.catalog_triggers_missing() == []


def test_a_sub_center_s_windows_change_the_catalog_version():
    sub_center = SubCenter.objects.first()
    window = sub_center.windows.first()
    before = caching.catalog_version()
    sub_center.windows.remove(window)
    removed = caching.catalog_version()
    sub_center.windows.add(window)
    assert len({before, removed, caching.catalog_version()}) == 3


@pytest.mark.parametrize(
    "change",
    [
        lambda: Category.objects.filter(code="social-security").update(name="社保类"),
        lambda: Body.objects.filter(code="service-center").update(name="新中心"),
        lambda: VillageFactory(),  # one more sub-center in the home page's figures
        lambda: Town.objects.update(population=123456),
        lambda: Material.objects.filter(item__code=CODE).delete(),
    ],
    ids=["category", "body", "village", "town", "material"],
)
def test_related_rows_refresh_the_pages_that_show_them(client, change):
    before = _pages(client)
    change()
    assert _pages(client) != before


def test_the_english_page_is_not_served_from_the_chinese_cache(client):
    chinese = _pages(client)
    assert "Services by category" not in chinese["/"]
    client.cookies["django_language"] = "en"
    english = _pages(client)
    for url in PAGES:
        assert english[url] != chinese[url], url
    assert "Services by category" in english["/"]
    assert "Service guide" in english[GUIDE]
    assert "Public-service items" in english["/services/"]
    client.cookies["django_language"] = "zh-hans"
    assert "Services by category" not in client.get("/").content.decode()


def test_searches_are_cached_apart(client):
    first = client.get("/services/?q=社保卡").content.decode()
    second = client.get("/services/?q=残疾人证").content.decode()
    assert NAME in first and NAME not in second
    assert NAME in client.get("/services/?q=社保卡").content.decode()


def test_the_header_is_not_cached_with_the_content(official):
    anonymous, staff = Client(), Client()
    staff.force_login(official)
    for url in PAGES:
        assert 'href="/admin/"' not in anonymous.get(url).content.decode()
        assert 'href="/admin/"' in staff.get(url).content.decode()
        assert 'href="/admin/"' not in anonymous.get(url).content.decode()


@pytest.mark.parametrize("url", PAGES)
def test_a_cached_page_reads_only_the_catalog_version(client, url):
    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    assert [q["sql"] for q in queries] == [
        'SELECT token FROM "services_catalogversion" WHERE id = 1'
    ]


def test_an_unknown_item_is_still_a_404(client):
    client.get(GUIDE)
    assert client.get("/services/HG-XX-999/").status_code == 404


def test_a_bad_search_is_still_a_400(client):
    client.get("/services/")
    assert client.get("/services/?category=nope").status_code == 400
    assert client.get("/services/?category=nope").status_code == 400


@override_settings(
    CACHES={
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens there
        }
    }
)
def test_the_pages_work_while_the_cache_server_is_down(client):
    with caching._local.lock:
        caching._local.entries.clear()
    pages = _pages(client)
    assert NAME in pages[GUIDE]


REDIS_CACHE_URL = os.environ.get(
    "HUAGANG_TEST_REDIS_CACHE_URL", "redis://127.0.0.1:6379/12"
)


@pytest.fixture
def redis_cache():
    redis = pytest.importorskip("redis")
    try:
        redis.Redis.from_url(REDIS_CACHE_URL, socket_connect_timeout=1).ping()
    except redis.exceptions.ConnectionError:
        pytest.skip(f"needs Redis at {REDIS_CACHE_URL} (bash .ci/run starts one)")
    prefix = f"test-{os.getpid()}"
    with override_settings(
        CACHES={
            "default": {
                "BACKEND": "django.core.cache.backends.redis.RedisCache",
                "LOCATION": REDIS_CACHE_URL,
                "KEY_PREFIX": prefix,
            }
        }
    ):
        yield
        cache.clear()


def test_with_redis_a_change_shows_on_the_next_pages(client, redis_cache):
    _pages(client)
    ServiceItem.objects.filter(code=CODE).update(name="社会保障卡注销（Redis）")
    for url, html in _pages(client).items():
        assert "社会保障卡注销（Redis）" in html, url


# --- the benchmark's reference view ---------------------------------------------------


def test_the_benchmark_reference_view_is_not_mounted_normally(client):
    assert client.get("/benchmark/reference/").status_code == 404


def test_the_benchmark_settings_mount_the_reference_view(client, submit):
    submitted = submit()
    import huagang.urls

    try:
        with override_settings(HUAGANG_BENCHMARK=True):
            importlib.reload(huagang.urls)
            clear_url_caches()
            response = client.get("/benchmark/reference/")
    finally:
        importlib.reload(huagang.urls)
        clear_url_caches()
    assert response.status_code == 200
    rows = response.json()["results"]
    assert rows[0]["tracking_number"] == submitted.tracking_number
    assert client.get("/benchmark/reference/").status_code == 404
