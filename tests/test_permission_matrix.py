"""The workbench's permission matrix (issue 8): every staff address and action ×
every kind of user gives the expected answer, and nobody's answer holds another
village's data.

The kinds of user (the columns):

- ``anon``: not signed in → 302 to ``/account/sign-in/?next=<the address>``;
- ``resident``: signed in, not staff → 403 on every staff page;
- ``clerk_a`` / ``clerk_b``: the village clerks of village A (花岗社区, whose cases
  the rows are about) and of village B (粉坊村);
- ``town_x`` / ``town_y``: town-center clerks of body X (the body of every item of
  village A's cases; X is also 花岗派出所, a stationed body, for ``a_station``, its
  死亡注销 in 即时即办, done only at its own window) and of body Y (the body of
  village B's cases);
- ``official``;
- ``grid_a``: the grid worker (网格员) of the grid of village A that every one of
  village A's cases was entered for: they see them, may add a note, and take no
  status step; they enter only as 网格员代办 for their grid (the window entry below
  is refused), and see no dashboard.

The house rule, which the table spells out row by row: staff who may not see the
object get 404 (never a 403 that tells it exists); staff who see it but may not take
that step get 403, or 409 when the step is impossible in the case's status; a GET of
an address that only takes POST is 405 (after the sign-in and staff checks); a POST
that works redirects (302), the reveal too (back to the case page, which shows it once).

Each test is one cell: one request by one user. A POST answered with anything but
its success changes nothing (requests, events, records of reads, trips, check-ins,
visits, follow-ups); one answered with its success changes something. Every answer
(and the page a staff redirect leads to) is searched for village A's and village
B's data — tracking numbers, the applicants' names (whole and masked), phones (whole
and masked), ID numbers and descriptions — that the user may not see: each village
has its own distinctive applicant.

The objects are built once for the module, through the actions, inside a
transaction rolled back at the end; each test runs in a savepoint of it (so a POST
that works is undone before the next cell). ``docs/permissions.md`` is this table
as Markdown, checked to be in sync (regenerate it with
``python -m tests.test_permission_matrix > docs/permissions.md``).
"""

import datetime as dt
import io
import itertools
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace

import openpyxl
import pytest

ANON, RESIDENT = "anon", "resident"
CLERK_A, CLERK_B = "clerk_a", "clerk_b"
TOWN_X, TOWN_Y = "town_x", "town_y"
OFFICIAL = "official"
GRID_A = "grid_a"
ROLES = (ANON, RESIDENT, CLERK_A, CLERK_B, TOWN_X, TOWN_Y, OFFICIAL, GRID_A)

LOGIN = "sign-in"  # 302 to /account/sign-in/?next=<the address asked for>
OK, MOVED, BAD, DENIED, NOT_FOUND, NOT_ALLOWED, CONFLICT = (
    200,
    302,
    400,
    403,
    404,
    405,
    409,
)

HUAGANG = "340123106001"  # village A (花岗社区): trip days Tuesday and Friday
FENFANG = "340123106202"  # village B (粉坊村)


def expect(**cells: int | str) -> dict[str, int | str]:
    """One row's answers: anonymous and resident are the same on every staff
    address (sign in; 403) unless the row says otherwise."""
    row = {ANON: LOGIN, RESIDENT: DENIED, **cells}
    assert set(row) == set(ROLES), f"a row must give every role: {sorted(row)}"
    return {role: row[role] for role in ROLES}


# Shorthands for the common shapes of a row (each still lists every staff role).
def everyone(status: int, **unlike: int) -> dict[str, int | str]:
    """Every staff member alike (a list scoped to what each may see, a 405), but
    those named in `unlike`."""
    return expect(**{**dict.fromkeys(ROLES[2:], status), **unlike})


@dataclass(frozen=True)
class Row:
    name: str
    method: str
    shown: str  # the address as a pattern, for the doc
    url: Callable[[SimpleNamespace], str]
    expected: dict[str, int | str]
    data: Callable[[SimpleNamespace], dict] | None = None
    success: int = MOVED  # what a POST that works answers
    writes: bool = True  # a POST that works changes the database
    notes: str = field(default="", compare=False)


def _u(name: str, *args: Callable[[SimpleNamespace], object]):
    """The address of `name` with arguments taken from the world."""

    def build(w: SimpleNamespace) -> str:
        from django.urls import reverse

        return reverse(name, args=[arg(w) for arg in args])

    return build


def _number(case: str):
    return lambda w: getattr(w, case).tracking_number


def _pk(obj: str):
    return lambda w: getattr(w, obj).pk


def _version(prefix: str, case: str, **more):
    return lambda w: {f"{prefix}-version": getattr(w, case).version, **more}


GET, POST = "GET", "POST"

# fmt: off
ROWS: list[Row] = [
    # --- the queue and the case page (services/views/staff/cases.py) -----------------
    Row("queue", GET, "/staff/", _u("staff:queue"), everyone(OK)),
    Row("queue: search by number", POST, "/staff/", _u("staff:queue"),
        everyone(MOVED), data=lambda w: {"q": w.a_new.tracking_number}, writes=False,
        notes="to the case if visible, else back to the queue with the search"),
    Row("case page", GET, "/staff/cases/<n>/", _u("staff:case", _number("a_new")),
        expect(clerk_a=OK, clerk_b=NOT_FOUND, town_x=OK, town_y=NOT_FOUND, official=OK,
               grid_a=OK)),
    Row("reveal (GET)", GET, "/staff/cases/<n>/reveal/",
        _u("staff:reveal", _number("a_new")), everyone(NOT_ALLOWED)),
    Row("reveal the ID number", POST, "/staff/cases/<n>/reveal/",
        _u("staff:reveal", _number("a_new")),
        expect(clerk_a=MOVED, clerk_b=NOT_FOUND, town_x=MOVED, town_y=NOT_FOUND,
               official=MOVED, grid_a=MOVED),
        data=lambda w: {"what": "id"}, notes="recorded (AccessRecord)"),
    Row("note (GET)", GET, "/staff/cases/<n>/note/",
        _u("staff:note", _number("a_new")), everyone(NOT_ALLOWED)),
    Row("note", POST, "/staff/cases/<n>/note/", _u("staff:note", _number("a_new")),
        expect(clerk_a=MOVED, clerk_b=NOT_FOUND, town_x=MOVED, town_y=NOT_FOUND,
               official=MOVED, grid_a=MOVED),
        data=_version("note", "a_new", **{"note-note": "内部备注"})),
    Row("step (GET)", GET, "/staff/cases/<n>/<step>/",
        _u("staff:step", _number("a_new"), lambda w: "accept"), everyone(NOT_ALLOWED)),
    Row("step: no such step", POST, "/staff/cases/<n>/<step>/",
        _u("staff:step", _number("a_new"), lambda w: "fly"),
        expect(clerk_a=NOT_FOUND, clerk_b=NOT_FOUND, town_x=NOT_FOUND,
               town_y=NOT_FOUND, official=NOT_FOUND, grid_a=NOT_FOUND),
        data=_version("fly", "a_new")),
    Row("step: accept (submitted)", POST, "/staff/cases/<n>/accept/",
        _u("staff:step", _number("a_new"), lambda w: "accept"),
        expect(clerk_a=MOVED, clerk_b=NOT_FOUND, town_x=DENIED, town_y=NOT_FOUND,
               official=MOVED, grid_a=DENIED),
        data=_version("accept", "a_new")),
    Row("step: accept an accepted case", POST, "/staff/cases/<n>/accept/",
        _u("staff:step", _number("a_accepted"), lambda w: "accept"),
        expect(clerk_a=CONFLICT, clerk_b=NOT_FOUND, town_x=CONFLICT,
               town_y=NOT_FOUND, official=CONFLICT, grid_a=CONFLICT),
        data=_version("accept", "a_accepted"), notes="impossible in its status"),
    Row("step: reject", POST, "/staff/cases/<n>/reject/",
        _u("staff:step", _number("a_new"), lambda w: "reject"),
        expect(clerk_a=MOVED, clerk_b=NOT_FOUND, town_x=DENIED, town_y=NOT_FOUND,
               official=MOVED, grid_a=DENIED),
        data=_version("reject", "a_new", **{"reject-reason": "不符合条件",
                                             "reject-confirm": "on"})),
    Row("step: withdraw", POST, "/staff/cases/<n>/withdraw/",
        _u("staff:step", _number("a_new"), lambda w: "withdraw"),
        expect(clerk_a=MOVED, clerk_b=NOT_FOUND, town_x=DENIED, town_y=NOT_FOUND,
               official=MOVED, grid_a=DENIED),
        data=_version("withdraw", "a_new", **{"withdraw-reason": "本人撤回",
                                               "withdraw-confirm": "on"})),
    Row("step: supplement", POST, "/staff/cases/<n>/supplement/",
        _u("staff:step", _number("a_accepted"), lambda w: "supplement"),
        expect(clerk_a=MOVED, clerk_b=NOT_FOUND, town_x=DENIED, town_y=NOT_FOUND,
               official=MOVED, grid_a=DENIED),
        data=_version("supplement", "a_accepted", **{"supplement-note": "缺户口簿"})),
    Row("step: resume (awaiting supplement)", POST, "/staff/cases/<n>/resume/",
        _u("staff:step", _number("a_supplement"), lambda w: "resume"),
        expect(clerk_a=MOVED, clerk_b=NOT_FOUND, town_x=DENIED, town_y=NOT_FOUND,
               official=MOVED, grid_a=DENIED),
        data=_version("resume", "a_supplement")),
    Row("step: complete (back at the village)", POST, "/staff/cases/<n>/complete/",
        _u("staff:step", _number("a_returned"), lambda w: "complete"),
        expect(clerk_a=MOVED, clerk_b=NOT_FOUND, town_x=DENIED, town_y=NOT_FOUND,
               official=MOVED, grid_a=DENIED),
        data=_version("complete", "a_returned", **{"complete-result": "已发放",
                                                    "complete-delivered_how":
                                                        "in_person"})),
    Row("step: complete (instant)", POST, "/staff/cases/<n>/complete/",
        _u("staff:step", _number("a_instant"), lambda w: "complete"),
        expect(clerk_a=MOVED, clerk_b=NOT_FOUND, town_x=MOVED, town_y=NOT_FOUND,
               official=MOVED, grid_a=DENIED),
        data=_version("complete", "a_instant", **{"complete-result": "当场办结"}),
        notes="a town window may do 即时即办 cases"),
    # 花岗派出所's 死亡注销 (即时即办, from 身后一件事): done at the station's own window.
    Row("case page: the police station's case", GET, "/staff/cases/<n>/",
        _u("staff:case", _number("a_station")),
        expect(clerk_a=OK, clerk_b=NOT_FOUND, town_x=OK, town_y=NOT_FOUND, official=OK,
               grid_a=OK),
        notes="village A's clerk sees it, with no step and where it is done"),
    Row("note: the police station's case", POST, "/staff/cases/<n>/note/",
        _u("staff:note", _number("a_station")),
        expect(clerk_a=MOVED, clerk_b=NOT_FOUND, town_x=MOVED, town_y=NOT_FOUND,
               official=MOVED, grid_a=MOVED),
        data=_version("note", "a_station", **{"note-note": "家属已到村里询问"})),
    Row("step: accept the police station's case", POST, "/staff/cases/<n>/accept/",
        _u("staff:step", _number("a_station"), lambda w: "accept"),
        expect(clerk_a=DENIED, clerk_b=NOT_FOUND, town_x=MOVED, town_y=NOT_FOUND,
               official=MOVED, grid_a=DENIED),
        data=_version("accept", "a_station"),
        notes="a stationed body's 即时即办: only its window (town X) or an official"),
    Row("step: complete the police station's case", POST,
        "/staff/cases/<n>/complete/",
        _u("staff:step", _number("a_station"), lambda w: "complete"),
        expect(clerk_a=DENIED, clerk_b=NOT_FOUND, town_x=MOVED, town_y=NOT_FOUND,
               official=MOVED, grid_a=DENIED),
        data=_version("complete", "a_station", **{"complete-result": "户口已注销"})),
    Row("step: withdraw the police station's case", POST,
        "/staff/cases/<n>/withdraw/",
        _u("staff:step", _number("a_station"), lambda w: "withdraw"),
        expect(clerk_a=DENIED, clerk_b=NOT_FOUND, town_x=DENIED, town_y=NOT_FOUND,
               official=MOVED, grid_a=DENIED),
        data=_version("withdraw", "a_station", **{"withdraw-reason": "本人撤回",
                                                   "withdraw-confirm": "on"}),
        notes="the applicant withdraws it themselves (我的办件)"),
    # --- entry (services/views/staff/entry.py) ----------------------------------------
    Row("entry: pick the item", GET, "/staff/new/", _u("staff:entry"), everyone(OK)),
    Row("entry: the item's form", GET, "/staff/new/<code>/",
        _u("staff:entry_item", lambda w: w.item_agency.code), everyone(OK)),
    Row("entry: enter for village A", POST, "/staff/new/<code>/",
        _u("staff:entry_item", lambda w: w.item_agency.code),
        expect(clerk_a=MOVED, clerk_b=BAD, town_x=MOVED, town_y=MOVED, official=MOVED,
               grid_a=BAD),
        data=lambda w: w.entry_data(), notes="B: village A is not a choice; a town "
        "window enters for any village; a grid worker only as 网格员代办 for their grid"),
    Row("entry: a grid worker enters for their grid", POST, "/staff/new/<code>/",
        _u("staff:entry_item", lambda w: w.item_agency.code),
        expect(clerk_a=BAD, clerk_b=BAD, town_x=BAD, town_y=BAD, official=BAD,
               grid_a=MOVED),
        data=lambda w: w.entry_data(channel="grid", grid=w.grid_a.pk),
        notes="网格员代办: only a grid worker, only for their grid"),
    Row("entry: receipt", GET, "/staff/cases/<n>/receipt/",
        _u("staff:receipt", _number("a_new")),
        expect(clerk_a=OK, clerk_b=NOT_FOUND, town_x=OK, town_y=NOT_FOUND, official=OK,
               grid_a=OK)),
    # --- trips and the town (services/views/staff/trips.py) ---------------------------
    Row("trips: index", GET, "/staff/trips/", _u("staff:trips"),
        expect(clerk_a=OK, clerk_b=OK, town_x=MOVED, town_y=MOVED, official=OK,
               grid_a=DENIED),
        notes="a clerk's own village; town staff → arrivals; an official chooses"),
    Row("trips: index of village A", GET, "/staff/trips/?village=<A>",
        lambda w: _u("staff:trips")(w) + f"?village={w.village_a.pk}",
        expect(clerk_a=OK, clerk_b=OK, town_x=MOVED, town_y=MOVED, official=OK,
               grid_a=DENIED),
        notes="B still sees its own village"),
    Row("trips: arrivals", GET, "/staff/trips/arrivals/", _u("staff:trip_arrivals"),
        expect(clerk_a=DENIED, clerk_b=DENIED, town_x=OK, town_y=OK, official=OK,
               grid_a=DENIED)),
    Row("trip: detail", GET, "/staff/trips/<id>/", _u("staff:trip", _pk("trip_at_town")),
        expect(clerk_a=OK, clerk_b=NOT_FOUND, town_x=OK, town_y=NOT_FOUND, official=OK,
               grid_a=DENIED)),
    Row("trip: add (GET)", GET, "/staff/trips/<id>/add/",
        _u("staff:trip_add", _pk("trip_next")), everyone(NOT_ALLOWED, grid_a=DENIED)),
    Row("trip: add a case", POST, "/staff/trips/<id>/add/",
        _u("staff:trip_add", _pk("trip_next")),
        expect(clerk_a=MOVED, clerk_b=NOT_FOUND, town_x=DENIED, town_y=NOT_FOUND,
               official=MOVED, grid_a=DENIED),
        data=lambda w: {"cases": [w.a_accepted.pk]}),
    Row("trips: add to the next trip (GET)", GET, "/staff/trips/next/add/",
        _u("staff:trip_add_next"), everyone(NOT_ALLOWED, grid_a=DENIED)),
    Row("trips: add a case to village A's next trip", POST,
        "/staff/trips/next/add/?village=<A>",
        lambda w: _u("staff:trip_add_next")(w) + f"?village={w.village_a.pk}",
        expect(clerk_a=MOVED, clerk_b=BAD, town_x=DENIED, town_y=DENIED,
               official=MOVED, grid_a=DENIED),
        data=lambda w: {"cases": [w.a_accepted.pk]},
        notes="the trip is created here if the index only showed its date; B adds "
        "to its own village's trip, where A's case is not a choice"),
    Row("trip: remove a case (GET)", GET, "/staff/trips/<id>/remove/",
        _u("staff:trip_remove", _pk("trip_next")), everyone(NOT_ALLOWED, grid_a=DENIED)),
    Row("trip: remove a case", POST, "/staff/trips/<id>/remove/",
        _u("staff:trip_remove", _pk("trip_next")),
        expect(clerk_a=MOVED, clerk_b=NOT_FOUND, town_x=DENIED, town_y=NOT_FOUND,
               official=MOVED, grid_a=DENIED),
        data=lambda w: {"case": w.a_on_trip.pk}),
    Row("trip: remove a case after the hand-over", POST, "/staff/trips/<id>/remove/",
        _u("staff:trip_remove", _pk("trip_at_town")),
        expect(clerk_a=CONFLICT, clerk_b=NOT_FOUND, town_x=DENIED, town_y=NOT_FOUND,
               official=CONFLICT, grid_a=DENIED),
        data=lambda w: {"case": w.a_at_town.pk}, notes="its cases stay on it"),
    Row("trip: hand over (GET)", GET, "/staff/trips/<id>/hand-over/",
        _u("staff:trip_hand_over", _pk("trip_next")), everyone(NOT_ALLOWED, grid_a=DENIED)),
    Row("trip: hand over", POST, "/staff/trips/<id>/hand-over/",
        _u("staff:trip_hand_over", _pk("trip_next")),
        expect(clerk_a=MOVED, clerk_b=NOT_FOUND, town_x=DENIED, town_y=NOT_FOUND,
               official=MOVED, grid_a=DENIED),
        data=lambda w: {"documents": 2}),
    Row("trip: printed list", GET, "/staff/trips/<id>/list/",
        _u("staff:trip_list", _pk("trip_at_town")),
        expect(clerk_a=OK, clerk_b=NOT_FOUND, town_x=OK, town_y=NOT_FOUND, official=OK,
               grid_a=DENIED)),
    Row("trip: printed return list", GET, "/staff/trips/<id>/return-list/",
        _u("staff:trip_return_list", _pk("trip_returned")),
        expect(clerk_a=OK, clerk_b=NOT_FOUND, town_x=OK, town_y=NOT_FOUND, official=OK,
               grid_a=DENIED)),
    Row("trip: send back (form)", GET, "/staff/trips/<id>/return/",
        _u("staff:trip_send_back", _pk("trip_at_town")),
        expect(clerk_a=DENIED, clerk_b=NOT_FOUND, town_x=OK, town_y=NOT_FOUND,
               official=OK, grid_a=DENIED)),
    Row("trip: send back", POST, "/staff/trips/<id>/return/",
        _u("staff:trip_send_back", _pk("trip_at_town")),
        expect(clerk_a=DENIED, clerk_b=NOT_FOUND, town_x=MOVED, town_y=NOT_FOUND,
               official=MOVED, grid_a=DENIED),
        data=lambda w: {"cases": [w.a_at_town.pk], "documents": 1}),
    Row("trip: check out (page)", GET, "/staff/trips/<id>/check/out/",
        _u("staff:trip_check", _pk("trip_at_town"), lambda w: "out"),
        expect(clerk_a=DENIED, clerk_b=NOT_FOUND, town_x=OK, town_y=NOT_FOUND,
               official=OK, grid_a=DENIED)),
    Row("trip: check out a number", POST, "/staff/trips/<id>/check/out/",
        _u("staff:trip_check", _pk("trip_at_town"), lambda w: "out"),
        expect(clerk_a=DENIED, clerk_b=NOT_FOUND, town_x=MOVED, town_y=NOT_FOUND,
               official=MOVED, grid_a=DENIED),
        data=lambda w: {"number": w.a_at_town.tracking_number}),
    Row("trip: finish check out (GET)", GET, "/staff/trips/<id>/check/out/finish/",
        _u("staff:trip_check_finish", _pk("trip_at_town"), lambda w: "out"),
        everyone(NOT_ALLOWED, grid_a=DENIED)),
    Row("trip: finish check out", POST, "/staff/trips/<id>/check/out/finish/",
        _u("staff:trip_check_finish", _pk("trip_at_town"), lambda w: "out"),
        expect(clerk_a=DENIED, clerk_b=NOT_FOUND, town_x=MOVED, town_y=NOT_FOUND,
               official=MOVED, grid_a=DENIED),
        data=lambda w: {}),
    Row("trip: check back (page)", GET, "/staff/trips/<id>/check/back/",
        _u("staff:trip_check", _pk("trip_returned"), lambda w: "back"),
        expect(clerk_a=OK, clerk_b=NOT_FOUND, town_x=DENIED, town_y=NOT_FOUND,
               official=OK, grid_a=DENIED)),
    Row("trip: check back a number", POST, "/staff/trips/<id>/check/back/",
        _u("staff:trip_check", _pk("trip_returned"), lambda w: "back"),
        expect(clerk_a=MOVED, clerk_b=NOT_FOUND, town_x=DENIED, town_y=NOT_FOUND,
               official=MOVED, grid_a=DENIED),
        data=lambda w: {"number": w.a_returned.tracking_number}),
    Row("trip: finish check back", POST, "/staff/trips/<id>/check/back/finish/",
        _u("staff:trip_check_finish", _pk("trip_returned"), lambda w: "back"),
        expect(clerk_a=MOVED, clerk_b=NOT_FOUND, town_x=DENIED, town_y=NOT_FOUND,
               official=MOVED, grid_a=DENIED),
        data=lambda w: {}),
    Row("trip: check, no such leg", GET, "/staff/trips/<id>/check/<leg>/",
        _u("staff:trip_check", _pk("trip_at_town"), lambda w: "sideways"),
        everyone(NOT_FOUND, grid_a=DENIED)),
    Row("town: cases", GET, "/staff/town/", _u("staff:town"),
        expect(clerk_a=DENIED, clerk_b=DENIED, town_x=OK, town_y=OK, official=OK,
               grid_a=DENIED)),
    Row("town: decide (form)", GET, "/staff/town/cases/<n>/decide/",
        _u("staff:town_decide", _number("a_at_town")),
        expect(clerk_a=DENIED, clerk_b=NOT_FOUND, town_x=OK, town_y=NOT_FOUND,
               official=OK, grid_a=DENIED)),
    Row("town: decide a case not at the town", GET, "/staff/town/cases/<n>/decide/",
        _u("staff:town_decide", _number("a_accepted")),
        expect(clerk_a=DENIED, clerk_b=NOT_FOUND, town_x=CONFLICT, town_y=NOT_FOUND,
               official=CONFLICT, grid_a=DENIED)),
    Row("town: decide", POST, "/staff/town/cases/<n>/decide/",
        _u("staff:town_decide", _number("a_at_town")),
        expect(clerk_a=DENIED, clerk_b=NOT_FOUND, town_x=MOVED, town_y=NOT_FOUND,
               official=MOVED, grid_a=DENIED),
        data=lambda w: {"result": "准予办理"}),
    # --- home visits (services/views/staff/visits.py) ---------------------------------
    Row("visits: the day", GET, "/staff/visits/", _u("staff:visits"), everyone(OK, grid_a=DENIED)),
    Row("visits: the day's sheet", GET, "/staff/visits/sheet/", _u("staff:visit_sheet"),
        everyone(OK, grid_a=DENIED)),
    Row("visit: book (form)", GET, "/staff/visits/book/<id>/",
        _u("staff:visit_book", _pk("a_home")),
        expect(clerk_a=OK, clerk_b=NOT_FOUND, town_x=OK, town_y=NOT_FOUND, official=OK,
               grid_a=DENIED)),
    Row("visit: book", POST, "/staff/visits/book/<id>/",
        _u("staff:visit_book", _pk("a_home")),
        expect(clerk_a=MOVED, clerk_b=NOT_FOUND, town_x=DENIED, town_y=NOT_FOUND,
               official=MOVED, grid_a=DENIED),
        data=lambda w: {"day": "2026-03-10", "starts": "14:00", "ends": "16:00",
                        "other_time": "on",  # the resident said mornings
                        "staff": w.users[CLERK_A].pk, "reason": "age"}),
    Row("visit: outcome (form)", GET, "/staff/visits/<id>/",
        _u("staff:visit", _pk("a_visit")),
        expect(clerk_a=OK, clerk_b=NOT_FOUND, town_x=OK, town_y=NOT_FOUND, official=OK,
               grid_a=DENIED)),
    Row("visit: record the outcome", POST, "/staff/visits/<id>/",
        _u("staff:visit", _pk("a_visit")),
        expect(clerk_a=MOVED, clerk_b=NOT_FOUND, town_x=DENIED, town_y=NOT_FOUND,
               official=MOVED, grid_a=DENIED),
        data=lambda w: {"outcome": "done", "note": "已上门办好"}),
    # --- 差评 follow-ups (services/views/staff/follow_ups.py) ------------------------
    Row("follow-ups", GET, "/staff/follow-ups/", _u("staff:follow_ups"), everyone(OK, grid_a=DENIED)),
    Row("follow-up (page)", GET, "/staff/follow-ups/<id>/",
        _u("staff:follow_up", _pk("a_follow_up")),
        expect(clerk_a=OK, clerk_b=NOT_FOUND, town_x=NOT_FOUND, town_y=NOT_FOUND,
               official=OK, grid_a=DENIED),
        notes="handled by who serves the village"),
    Row("follow-up: next stage", POST, "/staff/follow-ups/<id>/",
        _u("staff:follow_up", _pk("a_follow_up")),
        expect(clerk_a=MOVED, clerk_b=NOT_FOUND, town_x=NOT_FOUND, town_y=NOT_FOUND,
               official=MOVED, grid_a=DENIED),
        data=lambda w: {"stage": "open", "text": "已核实"}),
    # --- 留言咨询 (services/views/staff/questions.py) -----------------------------------
    Row("questions", GET, "/staff/questions/", _u("staff:questions"), everyone(OK, grid_a=DENIED)),
    Row("questions: answered", GET, "/staff/questions/?answered=1",
        lambda w: _u("staff:questions")(w) + "?answered=1", everyone(OK, grid_a=DENIED)),
    Row("question (page)", GET, "/staff/questions/<id>/",
        _u("staff:question", _pk("a_question")),
        expect(clerk_a=OK, clerk_b=NOT_FOUND, town_x=OK, town_y=NOT_FOUND,
               official=OK, grid_a=DENIED),
        notes="village A's, on an item of body X"),
    Row("question: answer (GET)", GET, "/staff/questions/<id>/answer/",
        _u("staff:question_answer", _pk("a_question")), everyone(NOT_ALLOWED, grid_a=DENIED)),
    Row("question: answer", POST, "/staff/questions/<id>/answer/",
        _u("staff:question_answer", _pk("a_question")),
        expect(clerk_a=MOVED, clerk_b=NOT_FOUND, town_x=MOVED, town_y=NOT_FOUND,
               official=MOVED, grid_a=DENIED),
        data=lambda w: {"answer": "已答复"}, notes="the asker is sent the answer"),
    Row("question: publish before the answer", POST, "/staff/questions/<id>/publish/",
        _u("staff:question_publish", _pk("a_question")),
        expect(clerk_a=CONFLICT, clerk_b=NOT_FOUND, town_x=CONFLICT,
               town_y=NOT_FOUND, official=CONFLICT, grid_a=DENIED),
        data=lambda w: {"public_title": "标题", "public_text": "问",
                        "public_answer": "答"}),
    Row("question: publish", POST, "/staff/questions/<id>/publish/",
        _u("staff:question_publish", _pk("a_answered")),
        expect(clerk_a=MOVED, clerk_b=NOT_FOUND, town_x=MOVED, town_y=NOT_FOUND,
               official=MOVED, grid_a=DENIED),
        data=lambda w: {"public_title": "标题", "public_text": "问",
                        "public_answer": "答"}, notes="recorded (QuestionEvent)"),
    Row("question: withdraw (not public)", POST, "/staff/questions/<id>/withdraw/",
        _u("staff:question_withdraw", _pk("a_answered")),
        expect(clerk_a=CONFLICT, clerk_b=NOT_FOUND, town_x=CONFLICT,
               town_y=NOT_FOUND, official=CONFLICT, grid_a=DENIED)),
    Row("question: complaint to a request", POST, "/staff/questions/<id>/request/",
        _u("staff:question_request", _pk("a_complaint")),
        expect(clerk_a=MOVED, clerk_b=NOT_FOUND, town_x=MOVED, town_y=NOT_FOUND,
               official=MOVED, grid_a=DENIED),
        data=lambda w: {"item": w.item_agency.code, "village": HUAGANG,
                        "mode": "agency", "consent": "on",
                        "applicant_id_number": A_PERSON.id_number},
        notes="entered by phone and linked to the complaint"),
    # --- village affairs in public (services/views/staff/affairs.py) -----------------
    Row("affairs: list", GET, "/staff/affairs/", _u("staff:disclosures"),
        everyone(OK, grid_a=DENIED), notes="a clerk's own village's; every village's for an official"),
    Row("affairs: new (form)", GET, "/staff/affairs/new/", _u("staff:disclosure_new"),
        expect(clerk_a=OK, clerk_b=OK, town_x=DENIED, town_y=DENIED, official=DENIED, grid_a=DENIED),
        notes="only a village clerk drafts, for their own village"),
    Row("affairs: new", POST, "/staff/affairs/new/", _u("staff:disclosure_new"),
        expect(clerk_a=MOVED, clerk_b=MOVED, town_x=DENIED, town_y=DENIED,
               official=DENIED, grid_a=DENIED),
        data=lambda w: {"category": "party", "year": 2026, "period_kind": "month",
                        "period": 2, "title": "二月党务公开", "body": "党员大会"}),
    Row("affairs: a draft's page", GET, "/staff/affairs/<id>/",
        _u("staff:disclosure", _pk("a_draft")),
        expect(clerk_a=OK, clerk_b=NOT_FOUND, town_x=NOT_FOUND, town_y=NOT_FOUND,
               official=OK, grid_a=DENIED), notes="unpublished: its village's clerk and officials"),
    Row("affairs: submit (GET)", GET, "/staff/affairs/<id>/submit/",
        _u("staff:disclosure_submit", _pk("a_draft")), everyone(NOT_ALLOWED, grid_a=DENIED)),
    Row("affairs: submit a draft", POST, "/staff/affairs/<id>/submit/",
        _u("staff:disclosure_submit", _pk("a_draft")),
        expect(clerk_a=MOVED, clerk_b=NOT_FOUND, town_x=NOT_FOUND, town_y=NOT_FOUND,
               official=DENIED, grid_a=DENIED)),
    Row("affairs: approve", POST, "/staff/affairs/<id>/approve/",
        _u("staff:disclosure_approve", _pk("a_submitted")),
        expect(clerk_a=DENIED, clerk_b=NOT_FOUND, town_x=NOT_FOUND, town_y=NOT_FOUND,
               official=MOVED, grid_a=DENIED), data=lambda w: {"confirm": "on"},
        notes="a clerk never approves"),
    Row("affairs: approve, not confirmed", POST, "/staff/affairs/<id>/approve/",
        _u("staff:disclosure_approve", _pk("a_submitted")),
        expect(clerk_a=DENIED, clerk_b=NOT_FOUND, town_x=NOT_FOUND, town_y=NOT_FOUND,
               official=BAD, grid_a=DENIED), notes="publishing is confirmed first"),
    Row("affairs: approve a draft", POST, "/staff/affairs/<id>/approve/",
        _u("staff:disclosure_approve", _pk("a_draft")),
        expect(clerk_a=DENIED, clerk_b=NOT_FOUND, town_x=NOT_FOUND, town_y=NOT_FOUND,
               official=CONFLICT, grid_a=DENIED), data=lambda w: {"confirm": "on"},
        notes="impossible in its status"),
    Row("affairs: return", POST, "/staff/affairs/<id>/return/",
        _u("staff:disclosure_return", _pk("a_submitted")),
        expect(clerk_a=DENIED, clerk_b=NOT_FOUND, town_x=NOT_FOUND, town_y=NOT_FOUND,
               official=MOVED, grid_a=DENIED),
        data=lambda w: {"reason": "请补充支出明细"}),
    Row("affairs: edit a published one", POST, "/staff/affairs/<id>/edit/",
        _u("staff:disclosure_edit", _pk("a_published")),
        expect(clerk_a=CONFLICT, clerk_b=NOT_FOUND, town_x=NOT_FOUND,
               town_y=NOT_FOUND, official=DENIED, grid_a=DENIED),
        data=lambda w: {"category": "finance", "year": 2025, "period_kind": "quarter",
                        "period": 4, "title": "改", "body": "改"},
        notes="a correction is a new disclosure"),
    # --- the dashboard (services/views/dashboard.py) ----------------------------------
    Row("dashboard", GET, "/dashboard/", _u("dashboard:index"),
        everyone(OK, grid_a=DENIED), notes="a grid worker's figures are the officials'"),
    # Each figure's download is scoped like the page: clerk B's overdue list holds
    # none of village A's numbers (the body is searched like any page's).
    Row("dashboard: overdue list (CSV)", GET, "/dashboard/export/overdue.csv",
        _u("dashboard:export", lambda w: "overdue", lambda w: "csv"),
        everyone(OK, grid_a=DENIED)),
    Row("dashboard: by village (CSV)", GET, "/dashboard/export/by-village.csv",
        _u("dashboard:export", lambda w: "by-village", lambda w: "csv"),
        everyone(OK, grid_a=DENIED)),
    Row("dashboard: by body (.xlsx)", GET, "/dashboard/export/by-body.xlsx",
        _u("dashboard:export", lambda w: "by-body", lambda w: "xlsx"),
        everyone(OK, grid_a=DENIED)),
    Row("dashboard: by grid (CSV)", GET, "/dashboard/export/by-grid.csv",
        _u("dashboard:export", lambda w: "by-grid", lambda w: "csv"),
        everyone(OK, grid_a=DENIED)),
    Row("dashboard: unknown figure", GET, "/dashboard/export/nothing.csv",
        _u("dashboard:export", lambda w: "nothing", lambda w: "csv"),
        everyone(NOT_FOUND, grid_a=DENIED)),
]
# fmt: on


# --- the world: both villages' cases, trips, a visit, a follow-up ------------------------

A_PERSON = SimpleNamespace(
    name="甲花岗申请人",
    phone="13711111001",
    id_number="11010519491231002X",
    description="甲村的事",
)
B_PERSON = SimpleNamespace(
    name="乙粉坊申请人",
    phone="13722222002",
    id_number="110105195001010012",
    description="乙村的事",
)


def _markers(person: SimpleNamespace, numbers: list[str]) -> set[str]:
    """What of a village's applicant and cases must not reach another's staff."""
    from villages.validators import mask_id_number, mask_mobile, mask_name

    return {
        person.name,
        mask_name(person.name),
        person.phone,
        mask_mobile(person.phone),
        person.id_number,
        mask_id_number(person.id_number),
        person.description,
        *numbers,
    }


def _local(day: int, hour: int, minute: int = 0) -> dt.datetime:
    """A moment of March 2026 in the town's time (UTC+8)."""
    return dt.datetime(2026, 3, day, hour - 8, minute, tzinfo=dt.UTC)


def _items():
    from services.models import Body, ServiceItem

    # A village's items (花岗派出所's are done at its own window: ``a_station``).
    items = (
        ServiceItem.objects.select_related("body")
        .exclude(body__kind=Body.Kind.STATIONED)
        .order_by("code")
    )

    def per_mode(found):
        return {
            "instant": found.filter(
                allows_instant=True, promised_days=0, materials__isnull=False
            ).first(),
            "agency": found.filter(allows_agency=True, promised_days__gte=5).first(),
            "home": found.filter(allows_home=True, promised_days__gte=5).first(),
        }

    x = per_mode(items)  # the conftest's `items`
    x_bodies = {item.body_id for item in x.values()}
    for body in Body.objects.exclude(pk__in=x_bodies).order_by("pk"):
        y = per_mode(items.filter(body=body))
        if all(y.values()):
            return x, y, body
    raise AssertionError("no body with items in every mode")


def _build() -> SimpleNamespace:
    import time_machine

    from huagang.privacy import NOTICE_VERSION
    from services import actions
    from services.models import Body, ServiceItem
    from tests.factories import UserFactory
    from villages.choices import Role
    from villages.models import Village
    from villages.verification import user_mark_phone_verified

    village_a = Village.objects.get(code=HUAGANG)
    village_b = Village.objects.get(code=FENFANG)
    x, y, body_y = _items()
    resident = UserFactory(role=Role.RESIDENT)
    clerk_a = UserFactory(role=Role.VILLAGE_CLERK, village=village_a)
    clerk_b = UserFactory(role=Role.VILLAGE_CLERK, village=village_b)
    town_x = UserFactory(role=Role.TOWN_CLERK)
    for item in x.values():
        item.body.clerks.add(town_x)
    police = Body.objects.get(code="police-station")
    police.clerks.add(town_x)  # the station's window: a body X as well
    town_y = UserFactory(role=Role.TOWN_CLERK)
    body_y.clerks.add(town_y)
    official = UserFactory(role=Role.OFFICIAL, is_superuser=False)
    matters = itertools.count(1)

    def submit(kind: str, village, items, person):
        return actions.service_request_submit(
            item=items[kind],
            village=village,
            mode=kind,
            channel="online",
            applicant_name=person.name,
            applicant_phone=person.phone,
            applicant_id_number=person.id_number,
            account=resident,
            description=f"{person.description}{next(matters)}",
            consent_version=NOTICE_VERSION,
            visit_weekdays=[2, 4] if kind == "home" else None,
            visit_time="morning" if kind == "home" else "",
        )

    def accepted(kind, village, items, person, clerk):
        case = submit(kind, village, items, person)
        return actions.service_request_accept(service_request=case, by=clerk)

    def a(kind):
        return accepted(kind, village_a, x, A_PERSON, clerk_a)

    def b(kind):
        return accepted(kind, village_b, y, B_PERSON, clerk_b)

    def rated(case, clerk):
        actions.service_request_complete(service_request=case, by=clerk, result="好")
        case.refresh_from_db()
        rating = actions.rating_submit(service_request=case, by=resident, level=1)
        return rating.follow_up

    askers = {}

    def asked(village, item, person, kind):
        """A question (留言咨询) by the person's own verified account."""
        if person.phone not in askers:
            askers[person.phone] = user_mark_phone_verified(
                user=UserFactory(
                    role=Role.RESIDENT, phone=person.phone, name=person.name
                )
            )
        return actions.question_ask(
            kind=kind,
            title=f"留言{next(matters)}",
            text=person.description,
            item=item,
            village=village,
            account=askers[person.phone],
        )

    def carried(village, clerk, cases):
        trip = actions.agency_trip_plan(village=village, by=clerk)
        actions.agency_trip_add(trip=trip, service_requests=cases, by=clerk)
        return actions.agency_trip_hand_over(trip=trip, by=clerk, documents=1)

    w = SimpleNamespace(village_a=village_a, item_agency=x["agency"])
    with time_machine.travel(_local(3, 9), tick=False):  # Tuesday, A's trip day
        w.a_returned = a("agency")
        w.trip_returned = carried(village_a, clerk_a, [w.a_returned])
        actions.agency_trip_return(
            trip=w.trip_returned,
            by=town_x,
            documents=1,
            results={w.a_returned.pk: "已审核通过"},
        )
    with time_machine.travel(_local(6, 9), tick=False):  # Friday, A's trip day
        w.a_at_town = a("agency")
        w.trip_at_town = carried(village_a, clerk_a, [w.a_at_town])
        actions.service_request_town_decide(
            service_request=w.a_at_town, by=town_x, result="准予办理"
        )
    with time_machine.travel(_local(9, 9), tick=False):  # Monday, B's trip day
        b_at_town = b("agency")
        b_trip = carried(village_b, clerk_b, [b_at_town])
    with time_machine.travel(_local(10, 8, 50), tick=False):  # today, before the tests
        on_trip = w.a_on_trip = a("agency")
        w.trip_next = actions.agency_trip_plan(village=village_a, by=clerk_a)
        actions.agency_trip_add(
            trip=w.trip_next, service_requests=[on_trip], by=clerk_a
        )
        w.a_accepted = a("agency")
        w.a_new = submit("agency", village_a, x, A_PERSON)
        w.a_supplement = actions.service_request_ask_supplement(
            service_request=a("agency"), by=clerk_a, what="缺少户口簿"
        )
        w.a_instant = submit("instant", village_a, x, A_PERSON)
        death = ServiceItem.objects.get(code="HG-HJ-002", body=police)
        w.a_station = submit("instant", village_a, {"instant": death}, A_PERSON)
        w.a_follow_up = rated(a("instant"), clerk_a)
        w.a_home = a("home")
        visits = {}
        for name, case, clerk in (
            ("a_visit", a("home"), clerk_a),
            ("b_visit", b("home"), clerk_b),
        ):
            visits[name] = actions.home_visit_schedule(
                service_request=case,
                by=clerk,
                staff=clerk,
                starts_at=_local(10, 14),
                ends_at=_local(10, 16),
                reason="age",
            )
        w.a_visit = visits["a_visit"]
        b_new = submit("agency", village_b, y, B_PERSON)
        rated(b("instant"), clerk_b)
        b("home")
        w.a_question = asked(village_a, x["agency"], A_PERSON, "consult")
        w.a_answered = asked(village_a, x["agency"], A_PERSON, "consult")
        actions.question_answer(question=w.a_answered, by=clerk_a, answer="答复")
        w.a_complaint = asked(village_a, x["agency"], A_PERSON, "complain")
        asked(village_b, y["agency"], B_PERSON, "complain")
    _disclosures(w, village_a, clerk_a, official)
    for case in ("a_returned", "a_at_town", "a_accepted", "a_new", "a_supplement"):
        getattr(w, case).refresh_from_db()
    w.a_instant.refresh_from_db()
    w.a_station.refresh_from_db()

    from services.models import ServiceRequest
    from villages.models import Grid

    grid_worker = UserFactory(role=Role.GRID_WORKER)
    grid_a = Grid.objects.create(
        village=village_a, number=99, name="矩阵网格", worker=grid_worker
    )
    ServiceRequest.objects.filter(village=village_a).update(grid=grid_a)
    w.grid_a = grid_a

    numbers = {
        village: list(
            ServiceRequest.objects.filter(village=village).values_list(
                "tracking_number", flat=True
            )
        )
        for village in (village_a, village_b)
    }
    assert len(numbers[village_a]) == 11 and len(numbers[village_b]) == 5
    assert b_trip.handed_over_at and b_new.status == "submitted"
    w.users = {
        RESIDENT: resident,
        CLERK_A: clerk_a,
        CLERK_B: clerk_b,
        TOWN_X: town_x,
        TOWN_Y: town_y,
        OFFICIAL: official,
        GRID_A: grid_worker,
    }
    a_data = _markers(A_PERSON, numbers[village_a])
    b_data = _markers(B_PERSON, numbers[village_b])
    # What each user may not see: the other village's cases (A's are all of body X,
    # B's all of body Y); anonymous and residents see nothing on a staff address.
    w.forbidden = {
        ANON: a_data | b_data,
        RESIDENT: a_data | b_data,
        CLERK_A: b_data,
        CLERK_B: a_data,
        TOWN_X: b_data,
        TOWN_Y: a_data,
        OFFICIAL: set(),
        GRID_A: b_data,
    }

    def entry_data(**changes: object) -> dict:
        return {
            "form_key": str(uuid.uuid4()),
            "privacy_notice": NOTICE_VERSION,
            "village": HUAGANG,
            "applicant_name": "丙窗口来人",
            "applicant_phone": "13733333003",
            "applicant_id_number": "11010519491231002X",
            "applicant_address": "花岗社区三组",
            "channel": "window",
            "mode": "agency",
            "description": "窗口录入",
            "consent": "on",
            **changes,
        }

    w.entry_data = entry_data
    return w


def _disclosures(w: SimpleNamespace, village, clerk, official) -> None:
    """Village A's disclosures: a draft, one awaiting approval, one published."""
    from services.actions import disclosures

    def draft(title: str):
        return disclosures.disclosure_create(
            village=village, by=clerk, category="finance", year=2025,
            period_kind="quarter", period=4, title=title, body="收支明细",
        )  # fmt: skip

    w.a_draft = draft("甲村财务公开草稿")
    w.a_submitted = disclosures.disclosure_submit(
        disclosure=draft("甲村财务公开待审"), by=clerk
    )
    w.a_published = disclosures.disclosure_approve(
        disclosure=disclosures.disclosure_submit(
            disclosure=draft("甲村财务公开"), by=clerk
        ),
        by=official,
    )


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """Built once, inside a transaction rolled back when the module is done."""
    from django.db import transaction

    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            yield _build()
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


def _snapshot() -> tuple:
    """Everything a workbench POST may change."""
    from services.models import (
        AgencyTrip,
        FollowUp,
        HomeVisit,
        Question,
        QuestionEvent,
        RequestEvent,
        ServiceRequest,
        TripCheck,
    )
    from villages.models import AccessRecord, Disclosure

    return (
        list(
            ServiceRequest.objects.order_by("pk").values_list(
                "pk", "status", "version", "result_note", "town_decided_at"
            )
        ),
        RequestEvent.objects.count(),
        AccessRecord.objects.count(),
        list(
            AgencyTrip.objects.order_by("pk").values_list(
                "pk",
                "handed_over_at",
                "returned_at",
                "arrival_checked_at",
                "return_checked_at",
            )
        ),
        AgencyTrip.requests.through.objects.count(),
        TripCheck.objects.count(),
        list(HomeVisit.objects.order_by("pk").values_list("pk", "outcome")),
        list(FollowUp.objects.order_by("pk").values_list("pk", "stage")),
        list(
            Question.objects.order_by("pk").values_list(
                "pk", "answered_at", "service_request"
            )
        ),
        QuestionEvent.objects.count(),
        list(
            Disclosure.objects.order_by("pk").values_list(
                "pk", "status", "title", "updated_at"
            )
        ),
    )


def _leaks(body: str, forbidden: set[str], asked: str) -> list[str]:
    """The forbidden data in `body`, except what the user typed themselves (a 404 may
    repeat the address asked for)."""
    return sorted(m for m in forbidden if m and m in body and m not in asked)


CELLS = [(row, role) for row in ROWS for role in ROLES]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("row", "role"), CELLS, ids=[f"{row.name}-{role}" for row, role in CELLS]
)
def test_permission_matrix(client, world, row: Row, role: str):
    want = row.expected[role]
    if role != ANON:
        client.force_login(world.users[role])
    url = row.url(world)
    data = row.data(world) if row.data else None
    before = _snapshot() if row.method == POST else None
    response = client.post(url, data) if row.method == POST else client.get(url)

    status = response.status_code
    location = response.get("Location", "")
    if want == LOGIN:
        assert status == 302, response.content[:300]
        assert location.startswith("/account/sign-in/?next="), location
    else:
        assert status == want, (status, location, _text(response)[:2000])
        if status == 302:
            assert not location.startswith("/account/sign-in/"), location

    if row.method == POST:
        changed = _snapshot() != before
        if want == row.success and row.writes:
            assert changed, "a POST that worked changed nothing"
        elif want != row.success:
            assert not changed, "a refused POST changed something"

    asked = url + repr(data)
    bodies = [_text(response)]
    if status == 302 and want != LOGIN:
        bodies.append(_text(client.get(location)))
    for body in bodies:
        leaks = _leaks(body, world.forbidden[role], asked)
        assert not leaks, f"{role} received another village's data: {leaks}"


def _text(response) -> str:
    """What a person reads in the answer: a page's or a CSV's text, or every cell of
    an .xlsx download."""
    if response.get("Content-Type", "").startswith(XLSX):
        book = openpyxl.load_workbook(io.BytesIO(response.content), read_only=True)
        return "\n".join(
            str(cell)
            for sheet in book.worksheets
            for row in sheet.iter_rows(values_only=True)
            for cell in row
            if cell is not None
        )
    return response.content.decode()


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


# --- the doc ---------------------------------------------------------------------------

DOC = Path(__file__).resolve().parent.parent / "docs" / "permissions.md"
DOC_HEAD = """\
# Who may open what on the workbench

The permission matrix of `/staff/` and `/dashboard/`, as `tests/test_permission_matrix.py`
checks it (that test also checks this file is in sync; regenerate it with
`python -m tests.test_permission_matrix > docs/permissions.md`).

Columns: not signed in; a resident; the village clerk of village A (whose case, trip,
visit or follow-up the row is about) and of village B; a town-center clerk of body X
(the body of the case's item) and of body Y; an official; the grid worker (网格员) of
the grid of village A that village A's cases were entered for. `sign-in` is a 302 to
`/account/sign-in/?next=…`; 302 otherwise is the step done (or, for a GET, the page
the user is sent to); 405 is a GET of an address that takes only POST. Staff who may
not see the object get 404, never a 403 that tells it exists; staff who see it but
may not take the step get 403, or 409 when the step is impossible in its status.

Whatever the status, no answer to a user holds data of a village they do not serve
(tracking numbers, applicants' names and phones, whole or masked, ID numbers,
descriptions); a refused POST changes nothing.

"""


def render_doc() -> str:
    head = ["what", "method", "address", *ROLES, "notes"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for row in ROWS:
        cells = [str(row.expected[role]) for role in ROLES]
        lines.append(
            f"| {row.name} | {row.method} | `{row.shown}` | "
            + " | ".join(cells)
            + f" | {row.notes} |"
        )
    tail = (
        "\nThe dashboard's exports are not in this table yet: they are added with the "
        "dashboard.\n"
    )
    return DOC_HEAD + "\n".join(lines) + "\n" + tail


def test_the_doc_is_the_matrix():
    assert DOC.read_text(encoding="utf-8") == render_doc(), (
        "docs/permissions.md is out of date: "
        "python -m tests.test_permission_matrix > docs/permissions.md"
    )


@pytest.mark.django_db
def test_who_fills_a_trip_agrees_in_object_and_queryset_form(world):
    from services import access
    from services.models import AgencyTrip

    trips = list(AgencyTrip.objects.all())
    assert len(trips) >= 4
    for user in world.users.values():
        fillable = set(access.trips_to_fill(user=user))
        for trip in trips:
            assert access.may_fill_trip(user, trip) == (trip in fillable), (user, trip)


@pytest.mark.django_db
def test_the_data_searched_for_is_there_for_those_who_may_see_it(client, world):
    """The leak check is not vacuous: the markers are on the pages of the users who
    may see them (the official's queue shows both villages' cases, masked)."""
    from django.urls import reverse

    client.force_login(world.users[OFFICIAL])
    queue = client.get(reverse("staff:queue")).content.decode()
    everything = world.forbidden[CLERK_A] | world.forbidden[CLERK_B]
    shown = {marker for marker in everything if marker in queue}
    assert world.a_new.tracking_number in shown
    assert {"137****1001", "137****2002"} <= shown
    client.force_login(world.users[CLERK_A])
    page = client.get(reverse("staff:case", args=[world.a_new.tracking_number]))
    assert A_PERSON.description in page.content.decode()


if __name__ == "__main__":
    print(render_doc(), end="")
