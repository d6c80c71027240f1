"""GET /api/v1/requests/: who sees which requests, the filters, the order, the pages,
and what a page costs (the same queries for 1 row as for 20; never a COUNT or an
OFFSET)."""

import datetime as dt
from urllib.parse import parse_qs, urlsplit

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from services import access
from services.models import ServiceRequest, Status
from tests.factories import UserFactory
from villages.choices import Role

from .requests_support import ID_NUMBER, LIST, PHONE, ROLES, numbers

pytest_plugins = ["tests.api.requests_fixtures"]

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_villages(submit, other_village, people):
    """Village A's agency request by the owner; village B's home-visit request by
    another resident. Both items are body X's."""
    case_a = submit("agency")
    case_b = submit("home", village=other_village, account=people["other_resident"])
    return case_a, case_b


SEES = {
    "owner": {"a"},
    "other_resident": {"b"},
    "clerk_a": {"a"},
    "clerk_b": {"b"},
    "town_x": {"a", "b"},
    "town_y": set(),
    "official": {"a", "b"},
    "key_clerk": {"a"},
}


@pytest.mark.parametrize("role", [role for role in ROLES if role != "anon"])
def test_each_role_lists_the_requests_the_one_rule_lets_it_see(
    role, as_role, two_villages
):
    case_a, case_b = two_villages
    response = as_role(role).get(LIST)
    assert response.status_code == 200
    expected = {"a": case_a.tracking_number, "b": case_b.tracking_number}
    assert set(numbers(response)) == {expected[k] for k in SEES[role]}


def test_an_anonymous_caller_is_asked_to_authenticate(as_role, two_villages):
    response = as_role("anon").get(LIST)
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"
    assert response["WWW-Authenticate"] == 'Token realm="api"'


def test_staff_lists_agree_with_the_object_rule(people, two_villages, submit):
    """``staff_requests_q`` is ``staff_roles_towards`` as a filter, for every kind
    of user (the list's scope for staff)."""
    submit("instant")
    for user in people.values():
        listed = set(ServiceRequest.objects.filter(access.staff_requests_q(user)))
        expected = {
            request
            for request in ServiceRequest.objects.all()
            if access.staff_roles_towards(user, request)
        }
        assert listed == expected


def test_rows_mask_the_applicant_and_carry_the_facts(as_role, two_villages):
    case_a, _case_b = two_villages
    response = as_role("official").get(LIST)
    assert PHONE not in response.content.decode()
    assert ID_NUMBER not in response.content.decode()
    assert "张桂英" not in response.content.decode()
    row = next(
        r
        for r in response.json()["results"]
        if r["tracking_number"] == case_a.tracking_number
    )
    assert row["applicant"] == {"name": "张**", "phone": "139****0123"}
    assert row["item"]["code"] == case_a.item.code
    assert row["village"] == {"code": case_a.village.code, "name": "花岗社区"}
    assert row["status"] == "submitted" and row["status_display"] == "待受理"
    assert row["mode"] == "agency" and row["mode_display"] == "定时代办"
    assert row["version"] == 1
    assert row["due_date"] is None and row["due_flag"] is None
    assert row["submitted_at"].endswith("+08:00")


def test_english_labels_follow_accept_language(as_role, two_villages):
    response = as_role("official").get(LIST, HTTP_ACCEPT_LANGUAGE="en")
    labels = {row["status_display"] for row in response.json()["results"]}
    assert labels == {"submitted (待受理)"}


# --- filters -----------------------------------------------------------------------


@pytest.fixture
def varied(submit, other_village, village_clerk, other_village_clerk, commit):
    """Requests in several statuses, modes and villages, with known due dates."""
    from services import actions

    today = timezone.localdate()
    found = {}
    with commit():
        found["submitted"] = submit("agency")
        found["instant"] = submit("instant")
        for name, due in (
            ("overdue", today - dt.timedelta(days=3)),
            ("due_soon", today),
            ("on_time", today + dt.timedelta(days=30)),
        ):
            case = submit("agency")
            actions.service_request_accept(service_request=case, by=village_clerk)
            ServiceRequest.objects.filter(pk=case.pk).update(due_date=due)
            found[name] = case
        found["b_home"] = submit("home", village=other_village)
        actions.service_request_accept(
            service_request=found["b_home"], by=other_village_clerk
        )
        ServiceRequest.objects.filter(pk=found["b_home"].pk).update(
            due_date=today - dt.timedelta(days=1)
        )
    return {name: case.tracking_number for name, case in found.items()}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("status=submitted", {"submitted", "instant"}),
        ("status=accepted", {"overdue", "due_soon", "on_time", "b_home"}),
        ("mode=instant", {"instant"}),
        ("mode=home", {"b_home"}),
        ("village=340123106202", {"b_home"}),
        ("village=340123199999", set()),
        ("overdue=true", {"overdue", "b_home"}),
        ("overdue=false", {"submitted", "instant", "due_soon", "on_time"}),
        ("due_soon=true", {"due_soon"}),
        ("due_soon=true&village=340123106202", set()),
        ("status=accepted&mode=agency&overdue=false", {"due_soon", "on_time"}),
    ],
)
def test_filters_narrow_the_list(query, expected, as_role, varied):
    response = as_role("official").get(f"{LIST}?{query}")
    assert response.status_code == 200, response.json()
    assert set(numbers(response)) == {varied[name] for name in expected}


def test_filters_by_item_and_body(as_role, varied, items):
    client = as_role("official")
    instant = client.get(f"{LIST}?item={items['instant'].code}")
    assert numbers(instant) == [varied["instant"]]
    body = items["home"].body
    by_body = client.get(f"{LIST}?body={body.code}&mode=home")
    assert numbers(by_body) == [varied["b_home"]]
    assert numbers(client.get(f"{LIST}?body=no-such-body")) == []


@pytest.mark.parametrize(
    ("query", "listed"),
    [
        ("updated_after=0001-01-01T00:00:00%2B14:00", True),
        ("created_before=0013-05-01T13:01:00-02:00", False),
        ("created_after=9999-12-31T23:59:59-12:00", False),
        ("updated_before=9999-12-31T23:59:59-12:00", True),
    ],
)
def test_times_beyond_any_request_are_taken_as_the_nearest(
    query, listed, as_role, submit
):
    case = submit("agency")
    response = as_role("official").get(f"{LIST}?{query}")
    assert response.status_code == 200
    assert numbers(response) == ([case.tracking_number] if listed else [])


@pytest.mark.parametrize(
    ("query", "listed"),
    [
        # Offsets ISO 8601 allows but PostgreSQL refuses (beyond ±15:59): read in UTC.
        ("created_before=6912-09-06T06:09:20.25-20:08", True),
        ("created_after=2000-01-01T00:00:00%2B23:59", True),
        ("updated_after=6912-09-06T06:09:20-20:08", False),
    ],
)
def test_times_with_offsets_beyond_postgresql_s_are_read_in_utc(
    query, listed, as_role, submit
):
    case = submit("agency")
    response = as_role("official").get(f"{LIST}?{query}")
    assert response.status_code == 200
    assert numbers(response) == ([case.tracking_number] if listed else [])


def test_filters_by_times(as_role, submit):
    first = submit("agency")
    later = submit("agency")
    earlier = timezone.now() - dt.timedelta(days=10)
    ServiceRequest.objects.filter(pk=first.pk).update(
        submitted_at=earlier, updated_at=earlier
    )
    client = as_role("official")
    cut = (timezone.now() - dt.timedelta(days=1)).isoformat()

    def listed(query: str) -> list[str]:
        response = client.get(LIST, {query: cut})
        assert response.status_code == 200
        return numbers(response)

    assert listed("created_after") == [later.tracking_number]
    assert listed("created_before") == [first.tracking_number]
    assert listed("updated_after") == [later.tracking_number]
    assert listed("updated_before") == [first.tracking_number]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("status=nope", "status"),
        ("mode=walking", "mode"),
        ("village=12345", "village"),
        ("village=3401231060011", "village"),
        ("item=bad%20code!", "item"),
        ("body=a%20b", "body"),
        ("overdue=maybe", "overdue"),
        ("due_soon=2", "due_soon"),
        ("created_after=yesterday", "created_after"),
        ("created_before=2026-13-01T00:00:00", "created_before"),
        ("ordering=tracking_number", "ordering"),
        ("page_size=0", "page_size"),
        ("page_size=101", "page_size"),
        ("page_size=ten", "page_size"),
        ("cursor=not-a-cursor", "cursor"),
        ("cursor=eyJvIjoiLXN1Ym1pdHRlZF9hdCJ9", "cursor"),
    ],
)
def test_a_bad_parameter_is_a_400_naming_it(query, field, as_role, submit):
    submit("agency")
    response = as_role("official").get(f"{LIST}?{query}")
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid_input"
    assert field in body["errors"]


# --- order and pages ------------------------------------------------------------------


@pytest.fixture
def dated(submit, village_clerk, commit):
    """Seven requests submitted a day apart; four of them with due dates (two on
    the same day), three without."""
    from services import actions

    now = timezone.now()
    today = timezone.localdate()
    made = []
    with commit():
        for index in range(7):
            case = submit("agency")
            values = {"submitted_at": now - dt.timedelta(days=7 - index)}
            if index < 4:
                actions.service_request_accept(service_request=case, by=village_clerk)
                values["due_date"] = today + dt.timedelta(days=[5, 2, 2, 9][index])
            ServiceRequest.objects.filter(pk=case.pk).update(**values)
            made.append(ServiceRequest.objects.get(pk=case.pk))
    return made


def _walk(client, first_url: str) -> tuple[list[str], list[dict]]:
    """Every row, following `next` from the first page; and each page's body."""
    found, pages, address = [], [], first_url
    while address:
        response = client.get(address)
        assert response.status_code == 200, response.json()
        body = response.json()
        pages.append(body)
        found += [row["tracking_number"] for row in body["results"]]
        address = body["next"]
    return found, pages


def _expected(made, key, *, reverse: bool) -> list[str]:
    ordered = sorted(made, key=key, reverse=reverse)
    return [case.tracking_number for case in ordered]


NO_DATE = dt.date(9999, 12, 31)


@pytest.mark.parametrize(
    ("ordering", "key", "reverse"),
    [
        ("-submitted_at", lambda c: (c.submitted_at, c.pk), True),
        ("submitted_at", lambda c: (c.submitted_at, c.pk), False),
        ("updated_at", lambda c: (c.updated_at, c.pk), False),
        ("-updated_at", lambda c: (c.updated_at, c.pk), True),
        ("due_date", lambda c: (c.due_date or NO_DATE, c.pk), False),
        ("-due_date", lambda c: (c.due_date or NO_DATE, c.pk), True),
    ],
)
def test_pages_walk_every_row_once_in_order(ordering, key, reverse, as_role, dated):
    client = as_role("official")
    found, pages = _walk(client, f"{LIST}?ordering={ordering}&page_size=2")
    assert found == _expected(dated, key, reverse=reverse)
    assert [len(page["results"]) for page in pages] == [2, 2, 2, 1]
    assert pages[0]["previous"] is None
    assert all(page["previous"] for page in pages[1:])


def test_previous_goes_back_page_by_page(as_role, dated):
    client = as_role("official")
    _found, pages = _walk(client, f"{LIST}?ordering=due_date&page_size=2")
    back, address = [], pages[-1]["previous"]
    while address:
        body = client.get(address).json()
        back.insert(0, [row["tracking_number"] for row in body["results"]])
        address = body["previous"]
    forward = [[row["tracking_number"] for row in p["results"]] for p in pages]
    assert back == forward[:-1]


def test_the_default_order_is_newest_first_and_dates_sort_nulls_last(as_role, dated):
    client = as_role("official")
    newest = numbers(client.get(LIST))
    assert newest == [case.tracking_number for case in reversed(dated)]
    by_due = client.get(f"{LIST}?ordering=due_date").json()["results"]
    assert [row["due_date"] is None for row in by_due] == [False] * 4 + [True] * 3


@pytest.mark.parametrize(
    "name", ["cursor", "page_size", "ordering", "status", "overdue", "updated_before"]
)
def test_an_empty_parameter_is_a_400(name, as_role, dated):
    """Leave a parameter out to not use it; empty, it is bad input (as the schema
    says)."""
    response = as_role("official").get(f"{LIST}?{name}=")
    assert response.status_code == 400
    assert name in response.json()["errors"]


def test_a_cursor_belongs_to_its_ordering(as_role, dated):
    client = as_role("official")
    next_page = client.get(f"{LIST}?page_size=2").json()["next"]
    cursor = parse_qs(urlsplit(next_page).query)["cursor"][0]
    response = client.get(LIST, {"cursor": cursor, "ordering": "due_date"})
    assert response.status_code == 400
    assert "cursor" in response.json()["errors"]


def test_a_filtered_list_pages_within_the_filter(as_role, dated, submit):
    submit("instant")
    client = as_role("official")
    found, _pages = _walk(client, f"{LIST}?status=accepted&page_size=3")
    assert sorted(found) == sorted(case.tracking_number for case in dated[:4])


# --- what a page costs ----------------------------------------------------------------


def _make(submit, count: int) -> None:
    for _index in range(count):
        submit("agency")


@pytest.mark.parametrize(
    "role", ["official", "clerk_a", "town_x", "owner", "key_clerk"]
)
def test_a_page_costs_the_same_queries_for_1_or_20_rows(role, as_role, submit):
    client = as_role(role)
    _make(submit, 1)
    client.get(LIST)  # the holiday calendar is read once a minute
    with CaptureQueriesContext(connection) as one:
        assert len(client.get(f"{LIST}?status=submitted").json()["results"]) == 1
    _make(submit, 24)
    with CaptureQueriesContext(connection) as twenty:
        assert len(client.get(f"{LIST}?status=submitted").json()["results"]) == 20
    assert len(one) == len(twenty)
    # Who the caller is (a session and its user, or a key), a town clerk's bodies,
    # and the page itself.
    assert len(twenty) <= 4


def test_the_list_never_counts_nor_skips_rows(as_role, submit):
    _make(submit, 25)
    client = as_role("official")
    client.get(LIST)
    with CaptureQueriesContext(connection) as queries:
        first = client.get(f"{LIST}?page_size=10").json()
        client.get(first["next"])
        client.get(f"{LIST}?ordering=due_date&overdue=false&village=340123106001")
    sql = " ".join(query["sql"].upper() for query in queries)
    assert "COUNT(" not in sql
    assert "OFFSET" not in sql
    assert sql.count("LIMIT 11") == 2


def test_a_resident_list_costs_no_more_for_many_requests(as_role, submit):
    client = as_role("owner")
    _make(submit, 1)
    client.get(LIST)
    with CaptureQueriesContext(connection) as one:
        client.get(LIST)
    _make(submit, 30)
    with CaptureQueriesContext(connection) as many:
        body = client.get(LIST).json()
    assert len(body["results"]) == 20 and body["next"]
    assert len(one) == len(many)


def test_a_staff_member_finds_their_own_application_by_number_not_in_the_list(
    submit, as_role, people, village
):
    """Staff lists hold the requests they serve; one they applied for themselves
    in another village is theirs to open (and on 我的办件), not listed."""
    town_y = people["town_y"]
    own = submit("agency", account=town_y)
    client = as_role("town_y")
    assert numbers(client.get(LIST)) == []
    assert client.get(f"{LIST}{own.tracking_number}/").status_code == 200


def test_an_inactive_account_is_refused(as_role, people, submit):
    submit("agency")
    client = as_role("clerk_a")
    people["clerk_a"].is_active = False
    people["clerk_a"].save()
    assert client.get(LIST).status_code == 401


def test_a_verified_phone_lists_requests_entered_for_it(as_role, submit):
    """A clerk's entry for the resident's verified number is the resident's."""
    owner = UserFactory(
        role=Role.RESIDENT, phone="13955550123", phone_verified_at=timezone.now()
    )
    entered = submit("agency", account=None)
    from rest_framework.test import APIClient

    client = APIClient()
    client.force_login(owner)
    assert numbers(client.get(LIST)) == [entered.tracking_number]
    assert Status(entered.status) == Status.SUBMITTED


def test_a_page_joins_no_table_and_names_items_and_villages_as_they_are_now(
    as_role, submit, village
):
    """Codes and names come from a copy kept in the process (``catalog_names``), not
    from joins; a save of an item or a village is seen by the next page."""
    case = submit("agency")
    client = as_role("official")
    client.get(LIST)
    with CaptureQueriesContext(connection) as queries:
        row = client.get(f"{LIST}?village={village.code}").json()["results"][0]
    page = [
        q["sql"]
        for q in queries.captured_queries
        if "services_servicerequest" in q["sql"]
    ]
    assert len(page) == 1 and "JOIN" not in page[0]
    assert row["village"] == {"code": village.code, "name": village.name}
    item = case.item
    item.name = "改名后的事项"
    item.save()
    village.name = "改名后的村"
    village.save()
    row = client.get(LIST).json()["results"][0]
    assert row["item"] == {"code": item.code, "name": "改名后的事项"}
    assert row["village"]["name"] == "改名后的村"
    # A code nobody has: nothing, and no error.
    assert client.get(f"{LIST}?village=999999999999").json()["results"] == []
    assert client.get(f"{LIST}?item=NO-SUCH-ITEM").json()["results"] == []
