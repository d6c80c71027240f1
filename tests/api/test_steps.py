"""POST /api/v1/requests/<n>/<step>/: the workflow through the API, each step the
workbench's action; 404 / 403 / 409 as ``services.access`` says; a stale version 409
``conflict``; bad input 400 with field errors; a refused call changes nothing."""

import datetime as dt

import pytest
from rest_framework.test import APIClient

from services.models import AgencyTrip, HomeVisit, RequestEvent, ServiceRequest
from tests.api.answers import client_of, ok, refused

pytestmark = pytest.mark.django_db

API = "/api/v1/"


@pytest.fixture
def api():
    return APIClient()


def as_(api: APIClient, user) -> APIClient:
    api.force_login(user)
    return api


def post(api, case, step: str, data=None, **extra):
    url = f"{API}requests/{case.tracking_number}/{step}/"
    return api.post(url, data if data is not None else {}, format="json", **extra)


def state(case) -> tuple:
    """What a refused call must leave as it was."""
    fresh = ServiceRequest.objects.get(pk=case.pk)
    return (
        fresh.status,
        fresh.version,
        fresh.result_note,
        RequestEvent.objects.filter(request=case).count(),
        HomeVisit.objects.filter(request=case).count(),
        AgencyTrip.requests.through.objects.filter(servicerequest=case).count(),
    )


@pytest.fixture
def accepted(submit, village_clerk, commit):
    """A case accepted by the village clerk, through the API."""

    def make(kind: str = "agency") -> ServiceRequest:
        case = submit(kind)
        api = as_(APIClient(), village_clerk)
        with commit():
            ok(post(api, case, "accept", {"version": case.version}))
        case.refresh_from_db()
        return case

    return make


@pytest.fixture
def to_town(village_clerk, commit):
    """Carry an accepted 定时代办 case to the town on its village's trip (the
    workbench's actions); the case, fresh, and the trip."""
    from services import actions

    def carry(case: ServiceRequest) -> tuple[ServiceRequest, AgencyTrip]:
        trip = actions.agency_trip_plan(village=case.village, by=village_clerk)
        actions.agency_trip_add(trip=trip, service_requests=[case], by=village_clerk)
        with commit():
            actions.agency_trip_hand_over(trip=trip, by=village_clerk, documents=1)
        case.refresh_from_db()
        return case, trip

    return carry


# --- the three modes, start to end ---------------------------------------------------


def test_instant_done_on_the_spot_at_a_town_window(api, submit, town_clerk, commit):
    case = submit("instant")
    with commit():
        body = ok(
            post(
                as_(api, town_clerk),
                case,
                "complete",
                {"version": 1, "result": "当场办结"},
            )
        )
    assert body["status"] == "completed"
    assert body["status_display"] == "已办结"
    assert body["version"] == 2
    assert body["next_steps"] == []
    case.refresh_from_db()
    assert case.result_note == "当场办结"
    assert case.completed_at is not None


def test_instant_accepted_then_completed(api, submit, village_clerk, commit):
    case = submit("instant")
    api = as_(api, village_clerk)
    body = ok(post(api, case, "accept"))
    assert body["status"] == "accepted"
    offered = {step["step"] for step in body["next_steps"]}
    assert offered == {"complete", "supplement", "reject", "withdraw"}
    detail = api.get(f"{API}requests/{case.tracking_number}/").json()
    assert body["next_steps"] == detail["next_steps"]  # one shape
    assert {
        "step": "supplement",
        "label": "要求补正材料",
        "to_status": "supplement",
    } in (body["next_steps"])
    body = ok(post(api, case, "complete", {"version": 2, "result": "已办好"}))
    assert body["status"] == "completed"


def test_agency_through_a_trip_to_the_town_and_back(
    api, accepted, village_clerk, town_clerk, commit
):
    case = accepted("agency")
    clerk = as_(APIClient(), village_clerk)
    town = as_(APIClient(), town_clerk)
    number = case.tracking_number

    put = ok(post(clerk, case, "put-on-trip", {"version": case.version}))
    assert put["request"]["status"] == "accepted"
    trip_id = put["trip"]["id"]
    assert put["trip"]["trip_date"] == "2026-03-10"  # Tuesday, a trip day of 花岗社区
    trip_url = f"{API}trips/{trip_id}/"
    detail = ok(clerk.get(trip_url))
    assert [c["tracking_number"] for c in detail["planned"]] == [number]
    assert detail["may"]["hand_over"] is True

    with commit():
        handed = ok(
            clerk.post(trip_url + "hand-over/", {"documents": 3}, format="json")
        )
    assert handed["documents_out"] == 3
    assert handed["handed_over_by"]["name"] == village_clerk.name
    assert [c["tracking_number"] for c in handed["out"]["waiting"]] == [number]
    case.refresh_from_db()
    assert case.status == "sent_to_town"

    checked = ok(
        town.post(
            trip_url + "check-in/", {"leg": "out", "number": number}, format="json"
        )
    )
    assert checked["result"] == "received"
    finished = ok(
        town.post(trip_url + "check-in/finish/", {"leg": "out"}, format="json")
    )
    assert finished["missing"] == []
    assert finished["trip"]["received_by"]["name"] == town_clerk.name

    decided = ok(
        post(town, case, "decide", {"version": case.version, "result": "准予"})
    )
    assert decided["status"] == "sent_to_town"
    assert decided["version"] == case.version + 1
    with commit():
        back = ok(
            town.post(
                trip_url + "return/",
                {"cases": [number], "documents": 2},
                format="json",
            )
        )
    assert back["documents_back"] == 2
    case.refresh_from_db()
    assert case.status == "returned_to_village"
    assert case.result_note == "准予"

    ok(
        clerk.post(
            trip_url + "check-in/", {"leg": "back", "number": number}, format="json"
        )
    )
    ok(clerk.post(trip_url + "check-in/finish/", {"leg": "back"}, format="json"))
    done = ok(
        post(
            clerk,
            case,
            "complete",
            {"version": case.version, "result": "已领取", "delivered_how": "collected"},
        )
    )
    assert done["status"] == "completed"
    case.refresh_from_db()
    assert case.delivered_how == "collected"


def _booking(**more) -> dict:
    return {
        "starts_at": "2026-03-12T09:00:00+08:00",  # Thursday morning, as they asked
        "ends_at": "2026-03-12T10:30:00+08:00",
        "reason": "age",
        **more,
    }


def test_home_through_visits_absent_impossible_then_done(
    api, accepted, village_clerk, commit
):
    import time_machine

    case = accepted("home")
    api = as_(api, village_clerk)
    with commit():
        visit = ok(post(api, case, "visits", _booking(version=case.version)), 201)
    assert visit["request"]["status"] == "visit_scheduled"
    assert visit["staff"]["id"] == village_clerk.pk  # the caller, by default
    assert visit["outcomes"] == ["done", "absent", "impossible"]
    assert visit["starts_at"] == "2026-03-12T09:00:00+08:00"
    with time_machine.travel(dt.datetime(2026, 3, 12, 3, tzinfo=dt.UTC), tick=True):
        absent = ok(api.post(f"{API}visits/{visit['id']}/absent/", {}, format="json"))
        assert absent["outcome"] == "absent"
        assert absent["request"]["status"] == "visit_scheduled"
        again = _booking(
            starts_at="2026-03-17T09:00:00+08:00", ends_at="2026-03-17T10:00:00+08:00"
        )
        second = ok(post(api, case, "visits", again), 201)
    with time_machine.travel(dt.datetime(2026, 3, 17, 3, tzinfo=dt.UTC), tick=True):
        url = f"{API}visits/{second['id']}/impossible/"
        impossible = ok(api.post(url, {"note": "桥断了"}, format="json"))
        assert impossible["request"]["status"] == "accepted"
        third = _booking(
            starts_at="2026-03-17T10:00:00+08:00", ends_at="2026-03-17T11:00:00+08:00"
        )
        visit = ok(post(api, case, "visits", third), 201)
        done = ok(
            api.post(
                f"{API}visits/{visit['id']}/done/", {"note": "已办好"}, format="json"
            )
        )
    assert done["request"]["status"] == "completed"
    assert done["outcome_note"] == "已办好"
    case.refresh_from_db()
    assert case.result_note == "已办好"


def test_supplement_names_the_missing_materials_and_resume_restarts_the_clock(
    api, accepted, village_clerk
):
    case = accepted("agency")
    materials = list(case.item.materials.order_by("order")[:2])
    assert len(materials) == 2, "the item lists materials"
    api = as_(api, village_clerk)
    body = ok(
        post(
            api,
            case,
            "supplement-request",
            {
                "version": case.version,
                "missing": [m.pk for m in materials],
                "note": "复印件不清",
            },
        )
    )
    assert body["status"] == "supplement"
    assert body["due_date"] is None
    event = RequestEvent.objects.filter(request=case).latest("pk")
    names = "、".join(m.name for m in materials)
    assert event.note == f"请补交或上传： {names}\n复印件不清"
    resumed = ok(post(api, case, "resume", {"version": body["version"]}))
    assert resumed["status"] == "accepted"
    assert resumed["due_date"] is not None


def test_reject_with_the_reason_the_resident_reads(api, submit, village_clerk):
    case = submit("agency")
    body = ok(post(as_(api, village_clerk), case, "reject", {"reason": "不符合条件"}))
    assert body["status"] == "rejected"
    case.refresh_from_db()
    assert case.result_note == "不符合条件"
    assert RequestEvent.objects.filter(request=case).latest("pk").is_public


def test_the_applicant_withdraws_their_own_request_without_a_reason(
    api, submit, resident
):
    case = submit("agency")
    body = ok(post(as_(api, resident), case, "withdraw", {"version": 1}))
    assert body["status"] == "withdrawn"
    assert body["next_steps"] == []


def test_another_resident_does_not_see_the_request(api, submit):
    from tests.factories import UserFactory

    case = submit("agency")
    before = state(case)
    stranger = UserFactory(role="resident")
    refused(post(as_(api, stranger), case, "withdraw"), 404, "not_found")
    assert state(case) == before


def test_staff_withdrawing_for_the_resident_give_the_reason(api, submit, village_clerk):
    case = submit("agency")
    before = state(case)
    body = refused(
        post(as_(api, village_clerk), case, "withdraw"), 400, "invalid_input"
    )
    assert "reason" in body["errors"]
    assert state(case) == before
    ok(post(api, case, "withdraw", {"reason": "本人电话要求撤回"}))


def test_a_note_is_internal_and_changes_no_version(api, submit, town_clerk):
    case = submit("instant")
    body = ok(post(as_(api, town_clerk), case, "notes", {"note": "已电话联系"}), 201)
    assert body["version"] == 1
    event = RequestEvent.objects.filter(request=case).latest("pk")
    assert (event.kind, event.note, event.is_public) == ("note", "已电话联系", False)


def test_the_applicant_may_not_take_a_staff_step(api, submit, resident):
    case = submit("agency")
    before = state(case)
    api = as_(api, resident)
    for step, data in [
        ("accept", {}),
        ("reject", {"reason": "x"}),
        ("notes", {"note": "x"}),
        ("decide", {"result": "x"}),
        ("put-on-trip", {}),
    ]:
        refused(post(api, case, step, data), 403, "not_permitted")
    assert state(case) == before


def test_the_village_clerk_takes_no_step_on_the_police_stations_instant_case(
    submit, village_clerk, official, commit
):
    """死亡注销 (花岗派出所, 即时即办, from 身后一件事): the village clerk reads it with
    no next step, and each step posted is a 403 saying where it is done (in the
    caller's language), nothing changed; the station's window accepts it, an
    official completes it."""
    from services.models import Body, ServiceItem
    from tests.factories import UserFactory
    from villages.choices import Role

    case = submit("instant", item=ServiceItem.objects.get(code="HG-HJ-002"))
    before = state(case)
    clerk = client_of(village_clerk)
    detail = ok(clerk.get(f"{API}requests/{case.tracking_number}/"))
    assert detail["next_steps"] == []
    for step, data in [
        ("accept", {}),
        ("complete", {"result": "户口已注销"}),
        ("reject", {"reason": "x"}),
        ("withdraw", {"reason": "x"}),
    ]:
        body = refused(post(clerk, case, step, data), 403, "not_permitted")
        assert "花岗派出所窗口办理" in body["message"], body
    english = refused(
        post(clerk, case, "accept", {}, HTTP_ACCEPT_LANGUAGE="en"), 403, "not_permitted"
    )
    assert "is done at the window of 花岗派出所" in english["message"]
    assert state(case) == before
    assert ok(post(clerk, case, "notes", {"note": "家属已来村询问"}), 201)

    window = UserFactory(role=Role.TOWN_CLERK)
    Body.objects.get(code="police-station").clerks.add(window)
    with commit():
        body = ok(post(client_of(window), case, "accept", {}))
    assert {step["step"] for step in body["next_steps"]} == {
        "complete",
        "supplement",
        "reject",
    }
    with commit():
        body = ok(post(client_of(official), case, "complete", {"result": "户口已注销"}))
    assert body["status"] == "completed"


def test_anonymous_callers_are_asked_to_authenticate(api, submit):
    case = submit("agency")
    response = refused(post(api, case, "accept"), 401, "not_authenticated")
    assert response["message"]


# --- 409: a stale version, an impossible step ------------------------------------------


@pytest.fixture
def cases_for_every_step(submit, accepted, to_town, village_clerk, town_clerk):
    """One case where each step is possible, by who may take it."""
    from services import actions

    at_town, _trip = to_town(accepted("agency"))
    awaiting = accepted("agency")
    awaiting = actions.service_request_ask_supplement(
        service_request=awaiting, by=village_clerk, what="缺照片"
    )
    return {
        "accept": (submit("agency"), village_clerk, {}),
        "supplement-request": (accepted("agency"), village_clerk, {"note": "缺照片"}),
        "reject": (submit("agency"), village_clerk, {"reason": "不符合"}),
        "resume": (awaiting, village_clerk, {}),
        "complete": (submit("instant"), village_clerk, {"result": "好"}),
        "withdraw": (submit("agency"), village_clerk, {"reason": "撤回"}),
        "notes": (submit("agency"), village_clerk, {"note": "备注"}),
        "decide": (at_town, town_clerk, {"result": "准予"}),
        "put-on-trip": (accepted("agency"), village_clerk, {}),
        "visits": (accepted("home"), village_clerk, _booking()),
    }


STEPS = [
    "accept",
    "supplement-request",
    "reject",
    "resume",
    "complete",
    "withdraw",
    "notes",
    "decide",
    "put-on-trip",
    "visits",
]


@pytest.mark.parametrize("step", STEPS)
def test_a_stale_version_is_a_conflict_and_nothing_is_done(
    api, cases_for_every_step, step
):
    case, user, data = cases_for_every_step[step]
    before = state(case)
    body = refused(
        post(as_(api, user), case, step, {**data, "version": case.version + 1}),
        409,
        "conflict",
    )
    assert "version" not in body.get("errors", {})
    assert f"当前版本号为 {case.version}）" in body["message"]  # not "refresh the page"
    assert state(case) == before
    # the same body with the version the caller sees works
    response = post(api, case, step, {**data, "version": case.version})
    assert response.status_code in (200, 201), response.content[:500]
    assert state(case) != before


BAD_BODIES = {
    "accept": {},
    "supplement-request": {"missing": "all"},
    "reject": {"reason": ""},
    "resume": {"note": "长" * 1001},
    "complete": {"result": ""},
    "withdraw": {"reason": "长" * 1001},
    "notes": {"note": ""},
    "decide": {"result": ""},
    "put-on-trip": {"trip": "x"},
    "visits": {"starts_at": "soon"},
}


@pytest.mark.parametrize("step", STEPS)
def test_bad_input_with_a_stale_version_is_a_conflict(api, cases_for_every_step, step):
    """The caller's view of the request is out of date: that is said first."""
    case, user, _data = cases_for_every_step[step]
    before = state(case)
    bad = {**BAD_BODIES[step], "version": case.version + 1}
    refused(post(as_(api, user), case, step, bad), 409, "conflict")
    assert state(case) == before


IMPOSSIBLE = [
    # (step, the case's mode and status made by `steps`, body)
    ("accept", "instant", ["complete"], {}),
    ("resume", "agency", ["accept"], {}),
    ("reject", "instant", ["complete"], {"reason": "晚了"}),
    ("supplement-request", "agency", [], {"note": "缺"}),
    ("complete", "home", ["accept"], {"result": "好"}),
    ("complete", "agency", ["accept"], {"result": "好", "delivered_how": "post"}),
    ("withdraw", "instant", ["complete"], {"reason": "晚了"}),
    ("put-on-trip", "agency", [], {}),
    ("visits", "agency", ["accept"], _booking()),
]


@pytest.mark.parametrize(
    ("step", "kind", "before_steps", "data"),
    IMPOSSIBLE,
    ids=[f"{row[0]}-{row[1]}" for row in IMPOSSIBLE],
)
def test_a_step_impossible_in_the_status_is_an_invalid_transition(
    api, submit, village_clerk, step, kind, before_steps, data
):
    case = submit(kind)
    api = as_(api, village_clerk)
    for earlier in before_steps:
        body = {"result": "好"} if earlier == "complete" else {}
        ok(post(api, case, earlier, body))
    before = state(case)
    refused(post(api, case, step, data), 409, "invalid_transition")
    assert state(case) == before


def test_deciding_a_case_whose_papers_are_missing_is_refused(
    api, accepted, to_town, town_clerk
):
    case, trip = to_town(accepted("agency"))
    town = as_(api, town_clerk)
    finished = ok(town.post(f"{API}trips/{trip.pk}/check-in/finish/", {"leg": "out"}))
    assert finished["missing"] == [case.tracking_number]
    before = state(case)
    refused(post(town, case, "decide", {"result": "准予"}), 409, "papers_missing")
    assert state(case) == before


# --- a step posted twice ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("step", "data"),
    [
        ("accept", {}),
        ("reject", {"reason": "不符合"}),
        ("withdraw", {"reason": "撤回"}),
        ("supplement-request", {"note": "缺"}),
    ],
)
def test_a_step_posted_twice_from_the_same_version_is_done_once(
    api, submit, village_clerk, step, data
):
    case = submit("agency")
    api = as_(api, village_clerk)
    if step == "supplement-request":
        ok(post(api, case, "accept"))
        case.refresh_from_db()
    first = ok(post(api, case, step, {**data, "version": case.version}))
    events = RequestEvent.objects.filter(request=case).count()
    second = ok(post(api, case, step, {**data, "version": case.version}))
    assert second == first
    assert RequestEvent.objects.filter(request=case).count() == events


def test_the_same_step_by_someone_else_meanwhile_is_a_conflict(
    api, submit, village_clerk, official
):
    case = submit("agency")
    ok(post(as_(APIClient(), official), case, "accept", {"version": 1}))
    body = refused(
        post(as_(api, village_clerk), case, "accept", {"version": 1}), 409, "conflict"
    )
    assert body["message"] == (
        "该办件在您读取后已被更改（当前版本号为 2）；请重新读取，并以其当前版本号重试。"
    )
    english = post(api, case, "accept", {"version": 1}, HTTP_ACCEPT_LANGUAGE="en")
    assert english.json()["message"] == (
        "The request changed since you read it (it is now at version 2); read it "
        "again and retry with its current version."
    )


def test_putting_a_case_on_its_trip_twice_keeps_it_there_once(
    api, accepted, village_clerk
):
    case = accepted("agency")
    api = as_(api, village_clerk)
    first = ok(post(api, case, "put-on-trip", {"version": case.version}))
    events = RequestEvent.objects.filter(request=case).count()
    second = ok(post(api, case, "put-on-trip", {"version": case.version}))
    assert second["trip"]["id"] == first["trip"]["id"]
    assert RequestEvent.objects.filter(request=case).count() == events
    assert case.agency_trips.count() == 1


def test_put_on_a_chosen_trip_of_the_village(api, accepted, village_clerk, village):
    from services import actions

    later = actions.agency_trip_plan(
        village=village, by=village_clerk, trip_date=dt.date(2026, 3, 13)
    )
    case = accepted("agency")
    body = ok(post(as_(api, village_clerk), case, "put-on-trip", {"trip": later.pk}))
    assert body["trip"]["trip_date"] == "2026-03-13"
    assert list(case.agency_trips.all()) == [later]


def test_a_visit_while_one_is_planned_is_a_conflict(api, accepted, village_clerk):
    case = accepted("home")
    api = as_(api, village_clerk)
    ok(post(api, case, "visits", _booking()), 201)
    before = state(case)
    later = _booking(
        starts_at="2026-03-17T09:00:00+08:00", ends_at="2026-03-17T10:00:00+08:00"
    )
    refused(post(api, case, "visits", later), 409, "conflict")
    assert state(case) == before


# --- bad input on every writable field ------------------------------------------------

LONG = "长" * 1001
NUL = "a\x00b"

BAD_INPUT = [
    # (step, the case made by `cases_for_every_step`, body, the field named)
    ("accept", {"version": "two"}, "version"),
    ("accept", {"version": 0}, "version"),
    ("accept", {"version": 2**31}, "version"),
    ("accept", {"version": [1]}, "version"),
    ("resume", {"note": LONG}, "note"),
    ("resume", {"note": NUL}, "note"),
    ("supplement-request", {}, "missing"),
    ("supplement-request", {"note": "   "}, "missing"),
    ("supplement-request", {"missing": "all"}, "missing"),
    ("supplement-request", {"missing": [999999]}, "missing"),
    ("supplement-request", {"missing": ["id"]}, "missing"),
    ("supplement-request", {"missing": [1] * 101}, "missing"),
    ("supplement-request", {"note": LONG}, "note"),
    ("reject", {}, "reason"),
    ("reject", {"reason": "  "}, "reason"),
    ("reject", {"reason": LONG}, "reason"),
    ("reject", {"reason": NUL}, "reason"),
    ("reject", {"reason": {"zh": "原因"}}, "reason"),
    ("complete", {}, "result"),
    ("complete", {"result": LONG}, "result"),
    # (an instant case: nothing is delivered; for an agency case, the test below)
    ("complete", {"result": "好", "delivered_how": "post"}, "delivered_how"),
    ("complete", {"result": "好", "delivered_how": "drone"}, "delivered_how"),
    ("withdraw", {}, "reason"),
    ("withdraw", {"reason": LONG}, "reason"),
    ("notes", {}, "note"),
    ("notes", {"note": ""}, "note"),
    ("notes", {"note": LONG}, "note"),
    ("decide", {}, "result"),
    ("decide", {"result": "长" * 2001}, "result"),
    ("decide", {"result": NUL}, "result"),
    ("put-on-trip", {"trip": "next"}, "trip"),
    ("put-on-trip", {"trip": 0}, "trip"),
    ("put-on-trip", {"trip": 999999}, "trip"),
    ("visits", _booking(starts_at="tomorrow"), "starts_at"),
    ("visits", _booking(starts_at="0001-01-01T09:00:00"), "starts_at"),
    ("visits", _booking(starts_at="9999-12-31T09:00:00"), "starts_at"),
    ("visits", _booking(starts_at="2026-03-09T09:00:00+08:00"), "starts_at"),
    ("visits", _booking(starts_at="2026-03-12T07:00:00+08:00"), "starts_at"),
    ("visits", _booking(ends_at="2026-03-12T08:30:00+08:00"), "ends_at"),
    ("visits", _booking(ends_at="2026-03-12T19:00:00+08:00"), "ends_at"),
    ("visits", _booking(ends_at="2026-03-13T10:00:00+08:00"), "ends_at"),
    ("visits", {**_booking(), "ends_at": None}, "ends_at"),
    ("visits", _booking(reason="bored"), "reason"),
    ("visits", {k: v for k, v in _booking().items() if k != "reason"}, "reason"),
    ("visits", _booking(staff=999999), "staff"),
    ("visits", _booking(staff="me"), "staff"),
    ("visits", _booking(other_time_agreed="perhaps"), "other_time_agreed"),
    (
        "visits",
        _booking(
            starts_at="2026-03-12T14:00:00+08:00", ends_at="2026-03-12T15:00:00+08:00"
        ),
        "other_time_agreed",
    ),
    (
        "visits",
        _booking(
            starts_at="2026-03-13T09:00:00+08:00", ends_at="2026-03-13T10:00:00+08:00"
        ),
        "other_time_agreed",
    ),
]


@pytest.mark.parametrize(
    ("step", "data", "field"),
    BAD_INPUT,
    ids=[f"{step}-{field}-{i}" for i, (step, _d, field) in enumerate(BAD_INPUT)],
)
def test_bad_input_is_a_400_at_its_field_and_changes_nothing(
    api, cases_for_every_step, step, data, field
):
    case, user, _data = cases_for_every_step[step]
    before = state(case)
    body = refused(post(as_(api, user), case, step, data), 400, "invalid_input")
    named = {name.split(".")[0] for name in body["errors"]}  # missing.0: its first
    assert field in named, body
    assert all(body["errors"].values())
    assert state(case) == before


def test_an_agency_result_says_how_it_reached_the_resident(
    api, accepted, to_town, village_clerk, town_clerk, commit
):
    from services import actions

    case, trip = to_town(accepted("agency"))
    with commit():
        actions.agency_trip_return(
            trip=trip, by=town_clerk, documents=1, results={case.pk: "准予"}
        )
    api = as_(api, village_clerk)
    before = state(case)
    for data in ({"result": "好"}, {"result": "好", "delivered_how": "drone"}):
        body = refused(post(api, case, "complete", data), 400, "invalid_input")
        assert list(body["errors"]) == ["delivered_how"]
    assert state(case) == before


def test_a_visitor_from_another_village_is_refused(
    api, accepted, village_clerk, other_village_clerk
):
    case = accepted("home")
    before = state(case)
    body = refused(
        post(
            as_(api, village_clerk),
            case,
            "visits",
            _booking(staff=other_village_clerk.pk),
        ),
        400,
        "invalid_input",
    )
    assert list(body["errors"]) == ["staff"]
    assert state(case) == before


def test_an_official_sends_the_village_clerk(api, accepted, official, village_clerk):
    case = accepted("home")
    visit = ok(
        post(as_(api, official), case, "visits", _booking(staff=village_clerk.pk)), 201
    )
    assert visit["staff"]["id"] == village_clerk.pk


def test_every_booking_error_at_once(api, accepted, village_clerk):
    case = accepted("home")
    body = refused(
        post(
            as_(api, village_clerk),
            case,
            "visits",
            {"starts_at": "2026-03-12T07:00:00+08:00", "ends_at": "2026-03-12T06:00"},
        ),
        400,
        "invalid_input",
    )
    assert {"starts_at", "ends_at", "reason"} <= set(body["errors"])


def test_a_trip_of_another_village_is_not_a_choice(
    api, accepted, village_clerk, other_village, other_village_clerk
):
    from services import actions

    elsewhere = actions.agency_trip_plan(village=other_village, by=other_village_clerk)
    case = accepted("agency")
    before = state(case)
    body = refused(
        post(as_(api, village_clerk), case, "put-on-trip", {"trip": elsewhere.pk}),
        400,
        "invalid_input",
    )
    assert list(body["errors"]) == ["trip"]
    assert state(case) == before


@pytest.mark.parametrize(
    ("payload", "content_type", "code"),
    [
        ("[1, 2]", "application/json", "invalid_input"),
        ('"accept"', "application/json", "invalid_input"),
        ("{not json", "application/json", "parse_error"),
    ],
)
def test_a_body_that_is_not_an_object_is_a_400(
    api, submit, village_clerk, payload, content_type, code
):
    case = submit("agency")
    before = state(case)
    url = f"{API}requests/{case.tracking_number}/reject/"
    response = as_(api, village_clerk).post(url, payload, content_type=content_type)
    refused(response, 400, code)
    assert state(case) == before


def test_messages_follow_the_callers_language(api, submit, village_clerk):
    case = submit("agency")
    api = as_(api, village_clerk)
    chinese = refused(post(api, case, "reject"), 400, "invalid_input")
    english = refused(
        post(api, case, "reject", HTTP_ACCEPT_LANGUAGE="en"), 400, "invalid_input"
    )
    assert english["errors"]["reason"] == ["Give the reason."]
    assert chinese["errors"]["reason"] != english["errors"]["reason"]


def test_an_api_key_acts_as_its_account(api, submit, village_clerk):
    from villages.actions import api_token_create

    _token, key = api_token_create(name="12345 热线", account=village_clerk, by=None)
    case = submit("agency")
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    body = ok(post(api, case, "accept", {"version": 1}))
    assert body["status"] == "accepted"
    event = RequestEvent.objects.filter(request=case).latest("pk")
    assert event.actor == village_clerk
