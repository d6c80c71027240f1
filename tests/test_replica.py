"""The read replica (huagang/replica.py): the dashboard's and the exports' reads go to
it when one is configured; every write, and every other read, to the primary."""

import pytest
from django.urls import reverse

from huagang import replica
from services.models import ServiceRequest
from villages.models import User


@pytest.fixture
def with_replica(monkeypatch):
    monkeypatch.setattr(replica, "has_replica", lambda: True)


def test_reads_go_to_the_replica_only_inside_replica_reads(with_replica):
    router = replica.ReplicaRouter()
    assert router.db_for_read(ServiceRequest) is None
    with replica.replica_reads():
        assert router.db_for_read(ServiceRequest) == "replica"
        assert router.db_for_write(ServiceRequest) is None  # writes: the primary
    assert router.db_for_read(ServiceRequest) is None
    assert replica.replica_alias() == "replica"


def test_without_a_replica_everything_reads_the_primary():
    router = replica.ReplicaRouter()
    with replica.replica_reads():
        assert router.db_for_read(ServiceRequest) is None
    assert replica.replica_alias() == "default"


def test_the_replica_is_never_migrated():
    router = replica.ReplicaRouter()
    assert router.allow_migrate("replica", "services") is False
    assert router.allow_migrate("default", "services") is True


def test_a_replica_comes_from_database_replica_url():
    from tests.test_settings import GOOD, run_python

    result = run_python(
        "-c",
        "import importlib; m = importlib.import_module('huagang.settings.production');"
        " r = m.DATABASES['replica']; print(r['HOST'], r['NAME'], r['CONN_MAX_AGE'],"
        " m.DATABASE_ROUTERS)",
        **GOOD,
        DATABASE_REPLICA_URL="postgres://reader@replica.example.org:5432/portal",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[:3] == ["replica.example.org", "portal", "60"]
    assert "huagang.replica.ReplicaRouter" in result.stdout


@pytest.mark.django_db
def test_the_dashboard_reads_on_the_replica_and_the_user_on_the_primary(
    official_client, monkeypatch
):
    """Inside the view the figures are read under replica_reads; the signed-in user,
    read by the permission check before it, is not."""
    seen: list[tuple[str, bool]] = []
    original = replica.ReplicaRouter.db_for_read

    def spy(self, model, **hints):
        seen.append((model.__name__, replica._reading.get()))
        return original(self, model, **hints)

    monkeypatch.setattr(replica.ReplicaRouter, "db_for_read", spy)
    response = official_client.get(reverse("dashboard:index"))
    assert response.status_code == 200
    assert any(reading for _model, reading in seen)
    assert (User.__name__, False) in seen
