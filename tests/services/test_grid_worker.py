"""The grid worker (网格员): enters a household's request through the workbench's one
entry flow (channel 网格员代办, recording the grid), sees the requests of their grids
and no other (pages and API), takes no status step; officials see the figures per
grid, in a constant number of queries."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.test import APIClient

from huagang.exceptions import InvalidInput
from huagang.privacy import NOTICE_VERSION
from services import access, actions
from services.models import Channel, ServiceRequest, Status
from services.selectors.grids import requests_by_grid
from services.statistics import Period
from tests.factories import UserFactory
from tests.services.test_apply import read_form
from villages.choices import Role
from villages.models import Grid

pytestmark = pytest.mark.django_db

HUAGANG = "340123106001"
LIST = "/api/v1/requests/"


@pytest.fixture
def grids(village, other_village):
    """The demo grids data/grids.yaml gives 花岗社区 (1, 2) and 粉坊村 (1)."""
    return {
        "a1": Grid.objects.get(village=village, number=1),
        "a2": Grid.objects.get(village=village, number=2),
        "b1": Grid.objects.get(village=other_village, number=1),
    }


@pytest.fixture
def grid_worker(grids):
    worker = UserFactory(role=Role.GRID_WORKER, name="网格员甲")
    grids["a1"].worker = worker
    grids["a1"].save(update_fields=["worker"])
    return worker


@pytest.fixture
def other_grid_worker(grids):
    worker = UserFactory(role=Role.GRID_WORKER, name="网格员乙")
    grids["a2"].worker = worker
    grids["a2"].save(update_fields=["worker"])
    return worker


def _enter(worker, item, in_grid, **changes):
    values = {
        "item": item,
        "village": in_grid.village,
        "mode": "agency",
        "channel": Channel.GRID,
        "applicant_name": "李大爷",
        "applicant_phone": "13955550199",
        "applicant_id_number": "11010519491231002X",
        "entered_by": worker,
        "consent_version": NOTICE_VERSION,
        "grid": in_grid,
        **changes,
    }
    return actions.service_request_enter(**values)


@pytest.fixture
def cases(items, grids, grid_worker, other_grid_worker, other_village, submit):
    """One case in each of grids a1 and a2 (entered by their workers), one of
    village B's grid b1 (its grid recorded in the admin), one with no grid."""
    b1 = submit("agency", village=other_village)
    ServiceRequest.objects.filter(pk=b1.pk).update(grid=grids["b1"])
    return {
        "a1": _enter(grid_worker, items["agency"], grids["a1"]),
        "a2": _enter(other_grid_worker, items["agency"], grids["a2"]),
        "b1": ServiceRequest.objects.get(pk=b1.pk),
        "none": submit("agency"),
    }


# --- entering a household's request ---------------------------------------------------


def test_a_grid_worker_enters_a_request_on_the_page_for_their_grid(
    client, items, grids, grid_worker
):
    item = items["agency"]
    client.force_login(grid_worker)
    url = reverse("staff:entry_item", kwargs={"code": item.code})
    page = client.get(url)
    assert page.status_code == 200
    text = page.content.decode()
    assert "网格员代办" in text
    form = read_form(page)
    # their one grid is preset; the channel is fixed (hidden), the village too
    assert form.fields["channel"][0]["type"] == "hidden"
    assert form.fields["channel"][0]["value"] == Channel.GRID
    assert "village" not in form.options
    data = {
        name: attrs[0].get("value", "")
        for name, attrs in form.fields.items()
        if attrs[0].get("type") == "hidden" and name not in ("csrfmiddlewaretoken",)
    }
    data.update(
        applicant_name="李大爷",
        applicant_phone="13955550199",
        applicant_id_number="11010519491231002X",
        applicant_address="花岗社区二组",
        mode="agency",
        consent="on",
        grid=str(grids["a1"].pk),
    )
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    case = ServiceRequest.objects.get(entered_by=grid_worker)
    assert response["Location"] == reverse("staff:receipt", args=[case.tracking_number])
    assert case.grid == grids["a1"]
    assert case.village == grids["a1"].village
    assert case.channel == Channel.GRID
    # the village clerk accepts it: a grid worker takes no status step
    assert case.status == Status.SUBMITTED
    assert client.get(response["Location"]).status_code == 200
    queue = client.get(reverse("staff:queue")).content.decode()
    assert case.tracking_number in queue


def test_a_grid_worker_cannot_enter_for_a_grid_they_do_not_serve(
    client, items, grids, grid_worker
):
    item = items["agency"]
    client.force_login(grid_worker)
    url = reverse("staff:entry_item", kwargs={"code": item.code})
    form = read_form(client.get(url))
    data = {
        name: attrs[0].get("value", "")
        for name, attrs in form.fields.items()
        if attrs[0].get("type") == "hidden" and name not in ("csrfmiddlewaretoken",)
    }
    data.update(
        applicant_name="李大爷",
        applicant_phone="13955550199",
        applicant_id_number="11010519491231002X",
        mode="agency",
        consent="on",
        grid=str(grids["a2"].pk),
    )
    response = client.post(url, data)
    assert response.status_code == 400
    assert not ServiceRequest.objects.filter(entered_by=grid_worker).exists()


def test_the_entry_action_checks_grid_channel_and_village(
    items, grids, grid_worker, village_clerk
):
    item = items["agency"]
    with pytest.raises(InvalidInput) as refused:
        _enter(grid_worker, item, grids["a2"])  # not theirs
    assert "grid" in refused.value.errors
    with pytest.raises(InvalidInput) as refused:
        _enter(grid_worker, item, grids["a1"], grid=None)
    assert "grid" in refused.value.errors
    with pytest.raises(InvalidInput) as refused:
        _enter(grid_worker, item, grids["a1"], channel=Channel.WINDOW)
    assert "channel" in refused.value.errors
    with pytest.raises(InvalidInput) as refused:  # a clerk neither records a grid
        _enter(village_clerk, item, grids["a1"], channel=Channel.WINDOW)
    assert "grid" in refused.value.errors
    with pytest.raises(InvalidInput) as refused:  # nor enters as 网格员代办
        _enter(village_clerk, item, grids["a1"], grid=None)
    assert "channel" in refused.value.errors
    assert not ServiceRequest.objects.exists()
    # a clerk's entry as before: no grid, accepted at once
    entered = _enter(village_clerk, item, grids["a1"], grid=None, channel="window")
    assert entered.grid is None and entered.status == Status.ACCEPTED


def test_a_grid_worker_serving_two_villages_chooses_the_village_and_grid(
    client, items, grids, grid_worker
):
    grids["b1"].worker = grid_worker
    grids["b1"].save(update_fields=["worker"])
    client.force_login(grid_worker)
    page = client.get(
        reverse("staff:entry_item", kwargs={"code": items["agency"].code})
    )
    form = read_form(page)
    assert set(form.options["village"]) - {""} == {HUAGANG, grids["b1"].village.code}
    assert set(form.options["grid"]) - {""} == {
        str(grids["a1"].pk),
        str(grids["b1"].pk),
    }
    with pytest.raises(InvalidInput) as refused:
        _enter(grid_worker, items["agency"], grids["b1"], village=grids["a1"].village)
    assert refused.value.errors["grid"] == ["该网格不属于所选村(社区)。"]


# --- what a grid worker sees ----------------------------------------------------------


def test_a_grid_worker_sees_their_grids_requests_and_no_other(
    client, cases, grid_worker
):
    client.force_login(grid_worker)
    queue = client.get(reverse("staff:queue")).content.decode()
    assert cases["a1"].tracking_number in queue
    for other in ("a2", "b1", "none"):
        assert cases[other].tracking_number not in queue
        page = client.get(reverse("staff:case", args=[cases[other].tracking_number]))
        assert page.status_code == 404
    page = client.get(reverse("staff:case", args=[cases["a1"].tracking_number]))
    assert page.status_code == 200
    text = page.content.decode()
    assert "网格员代办" in text and cases["a1"].grid.name in text
    # a note, but no step: the village clerk accepts
    assert access.next_steps(grid_worker, cases["a1"]) == []
    step = client.post(
        reverse("staff:step", args=[cases["a1"].tracking_number, "accept"]),
        {"accept-version": cases["a1"].version},
    )
    assert step.status_code == 403
    assert ServiceRequest.objects.get(pk=cases["a1"].pk).status == Status.SUBMITTED
    assert client.get(reverse("dashboard:index")).status_code == 403


def test_the_api_shows_a_grid_worker_their_grids_requests_only(cases, grid_worker):
    api = APIClient()
    api.force_login(grid_worker)
    listed = api.get(LIST)
    assert listed.status_code == 200
    numbers = [row["tracking_number"] for row in listed.json()["results"]]
    assert numbers == [cases["a1"].tracking_number]
    assert api.get(f"{LIST}{cases['a1'].tracking_number}/").status_code == 200
    for other in ("a2", "b1", "none"):
        found = api.get(f"{LIST}{cases[other].tracking_number}/")
        assert found.status_code == 404


def test_the_village_clerk_accepts_what_the_grid_worker_entered(
    cases, village_clerk, grid_worker
):
    case = cases["a1"]
    assert access.can_view_request(village_clerk, case)
    accepted = actions.service_request_accept(service_request=case, by=village_clerk)
    assert accepted.status == Status.ACCEPTED
    assert access.can_view_request(grid_worker, accepted)  # still followed


# --- the officials' figures per grid ----------------------------------------------------


def _period() -> Period:
    return Period(dt.date(2026, 3, 1), dt.date(2026, 3, 31))


def _rated_in(grid, level, *, submit, clerk, resident):
    """An instant case of `grid`, done and rated `level` by its applicant."""
    case = submit("instant")
    ServiceRequest.objects.filter(pk=case.pk).update(grid=grid)
    case.refresh_from_db()
    done = actions.service_request_complete(service_request=case, by=clerk, result="好")
    actions.rating_submit(service_request=done, by=resident, level=level)
    return done


def test_the_figures_per_grid_count_requests_overdue_cases_and_ratings(
    cases, official, village_clerk, other_village_clerk, resident, grids, submit
):
    a1 = actions.service_request_accept(service_request=cases["a1"], by=village_clerk)
    ServiceRequest.objects.filter(pk=a1.pk).update(due_date=dt.date(2026, 3, 1))
    for level in (5, 1):
        _rated_in(
            grids["a2"], level, submit=submit, clerk=village_clerk, resident=resident
        )
    today = dt.date(2026, 3, 10)
    figure = requests_by_grid(user=official, period=_period(), today=today)
    rows = {row[0]: row for row in figure.rows}

    def row(key):
        return rows[f"{grids[key].village.name} {grids[key].name}"]

    # received, open now, overdue now, ratings, satisfied (%)
    assert row("a1")[1:] == [1, 1, 1, 0, None]
    assert row("a2")[1:] == [3, 1, 0, 2, 50.0]
    assert row("b1")[1:] == [1, 1, 0, 0, None]
    assert figure.total[1:] == [5, 3, 1, 2, 50.0]  # the case with no grid: no row
    assert len(figure.rows) == Grid.objects.count()
    # nothing submitted in another period; open and overdue are as they are now
    before = Period(dt.date(2026, 2, 1), dt.date(2026, 2, 28))
    assert requests_by_grid(user=official, period=before, today=today).total[1:] == [
        0,
        3,
        1,
        0,
        None,
    ]
    # a village clerk's table: their village's grids only
    mine = requests_by_grid(user=other_village_clerk, period=_period(), today=today)
    assert {r[0].split()[0] for r in mine.rows} == {grids["b1"].village.name}
    assert mine.total[1] == 1


def _figure_queries(user) -> int:
    with CaptureQueriesContext(connection) as captured:
        requests_by_grid(user=user, period=_period(), today=dt.date(2026, 3, 10))
    return len(captured)


def test_the_figures_per_grid_take_two_queries_whatever_their_number(
    official, items, grids, submit, village_clerk, resident
):
    assert _figure_queries(official) == 2
    for n in range(6):
        grid = Grid.objects.create(
            village=grids["a1"].village, number=50 + n, name=f"新网格{n}"
        )
        _rated_in(grid, 4, submit=submit, clerk=village_clerk, resident=resident)
    assert _figure_queries(official) == 2


def test_the_dashboard_shows_officials_the_table_and_exports_it(
    client, official, cases
):
    client.force_login(official)
    page = client.get(reverse("dashboard:index")).content.decode()
    assert 'id="fig-by-grid"' in page
    export = client.get(
        reverse("dashboard:export", args=["by-grid", "csv"]),
        {"from": "2026-03-01", "to": "2026-03-31"},
    )
    assert export.status_code == 200
    text = export.content.decode("utf-8-sig")
    assert "花岗社区 第一网格" in text


def test_a_grid_worker_cannot_enter_without_a_grid_through_the_api(
    grid_worker, items, village
):
    """Another door (an API key acting as the grid worker) cannot make a request of
    no grid, which its grid worker could not then see."""
    from villages.actions import api_token_create

    _token, key = api_token_create(name="网格通", account=grid_worker, by=None)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    response = api.post(
        LIST,
        {
            "item": items["agency"].code,
            "village": village.code,
            "mode": "agency",
            "applicant_name": "李大爷",
            "applicant_phone": "13955550199",
            "applicant_id_number": "11010519491231002X",
            "privacy_notice": NOTICE_VERSION,
        },
        format="json",
    )
    assert response.status_code == 400, response.json()
    assert "grid" in response.json()["errors"]
    assert not ServiceRequest.objects.exists()
