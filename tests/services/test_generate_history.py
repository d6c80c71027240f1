"""generate_history: a made-up history that keeps the portal's own rules."""

import datetime as dt
import itertools
import re
from collections import Counter, defaultdict
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection

from services import workflow
from services.history import load, shape
from services.models import (
    AgencyTrip,
    FollowUp,
    HomeVisit,
    Rating,
    RequestEvent,
    ServiceRequest,
    TripCheck,
)
from villages.validators import normalize_id_number, validate_mobile

END = dt.date(2025, 6, 30)  # inside the years chinese-calendar knows


def generate(requests=400, seed=3, clear=False) -> str:
    out = StringIO()
    call_command(
        "generate_history",
        requests=requests,
        seed=seed,
        years=2,
        end_date=END,
        clear=clear,
        stdout=out,
    )
    return out.getvalue()


def snapshot() -> list[tuple]:
    """What a history is, without its ids."""
    return list(
        ServiceRequest.objects.order_by("tracking_number").values_list(
            "tracking_number",
            "item__code",
            "village__code",
            "mode",
            "channel",
            "status",
            "applicant_phone",
            "submitted_at",
            "due_date",
            "completed_at",
        )
    )


def check_history(count: int) -> None:
    """Everything a generated history must satisfy, on any database."""
    requests = list(ServiceRequest.objects.select_related("item"))
    assert len(requests) == count
    numbers = [r.tracking_number for r in requests]
    assert len(set(numbers)) == count
    events = defaultdict(list)
    for event in RequestEvent.objects.order_by("created_at", "pk"):
        events[event.request_id].append(event)
    on_trips = set(
        AgencyTrip.requests.through.objects.values_list("servicerequest_id", flat=True)
    )
    checked = set(TripCheck.objects.values_list("request_id", flat=True))
    through = AgencyTrip.carried_out.through.objects
    assert set(through.values_list("agencytrip_id", "servicerequest_id")) == set(
        TripCheck.objects.filter(leg="out").values_list("trip_id", "request_id")
    )
    through = AgencyTrip.carried_back.through.objects
    assert set(through.values_list("agencytrip_id", "servicerequest_id")) == set(
        TripCheck.objects.filter(leg="back").values_list("trip_id", "request_id")
    )
    visited = set(HomeVisit.objects.values_list("request_id", flat=True))
    for request in requests:
        _check_request(request, events[request.pk])
        assert request.pk not in on_trips or request.mode == "agency"
        assert request.pk not in checked or request.pk in on_trips
        assert request.pk not in visited or request.mode == "home"
        if request.mode == "agency" and request.status in (
            "sent_to_town",
            "returned_to_village",
        ):
            assert request.pk in checked
    for rating in Rating.objects.select_related("request"):
        assert rating.request.status == "completed"
        assert rating.created_at > rating.request.completed_at
    assert set(FollowUp.objects.values_list("rating__level", flat=True)) <= {1, 2}
    assert Rating.objects.filter(level__lte=2).count() == FollowUp.objects.count()


def _check_request(request: ServiceRequest, events: list[RequestEvent]) -> None:
    item = request.item
    assert getattr(item, f"allows_{request.mode}"), (item.code, request.mode)
    local_day = request.submitted_at.astimezone(dt.timezone(dt.timedelta(hours=8)))
    assert re.fullmatch(rf"HG{local_day:%y%m%d}\d{{6}}", request.tracking_number)
    validate_mobile(request.applicant_phone)
    assert request.applicant_phone.startswith(shape.PHONE_PREFIX)
    assert "演示" in request.applicant_name
    if request.applicant_id_number:
        assert normalize_id_number(request.applicant_id_number)
    assert request.description == shape.DEMO_NOTE
    # the timeline: submitted first, each change allowed, the last one the status
    changes = [e for e in events if e.kind == "status"]
    assert changes[0].from_status == "" and changes[0].to_status == "submitted"
    for before, after in itertools.pairwise(changes):
        assert after.from_status == before.to_status
        assert workflow.transition(request.mode, after.from_status, after.to_status)
    assert changes[-1].to_status == request.status
    decisions = [e for e in events if e.kind == "decision"]
    assert request.version == len(changes) + len(decisions)
    assert bool(decisions) == bool(request.town_decided_at)
    assert all(e.created_at <= request.updated_at or e.kind != "status" for e in events)
    if request.status == "completed":
        assert request.completed_at and request.accepted_at
        assert request.due_state == ""
    if request.status in workflow.CLOCK_RUNNING:
        assert request.due_date and request.clock_started_on
        assert request.due_state in ("on_time", "due_soon", "overdue")
    if request.status == "supplement":
        assert request.due_date is None and request.paused_days_left is not None
    if request.status != "submitted" and request.mode != "instant":
        assert request.accepted_at or request.status in ("rejected", "withdrawn")


@pytest.mark.django_db
def test_a_history_keeps_the_rules_of_the_workflow():
    out = generate(400)
    assert "400 requests" in out
    check_history(400)
    statuses = Counter(ServiceRequest.objects.values_list("status", flat=True))
    assert statuses["completed"] > 0.8 * 400
    assert statuses["rejected"] and statuses["withdrawn"]
    assert ServiceRequest.objects.filter(due_state="overdue").exists()
    modes = Counter(ServiceRequest.objects.values_list("mode", flat=True))
    assert set(modes) == {"instant", "agency", "home"}
    assert AgencyTrip.objects.exists() and TripCheck.objects.exists()
    assert HomeVisit.objects.exists() and Rating.objects.exists()


@pytest.mark.django_db
def test_most_completed_cases_are_on_time_and_the_common_items_lead():
    generate(600)
    completed = ServiceRequest.objects.filter(
        status="completed", due_date__isnull=False
    )
    on_time = sum(
        r.completed_at.astimezone(dt.timezone(dt.timedelta(hours=8))).date()
        <= r.due_date
        for r in completed
    )
    assert on_time > 0.8 * completed.count()
    top = Counter(
        ServiceRequest.objects.values_list("item__code", flat=True)
    ).most_common(3)
    assert {code for code, _n in top} <= set(shape.COMMON_ITEMS)


@pytest.mark.django_db
def test_the_same_seed_gives_the_same_history_and_clear_removes_only_it(submit):
    mine = submit("agency")
    generate(150, seed=5)
    first = snapshot()
    generate(0, seed=5, clear=True)
    assert list(ServiceRequest.objects.values_list("pk", flat=True)) == [mine.pk]
    assert not AgencyTrip.objects.filter(note=shape.DEMO_TRIP_NOTE).exists()
    generate(150, seed=5)
    assert snapshot() == first
    generate(0, clear=True)
    generate(150, seed=6)
    assert snapshot() != first


@pytest.mark.django_db
def test_every_column_of_the_tables_gets_a_value():
    load.check_columns()


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_copy_into_postgresql_with_the_indexes_rebuilt(monkeypatch):
    if connection.vendor != "postgresql":
        pytest.skip("COPY needs PostgreSQL; set DATABASE_URL")
    # rebuilt from PostgreSQL's own definition: the same index, though a predicate
    # may come back spelled with other casts
    names = "SELECT tablename, indexname FROM pg_indexes ORDER BY 1, 2"
    with connection.cursor() as cursor:
        cursor.execute(names)
        indexes = cursor.fetchall()
    monkeypatch.setattr(load, "REBUILD_FROM", 1)
    out = generate(300)
    check_history(300)
    copied = re.search(r"event\s+([\d,]+)", out).group(1)
    assert int(copied.replace(",", "")) == RequestEvent.objects.count()
    with connection.cursor() as cursor:
        cursor.execute(names)
        assert cursor.fetchall() == indexes
    # the sequences were moved past the copied ids
    request = ServiceRequest.objects.order_by("pk").last()
    request.pk = None
    request.tracking_number = "HG000000000000"
    request.save()
    assert request.pk > 300
