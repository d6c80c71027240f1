"""The dashboard's figures on the API: the same figures as /dashboard/ (from the
requests, the daily figures or both), the same period parameters and checks, the same
limits per role; the overdue cases with masked names; 401 and 403 for the rest."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from services.models import Status
from services.views.dashboard import FIGURES
from tests.factories import UserFactory
from tests.services.test_dashboard import PERIOD, at, history, make  # noqa: F401
from villages.actions import api_token_create
from villages.choices import Role

pytestmark = pytest.mark.django_db

URL = "/api/v1/statistics/"
OVERDUE = "/api/v1/statistics/overdue/"
KEYS = [key for key in FIGURES if key != "overdue"]  # the overdue list apart


def _get(client, user, url=URL, **query):
    client.force_login(user)
    return client.get(url, query)


def _figures(body: dict) -> dict[str, dict]:
    return {figure["key"]: figure for figure in body["figures"]}


def _rows(figure: dict) -> dict[str, list]:
    return {row["label"]: row["values"] for row in figure["rows"]}


def _page_figures(client, user, **query) -> dict[str, list[list]]:
    """The /dashboard/ page's figures (all rows with the total), by key."""
    client.force_login(user)
    found = client.get("/dashboard/", query).context["figures"]
    figures = [
        *found.received,
        found.agency.figure,
        *found.on_time,
        found.satisfaction,
        found.follow_ups,
        found.questions,
        found.by_grid,
    ]
    return {figure.key: [list(row) for row in figure.all_rows()] for figure in figures}


def _api_figures(body: dict) -> dict[str, list[list]]:
    return {
        figure["key"]: [
            [row["label"], *row["values"]]
            for row in [
                *figure["rows"],
                *([figure["total"]] if figure["total"] else []),
            ]
        ]
        for figure in body["figures"]
    }


# The figures are compared with the dashboard's over all three sources (the requests,
# the daily figures, both); the other tests read the requests alone.
from_requests = pytest.mark.parametrize("history", ["requests"], indirect=True)


@pytest.fixture
def town_clerk_of_instant(items):
    clerk = UserFactory(role=Role.TOWN_CLERK)
    items["instant"].body.clerks.add(clerk)
    return clerk


@pytest.mark.parametrize(
    "who", ["official", "village_clerk", "other_village_clerk", "town_clerk_of_instant"]
)
def test_the_figures_are_the_dashboard_s(client, request, history, who):  # noqa: F811
    user = request.getfixturevalue(who)
    response = _get(client, user, **PERIOD)
    assert response.status_code == 200
    body = response.json()
    assert [figure["key"] for figure in body["figures"]] == KEYS
    assert _api_figures(body) == _page_figures(client, user, **PERIOD)


def test_the_figures_are_exact(client, official, history, village, other_village):  # noqa: F811
    body = _get(client, official, **PERIOD).json()
    assert body["period"] == {"first": "2025-01-01", "last": "2025-10-31"}
    assert body["year_before"] == {"first": "2024-01-01", "last": "2024-10-31"}
    assert body["scope"] == {"villages": None, "bodies": None}
    assert body["calendar_unknown"] is False
    figures = _figures(body)
    by_village = figures["by-village"]
    assert _rows(by_village)[village.name] == [9, 81.8]
    assert _rows(by_village)[other_village.name] == [2, 18.2]
    assert by_village["total"] == {"label": "合计", "values": [11, 100.0]}
    assert [c["kind"] for c in by_village["columns"]] == ["text", "count", "percent"]
    assert body["agency"] == {"now": 8, "before": 6, "change_percent": 33}
    on_time = figures["on-time-by-village"]
    assert _rows(on_time)[village.name] == [2, 2, 1, 50.0, 2.5]
    assert [c["kind"] for c in on_time["columns"]][-1] == "days"
    assert _rows(figures["follow-ups"])[village.name] == [1, 1]


def test_counts_stay_integers_and_empty_shares_are_null(client, official):
    body = _get(client, official, **PERIOD).json()
    total = _figures(body)["by-village"]["total"]["values"]
    assert total == [0, None]
    assert body["agency"]["change_percent"] is None
    assert isinstance(total[0], int) and '"values":[0,null]' in _get(
        client, official, **PERIOD
    ).content.decode().replace(" ", "")


@from_requests
def test_the_default_period_is_this_year_to_date(client, official, history):  # noqa: F811
    body = _get(client, official).json()
    assert body["period"] == {"first": "2026-01-01", "last": "2026-03-10"}
    assert _figures(body)["by-mode"]["total"]["values"][0] == 2


@pytest.mark.parametrize(
    "query, fields",
    [
        ({"from": "2025-13-01"}, ["from"]),
        ({"from": "yesterday", "to": "2025-01-01"}, ["from"]),
        ({"from": "2025-01-01", "to": "tomorrow"}, ["to"]),
        ({"from": "2025-05-01", "to": "2025-04-30"}, ["__all__"]),
        ({"from": "2019-01-01", "to": "2025-01-01"}, ["__all__"]),
        ({"from": "1999-12-31", "to": "2000-01-05"}, ["__all__"]),
        ({"from": "2025-01-01", "to": "9999-12-31"}, ["__all__"]),
        ({"from": "2025-01-01\x00"}, ["from"]),
    ],
)
def test_a_bad_period_is_a_400_naming_the_field(client, official, query, fields):
    response = _get(client, official, **query)
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid_input"
    assert sorted(body["errors"]) == fields and body["message"]


def test_the_period_errors_speak_the_language_asked_for(client, official):
    client.force_login(official)
    query = {"from": "2025-05-01", "to": "2025-04-30"}
    english = client.get(URL, query, HTTP_ACCEPT_LANGUAGE="en").json()
    chinese = client.get(URL, query, HTTP_ACCEPT_LANGUAGE="zh-Hans").json()
    assert english["errors"]["__all__"] == ["The period ends before it starts."]
    assert chinese["errors"]["__all__"] != english["errors"]["__all__"]


def test_five_years_is_the_longest_period(client, official):
    query = {"from": "2021-01-01", "to": "2025-12-31"}
    assert _get(client, official, **query).status_code == 200


def test_titles_speak_the_language_asked_for(client, official):
    client.force_login(official)
    english = client.get(URL, PERIOD, HTTP_ACCEPT_LANGUAGE="en").json()
    chinese = client.get(URL, PERIOD).json()
    assert _figures(english)["by-village"]["title"] == "Requests by village"
    assert _figures(chinese)["by-village"]["title"] != "Requests by village"


# --- who sees what ----------------------------------------------------------------------


def test_anonymous_callers_are_asked_to_authenticate(client):
    for url in (URL, OVERDUE):
        response = client.get(url)
        assert response.status_code == 401
        assert response.json()["code"] == "not_authenticated"
        assert response["WWW-Authenticate"].startswith("Token")


def test_residents_are_refused(client, resident):
    for url in (URL, OVERDUE):
        response = _get(client, resident, url)
        assert response.status_code == 403
        assert response.json()["code"] == "not_permitted"
    # a key acting as a resident is refused the same way, whatever the period
    client.logout()
    _token, key = api_token_create(name="小程序", account=resident, by=None)
    response = client.get(URL, {"from": "x"}, HTTP_AUTHORIZATION=f"Token {key}")
    assert response.status_code == 403


@from_requests
def test_a_key_acting_as_an_official_sees_the_town(client, official, history):  # noqa: F811
    _token, key = api_token_create(name="县政务服务平台", account=official, by=None)
    response = client.get(URL, PERIOD, HTTP_AUTHORIZATION=f"Token {key}")
    assert response.status_code == 200
    assert response.json()["scope"] == {"villages": None, "bodies": None}


@from_requests
def test_a_village_clerk_sees_their_village_only(
    client,
    village_clerk,
    history,  # noqa: F811
    village,
    other_village,
):
    body = _get(client, village_clerk, **PERIOD).json()
    assert body["scope"] == {"villages": [village.code], "bodies": None}
    figures = _figures(body)
    assert list(_rows(figures["by-village"])) == [village.name]
    assert figures["by-mode"]["total"]["values"][0] == 9
    assert other_village.name not in str(body)


def test_a_town_clerk_sees_their_bodies_only(client, town_clerk_of_instant, items):
    body = _get(client, town_clerk_of_instant, **PERIOD).json()
    assert body["scope"] == {"villages": None, "bodies": [items["instant"].body.code]}
    assert list(_rows(_figures(body)["by-body"])) == [items["instant"].body.name]


def test_the_figures_take_as_many_queries_for_few_and_many_requests(
    client, official, items, village
):
    client.force_login(official)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(URL, PERIOD).status_code == 200
        return len(captured)

    make(items["agency"], village, "agency", "2025-03-03")
    few = queries()
    for day in range(1, 29):
        make(items["home"], village, "home", f"2025-02-{day:02d}")
    assert queries() == few


# --- the overdue cases ------------------------------------------------------------------


@from_requests
def test_the_overdue_cases_with_masked_names(client, official, history):  # noqa: F811
    response = _get(client, official, OVERDUE)
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"next", "previous", "results"}
    case = history["overdue"]
    assert body["results"] == [
        {
            "tracking_number": case.tracking_number,
            "item_code": case.item.code,
            "item_name": case.item.name,
            "village_code": case.village.code,
            "village_name": case.village.name,
            "applicant": "欧***",
            "due_date": "2026-03-02",
            "working_days_late": 6,  # 3, 4, 5, 6, 9, 10 March
        }
    ]
    assert "欧阳明华" not in response.content.decode()


@from_requests
def test_another_village_clerk_sees_no_overdue_case(
    client,
    other_village_clerk,
    village_clerk,
    history,  # noqa: F811
):
    assert _get(client, other_village_clerk, OVERDUE).json()["results"] == []
    assert len(_get(client, village_clerk, OVERDUE).json()["results"]) == 1


@pytest.fixture
def overdue_cases(items, village):
    return [
        make(
            items["home"],
            village,
            "home",
            "2026-02-10",
            status=Status.ACCEPTED,
            accepted_at=at("2026-02-11"),
            due_date=dt.date(2026, 2, 20) + dt.timedelta(days=n % 3),
        )
        for n in range(21)
    ]


def test_the_overdue_cases_page_through_every_one_once(client, official, overdue_cases):
    client.force_login(official)
    seen, response = [], client.get(OVERDUE, {"page_size": 4})
    while True:
        body = response.json()
        seen += [row["tracking_number"] for row in body["results"]]
        if not body["next"]:
            break
        response = client.get(body["next"])
    assert seen == [case.tracking_number for case in overdue_cases]
    back = client.get(body["previous"]).json()["results"]
    assert [row["tracking_number"] for row in back] == seen[-5:-1]


def test_the_overdue_cases_take_the_same_queries_for_1_and_for_20_rows(
    client, official, overdue_cases
):
    client.force_login(official)
    counts = []
    for size in (1, 20):
        with CaptureQueriesContext(connection) as captured:
            rows = client.get(OVERDUE, {"page_size": size}).json()["results"]
        assert len(rows) == size
        counts.append(len(captured))
    assert counts[0] == counts[1]
