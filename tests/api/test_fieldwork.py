"""/api/v1/trips/ and /api/v1/visits/: 定时代办 trips and 上门特办 visits for staff,
through the workbench's actions; their lists cost the same at 1 row or 20."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from services import actions
from services.models import AgencyTrip, HomeVisit, RequestEvent, TripCheck
from tests.api.answers import client_of, ok, refused

pytestmark = pytest.mark.django_db

API = "/api/v1/"


def snapshot() -> tuple:
    return (
        list(
            AgencyTrip.objects.order_by("pk").values_list(
                "pk",
                "handed_over_at",
                "returned_at",
                "documents_out",
                "documents_back",
                "arrival_checked_at",
                "return_checked_at",
            )
        ),
        AgencyTrip.requests.through.objects.count(),
        TripCheck.objects.count(),
        RequestEvent.objects.count(),
        list(HomeVisit.objects.order_by("pk").values_list("pk", "outcome")),
    )


@pytest.fixture
def accepted(submit, village_clerk, commit):
    def make(kind: str = "agency"):
        case = submit(kind)
        with commit():
            return actions.service_request_accept(
                service_request=case, by=village_clerk
            )

    return make


@pytest.fixture
def planned_trip(accepted, village, village_clerk):
    """Today's trip of 花岗社区 with one accepted case on it."""
    case = accepted()
    trip = actions.agency_trip_plan(village=village, by=village_clerk)
    actions.agency_trip_add(trip=trip, service_requests=[case], by=village_clerk)
    return trip, case


@pytest.fixture
def trip_at_town(planned_trip, village_clerk, commit):
    trip, case = planned_trip
    with commit():
        actions.agency_trip_hand_over(trip=trip, by=village_clerk, documents=1)
    case.refresh_from_db()
    return trip, case


def trip_url(trip, rest: str = "") -> str:
    return f"{API}trips/{trip.pk}/{rest}"


# --- the list and the detail ------------------------------------------------------------


def test_the_trips_each_may_see(
    planned_trip, village_clerk, other_village_clerk, town_clerk, official, resident
):
    trip, _case = planned_trip
    mine = ok(client_of(village_clerk).get(f"{API}trips/"))
    assert [t["id"] for t in mine["results"]] == [trip.pk]
    assert mine["results"][0]["village"]["code"] == "340123106001"
    assert ok(client_of(other_village_clerk).get(f"{API}trips/"))["results"] == []
    # a town clerk sees a trip once it carries a case of their bodies: this one does
    assert [t["id"] for t in ok(client_of(town_clerk).get(f"{API}trips/"))["results"]]
    assert ok(client_of(official).get(f"{API}trips/"))["results"]
    refused(client_of(resident).get(f"{API}trips/"), 403, "not_permitted")
    refused(APIClient().get(f"{API}trips/"), 401, "not_authenticated")


def test_the_trips_filters(trip_at_town, village, village_clerk, town_clerk, official):
    trip, _case = trip_at_town
    later = actions.agency_trip_plan(
        village=village, by=village_clerk, trip_date=dt.date(2026, 3, 13)
    )
    api = client_of(official)

    def ids(query: str) -> list[int]:
        return [t["id"] for t in ok(api.get(f"{API}trips/?{query}"))["results"]]

    assert ids("") == [later.pk, trip.pk]  # newest first
    assert ids("handed_over=true") == [trip.pk]
    assert ids("handed_over=false") == [later.pk]
    assert ids("returned=true") == []
    assert ids("trip_date_after=2026-03-11") == [later.pk]
    assert ids("trip_date_before=2026-03-10") == [trip.pk]
    assert ids("village=340123106202") == []
    assert ids("village=340123106001") == [later.pk, trip.pk]
    assert ids("task=fill") == [later.pk, trip.pk]
    assert ids("task=check_in_out") == [trip.pk]
    assert ids("task=check_in_back") == []
    town = client_of(town_clerk)
    assert [t["id"] for t in ok(town.get(f"{API}trips/?task=fill"))["results"]] == []
    got = ok(town.get(f"{API}trips/?task=check_in_out"))["results"]
    assert [t["id"] for t in got] == [trip.pk]
    assert got[0]["cases_out"] == 1


@pytest.mark.parametrize(
    "query",
    [
        "task=drive",
        "handed_over=perhaps",
        "trip_date_after=tomorrow",
        "trip_date_before=2026-13-01",
        "village=" + "9" * 13,
        "returned=2",
    ],
)
def test_bad_trip_filters_are_a_400(official, query):
    response = client_of(official).get(f"{API}trips/?{query}")
    assert response.status_code in (400, 404), response.content[:300]
    assert response.json()["code"] in ("invalid_input", "not_found")


def test_absurd_dates_are_no_error(official, planned_trip):
    api = client_of(official)
    for query in ("trip_date_after=0001-01-01", "trip_date_before=9999-12-31"):
        assert ok(api.get(f"{API}trips/?{query}"))["results"]


def test_a_trip_in_detail_says_what_the_caller_may_do(
    trip_at_town, village_clerk, town_clerk, other_village_clerk
):
    trip, case = trip_at_town
    clerk = ok(client_of(village_clerk).get(trip_url(trip)))
    assert clerk["out"]["listed"] == 1
    assert clerk["out"]["waiting"][0]["tracking_number"] == case.tracking_number
    assert clerk["planned"] == []
    assert clerk["may"] == {
        "add_cases": False,
        "remove_cases": False,
        "hand_over": False,
        "send_back": False,
        "check_in_out": False,
        "check_in_back": False,
    }
    town = ok(client_of(town_clerk).get(trip_url(trip)))
    assert town["may"]["check_in_out"] is True
    assert town["may"]["send_back"] is True
    refused(client_of(other_village_clerk).get(trip_url(trip)), 404, "not_found")
    refused(client_of(town_clerk).get(f"{API}trips/{2**63}/"), 404, "not_found")


def test_a_case_off_the_list_is_named_only_to_who_may_see_it(
    trip_at_town, submit, other_village, village_clerk, town_clerk, official
):
    """A town clerk checks in a number the trip does not list: recorded, flagged; its
    item and village are shown to who may see that case."""
    from tests.factories import UserFactory

    trip, _case = trip_at_town
    stray = submit("agency", village=other_village)
    checked = ok(
        client_of(official).post(
            trip_url(trip, "check-in/"),
            {"leg": "out", "number": stray.tracking_number},
            format="json",
        )
    )
    assert checked["result"] == "not_on_list"
    seen = ok(client_of(official).get(trip_url(trip)))["out"]["off_list"]
    assert seen[0]["village"] == other_village.code
    assert seen[0]["item"]
    town = ok(client_of(town_clerk).get(trip_url(trip)))["out"]["off_list"]
    assert town[0]["item"] == stray.item.name  # of a body the clerk serves
    # a clerk of village A sees A's trip, not village B's case on it: its number only
    clerk = ok(client_of(village_clerk).get(trip_url(trip)))["out"]["off_list"]
    assert clerk[0] == {**clerk[0], "item": None, "village": None}
    assert clerk[0]["tracking_number"] == stray.tracking_number
    other_body = UserFactory(role="town_clerk")  # serves no body: sees no trip
    refused(client_of(other_body).get(trip_url(trip)), 404, "not_found")


# --- putting cases on, taking them off, the hand-over ----------------------------------


def test_cases_go_on_a_trip_once(planned_trip, accepted, village_clerk):
    trip, first = planned_trip
    second = accepted()
    api = client_of(village_clerk)
    body = ok(
        api.post(
            trip_url(trip, "cases/"),
            {"cases": [second.tracking_number, first.tracking_number.lower()]},
            format="json",
        )
    )
    assert {c["tracking_number"] for c in body["planned"]} == {
        first.tracking_number,
        second.tracking_number,
    }
    events = RequestEvent.objects.count()
    # form-encoded too (a list is the key repeated)
    ok(api.post(trip_url(trip, "cases/"), {"cases": [second.tracking_number]}))
    assert RequestEvent.objects.count() == events  # already on it: nothing again
    removed = ok(api.delete(trip_url(trip, f"cases/{second.tracking_number}/")))
    assert [c["tracking_number"] for c in removed["planned"]] == [first.tracking_number]
    refused(
        api.delete(trip_url(trip, f"cases/{second.tracking_number}/")), 404, "not_found"
    )


@pytest.mark.parametrize(
    "cases",
    [
        None,
        [],
        "HG260310000001",
        [["HG"]],
        ["HG000000000000"],
        ["x" * 21],
        ["HG260310000001"] * 201,
        "the other village's",
        "an instant case",
        "a submitted case",
    ],
)
def test_bad_cases_for_a_trip_are_a_400_and_change_nothing(
    planned_trip, submit, accepted, other_village, village_clerk, cases
):
    trip, _case = planned_trip
    if cases == "the other village's":
        cases = [submit("agency", village=other_village).tracking_number]
    elif cases == "an instant case":
        cases = [accepted("instant").tracking_number]
    elif cases == "a submitted case":
        cases = [submit("agency").tracking_number]
    before = snapshot()
    data = {} if cases is None else {"cases": cases}
    body = refused(
        client_of(village_clerk).post(trip_url(trip, "cases/"), data, format="json"),
        400,
        "invalid_input",
    )
    assert {name.split(".")[0] for name in body["errors"]} == {"cases"}
    assert snapshot() == before


def test_after_the_hand_over_cases_stay_on_the_trip(
    trip_at_town, accepted, village_clerk
):
    trip, case = trip_at_town
    api = client_of(village_clerk)
    another = accepted()
    before = snapshot()
    refused(
        api.delete(trip_url(trip, f"cases/{case.tracking_number}/")), 409, "conflict"
    )
    refused(
        api.post(
            trip_url(trip, "cases/"),
            {"cases": [another.tracking_number]},
            format="json",
        ),
        409,
        "conflict",
    )
    refused(
        api.post(trip_url(trip, "hand-over/"), {"documents": 1}, format="json"),
        409,
        "conflict",
    )
    assert snapshot() == before


@pytest.mark.parametrize("documents", [None, -1, 32768, "two", 1.5, [1]])
def test_bad_document_counts_are_a_400(planned_trip, village_clerk, documents):
    trip, _case = planned_trip
    before = snapshot()
    data = {} if documents is None else {"documents": documents}
    body = refused(
        client_of(village_clerk).post(
            trip_url(trip, "hand-over/"), data, format="json"
        ),
        400,
        "invalid_input",
    )
    assert list(body["errors"]) == ["documents"]
    assert snapshot() == before


def test_a_trip_is_handed_over_from_its_day(accepted, village, village_clerk):
    later = actions.agency_trip_plan(
        village=village, by=village_clerk, trip_date=dt.date(2026, 3, 13)
    )
    actions.agency_trip_add(trip=later, service_requests=[accepted()], by=village_clerk)
    may = ok(client_of(village_clerk).get(trip_url(later)))["may"]
    assert may["hand_over"] is False and may["add_cases"] is True
    before = snapshot()
    refused(
        client_of(village_clerk).post(
            trip_url(later, "hand-over/"), {"documents": 1}, format="json"
        ),
        400,
        "invalid_input",
    )
    assert snapshot() == before


# --- check-ins, the return -----------------------------------------------------------


def test_checking_in_by_number(trip_at_town, town_clerk):
    trip, case = trip_at_town
    api = client_of(town_clerk)
    url = trip_url(trip, "check-in/")

    def check(number: str) -> dict:
        return ok(api.post(url, {"leg": "out", "number": number}, format="json"))

    unknown = check("HG000000000000")
    assert unknown["result"] == "unknown"
    assert TripCheck.objects.count() == 0
    typed = "ｈｇ" + case.tracking_number[2:]  # full width, lower case
    assert check(typed)["result"] == "received"
    again = check(case.tracking_number)
    assert again["result"] == "again"
    assert case.tracking_number in again["message"]
    assert TripCheck.objects.count() == 1


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"number": "HG1"}, "leg"),
        ({"leg": "up", "number": "HG1"}, "leg"),
        ({"leg": "out"}, "number"),
        ({"leg": "out", "number": "  "}, "number"),
        ({"leg": "out", "number": "H" * 41}, "number"),
        ({"leg": "out", "number": "HG\x00"}, "number"),
    ],
)
def test_bad_check_ins_are_a_400(trip_at_town, town_clerk, data, field):
    trip, _case = trip_at_town
    before = snapshot()
    body = refused(
        client_of(town_clerk).post(trip_url(trip, "check-in/"), data, format="json"),
        400,
        "invalid_input",
    )
    assert field in body["errors"]
    assert snapshot() == before


def test_a_check_in_is_finished_once(trip_at_town, town_clerk):
    trip, case = trip_at_town
    api = client_of(town_clerk)
    url = trip_url(trip, "check-in/finish/")
    finished = ok(api.post(url, {"leg": "out"}, format="json"))
    assert finished["missing"] == [case.tracking_number]
    assert finished["trip"]["out"]["finished"] is True
    before = snapshot()
    refused(api.post(url, {"leg": "out"}, format="json"), 409, "conflict")
    refused(api.post(url, {"leg": "aside"}, format="json"), 400, "invalid_input")
    assert snapshot() == before
    late = ok(
        api.post(
            trip_url(trip, "check-in/"),
            {"leg": "out", "number": case.tracking_number},
            format="json",
        )
    )
    assert late["result"] == "late"


def test_a_planned_trip_cannot_be_checked_in_or_returned(
    planned_trip, town_clerk, official
):
    trip, case = planned_trip
    api = client_of(official)
    before = snapshot()
    number = case.tracking_number
    for leg in ("out", "back"):
        refused(
            api.post(
                trip_url(trip, "check-in/"),
                {"leg": leg, "number": number},
                format="json",
            ),
            409,
            "invalid_transition",
        )
    refused(
        api.post(
            trip_url(trip, "return/"),
            {"cases": [number], "documents": 1},
            format="json",
        ),
        409,
        "invalid_transition",
    )
    assert snapshot() == before


def test_only_decided_cases_go_back(trip_at_town, town_clerk, commit):
    trip, case = trip_at_town
    api = client_of(town_clerk)
    url = trip_url(trip, "return/")
    before = snapshot()
    body = refused(
        api.post(url, {"cases": [case.tracking_number], "documents": 1}, format="json"),
        400,
        "invalid_input",
    )
    assert list(body["errors"]) == ["cases"]
    assert snapshot() == before
    TripCheck.objects.create(trip=trip, request=case, leg="out", checked_by=town_clerk)
    actions.service_request_town_decide(
        service_request=case, by=town_clerk, result="准予"
    )
    for bad in (
        {"cases": [case.tracking_number]},
        {"cases": [case.tracking_number], "documents": -1},
    ):
        refused(api.post(url, bad, format="json"), 400, "invalid_input")
    with commit():
        back = ok(
            api.post(
                url, {"cases": [case.tracking_number], "documents": 1}, format="json"
            )
        )
    assert back["back"]["waiting"][0]["tracking_number"] == case.tracking_number
    assert back["may"]["send_back"] is False
    refused(
        api.post(url, {"cases": [case.tracking_number], "documents": 1}, format="json"),
        409,
        "conflict",
    )


# --- visits --------------------------------------------------------------------------------


def _visit(case, by, day: int = 12, hour: int = 9):
    start = dt.datetime(2026, 3, day, hour - 8, tzinfo=dt.UTC)
    return actions.home_visit_schedule(
        service_request=case,
        by=by,
        staff=by,
        starts_at=start,
        ends_at=start + dt.timedelta(hours=1),
        reason="age",
    )


def test_the_visits_each_may_see_and_their_filters(
    accepted, village_clerk, other_village_clerk, town_clerk, resident
):
    first = _visit(accepted("home"), village_clerk, day=10, hour=14)
    second = _visit(accepted("home"), village_clerk, day=12)
    api = client_of(village_clerk)

    def ids(query: str = "", who=api) -> list[int]:
        return [v["id"] for v in ok(who.get(f"{API}visits/?{query}"))["results"]]

    assert ids() == [first.pk, second.pk]  # in order of their start
    assert ids("day=2026-03-12") == [second.pk]
    assert ids("day=9999-12-31") == []
    assert ids("day=0001-01-01") == []
    assert ids("outcome=done") == []
    assert ids(f"request={first.request.tracking_number}") == [first.pk]
    assert ids(who=client_of(other_village_clerk)) == []
    assert ids(who=client_of(town_clerk)) == [first.pk, second.pk]
    rows = ok(client_of(town_clerk).get(f"{API}visits/"))["results"]
    assert rows[0]["outcomes"] == []  # the town sees, the village records
    refused(client_of(resident).get(f"{API}visits/"), 403, "not_permitted")
    for bad in ("day=someday", "outcome=maybe"):
        refused(api.get(f"{API}visits/?{bad}"), 400, "invalid_input")


def test_a_visit_in_detail(accepted, village_clerk, other_village_clerk):
    visit = _visit(accepted("home"), village_clerk)
    body = ok(client_of(village_clerk).get(f"{API}visits/{visit.pk}/"))
    assert body["tracking_number"] == visit.request.tracking_number
    assert body["outcomes"] == ["done", "absent", "impossible"]
    assert "applicant_name" not in body and "applicant_phone" not in body
    refused(
        client_of(other_village_clerk).get(f"{API}visits/{visit.pk}/"), 404, "not_found"
    )
    refused(client_of(village_clerk).get(f"{API}visits/{2**63}/"), 404, "not_found")


@pytest.mark.parametrize(
    ("outcome", "data"),
    [
        ("done", {}),
        ("done", {"note": "  "}),
        ("impossible", {}),
        ("absent", {"note": "长" * 301}),
        ("done", {"note": "a\x00"}),
    ],
)
def test_bad_visit_outcomes_are_a_400(accepted, village_clerk, outcome, data):
    visit = _visit(accepted("home"), village_clerk, day=10, hour=14)
    before = snapshot()
    body = refused(
        client_of(village_clerk).post(
            f"{API}visits/{visit.pk}/{outcome}/", data, format="json"
        ),
        400,
        "invalid_input",
    )
    assert list(body["errors"]) == ["note"]
    assert snapshot() == before


def test_an_outcome_is_recorded_from_the_visits_day_and_once(accepted, village_clerk):
    visit = _visit(accepted("home"), village_clerk, day=12)
    api = client_of(village_clerk)
    url = f"{API}visits/{visit.pk}/done/"
    before = snapshot()
    body = refused(api.post(url, {"note": "好"}, format="json"), 400, "invalid_input")
    assert list(body["errors"]) == ["outcome"]  # the visit is on the 12th
    assert snapshot() == before
    today = _visit(accepted("home"), village_clerk, day=10, hour=14)
    url = f"{API}visits/{today.pk}/absent/"
    ok(api.post(url, {}, format="json"))
    before = snapshot()
    refused(api.post(url, {}, format="json"), 409, "conflict")
    refused(
        api.post(f"{API}visits/{today.pk}/done/", {"note": "好"}, format="json"),
        409,
        "conflict",
    )
    assert snapshot() == before


def test_a_withdrawn_request_s_visit_is_no_longer_recorded(
    accepted, village_clerk, resident
):
    visit = _visit(accepted("home"), village_clerk, day=10, hour=14)
    actions.service_request_withdraw(service_request=visit.request, by=resident)
    before = snapshot()
    api = client_of(village_clerk)
    refused(
        api.post(f"{API}visits/{visit.pk}/done/", {"note": "好"}, format="json"),
        409,
        "invalid_transition",
    )
    refused(
        api.post(f"{API}visits/{visit.pk}/absent/", {}, format="json"),
        409,
        "invalid_transition",
    )
    assert snapshot() == before


# --- the lists cost the same whatever their length -------------------------------------


def _queries(api, url: str) -> int:
    with CaptureQueriesContext(connection) as context:
        ok(api.get(url))
    return len(context.captured_queries)


def test_the_trips_list_costs_the_same_for_1_and_20_rows(
    planned_trip, village, village_clerk, town_clerk, official
):
    _first, case = planned_trip
    people = (official, village_clerk, town_clerk)
    url = f"{API}trips/?page_size=20"
    counts = {who.role: _queries(client_of(who), url) for who in people}
    day = dt.date(2026, 3, 13)
    for _n in range(19):  # the town clerk sees those carrying a case of their body
        AgencyTrip.objects.create(village=village, trip_date=day).requests.add(case)
        day += dt.timedelta(days=7)
    for who in people:
        api = client_of(who)
        assert len(ok(api.get(url))["results"]) == 20, who.role
        assert _queries(api, url) == counts[who.role], who.role


def test_the_visits_list_costs_the_same_for_1_and_20_rows(
    accepted, village_clerk, town_clerk, official
):
    _visit(accepted("home"), village_clerk, day=10, hour=14)
    counts = {
        who.role: _queries(client_of(who), f"{API}visits/?page_size=20")
        for who in (official, village_clerk, town_clerk)
    }
    for n in range(19):
        _visit(accepted("home"), village_clerk, day=11 + n // 8, hour=8 + n % 8)
    for who in (official, village_clerk, town_clerk):
        api = client_of(who)
        assert len(ok(api.get(f"{API}visits/?page_size=20"))["results"]) == 20
        assert _queries(api, f"{API}visits/?page_size=20") == counts[who.role], who.role


# --- 差评 follow-ups ------------------------------------------------------------------


@pytest.fixture
def follow_up(submit, village_clerk, resident, commit):
    """A poor rating of a completed instant case: its follow-up, open."""
    case = submit("instant")
    with commit():
        actions.service_request_complete(
            service_request=case, by=village_clerk, result="好"
        )
        case.refresh_from_db()
        rating = actions.rating_submit(
            service_request=case, by=resident, level=1, comment="态度差"
        )
    return rating.follow_up


def test_a_follow_up_through_its_stages(follow_up, village_clerk, commit):
    api = client_of(village_clerk)
    url = f"{API}follow-ups/{follow_up.pk}/"
    body = ok(api.get(url))
    assert body["stage"] == "open"
    assert body["rating"]["comment"] == "态度差"
    assert body["overdue"] is False
    for seen, text, stage in [
        ("open", "已核实", "verified"),
        ("verified", "已整改", "fixed"),
        ("fixed", "已向您致歉", "answered"),
    ]:
        with commit():
            body = ok(api.post(url + "advance/", {"stage": seen, "text": text}))
        assert body["stage"] == stage
    assert body["answer"] == "已向您致歉"
    assert body["supervisor"]["id"] == village_clerk.pk
    assert RequestEvent.objects.filter(kind="follow_up", is_public=True).count() == 1
    before = snapshot()
    refused(
        api.post(url + "advance/", {"stage": "fixed", "text": "x"}), 409, "conflict"
    )
    assert snapshot() == before


def test_a_follow_up_moved_on_meanwhile_is_a_conflict(follow_up, village_clerk):
    api = client_of(village_clerk)
    url = f"{API}follow-ups/{follow_up.pk}/advance/"
    ok(api.post(url, {"stage": "open", "text": "已核实"}))
    events = RequestEvent.objects.count()
    refused(api.post(url, {"stage": "open", "text": "已核实"}), 409, "conflict")
    assert RequestEvent.objects.count() == events


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"text": "x"}, "stage"),
        ({"stage": "answered", "text": "x"}, "stage"),
        ({"stage": "open"}, "text"),
        ({"stage": "open", "text": " "}, "text"),
        ({"stage": "open", "text": "长" * 2001}, "text"),
    ],
)
def test_bad_follow_up_stages_are_a_400(follow_up, village_clerk, data, field):
    before = snapshot()
    body = refused(
        client_of(village_clerk).post(
            f"{API}follow-ups/{follow_up.pk}/advance/", data, format="json"
        ),
        400,
        "invalid_input",
    )
    assert list(body["errors"]) == [field]
    assert snapshot() == before


def test_the_follow_ups_each_handles(
    follow_up, village_clerk, other_village_clerk, town_clerk, official
):
    number = follow_up.rating.request.tracking_number

    def ids(who, query: str = "") -> list[int]:
        answer = ok(client_of(who).get(f"{API}follow-ups/?{query}"))
        return [row["id"] for row in answer["results"]]

    assert ids(village_clerk) == [follow_up.pk]
    assert ids(official) == [follow_up.pk]
    assert ids(other_village_clerk) == []
    assert ids(town_clerk) == []
    assert ids(official, f"request={number}") == [follow_up.pk]
    assert ids(official, "stage=answered") == []
    refused(
        client_of(official).get(f"{API}follow-ups/?stage=lost"), 400, "invalid_input"
    )
    url = f"{API}follow-ups/{follow_up.pk}/"
    refused(client_of(other_village_clerk).get(url), 404, "not_found")
    refused(client_of(town_clerk).get(url), 404, "not_found")


def test_the_follow_ups_list_costs_the_same_for_1_and_20_rows(
    follow_up, submit, village_clerk, official, resident
):
    url = f"{API}follow-ups/?page_size=20"
    counts = {
        who.role: _queries(client_of(who), url) for who in (official, village_clerk)
    }
    for _n in range(19):
        case = actions.service_request_complete(
            service_request=submit("instant"), by=village_clerk, result="好"
        )
        actions.rating_submit(service_request=case, by=resident, level=2)
    for who in (official, village_clerk):
        api = client_of(who)
        assert len(ok(api.get(url))["results"]) == 20
        assert _queries(api, url) == counts[who.role], who.role
