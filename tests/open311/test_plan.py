"""The list of requests is read along the newest-first index within its window, on
PostgreSQL: no sort of the window's rows, whatever the table holds (at a million
requests the 90 days are ~65,000 rows; the first 1,000 are read in order and the
scan stops). Measured figures: docs/open311.md."""

import datetime as dt
import json

import pytest
from django.db import connection
from django.utils import timezone

from services.models import ServiceRequest
from services.selectors.open311 import RequestQuery, open311_request_rows

pytestmark = [pytest.mark.postgres_only, pytest.mark.django_db]


@pytest.fixture(autouse=True)
def postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("query plans are PostgreSQL's; set DATABASE_URL")


def _nodes(plan: dict):
    yield plan
    for child in plan.get("Plans", []):
        yield from _nodes(child)


def _plan(query: RequestQuery) -> list[dict]:
    sql, params = open311_request_rows(query=query).query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE services_servicerequest")
        # A test table is tiny, and PostgreSQL rightly reads and sorts a tiny table
        # whole: forbidding both shows whether an index serves the window in order.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_sort = off")
        cursor.execute("EXPLAIN (FORMAT JSON) " + sql, params)
        (document,) = cursor.fetchone()
    plan = document if isinstance(document, list) else json.loads(document)
    return list(_nodes(plan[0]["Plan"]))


def test_the_window_is_read_in_order_from_the_newest_first_index(submit):
    for _n in range(30):
        submit("agency")
    now = timezone.now()
    nodes = _plan(RequestQuery(since=now - dt.timedelta(days=90), until=now))
    assert ServiceRequest.objects.count() == 30
    scans = [n for n in nodes if n.get("Relation Name") == "services_servicerequest"]
    assert [n.get("Index Name") for n in scans] == ["request_newest_first"]
    assert scans[0]["Node Type"] == "Index Scan"
    assert "submitted_at" in scans[0]["Index Cond"]
    assert not [n for n in nodes if n["Node Type"] in {"Sort", "Incremental Sort"}]
