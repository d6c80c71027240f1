"""The API benchmark's reference views (huagang/benchmark.py, benchmarks/api.py):
mounted only by the benchmark settings, and reading what their endpoints read."""

import importlib

import pytest
from django.test import override_settings
from django.urls import clear_url_caches

PATHS = [
    "/benchmark/api/requests/",
    "/benchmark/api/services/HG-SB-001/",
]


@pytest.fixture
def mounted():
    """The reference views mounted, as huagang.settings.benchmark does."""
    import huagang.urls

    with override_settings(HUAGANG_BENCHMARK=True):
        importlib.reload(huagang.urls)
        clear_url_caches()
        yield
    importlib.reload(huagang.urls)
    clear_url_caches()


@pytest.mark.parametrize("path", PATHS)
def test_not_mounted_normally(client, db, path):
    assert client.get(path).status_code == 404
    assert client.post("/benchmark/api/lookup/").status_code == 404


def test_requests_newest_first_filtered(
    client, submit, village, other_village, mounted
):
    first, second = submit(), submit()
    elsewhere = submit(village=other_village)
    rows = client.get("/benchmark/api/requests/").json()["results"]
    assert [r["tracking_number"] for r in rows[:3]] == [
        elsewhere.tracking_number,
        second.tracking_number,
        first.tracking_number,
    ]
    filtered = client.get(
        "/benchmark/api/requests/", {"village": village.pk, "status": "submitted"}
    ).json()["results"]
    assert [r["tracking_number"] for r in filtered] == [
        second.tracking_number,
        first.tracking_number,
    ]
    assert not client.get(
        "/benchmark/api/requests/", {"village": village.pk, "status": "completed"}
    ).json()["results"]


def test_lookup(client, submit, mounted):
    found = submit()
    answer = client.post(
        "/benchmark/api/lookup/",
        {"tracking_number": found.tracking_number, "phone_last4": "0123"},
        content_type="application/json",
    )
    assert answer.status_code == 200
    assert answer.json()["tracking_number"] == found.tracking_number
    wrong = client.post(
        "/benchmark/api/lookup/",
        {"tracking_number": found.tracking_number, "phone_last4": "9999"},
        content_type="application/json",
    )
    assert wrong.status_code == 404


def test_service_with_its_materials(client, db, mounted):
    from services.models import ServiceItem

    item = ServiceItem.objects.filter(materials__isnull=False).first()
    answer = client.get(f"/benchmark/api/services/{item.code}/").json()
    assert answer["code"] == item.code
    assert answer["body__name"] == item.body.name
    assert [m["name"] for m in answer["materials"]] == list(
        item.materials.order_by("order", "id").values_list("name", flat=True)
    )
    assert client.get("/benchmark/api/services/XX-NONE-1/").status_code == 404
