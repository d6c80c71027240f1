"""The permission matrix applied to the API (issue 9): the workbench's matrix
(``tests/test_permission_matrix.py``, issue 8) for the same actions through
``/api/v1/``, with the same world, the same kinds of user and the same expectations,
in the API's own status codes:

- not signed in: 401 ``not_authenticated`` (instead of the sign-in redirect);
- a step that works: 200, or 201 for what it creates (instead of the redirect);
- 404 for staff who may not see the object, 403 ``not_permitted`` for those who see
  it but may not take the step, 409 when the step is impossible in its status, 405 for
  a method the address does not take (after the checks of who is calling).

Three columns more than the workbench's: ``stranger``, a signed-in resident who
applied for none of these requests (the world's ``resident`` is the applicant of
every one of them, so sees them: a staff step is a 403 for them, and withdrawing
their own request works, as on 我的办件); and ``api_key``, another system calling
with a key made for clerk A's account, which acts as clerk A (every cell the same).

Each test is one cell; a call answered with anything but its success changes nothing
(requests, events, records of reads, trips, check-ins, visits, follow-ups), one
answered with its success changes something; every error body is the API's one
shape with the code its status stands for; no answer holds data of a village the
caller may not see. The rows for the request read endpoints are appended to ``ROWS``
by whoever builds them, e.g. ``Row("detail", GET, "requests/<n>/", _request("a_new"),
on_request(resident=OK, clerk_a=OK, …))``; ``on_request`` and ``staff_only`` fill
in the columns such rows share.

``docs/permissions-api.md`` is this table as Markdown, checked to be in sync
(regenerate with ``python -m tests.api.test_permission_matrix > docs/permissions-api.md``).
"""

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace

import pytest

from tests.test_permission_matrix import (
    ANON,
    CLERK_A,
    CLERK_B,
    OFFICIAL,
    RESIDENT,
    TOWN_X,
    TOWN_Y,
    _build,
    _leaks,
    _snapshot,
)

STRANGER, API_KEY = "stranger", "api_key"
ROLES = (ANON, RESIDENT, STRANGER, CLERK_A, CLERK_B, TOWN_X, TOWN_Y, OFFICIAL, API_KEY)
STAFF = (CLERK_A, CLERK_B, TOWN_X, TOWN_Y, OFFICIAL)

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


def everyone(status: int, *, residents: int = DENIED) -> dict[str, int]:
    return on_request(
        **{RESIDENT: residents, STRANGER: residents, **dict.fromkeys(STAFF, status)}
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
        a_case(), data=_version("a_new")),
    Row("accept an accepted case", POST, "requests/<n>/accept/",
        _request("a_accepted", "accept"),
        a_case(resident=CONFLICT, clerk_a=CONFLICT, town_x=CONFLICT, official=CONFLICT),
        data=_version("a_accepted"),
        notes="impossible in its status, whoever asks (the applicant too)"),
    Row("accept with a stale version", POST, "requests/<n>/accept/",
        _request("a_new", "accept"),
        a_case(resident=CONFLICT, clerk_a=CONFLICT, town_x=CONFLICT,
               official=CONFLICT),
        data=lambda w: {"version": w.a_new.version + 1},
        notes="409 conflict for whoever sees it: their view of it is out of date"),
    Row("reject", POST, "requests/<n>/reject/", _request("a_new", "reject"), a_case(),
        data=_version("a_new", reason="不符合条件")),
    Row("withdraw", POST, "requests/<n>/withdraw/", _request("a_new", "withdraw"),
        a_case(resident=OK), data=_version("a_new", reason="本人撤回"),
        notes="the applicant withdraws their own request (as on 我的办件)"),
    Row("supplement-request", POST, "requests/<n>/supplement-request/",
        _request("a_accepted", "supplement-request"), a_case(),
        data=_version("a_accepted", note="缺户口簿")),
    Row("resume (awaiting supplement)", POST, "requests/<n>/resume/",
        _request("a_supplement", "resume"), a_case(), data=_version("a_supplement")),
    Row("complete (back at the village)", POST, "requests/<n>/complete/",
        _request("a_returned", "complete"), a_case(),
        data=_version("a_returned", result="已发放", delivered_how="in_person")),
    Row("complete (instant)", POST, "requests/<n>/complete/",
        _request("a_instant", "complete"), a_case(town_x=OK),
        data=_version("a_instant", result="当场办结"),
        notes="a town window may do 即时即办 cases"),
    Row("notes", POST, "requests/<n>/notes/", _request("a_new", "notes"),
        a_case(clerk_a=CREATED, town_x=CREATED, official=CREATED),
        data=_version("a_new", note="内部备注"), success=CREATED),
    Row("decide", POST, "requests/<n>/decide/", _request("a_at_town", "decide"),
        a_case(clerk_a=DENIED, town_x=OK),
        data=_version("a_at_town", result="准予办理")),
    Row("decide a case not at the town", POST, "requests/<n>/decide/",
        _request("a_accepted", "decide"),
        a_case(clerk_a=DENIED, town_x=CONFLICT, official=CONFLICT),
        data=_version("a_accepted", result="准予办理")),
    Row("put-on-trip (the village's next)", POST, "requests/<n>/put-on-trip/",
        _request("a_accepted", "put-on-trip"), a_case(), data=_version("a_accepted"),
        notes="the case is in the address: B gets 404 (the workbench: 400, not a "
        "choice on B's trip)"),
    Row("visits: book", POST, "requests/<n>/visits/", _request("a_home", "visits"),
        a_case(clerk_a=CREATED, official=CREATED), data=_visit_booking,
        success=CREATED),
    Row("visits: book while one is planned", POST, "requests/<n>/visits/",
        lambda w: f"{API}requests/{w.a_visit.request.tracking_number}/visits/",
        a_case(clerk_a=CONFLICT, official=CONFLICT),
        data=lambda w: {**_visit_booking(w), "version": w.a_visit.request.version},
        success=CREATED, notes="record the planned one's outcome first"),
    # --- trips (services/api/views/fieldwork.py) ----------------------------------------
    Row("trips", GET, "trips/", lambda w: f"{API}trips/", everyone(OK),
        notes="scoped: each sees the trips of their village or carrying their cases"),
    Row("trip: detail", GET, "trips/<id>/", _trip("trip_at_town"),
        staff_only(clerk_a=OK, clerk_b=NOT_FOUND, town_x=OK, town_y=NOT_FOUND,
                   official=OK)),
    Row("trip: add a case", POST, "trips/<id>/cases/", _trip("trip_next", "cases/"),
        staff_only(clerk_a=OK, clerk_b=NOT_FOUND, town_x=DENIED, town_y=NOT_FOUND,
                   official=OK),
        data=lambda w: {"cases": [w.a_accepted.tracking_number]}),
    Row("trip: remove a case", DELETE, "trips/<id>/cases/<n>/",
        lambda w: _trip("trip_next", f"cases/{w.a_on_trip.tracking_number}/")(w),
        staff_only(clerk_a=OK, clerk_b=NOT_FOUND, town_x=DENIED, town_y=NOT_FOUND,
                   official=OK)),
    Row("trip: remove a case after the hand-over", DELETE, "trips/<id>/cases/<n>/",
        lambda w: _trip("trip_at_town", f"cases/{w.a_at_town.tracking_number}/")(w),
        staff_only(clerk_a=CONFLICT, clerk_b=NOT_FOUND, town_x=DENIED,
                   town_y=NOT_FOUND, official=CONFLICT), notes="its cases stay on it"),
    Row("trip: hand over (GET)", GET, "trips/<id>/hand-over/",
        _trip("trip_next", "hand-over/"), everyone(NOT_ALLOWED)),
    Row("trip: hand over", POST, "trips/<id>/hand-over/",
        _trip("trip_next", "hand-over/"),
        staff_only(clerk_a=OK, clerk_b=NOT_FOUND, town_x=DENIED, town_y=NOT_FOUND,
                   official=OK), data=lambda w: {"documents": 2}),
    Row("trip: send back", POST, "trips/<id>/return/", _trip("trip_at_town", "return/"),
        staff_only(clerk_a=DENIED, clerk_b=NOT_FOUND, town_x=OK, town_y=NOT_FOUND,
                   official=OK),
        data=lambda w: {"cases": [w.a_at_town.tracking_number], "documents": 1}),
    Row("trip: check out a number", POST, "trips/<id>/check-in/",
        _trip("trip_at_town", "check-in/"),
        staff_only(clerk_a=DENIED, clerk_b=NOT_FOUND, town_x=OK, town_y=NOT_FOUND,
                   official=OK),
        data=lambda w: {"leg": "out", "number": w.a_at_town.tracking_number}),
    Row("trip: finish check out", POST, "trips/<id>/check-in/finish/",
        _trip("trip_at_town", "check-in/finish/"),
        staff_only(clerk_a=DENIED, clerk_b=NOT_FOUND, town_x=OK, town_y=NOT_FOUND,
                   official=OK), data=lambda w: {"leg": "out"}),
    Row("trip: check back a number", POST, "trips/<id>/check-in/",
        _trip("trip_returned", "check-in/"),
        staff_only(clerk_a=OK, clerk_b=NOT_FOUND, town_x=DENIED, town_y=NOT_FOUND,
                   official=OK),
        data=lambda w: {"leg": "back", "number": w.a_returned.tracking_number}),
    Row("trip: finish check back", POST, "trips/<id>/check-in/finish/",
        _trip("trip_returned", "check-in/finish/"),
        staff_only(clerk_a=OK, clerk_b=NOT_FOUND, town_x=DENIED, town_y=NOT_FOUND,
                   official=OK), data=lambda w: {"leg": "back"}),
    Row("trip: check back before the return", POST, "trips/<id>/check-in/",
        _trip("trip_at_town", "check-in/"),
        staff_only(clerk_a=CONFLICT, clerk_b=NOT_FOUND, town_x=CONFLICT,
                   town_y=NOT_FOUND, official=CONFLICT),
        data=lambda w: {"leg": "back", "number": w.a_at_town.tracking_number},
        notes="impossible in the trip's state"),
    Row("trip: check in, no such leg", POST, "trips/<id>/check-in/",
        _trip("trip_at_town", "check-in/"),
        staff_only(clerk_a=BAD, clerk_b=NOT_FOUND, town_x=BAD, town_y=NOT_FOUND,
                   official=BAD),
        data=lambda w: {"leg": "sideways", "number": w.a_at_town.tracking_number},
        notes="the leg is in the body: 400 (the workbench: 404, in the address)"),
    # --- home visits -------------------------------------------------------------------
    Row("visits", GET, "visits/", lambda w: f"{API}visits/", everyone(OK)),
    Row("visit: detail", GET, "visits/<id>/", _visit("a_visit"),
        staff_only(clerk_a=OK, clerk_b=NOT_FOUND, town_x=OK, town_y=NOT_FOUND,
                   official=OK)),
    Row("visit: done", POST, "visits/<id>/done/", _visit("a_visit", "done/"),
        staff_only(clerk_a=OK, clerk_b=NOT_FOUND, town_x=DENIED, town_y=NOT_FOUND,
                   official=OK), data=lambda w: {"note": "已上门办好"}),
    Row("visit: nobody at home", POST, "visits/<id>/absent/",
        _visit("a_visit", "absent/"),
        staff_only(clerk_a=OK, clerk_b=NOT_FOUND, town_x=DENIED, town_y=NOT_FOUND,
                   official=OK), data=lambda w: {}),
    Row("visit: not possible", POST, "visits/<id>/impossible/",
        _visit("a_visit", "impossible/"),
        staff_only(clerk_a=OK, clerk_b=NOT_FOUND, town_x=DENIED, town_y=NOT_FOUND,
                   official=OK), data=lambda w: {"note": "道路不通"}),
    # --- 差评 follow-ups -------------------------------------------------------------
    Row("follow-ups", GET, "follow-ups/", lambda w: f"{API}follow-ups/", everyone(OK)),
    Row("follow-up", GET, "follow-ups/<id>/", _follow_up("a_follow_up"),
        staff_only(clerk_a=OK, clerk_b=NOT_FOUND, town_x=NOT_FOUND, town_y=NOT_FOUND,
                   official=OK), notes="handled by who serves the village"),
    Row("follow-up: next stage", POST, "follow-ups/<id>/advance/",
        _follow_up("a_follow_up", "advance/"),
        staff_only(clerk_a=OK, clerk_b=NOT_FOUND, town_x=NOT_FOUND, town_y=NOT_FOUND,
                   official=OK), data=lambda w: {"stage": "open", "text": "已核实"}),
]
# fmt: on


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """The workbench matrix's world (built once, in a transaction rolled back when
    the module is done), with a stranger and clerk A's API key."""
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
    return client.post(url, data or {}, format="json")


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
    before = _snapshot() if writes else None

    response = _call(api_client(world, role), row, url, data)

    assert response.status_code == want, (response.status_code, response.content[:600])
    body = response.json()
    if want >= 400:
        assert body["code"] in CODES[want], body
        assert body["message"], body
    if want == UNAUTHORIZED:
        assert response["WWW-Authenticate"].startswith("Token"), response.headers
    if writes:
        changed = _snapshot() != before
        if want == row.success and row.writes:
            assert changed, "a call that worked changed nothing"
        elif want != row.success:
            assert not changed, "a refused call changed something"
    text = json.dumps(body, ensure_ascii=False)
    leaks = _leaks(text, world.forbidden[role], url + repr(data))
    assert not leaks, f"{role} received another village's data: {leaks}"


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
and the same expectations in the API's status codes.

Columns: not signed in; the resident who applied for every request of the table; a
resident who applied for none of them (stranger); the village clerk of village A
(whose case, trip, visit or follow-up the row is about) and of village B; a
town-center clerk of body X (the body of the case's item) and of body Y; an
official; another system calling with an API key made for clerk A's account.

401 is `not_authenticated`; 200 or 201 is the step done; 405 a method the address
does not take. Staff who may not see the object get 404, never a 403 that tells it
exists; those who see it but may not take the step get 403 `not_permitted`, or 409
(`invalid_transition`, `conflict`) when the step is impossible in its status or the
`version` sent is not the request's.

Whatever the status, no answer holds data of a village the caller does not serve;
a refused call changes nothing.

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
