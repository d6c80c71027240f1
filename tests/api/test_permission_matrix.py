"""The permission matrix applied to the API (issue 9): the workbench's matrix
(``tests/test_permission_matrix.py``, issue 8) for the same actions through
``/api/v1/``, with the same world, the same kinds of user and the same expectations,
in the API's own status codes:

- not signed in: 401 ``not_authenticated`` (instead of the sign-in redirect);
- a step that works: 200, or 201 for what it creates (instead of the redirect);
- 404 for staff who may not see the object, 403 ``not_permitted`` for those who see
  it but may not take the step, 409 when the step is impossible in its status, 405 for
  a method the address does not take (after the checks of who is calling).

Two columns more than the workbench's: ``stranger``, a signed-in resident who
applied for none of these requests (the world's ``resident`` is the applicant of
every one of them, of both villages, so sees them: a staff step is a 403 for them,
and withdrawing or rating their own request works, as on 我的办件); and ``api_key``,
another system calling with a key made for clerk A's account, which acts as clerk A
(every cell the same, but for a new request: the key enters it for the applicant).
The workbench's ``grid_a`` column is here too: the grid worker of the grid every one
of village A's cases is in sees them and adds notes, takes no step, handles no
follow-up and sees no statistics.

The request rows (``views/requests.py``) have the workbench's expectations where the
workbench has the action (the case page: its applicant and who serves it see a
request, 404 for others; the entry: a village clerk enters only for their village,
here through clerk A's key, since a signed-in session applies as itself, as on the
online form), and 我的办件's and the tracking page's for the applicant's own (the list of their
requests, rating, the supplement, the lookup). The statistics are the dashboard's
(401, 403 for residents, each member of staff their own scope), the catalog is
public (every column 200).

Each test is one cell; a call answered with anything but its success changes nothing
(requests, events, records of reads, trips, check-ins, visits, follow-ups, ratings,
files), nor does a lookup; one answered with its success changes something; every
error body is the API's one shape with the code its status stands for. No answer
holds data of a village the caller may not see, an internal note or the resident's
words (a rating's comment) for those who do not see them on the workbench, or a
whole mobile or ID number (staff reveal them on the workbench, where it is
recorded). Where a row answers a caller as the applicant, ``sees`` names the
applicant's view that answer is (``LIST``, ``ACCOUNT``, ``PROOF``: ``_views`` says
what each leaves out), and ``check`` asserts what a list, the timeline, a rating or
the statistics must hold for each caller (exactly their own numbers, say).

``docs/permissions-api.md`` is this table as Markdown, checked to be in sync
(regenerate with ``python -m tests.api.test_permission_matrix > docs/permissions-api.md``).
"""

import datetime as dt
import itertools
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace

import pytest

from tests.files import pdf_upload
from tests.test_permission_matrix import (
    A_PERSON,
    ANON,
    B_PERSON,
    CLERK_A,
    CLERK_B,
    FENFANG,
    GRID_A,
    HUAGANG,
    OFFICIAL,
    RESIDENT,
    TOWN_X,
    TOWN_Y,
    _build,
    _items,
    _leaks,
    _local,
    _markers,
    _snapshot,
)

STRANGER, API_KEY = "stranger", "api_key"
ROLES = (
    ANON,
    RESIDENT,
    STRANGER,
    CLERK_A,
    CLERK_B,
    TOWN_X,
    TOWN_Y,
    OFFICIAL,
    API_KEY,
    GRID_A,
)
STAFF = (CLERK_A, CLERK_B, TOWN_X, TOWN_Y, OFFICIAL, GRID_A)

OK, CREATED, BAD, UNAUTHORIZED, DENIED, NOT_FOUND, NOT_ALLOWED, CONFLICT = (
    200,
    201,
    400,
    401,
    403,
    404,
    405,
    409,
)
# The error code each refusal carries (409: a changed request or an impossible step).
CODES = {
    BAD: {"invalid_input"},
    UNAUTHORIZED: {"not_authenticated"},
    DENIED: {"not_permitted"},
    NOT_FOUND: {"not_found"},
    NOT_ALLOWED: {"method_not_allowed"},
    CONFLICT: {"conflict", "invalid_transition", "papers_missing"},
}


def on_request(**cells: int) -> dict[str, int]:
    """A row about one of village A's requests: anonymous 401, the stranger 404 (not
    theirs), the applicant 403 (a staff step), the key as clerk A, unless the row
    says otherwise."""
    row = {ANON: UNAUTHORIZED, RESIDENT: DENIED, STRANGER: NOT_FOUND, **cells}
    row.setdefault(API_KEY, row[CLERK_A])
    assert set(row) == set(ROLES), f"a row must give every role: {sorted(row)}"
    return {role: row[role] for role in ROLES}


def staff_only(**cells: int) -> dict[str, int]:
    """A row of the staff's addresses (trips, visits): 401, 403 for residents."""
    return on_request(**{RESIDENT: DENIED, STRANGER: DENIED, **cells})


def everyone(status: int, *, residents: int = DENIED, **unlike: int) -> dict[str, int]:
    """Every member of staff alike, but those named in `unlike`."""
    return on_request(
        **{
            RESIDENT: residents,
            STRANGER: residents,
            **dict.fromkeys(STAFF, status),
            **unlike,
        }
    )


def a_case(**cells: int) -> dict[str, int]:
    """The usual shape of a step on a village-A case that village A's staff take:
    clerk A and the official do it, town X sees it but may not, B and Y do not see
    it."""
    return on_request(
        **{
            CLERK_A: OK,
            CLERK_B: NOT_FOUND,
            TOWN_X: DENIED,
            TOWN_Y: NOT_FOUND,
            OFFICIAL: OK,
            **cells,
        }
    )


def public(status: int) -> dict[str, int]:
    """Every column alike, anonymous included (the catalog: no sign-in)."""
    return dict.fromkeys(ROLES, status)


def sees_a_case(**cells: int) -> dict[str, int]:
    """Who sees one of village A's requests (the workbench's case page, and the
    applicant's own request as on 我的办件): its applicant, clerk A, town X (the
    body of its item), the official and the key; 404 for the stranger, B and Y."""
    return on_request(
        **{
            RESIDENT: OK,
            CLERK_A: OK,
            CLERK_B: NOT_FOUND,
            TOWN_X: OK,
            TOWN_Y: NOT_FOUND,
            OFFICIAL: OK,
            **cells,
        }
    )


# The applicant's views of their requests, for the leak check (see ``_views``): a
# list row; one request read by the applicant's account; one read by whoever proved
# the number and the phone's last four digits (requests/lookup/).
LIST, ACCOUNT, PROOF = "list", "account", "proof"
# Whoever proves the digits of a village-A request they do not otherwise see.
PROVED = {ANON: PROOF, STRANGER: PROOF, CLERK_B: PROOF, TOWN_Y: PROOF}


@dataclass(frozen=True)
class Row:
    name: str
    method: str
    shown: str  # the address as a pattern, for the doc
    url: Callable[[SimpleNamespace], str]
    expected: dict[str, int]
    data: Callable[[SimpleNamespace], dict] | None = None
    success: int = OK  # what a call that works answers
    writes: bool = True  # a call that works changes the database
    notes: str = field(default="", compare=False)
    format: str = "json"  # how a POST's body is sent ("multipart" for files)
    # A case the caller's session proved first (requests/lookup/ with remember).
    proved: str = ""
    # The applicant's view (LIST, ACCOUNT, PROOF) some roles' answers are, when they
    # work: what the leak check allows them beyond their column's usual.
    sees: dict[str, str] = field(default_factory=dict, compare=False)
    # More to assert of an answer that works: check(world, role, body).
    check: Callable[[SimpleNamespace, str, dict], None] | None = field(
        default=None, compare=False
    )


GET, POST, DELETE = "GET", "POST", "DELETE"
API = "/api/v1/"


def _request(case: str, rest: str = ""):
    """requests/<n>/ of one of the world's cases, or an address under it (``rest``:
    a step, ``timeline``, …)."""
    tail = f"{rest}/" if rest else ""
    return lambda w: f"{API}requests/{getattr(w, case).tracking_number}/{tail}"


def _trip(trip: str, rest: str = ""):
    return lambda w: f"{API}trips/{getattr(w, trip).pk}/{rest}"


def _visit(visit: str, rest: str = ""):
    return lambda w: f"{API}visits/{getattr(w, visit).pk}/{rest}"


def _follow_up(follow_up: str, rest: str = ""):
    return lambda w: f"{API}follow-ups/{getattr(w, follow_up).pk}/{rest}"


def _version(case: str, **more):
    return lambda w: {"version": getattr(w, case).version, **more}


def _visit_booking(w) -> dict:
    return {
        "version": w.a_home.version,
        "starts_at": "2026-03-10T14:00:00+08:00",
        "ends_at": "2026-03-10T16:00:00+08:00",
        "other_time_agreed": True,  # the resident said mornings
        "staff": w.users[CLERK_A].pk,
        "reason": "age",
    }


def _lookup(case: str, digits: str):
    return lambda w: {
        "tracking_number": getattr(w, case).tracking_number,
        "phone_last4": digits,
    }


def _application(village: str, **changes):
    """A new request (POST requests/) for `village`, by an applicant who is neither
    village's marked one."""

    def build(w: SimpleNamespace) -> dict:
        from huagang.privacy import NOTICE_VERSION

        return {
            "item": w.item_agency.code,
            "village": village,
            "mode": "agency",
            "applicant_name": "丙接口申请人",
            "applicant_phone": "13733333003",
            "applicant_id_number": "110105196001010033",
            "applicant_address": "三组",
            "description": "接口申请",
            "consent": True,
            "privacy_notice_version": NOTICE_VERSION,
            **changes,
        }

    return build


# Whose requests each caller's lists hold: the world's resident applied for all of
# them; every item of village A's requests is of body X, of B's of body Y.
SEES_VILLAGES = {
    RESIDENT: "AB",
    STRANGER: "",
    CLERK_A: "A",
    CLERK_B: "B",
    TOWN_X: "A",
    TOWN_Y: "B",
    OFFICIAL: "AB",
    API_KEY: "A",
    GRID_A: "A",  # every one of village A's cases is in their grid
}


def _numbers(body: dict) -> set[str]:
    assert body["next"] is None, "one page holds them all"
    return {row["tracking_number"] for row in body["results"]}


def _lists(villages: str):
    """The list holds exactly the requests of `villages` the caller may see."""

    def check(w: SimpleNamespace, role: str, body: dict) -> None:
        seen = [v for v in SEES_VILLAGES[role] if v in villages]
        assert _numbers(body) == set().union(*(w.numbers[v] for v in seen))

    return check


def _overdue(w: SimpleNamespace, role: str, body: dict) -> None:
    seen = SEES_VILLAGES[role]
    assert _numbers(body) == set().union(*(w.overdue[v] for v in seen))


def _internal_note(w: SimpleNamespace, role: str, body: dict) -> None:
    staff = role in (CLERK_A, TOWN_X, OFFICIAL, API_KEY, GRID_A)
    assert (NOTE in json.dumps(body, ensure_ascii=False)) == staff, role


def _station_steps(w: SimpleNamespace, role: str, body: dict) -> None:
    """花岗派出所's 即时即办 case: its window (town X) and the official are offered
    its steps; village A's clerk (and their key), the grid worker and the
    applicant (a withdrawal: 我的办件's) not the window's."""
    steps = {step["step"] for step in body["next_steps"]}
    window = {"accept", "complete", "reject"}
    expected = {
        TOWN_X: window,
        OFFICIAL: window | {"withdraw"},
        RESIDENT: {"withdraw"},
    }.get(role, set())
    assert steps == expected, (role, steps)


def _rating_words(w: SimpleNamespace, role: str, body: dict) -> None:
    rating = body["rating"]
    assert rating["level"] == 2, rating
    assert rating["follow_up"]["stage"] == "open", rating  # on the timeline too
    words = role in (RESIDENT, CLERK_A, OFFICIAL, API_KEY)
    assert rating["comment"] == (WORDS if words else None), rating


def _statistics_scope(w: SimpleNamespace, role: str, body: dict) -> None:
    """The figures count the caller's village, or their bodies, or everything."""
    villages = {CLERK_A: [HUAGANG], API_KEY: [HUAGANG], CLERK_B: [FENFANG]}
    scope = body["scope"]
    assert scope["villages"] == villages.get(role), scope
    bodies = scope["bodies"]
    assert (None if bodies is None else set(bodies)) == w.body_codes.get(role), scope


# fmt: off
ROWS: list[Row] = [
    # --- steps on a request (services/api/views/steps.py) -------------------------------
    Row("accept (GET)", GET, "requests/<n>/accept/", _request("a_new", "accept"),
        everyone(NOT_ALLOWED, residents=NOT_ALLOWED), notes="after the sign-in check"),
    Row("accept: no such request", POST, "requests/<n>/accept/",
        lambda w: f"{API}requests/HG000000000000/accept/",
        on_request(resident=NOT_FOUND, **dict.fromkeys(STAFF, NOT_FOUND)),
        data=lambda w: {}),
    Row("accept (submitted)", POST, "requests/<n>/accept/", _request("a_new", "accept"),
        a_case(grid_a=DENIED), data=_version("a_new")),
    Row("accept an accepted case", POST, "requests/<n>/accept/",
        _request("a_accepted", "accept"),
        a_case(resident=CONFLICT, clerk_a=CONFLICT, town_x=CONFLICT, official=CONFLICT,
        grid_a=CONFLICT),
        data=_version("a_accepted"),
        notes="impossible in its status, whoever asks (the applicant too)"),
    Row("accept with a stale version", POST, "requests/<n>/accept/",
        _request("a_new", "accept"),
        a_case(resident=CONFLICT, clerk_a=CONFLICT, town_x=CONFLICT,
               official=CONFLICT, grid_a=CONFLICT),
        data=lambda w: {"version": w.a_new.version + 1},
        notes="409 conflict for whoever sees it: their view of it is out of date"),
    Row("reject", POST, "requests/<n>/reject/", _request("a_new", "reject"),
        a_case(grid_a=DENIED),
        data=_version("a_new", reason="不符合条件")),
    Row("withdraw", POST, "requests/<n>/withdraw/", _request("a_new", "withdraw"),
        a_case(resident=OK, grid_a=DENIED), data=_version("a_new", reason="本人撤回"),
        notes="the applicant withdraws their own request (as on 我的办件)"),
    Row("supplement-request", POST, "requests/<n>/supplement-request/",
        _request("a_accepted", "supplement-request"), a_case(grid_a=DENIED),
        data=_version("a_accepted", note="缺户口簿")),
    Row("resume (awaiting supplement)", POST, "requests/<n>/resume/",
        _request("a_supplement", "resume"), a_case(grid_a=DENIED),
        data=_version("a_supplement")),
    Row("complete (back at the village)", POST, "requests/<n>/complete/",
        _request("a_returned", "complete"), a_case(grid_a=DENIED),
        data=_version("a_returned", result="已发放", delivered_how="in_person")),
    Row("complete (instant)", POST, "requests/<n>/complete/",
        _request("a_instant", "complete"), a_case(town_x=OK, grid_a=DENIED),
        data=_version("a_instant", result="当场办结"),
        notes="a town window may do 即时即办 cases"),
    Row("accept the police station's case", POST, "requests/<n>/accept/",
        _request("a_station", "accept"), a_case(town_x=OK, clerk_a=DENIED, grid_a=DENIED),
        data=_version("a_station"),
        notes="花岗派出所's 死亡注销 (即时即办): only its window (town X) or an "
        "official; clerk A sees it and takes no step"),
    Row("complete the police station's case", POST, "requests/<n>/complete/",
        _request("a_station", "complete"),
        a_case(town_x=OK, clerk_a=DENIED, grid_a=DENIED),
        data=_version("a_station", result="户口已注销")),
    Row("notes", POST, "requests/<n>/notes/", _request("a_new", "notes"),
        a_case(clerk_a=CREATED, town_x=CREATED, official=CREATED, grid_a=CREATED),
        data=_version("a_new", note="内部备注"), success=CREATED),
    Row("decide", POST, "requests/<n>/decide/", _request("a_at_town", "decide"),
        a_case(clerk_a=DENIED, town_x=OK, grid_a=DENIED),
        data=_version("a_at_town", result="准予办理")),
    Row("decide a case not at the town", POST, "requests/<n>/decide/",
        _request("a_accepted", "decide"),
        a_case(clerk_a=DENIED, town_x=CONFLICT, official=CONFLICT, grid_a=DENIED),
        data=_version("a_accepted", result="准予办理")),
    Row("put-on-trip (the village's next)", POST, "requests/<n>/put-on-trip/",
        _request("a_accepted", "put-on-trip"), a_case(grid_a=DENIED),
        data=_version("a_accepted"),
        notes="the case is in the address: B gets 404 (the workbench: 400, not a "
        "choice on B's trip)"),
    Row("visits: book", POST, "requests/<n>/visits/", _request("a_home", "visits"),
        a_case(clerk_a=CREATED, official=CREATED, grid_a=DENIED), data=_visit_booking,
        success=CREATED),
    Row("visits: book while one is planned", POST, "requests/<n>/visits/",
        lambda w: f"{API}requests/{w.a_visit.request.tracking_number}/visits/",
        a_case(clerk_a=CONFLICT, official=CONFLICT, grid_a=DENIED),
        data=lambda w: {**_visit_booking(w), "version": w.a_visit.request.version},
        success=CREATED, notes="record the planned one's outcome first"),
    # --- trips (services/api/views/fieldwork.py) ----------------------------------------
    Row("trips", GET, "trips/", lambda w: f"{API}trips/", everyone(OK),
        notes="scoped: each sees the trips of their village or carrying their cases"),
    Row("trip: detail", GET, "trips/<id>/", _trip("trip_at_town"),
        staff_only(clerk_a=OK, clerk_b=NOT_FOUND, town_x=OK, town_y=NOT_FOUND,
                   official=OK, grid_a=OK)),
    Row("trip: add a case", POST, "trips/<id>/cases/", _trip("trip_next", "cases/"),
        staff_only(clerk_a=OK, clerk_b=NOT_FOUND, town_x=DENIED, town_y=NOT_FOUND,
                   official=OK, grid_a=DENIED),
        data=lambda w: {"cases": [w.a_accepted.tracking_number]}),
    Row("trip: remove a case", DELETE, "trips/<id>/cases/<n>/",
        lambda w: _trip("trip_next", f"cases/{w.a_on_trip.tracking_number}/")(w),
        staff_only(clerk_a=OK, clerk_b=NOT_FOUND, town_x=DENIED, town_y=NOT_FOUND,
                   official=OK, grid_a=DENIED)),
    Row("trip: remove a case after the hand-over", DELETE, "trips/<id>/cases/<n>/",
        lambda w: _trip("trip_at_town", f"cases/{w.a_at_town.tracking_number}/")(w),
        staff_only(clerk_a=CONFLICT, clerk_b=NOT_FOUND, town_x=DENIED,
                   town_y=NOT_FOUND, official=CONFLICT, grid_a=DENIED),
        notes="its cases stay on it"),
    Row("trip: hand over (GET)", GET, "trips/<id>/hand-over/",
        _trip("trip_next", "hand-over/"), everyone(NOT_ALLOWED)),
    Row("trip: hand over", POST, "trips/<id>/hand-over/",
        _trip("trip_next", "hand-over/"),
        staff_only(clerk_a=OK, clerk_b=NOT_FOUND, town_x=DENIED, town_y=NOT_FOUND,
                   official=OK, grid_a=DENIED), data=lambda w: {"documents": 2}),
    Row("trip: send back", POST, "trips/<id>/return/", _trip("trip_at_town", "return/"),
        staff_only(clerk_a=DENIED, clerk_b=NOT_FOUND, town_x=OK, town_y=NOT_FOUND,
                   official=OK, grid_a=DENIED),
        data=lambda w: {"cases": [w.a_at_town.tracking_number], "documents": 1}),
    Row("trip: check out a number", POST, "trips/<id>/check-in/",
        _trip("trip_at_town", "check-in/"),
        staff_only(clerk_a=DENIED, clerk_b=NOT_FOUND, town_x=OK, town_y=NOT_FOUND,
                   official=OK, grid_a=DENIED),
        data=lambda w: {"leg": "out", "number": w.a_at_town.tracking_number}),
    Row("trip: finish check out", POST, "trips/<id>/check-in/finish/",
        _trip("trip_at_town", "check-in/finish/"),
        staff_only(clerk_a=DENIED, clerk_b=NOT_FOUND, town_x=OK, town_y=NOT_FOUND,
                   official=OK, grid_a=DENIED), data=lambda w: {"leg": "out"}),
    Row("trip: check back a number", POST, "trips/<id>/check-in/",
        _trip("trip_returned", "check-in/"),
        staff_only(clerk_a=OK, clerk_b=NOT_FOUND, town_x=DENIED, town_y=NOT_FOUND,
                   official=OK, grid_a=DENIED),
        data=lambda w: {"leg": "back", "number": w.a_returned.tracking_number}),
    Row("trip: finish check back", POST, "trips/<id>/check-in/finish/",
        _trip("trip_returned", "check-in/finish/"),
        staff_only(clerk_a=OK, clerk_b=NOT_FOUND, town_x=DENIED, town_y=NOT_FOUND,
                   official=OK, grid_a=DENIED), data=lambda w: {"leg": "back"}),
    Row("trip: check back before the return", POST, "trips/<id>/check-in/",
        _trip("trip_at_town", "check-in/"),
        staff_only(clerk_a=CONFLICT, clerk_b=NOT_FOUND, town_x=CONFLICT,
                   town_y=NOT_FOUND, official=CONFLICT, grid_a=CONFLICT),
        data=lambda w: {"leg": "back", "number": w.a_at_town.tracking_number},
        notes="impossible in the trip's state"),
    Row("trip: check in, no such leg", POST, "trips/<id>/check-in/",
        _trip("trip_at_town", "check-in/"),
        staff_only(clerk_a=BAD, clerk_b=NOT_FOUND, town_x=BAD, town_y=NOT_FOUND,
                   official=BAD, grid_a=BAD),
        data=lambda w: {"leg": "sideways", "number": w.a_at_town.tracking_number},
        notes="the leg is in the body: 400 (the workbench: 404, in the address)"),
    # --- home visits -------------------------------------------------------------------
    Row("visits", GET, "visits/", lambda w: f"{API}visits/", everyone(OK)),
    Row("visit: detail", GET, "visits/<id>/", _visit("a_visit"),
        staff_only(clerk_a=OK, clerk_b=NOT_FOUND, town_x=OK, town_y=NOT_FOUND,
                   official=OK, grid_a=OK)),
    Row("visit: done", POST, "visits/<id>/done/", _visit("a_visit", "done/"),
        staff_only(clerk_a=OK, clerk_b=NOT_FOUND, town_x=DENIED, town_y=NOT_FOUND,
                   official=OK, grid_a=DENIED), data=lambda w: {"note": "已上门办好"}),
    Row("visit: nobody at home", POST, "visits/<id>/absent/",
        _visit("a_visit", "absent/"),
        staff_only(clerk_a=OK, clerk_b=NOT_FOUND, town_x=DENIED, town_y=NOT_FOUND,
                   official=OK, grid_a=DENIED), data=lambda w: {}),
    Row("visit: not possible", POST, "visits/<id>/impossible/",
        _visit("a_visit", "impossible/"),
        staff_only(clerk_a=OK, clerk_b=NOT_FOUND, town_x=DENIED, town_y=NOT_FOUND,
                   official=OK, grid_a=DENIED), data=lambda w: {"note": "道路不通"}),
    # --- 差评 follow-ups -------------------------------------------------------------
    Row("follow-ups", GET, "follow-ups/", lambda w: f"{API}follow-ups/", everyone(OK)),
    Row("follow-up", GET, "follow-ups/<id>/", _follow_up("a_follow_up"),
        staff_only(clerk_a=OK, clerk_b=NOT_FOUND, town_x=NOT_FOUND, town_y=NOT_FOUND,
                   official=OK, grid_a=NOT_FOUND),
        notes="handled by who serves the village"),
    Row("follow-up: next stage", POST, "follow-ups/<id>/advance/",
        _follow_up("a_follow_up", "advance/"),
        staff_only(clerk_a=OK, clerk_b=NOT_FOUND, town_x=NOT_FOUND, town_y=NOT_FOUND,
                   official=OK, grid_a=NOT_FOUND),
        data=lambda w: {"stage": "open", "text": "已核实"}),
    # --- requests: the list, one request, the applicant's own (views/requests.py) -------
    Row("requests", GET, "requests/", lambda w: f"{API}requests/?page_size=100",
        everyone(OK, residents=OK), sees={RESIDENT: LIST}, check=_lists("AB"),
        notes="exactly what each may see: the applicant their own (of both villages), "
        "the stranger none, staff what they serve (town X: body X, all of A's)"),
    Row("requests of village B", GET, "requests/?village=<B>",
        lambda w: f"{API}requests/?page_size=100&village={FENFANG}",
        everyone(OK, residents=OK), sees={RESIDENT: LIST}, check=_lists("B"),
        notes="a filter narrows the scope, never widens it: A's staff get none"),
    Row("request", GET, "requests/<n>/", _request("a_new"), sees_a_case(grid_a=OK),
        sees={RESIDENT: ACCOUNT}, notes="the case page's; the applicant's own"),
    Row("request: the police station's case", GET, "requests/<n>/",
        _request("a_station"), sees_a_case(grid_a=OK), sees={RESIDENT: ACCOUNT},
        check=_station_steps,
        notes="next_steps: none for clerk A (done at the station's own window)"),
    Row("request: no such request", GET, "requests/<n>/",
        lambda w: f"{API}requests/HG000000000000/",
        on_request(resident=NOT_FOUND, **dict.fromkeys(STAFF, NOT_FOUND))),
    Row("timeline", GET, "requests/<n>/timeline/", _request("a_new", "timeline"),
        sees_a_case(grid_a=OK), sees={RESIDENT: ACCOUNT}, check=_internal_note,
        notes="the internal note only to staff who see the case (town X too, as on "
        "the case page); the applicant the public events"),
    Row("rating (GET)", GET, "requests/<n>/rating/", _request("a_rated", "rating"),
        sees_a_case(grid_a=OK), sees={RESIDENT: ACCOUNT}, check=_rating_words,
        notes="the resident's words (comment) only to the applicant and to who "
        "handles its 差评 follow-up (the workbench's follow-up page: town X 404); "
        "level and follow-up to all who see the case (on its timeline)"),
    Row("rate", POST, "requests/<n>/rating/", _request("a_done", "rating"),
        sees_a_case(resident=CREATED, clerk_a=DENIED, town_x=DENIED, official=DENIED,
        grid_a=DENIED),
        data=lambda w: {"level": 4, "comment": "很快"}, success=CREATED,
        sees={RESIDENT: ACCOUNT}, notes="only the applicant rates (我的办件)"),
    Row("rate a rated request", POST, "requests/<n>/rating/",
        _request("a_rated", "rating"),
        sees_a_case(resident=CONFLICT, clerk_a=DENIED, town_x=DENIED, official=DENIED,
        grid_a=DENIED),
        data=lambda w: {"level": 5}, success=CREATED, notes="once"),
    Row("materials (a supplement asked)", POST, "requests/<n>/materials/",
        _request("a_supplement", "materials"),
        sees_a_case(resident=CREATED, clerk_a=CREATED, town_x=CREATED,
                    official=CREATED, grid_a=CREATED),
        data=lambda w: {"other": pdf_upload("补正材料.pdf")}, format="multipart",
        success=CREATED, sees={RESIDENT: ACCOUNT},
        notes="the applicant, as on 我的办件; staff who see the case may add a "
        "material to an open request (the attach rule)"),
    Row("materials (none asked)", POST, "requests/<n>/materials/",
        _request("a_new", "materials"),
        sees_a_case(resident=CONFLICT, clerk_a=CONFLICT, town_x=CONFLICT,
                    official=CONFLICT, grid_a=CONFLICT),
        data=lambda w: {"other": pdf_upload("补正材料.pdf")}, format="multipart",
        success=CREATED),
    Row("lookup", POST, "requests/lookup/", lambda w: f"{API}requests/lookup/",
        public(OK), data=_lookup("a_new", A_PERSON.phone[-4:]), writes=False,
        sees={**PROVED, RESIDENT: ACCOUNT},
        notes="the number and the mobile's last four digits: whoever does not "
        "otherwise see the request gets the applicant's view (masked, as the "
        "tracking page), never more"),
    Row("lookup with wrong digits", POST, "requests/lookup/",
        lambda w: f"{API}requests/lookup/", public(NOT_FOUND),
        data=_lookup("a_new", "0000"), writes=False),
    Row("request, proved in the session", GET, "requests/<n>/", _request("a_new"),
        public(OK), proved="a_new", sees={**PROVED, RESIDENT: ACCOUNT},
        notes="after a lookup with remember: the applicant's view, as the tracking "
        "page"),
    Row("timeline, proved in the session", GET, "requests/<n>/timeline/",
        _request("a_new", "timeline"), public(OK), proved="a_new",
        sees={**PROVED, RESIDENT: ACCOUNT}, check=_internal_note,
        notes="the public events; the internal note still only to staff"),
    Row("rate, proved in the session", POST, "requests/<n>/rating/",
        _request("a_done", "rating"),
        {**public(CREATED), CLERK_A: DENIED, TOWN_X: DENIED, OFFICIAL: DENIED,
         API_KEY: DENIED, GRID_A: DENIED},
        proved="a_done", data=lambda w: {"level": 4}, success=CREATED,
        sees={**PROVED, RESIDENT: ACCOUNT},
        notes="whoever proved the digits and does not otherwise see the request "
        "rates as its applicant (as docs/api.md says; the tracking page has no "
        "rating); staff who see it stay staff"),
    Row("apply for village A", POST, "requests/", lambda w: f"{API}requests/",
        public(CREATED), data=_application(HUAGANG), success=CREATED,
        notes="a session applies as itself (the online form, which takes anyone "
        "signed in, staff too); the key enters for the applicant as clerk A (the "
        "workbench's entry)"),
    Row("apply for village B", POST, "requests/", lambda w: f"{API}requests/",
        {**public(CREATED), API_KEY: BAD}, data=_application(FENFANG),
        success=CREATED,
        notes="clerk A's key may not enter for village B (the workbench: clerk B "
        "entering for A, 400)"),
    Row("apply without consent", POST, "requests/", lambda w: f"{API}requests/",
        public(BAD), data=_application(HUAGANG, consent=False), success=CREATED),
    # --- statistics (views/statistics.py) -----------------------------------------------
    Row("statistics", GET, "statistics/", lambda w: f"{API}statistics/",
        everyone(OK, grid_a=DENIED),
        check=_statistics_scope,
        notes="the dashboard's: over the caller's village or bodies, all for the "
        "official"),
    Row("statistics: a bad period", GET, "statistics/?from=2026-13-01",
        lambda w: f"{API}statistics/?from=2026-13-01", everyone(BAD, grid_a=DENIED)),
    Row("statistics: overdue", GET, "statistics/overdue/",
        lambda w: f"{API}statistics/overdue/?page_size=100",
        everyone(OK, grid_a=DENIED), check=_overdue, notes="exactly the overdue cases each may see"),
    # --- the catalog (views/catalog.py): public -------------------------------------
    Row("services", GET, "services/", lambda w: f"{API}services/", public(OK)),
    Row("service", GET, "services/<code>/",
        lambda w: f"{API}services/{w.item_agency.code}/", public(OK)),
    Row("services (POST)", POST, "services/", lambda w: f"{API}services/",
        public(NOT_ALLOWED), data=lambda w: {}, notes="read only"),
    Row("categories", GET, "categories/", lambda w: f"{API}categories/", public(OK)),
    Row("bodies", GET, "bodies/", lambda w: f"{API}bodies/", public(OK)),
    Row("villages", GET, "villages/", lambda w: f"{API}villages/", public(OK)),
    Row("village", GET, "villages/<code>/", lambda w: f"{API}villages/{HUAGANG}/",
        public(OK)),
]
# fmt: on


NOTE = "甲村内部备注：电话已核实"  # an internal note on a_new
WORDS = "甲村申请人的差评原话"  # the comment of a_rated's poor rating


def _for_the_api(w: SimpleNamespace) -> None:
    """What the request rows need beyond the workbench's world: an internal note on
    ``a_new``; ``a_done``, completed and not rated; ``a_rated``, rated poorly with a
    comment (a follow-up is open); an overdue case in each village (accepted on 2
    February), all of them the resident's like the rest; then what the leak check
    searches for."""
    import time_machine

    from services import actions
    from services.models import ServiceRequest
    from villages.models import Village

    x, y, _body_y = _items()
    w.village_b = Village.objects.get(code=FENFANG)
    clerk_a, clerk_b = w.users[CLERK_A], w.users[CLERK_B]
    accepted = _accepting(w.users[RESIDENT])
    monday = dt.datetime(2026, 2, 2, 1, tzinfo=dt.UTC)  # 09:00 in the town
    with time_machine.travel(monday, tick=False):
        w.a_overdue = accepted("agency", x, w.village_a, A_PERSON, clerk_a)
        w.b_overdue = accepted("agency", y, w.village_b, B_PERSON, clerk_b)
    with time_machine.travel(_local(10, 8, 55), tick=False):
        w.a_done, w.a_rated = (
            actions.service_request_complete(
                service_request=accepted("instant", x, w.village_a, A_PERSON, clerk_a),
                by=clerk_a,
                result="当场办结",
            )
            for _ in range(2)
        )
        actions.rating_submit(
            service_request=w.a_rated, by=w.users[RESIDENT], level=2, comment=WORDS
        )
        actions.service_request_add_note(service_request=w.a_new, by=clerk_a, note=NOTE)
    w.overdue = {"A": {w.a_overdue.tracking_number}, "B": {w.b_overdue.tracking_number}}
    # the grid worker's grid holds village A's new cases too, as all the others
    ServiceRequest.objects.filter(village=w.village_a).update(grid=w.grid_a)
    _search_for_more(w)


def _accepting(resident):
    """submit + accept, for `resident` as the workbench world's ``a``/``b`` do."""
    from huagang.privacy import NOTICE_VERSION
    from services import actions

    count = itertools.count(1)

    def accepted(kind, items, village, person, clerk):
        case = actions.service_request_submit(
            item=items[kind],
            village=village,
            mode=kind,
            channel="online",
            applicant_name=person.name,
            applicant_phone=person.phone,
            applicant_id_number=person.id_number,
            account=resident,
            description=f"{person.description}（接口{next(count)}）",
            consent_version=NOTICE_VERSION,
        )
        return actions.service_request_accept(service_request=case, by=clerk)

    return accepted


def _search_for_more(w: SimpleNamespace) -> None:
    """Each village's numbers now; the bodies of the town clerks; the new cases and
    the note added to what may not reach those who may not see village A's (B's)
    applicant; nobody's answer with a whole mobile or ID number (staff reveal them
    on the workbench, where it is recorded); the applicant's views (``_views``)."""
    from services.models import Body, ServiceRequest

    villages = {"A": w.village_a, "B": w.village_b}
    w.numbers = {
        name: set(
            ServiceRequest.objects.filter(village=village).values_list(
                "tracking_number", flat=True
            )
        )
        for name, village in villages.items()
    }
    w.body_codes = {
        role: set(
            Body.objects.filter(clerks=w.users[role]).values_list("code", flat=True)
        )
        for role in (TOWN_X, TOWN_Y)
    }
    marks = {
        "A": _marks(A_PERSON, w.numbers["A"]),
        "B": _marks(B_PERSON, w.numbers["B"]),
    }
    marks["A"].all |= {NOTE, WORDS}
    never = {A_PERSON.phone, A_PERSON.id_number, B_PERSON.phone, B_PERSON.id_number}
    for found in w.forbidden.values():  # in place: some roles share a set
        found |= never
        for name, person in (("A", A_PERSON), ("B", B_PERSON)):
            if person.name in found:
                found |= marks[name].all
    w.views = _views(marks["A"], marks["B"])
    # Town X sees A's cases, but not the resident's words (their follow-up's page).
    w.forbidden[TOWN_X] = w.forbidden[TOWN_X] | {WORDS}
    # … nor does the grid worker, who handles no follow-up.
    w.forbidden[GRID_A] = w.forbidden[GRID_A] | {WORDS}


def _marks(person: SimpleNamespace, numbers: set[str]) -> SimpleNamespace:
    from villages.validators import mask_id_number, mask_mobile, mask_name

    return SimpleNamespace(
        all=_markers(person, list(numbers)),
        numbers=numbers,
        name=person.name,
        masked_name=mask_name(person.name),
        masked_phone=mask_mobile(person.phone),
        masked_id=mask_id_number(person.id_number),
        description=person.description,
    )


def _views(a: SimpleNamespace, b: SimpleNamespace) -> dict[str, set[str]]:
    """What each of the applicant's views must not hold (its rows are about village
    A's requests; the list holds both villages'): a list never a whole name, phone
    or ID number, nor a masked ID number, nor a description; the account's view of
    one request its own name, description and the masked phone and ID number, and
    nothing of another request; a proof's view only the masked name, phone and ID
    number. None holds an internal note or a whole phone or ID number."""
    everything = a.all | b.all
    return {
        LIST: everything
        - a.numbers
        - b.numbers
        - {a.masked_name, a.masked_phone, b.masked_name, b.masked_phone},
        ACCOUNT: everything
        - {a.name, a.masked_name, a.masked_phone, a.masked_id, a.description, WORDS},
        PROOF: everything - {a.masked_name, a.masked_phone, a.masked_id},
    }


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """The workbench matrix's world (built once, in a transaction rolled back when
    the module is done), with a stranger, clerk A's API key and ``_for_the_api``."""
    from django.db import transaction

    from tests.factories import UserFactory
    from villages.actions import api_token_create
    from villages.choices import Role

    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            w = _build()
            w.users[STRANGER] = UserFactory(role=Role.RESIDENT)
            w.users[API_KEY] = w.users[CLERK_A]
            w.key = api_token_create(
                name="county platform", account=w.users[CLERK_A], by=None
            )[1]
            w.forbidden[STRANGER] = w.forbidden[RESIDENT]
            w.forbidden[API_KEY] = w.forbidden[CLERK_A]
            _for_the_api(w)
            yield w
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


def api_client(world, role: str):
    from rest_framework.test import APIClient

    if role == API_KEY:
        return APIClient(HTTP_AUTHORIZATION=f"Token {world.key}")
    client = APIClient()
    if role != ANON:
        client.force_login(world.users[role])
    return client


def _call(client, row: Row, url: str, data: dict | None):
    if row.method == GET:
        return client.get(url)
    if row.method == DELETE:
        return client.delete(url)
    return client.post(url, data or {}, format=row.format)


def _prove(client, case) -> None:
    """The session proves `case` as the tracking page would (the applicant's
    digits)."""
    found = client.post(
        f"{API}requests/lookup/",
        {
            "tracking_number": case.tracking_number,
            "phone_last4": case.applicant_phone[-4:],
            "remember": True,
        },
        format="json",
    )
    assert found.status_code == OK, found.content[:300]


def _state() -> tuple:
    """Everything a call may change: the workbench's, and ratings and files."""
    from services.models import Attachment, Rating

    return _snapshot(), Rating.objects.count(), Attachment.objects.count()


def _forbidden(world, row: Row, role: str, status: int) -> set[str]:
    """What `role`'s answer must not hold: their column's usual, or, in an answer
    that works, the applicant's view the row gives them."""
    view = row.sees.get(role) if status < 400 else None
    return world.views[view] if view else world.forbidden[role]


CELLS = [(row, role) for row in ROWS for role in ROLES]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("row", "role"), CELLS, ids=[f"{row.name}-{role}" for row, role in CELLS]
)
def test_permission_matrix(world, row: Row, role: str):
    want = row.expected[role]
    url = row.url(world)
    data = row.data(world) if row.data else None
    writes = row.method != GET
    before = _state() if writes else None

    client = api_client(world, role)
    if row.proved:
        _prove(client, getattr(world, row.proved))
    response = _call(client, row, url, data)

    assert response.status_code == want, (response.status_code, response.content[:600])
    body = response.json()
    if want >= 400:
        assert body["code"] in CODES[want], body
        assert body["message"], body
    if want == UNAUTHORIZED:
        assert response["WWW-Authenticate"].startswith("Token"), response.headers
    if writes:
        changed = _state() != before
        if want == row.success and row.writes:
            assert changed, "a call that worked changed nothing"
        else:
            assert not changed, "a refused call (or a lookup) changed something"
    if want == row.success and row.check:
        row.check(world, role, body)
    text = json.dumps(body, ensure_ascii=False)
    leaks = _leaks(text, _forbidden(world, row, role, want), url + repr(data))
    assert not leaks, f"{role} received data they may not see: {leaks}"


@pytest.mark.django_db
def test_the_data_searched_for_is_there_for_those_who_may_see_it(world):
    """The leak check is not vacuous: the answers of those who may see village A's
    cases name them."""
    official = api_client(world, OFFICIAL)
    trip = official.get(_trip("trip_at_town")(world)).content.decode()
    assert world.a_at_town.tracking_number in trip
    visits = api_client(world, CLERK_A).get(f"{API}visits/").content.decode()
    assert world.a_visit.request.tracking_number in visits
    trips = api_client(world, CLERK_B).get(f"{API}trips/").json()["results"]
    assert trips, "clerk B sees their own village's trips"


@pytest.mark.django_db
def test_the_applicant_views_show_what_they_allow(world):
    """The applicant's views (``_views``) are searched for what they leave out; what
    they allow is there: the account reads its own name and description, the
    proof's holder the masked name and phone, a list both villages' masked ones."""
    from villages.validators import mask_mobile, mask_name

    mine = api_client(world, RESIDENT).get(_request("a_new")(world)).json()
    assert mine["applicant"]["name"] == A_PERSON.name
    assert mine["description"].startswith(A_PERSON.description)
    found = api_client(world, ANON).post(
        f"{API}requests/lookup/", _lookup("a_new", "1001")(world), format="json"
    )
    assert found.json()["applicant"]["name"] == mask_name(A_PERSON.name)
    assert found.json()["applicant"]["phone"] == mask_mobile(A_PERSON.phone)
    rows = api_client(world, RESIDENT).get(f"{API}requests/?page_size=100").json()
    names = {row["applicant"]["name"] for row in rows["results"]}
    assert names == {mask_name(A_PERSON.name), mask_name(B_PERSON.name)}


@pytest.mark.django_db
def test_a_revoked_key_is_refused(world):
    from villages.actions import api_token_for_key, api_token_revoke

    api_token_revoke(token=api_token_for_key(world.key))
    response = api_client(world, API_KEY).get(f"{API}trips/")
    assert response.status_code == UNAUTHORIZED
    assert response.json()["code"] == "authentication_failed"


# --- the doc ---------------------------------------------------------------------------

DOC = Path(__file__).resolve().parents[2] / "docs" / "permissions-api.md"
DOC_HEAD = """\
# Who may call what on the API

The permission matrix of `/api/v1/`, as `tests/api/test_permission_matrix.py` checks it
(that test also checks this file is in sync; regenerate it with
`python -m tests.api.test_permission_matrix > docs/permissions-api.md`). It is the
workbench's matrix (`docs/permissions.md`) for the same actions, with the same people
and the same expectations in the API's status codes; for what only residents do
(their own requests, rating, a supplement, the lookup) the expectations of 我的办件
and the tracking page; the dashboard's for the statistics; the catalog is public.

Columns: not signed in; the resident who applied for every request of the table
(of both villages); a resident who applied for none of them (stranger); the village
clerk of village A (whose case, trip, visit or follow-up the row is about) and of
village B; a town-center clerk of body X (the body of the case's item) and of body
Y; an official; another system calling with an API key made for clerk A's account;
the grid worker (网格员) of the grid every one of village A's requests is in.

401 is `not_authenticated`; 200 or 201 is the step done; 405 a method the address
does not take. Staff who may not see the object get 404, never a 403 that tells it
exists; those who see it but may not take the step get 403 `not_permitted`, or 409
(`invalid_transition`, `conflict`) when the step is impossible in its status or the
`version` sent is not the request's.

A new request (`POST requests/`) from a signed-in session is the caller's own
application, as the online form takes it from anyone signed in; through a key
acting as staff it is the workbench's entry for the applicant, which a village clerk
makes only for their own village.

Whatever the status, no answer holds data of a village the caller does not serve,
an internal note for anyone but staff who see the case, the resident's words (a
rating's comment) for staff other than those who handle its follow-up, or a whole
mobile or ID number; the applicant reads their own requests as the applicant (a
list masked; one request in full but the mobile and ID number; after a lookup
masked); a refused call changes nothing.

"""


def render_doc() -> str:
    head = ["what", "method", "address (under /api/v1/)", *ROLES, "notes"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for row in ROWS:
        cells = [str(row.expected[role]) for role in ROLES]
        lines.append(
            f"| {row.name} | {row.method} | `{row.shown}` | "
            + " | ".join(cells)
            + f" | {row.notes} |"
        )
    return DOC_HEAD + "\n".join(lines) + "\n"


def test_the_doc_is_the_matrix():
    assert DOC.read_text(encoding="utf-8") == render_doc(), (
        "docs/permissions-api.md is out of date: "
        "python -m tests.api.test_permission_matrix > docs/permissions-api.md"
    )


if __name__ == "__main__":
    print(render_doc(), end="")
