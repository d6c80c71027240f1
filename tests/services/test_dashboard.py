"""The officials' dashboard: figures exact on a small built history, the period's
checks, who sees what, the downloads read back, and a constant number of queries."""

import csv
import datetime as dt
import io
import itertools

import pytest
from django.db import connection
from django.db.models import DateField, Value
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from services.actions.statistics import daily_figures_rebuild, daily_figures_update
from services.models import (
    CalendarYear,
    DailyFigures,
    FiguresBuilt,
    FollowUp,
    Rating,
    ServiceRequest,
    Status,
)
from services.statistics import Period, change_label, change_percent
from services.views.dashboard import FIGURES
from services.working_days import WorkCalendar
from services.working_days_sql import exceptions, workday_number, workday_number_py
from tests.factories import UserFactory
from villages.choices import Role

URL = "/dashboard/"
PERIOD = {"from": "2025-01-01", "to": "2025-10-31"}
numbers = itertools.count(1)


def at(day: str, hour: int = 10) -> dt.datetime:
    """A local (Beijing) moment on `day`."""
    return timezone.make_aware(
        dt.datetime.combine(dt.date.fromisoformat(day), dt.time(hour))
    )


def make(item, village, mode, submitted, **fields) -> ServiceRequest:
    values = {
        "tracking_number": f"HGT{next(numbers):08d}",
        "item": item,
        "village": village,
        "mode": mode,
        "channel": "window",
        "applicant_name": "张桂英",
        "applicant_phone": "13955550123",
        "submitted_at": at(submitted) if isinstance(submitted, str) else submitted,
        "status": Status.SUBMITTED,
    }
    values.update(fields)
    return ServiceRequest.objects.create(**values)


@pytest.fixture(params=["requests", "daily figures", "both"])
def history(request, items, village, other_village):
    """A small history: 7 full-agency cases in Jan–Oct 2025 against 6 a year before;
    three completions (one across the 2025 National Day holiday); three ratings; a
    follow-up; two open cases, one overdue. Read straight from the requests, from the
    daily figures (built up to yesterday), or both (built up to 30 June 2025)."""
    agency, instant, home = items["agency"], items["instant"], items["home"]
    for month in range(1, 8):
        make(agency, village, "agency", f"2025-{month:02d}-15")
    for month in range(2, 8):
        make(agency, village, "agency", f"2024-{month:02d}-10")
    make(agency, village, "agency", "2025-11-05")  # after the period
    make(agency, village, "agency", "2024-12-01")  # in neither period
    across_holiday = make(
        agency,
        village,
        "agency",
        "2025-08-20",
        status=Status.COMPLETED,
        accepted_at=at("2025-09-30", 9),
        completed_at=at("2025-10-09"),
        due_date=dt.date(2025, 10, 10),
    )
    make(
        home,
        village,
        "home",
        "2025-03-01",
        status=Status.COMPLETED,
        accepted_at=at("2025-03-03"),
        completed_at=at("2025-03-07"),
        due_date=dt.date(2025, 3, 6),
    )
    on_the_spot = make(
        instant,
        other_village,
        "instant",
        "2025-05-06",
        status=Status.COMPLETED,
        accepted_at=at("2025-05-06", 9),
        completed_at=at("2025-05-06", 11),
        due_date=dt.date(2025, 5, 6),
    )
    make(instant, other_village, "instant", "2025-05-07")
    overdue = make(
        home,
        village,
        "home",
        "2026-02-20",
        status=Status.ACCEPTED,
        accepted_at=at("2026-02-24"),
        due_date=dt.date(2026, 3, 2),
        applicant_name="欧阳明华",
    )
    make(
        agency,
        village,
        "agency",
        "2026-03-01",
        status=Status.ACCEPTED,
        due_date=dt.date(2026, 3, 20),
    )
    poor = Rating.objects.create(
        request=across_holiday, level=1, created_at=at("2025-10-10")
    )
    Rating.objects.create(request=on_the_spot, level=5, created_at=at("2025-05-06"))
    old = make(instant, village, "instant", "2024-01-05", status=Status.COMPLETED,
               completed_at=at("2024-01-10"))  # fmt: skip
    Rating.objects.create(request=old, level=4, created_at=at("2024-01-11"))
    FollowUp.objects.create(rating=poor, deadline=dt.date(2026, 3, 1))
    if request.param == "daily figures":
        daily_figures_update(today=dt.date(2026, 3, 10))
        assert FiguresBuilt.objects.get().until == dt.date(2026, 3, 9)
    elif request.param == "both":
        daily_figures_rebuild(first=dt.date(2024, 1, 1), last=dt.date(2025, 6, 30))
        assert FiguresBuilt.objects.get().until == dt.date(2025, 6, 30)
    return {"overdue": overdue, "items": items}


def rows_of(figure) -> dict:
    return {row[0]: row[1:] for row in figure.rows}


def get(client, user, **query):
    client.force_login(user)
    return client.get(URL, query)


# --- the figures --------------------------------------------------------------------------


def test_figures_are_exact(client, official, history, village, other_village, items):
    response = get(client, official, **PERIOD)
    assert response.status_code == 200
    figures = response.context["figures"]
    by_village, by_body, by_item, by_mode = figures.received
    # 7 agency + 1 across the holiday (agency) + 1 home in the village; 2 instant.
    assert rows_of(by_village)[village.name] == [9, 81.8]
    assert rows_of(by_village)[other_village.name] == [2, 18.2]
    assert by_village.total == ["合计", 11, 100.0]
    modes = {row[0]: row[1] for row in by_mode.rows}
    assert list(modes.values()) == [2, 8, 1]  # instant, agency, home
    same = items["home"] == items["agency"]
    assert rows_of(by_item)[items["agency"].name][0] == 8 + same
    bodies = rows_of(by_body)
    assert sum(row[0] for row in bodies.values()) == 11
    assert bodies[items["instant"].body.name][0] >= 2


def test_full_agency_against_a_year_before(client, official, history):
    agency = get(client, official, **PERIOD).context["figures"].agency
    # 7 + the one completed across the holiday, against 6: +33%.
    assert (agency.now, agency.before) == (8, 6)
    assert agency.change_label == "+33%"
    months = {row[0]: row for row in agency.figure.rows}
    assert months["2025-02"][1:] == [1, 2, 1, 1]
    assert months["2025-10"][1:] == [0, 8, 0, 6]
    assert agency.figure.total[1:] == [8, 8, 6, 6]


def test_the_seeds_figures_are_a_change_computed_not_written():
    # 14,030 cases by October 2017 and +17%: 11,991 the year before.
    assert change_label(change_percent(14_030, 11_991)) == "+17%"
    assert change_label(change_percent(7, 6)) == "+17%"
    assert change_label(change_percent(5, 6)) == "-17%"
    assert change_label(change_percent(3, 0)) == "—"
    assert change_label(change_percent(6, 6)) == "0%"


def test_on_time_rate_and_working_days(client, official, history, village, items):
    by_village, by_body = get(client, official, **PERIOD).context["figures"].on_time
    # Across National Day 2025 (1–8 October off): 30 Sep → 9 Oct is one working day;
    # 3 → 7 March is four, one day late; on the spot is none.
    calendar = WorkCalendar.load()
    assert calendar.between(dt.date(2025, 9, 30), dt.date(2025, 10, 9)) == 1
    rows = rows_of(by_village)
    assert rows[village.name] == [2, 2, 1, 50.0, 2.5]
    assert by_village.total[1:] == [3, 3, 2, 66.7, 1.7]
    assert sum(row[0] for row in rows_of(by_body).values()) == 3
    assert by_body.total[1:] == by_village.total[1:]


def test_the_sql_working_day_count_is_the_calendars(db):
    calendar = WorkCalendar.load()
    first, last = dt.date(2023, 12, 20), dt.date(2026, 2, 28)
    corrections, unknown = exceptions(calendar, first, last)
    assert not unknown
    days = [first + dt.timedelta(days=n) for n in range(0, (last - first).days, 11)]
    for start, end in itertools.pairwise(days):
        found = workday_number_py(end, corrections) - workday_number_py(
            start, corrections
        )
        assert found == calendar.between(start, end), (start, end)
    # And the same in SQL.
    CalendarYear.objects.create(year=2090)
    for day in (*days[:40], dt.date(2025, 10, 1), dt.date(2025, 9, 28)):
        found = CalendarYear.objects.annotate(
            w=workday_number(Value(day, output_field=DateField()), corrections)
        ).values_list("w", flat=True)
        assert found.get() == workday_number_py(day, corrections), day


def test_satisfaction_and_follow_ups(client, official, history, village):
    figures = get(client, official, **PERIOD).context["figures"]
    levels = [row[1] for row in figures.satisfaction.rows]
    assert levels == [1, 0, 0, 0, 1]  # 5 … 1; the 2024 rating is outside
    assert figures.satisfaction.total[1] == 2
    follow_ups = rows_of(figures.follow_ups)
    assert follow_ups[village.name] == [1, 1]
    assert figures.follow_ups.total[1:] == [1, 1]


def test_overdue_list_links_the_case_and_masks_the_name(client, official, history):
    response = get(client, official, **PERIOD)
    rows = response.context["overdue_rows"]
    assert len(rows) == 1
    row, url = rows[0]
    case = history["overdue"]
    assert row[0] == case.tracking_number
    assert row[3] == "欧***"
    assert row[5] == 6  # 3, 4, 5, 6, 9, 10 March
    assert url.endswith(f"/staff/cases/{case.tracking_number}/")
    body = response.content.decode()
    assert "欧阳明华" not in body and case.tracking_number in body


def test_default_period_is_this_year_to_date(client, official, history):
    figures = get(client, official).context["figures"]
    assert figures.period == Period(dt.date(2026, 1, 1), dt.date(2026, 3, 10))
    assert figures.received[3].total[1] == 2


# --- the period's checks ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"from": "2025-13-01"}, "开始日期：输入一个有效的日期"),
        ({"from": "yesterday", "to": "2025-01-01"}, "开始日期："),
        ({"from": "2025-01-01", "to": "tomorrow"}, "截止日期：输入一个有效的日期"),
        ({"from": "2025-05-01", "to": "2025-04-30"}, "早于"),
        ({"from": "2019-01-01", "to": "2025-01-01"}, "5"),
        ({"from": "1999-12-31", "to": "2000-01-05"}, "2000-01-01"),
    ],
)
def test_a_bad_period_is_400_with_a_message(client, official, query, message):
    response = get(client, official, **query)
    assert response.status_code == 400
    assert message in response.context["error"]
    assert message in response.content.decode()
    export = client.get(reverse("dashboard:export", args=["by-village", "csv"]), query)
    assert export.status_code == 400
    assert message in export.content.decode()


def test_five_years_is_the_longest_period(client, official):
    assert (
        get(client, official, **{"from": "2021-01-01", "to": "2025-12-31"}).status_code
        == 200
    )


def test_unknown_figure_or_format_is_404(client, official):
    client.force_login(official)
    assert client.get("/dashboard/export/salaries.csv").status_code == 404
    assert client.get("/dashboard/export/by-village.pdf").status_code == 404


# --- who sees what --------------------------------------------------------------------------


def test_anonymous_is_sent_to_sign_in_and_residents_are_refused(client, resident):
    response = client.get(URL)
    assert response.status_code == 302 and "sign-in" in response["Location"]
    assert client.get("/dashboard/export/by-village.csv").status_code == 302
    client.force_login(resident)
    assert client.get(URL).status_code == 403
    assert client.get("/dashboard/export/by-village.csv").status_code == 403


def test_a_village_clerk_sees_their_village_only(
    client, village_clerk, history, village, other_village
):
    response = get(client, village_clerk, **PERIOD)
    figures = response.context["figures"]
    assert list(rows_of(figures.received[0])) == [village.name]
    assert figures.received[3].total[1] == 9
    assert other_village.name not in response.content.decode()
    assert figures.on_time[0].total[1] == 2


def test_another_village_clerk_sees_none_of_it(client, other_village_clerk, history):
    response = get(client, other_village_clerk, **PERIOD)
    figures = response.context["figures"]
    assert figures.received[3].total[1] == 2
    assert figures.agency.now == 0
    assert response.context["overdue_rows"] == []
    assert history["overdue"].tracking_number not in response.content.decode()


def test_a_town_clerk_sees_their_bodies_only(client, history, items):
    clerk = UserFactory(role=Role.TOWN_CLERK)
    items["instant"].body.clerks.add(clerk)
    figures = get(client, clerk, **PERIOD).context["figures"]
    by_body = rows_of(figures.received[1])
    assert list(by_body) == [items["instant"].body.name]
    instant_body = items["instant"].body_id
    expected = sum(
        1
        for item in (items["agency"],) * 8 + (items["home"],) + (items["instant"],) * 2
        if item.body_id == instant_body
    )
    assert figures.received[3].total[1] == expected


# --- downloads ------------------------------------------------------------------------------


def test_csv_opens_in_excel_and_holds_the_figure(client, official, history, village):
    client.force_login(official)
    response = client.get("/dashboard/export/by-village.csv", PERIOD)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert (
        "huagang-by-village-2025-01-01-2025-10-31.csv"
        in response["Content-Disposition"]
    )
    assert response.content.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == ["村（社区）", "申请数", "占比"] or len(rows[0]) == 3
    found = {row[0]: row[1] for row in rows[1:]}
    assert found[village.name] == "9"
    assert rows[-1][1] == "11"


def test_xlsx_holds_the_figure(client, official, history, village):
    client.force_login(official)
    response = client.get("/dashboard/export/on-time-by-village.xlsx", PERIOD)
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert len(rows[0]) == 6
    found = {row[0]: row[1:] for row in rows[1:]}
    assert found[village.name] == (2, 2, 1, 50, 2.5)


def test_overdue_download_holds_numbers_and_masked_names_only(
    client, official, history
):
    client.force_login(official)
    for extension in ("csv", "xlsx"):
        response = client.get(f"/dashboard/export/overdue.{extension}", PERIOD)
        assert response.status_code == 200
        if extension == "csv":
            text = response.content.decode("utf-8-sig")
        else:
            sheet = load_workbook(io.BytesIO(response.content)).active
            text = repr(list(sheet.iter_rows(values_only=True)))
        assert history["overdue"].tracking_number in text
        assert "欧***" in text
        assert "欧阳明华" not in text and "13955550123" not in text


def test_every_figure_downloads(client, official, history):
    client.force_login(official)
    for figure, extension in itertools.product(FIGURES, ("csv", "xlsx")):
        response = client.get(f"/dashboard/export/{figure}.{extension}", PERIOD)
        assert response.status_code == 200
        assert "13955550123" not in response.content.decode("latin-1")


# --- speed ----------------------------------------------------------------------------------


def _many(count, items, village, other_village):
    kinds = itertools.cycle(
        [("agency", village), ("instant", other_village), ("home", village)]
    )
    ServiceRequest.objects.bulk_create(
        ServiceRequest(
            tracking_number=f"HGQ{count:04d}{n:05d}",
            item=items[kind],
            village=where,
            mode=kind,
            channel="window",
            applicant_name="李四",
            applicant_phone="13900000000",
            submitted_at=at("2025-06-02") - dt.timedelta(hours=n),
            status=Status.COMPLETED if n % 2 else Status.ACCEPTED,
            accepted_at=at("2025-06-02"),
            completed_at=at("2025-06-09") if n % 2 else None,
            due_date=dt.date(2025, 6, 6),
        )
        for n, (kind, where) in zip(range(count), kinds, strict=False)
    )


def _queries(client, url, query) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url, query).status_code == 200
    return len(captured)


@pytest.mark.parametrize("built", [False, True], ids=["requests", "daily figures"])
def test_queries_are_as_many_for_10_and_200_requests(
    client, official, items, village, other_village, built
):
    client.force_login(official)
    _many(10, items, village, other_village)
    if built:
        daily_figures_rebuild(first=dt.date(2025, 5, 1), last=dt.date(2025, 6, 30))
    few = _queries(client, URL, PERIOD)
    few_export = _queries(client, "/dashboard/export/overdue.xlsx", PERIOD)
    _many(200, items, village, other_village)
    if built:
        daily_figures_rebuild(first=dt.date(2025, 5, 1), last=dt.date(2025, 6, 30))
        assert DailyFigures.objects.exists()
    assert _queries(client, URL, PERIOD) == few
    assert _queries(client, "/dashboard/export/overdue.xlsx", PERIOD) == few_export
    # 20 for the request figures; then residents' questions (1), the grids (2) and
    # life events (1), each a figure of its own, constant in the number of rows.
    assert few <= 24


# --- the daily figures ------------------------------------------------------------------------


def test_daily_figures_are_rebuilt_not_added_up(history, village):
    daily_figures_update(today=dt.date(2026, 3, 10))
    first = sorted(DailyFigures.objects.values_list("day", "village_id", "received"))
    daily_figures_update(today=dt.date(2026, 3, 10))
    daily_figures_rebuild(first=dt.date(2025, 1, 1), last=dt.date(2025, 12, 31))
    again = sorted(DailyFigures.objects.values_list("day", "village_id", "received"))
    assert again == first
    assert (
        sum(row[2] for row in first)
        == ServiceRequest.objects.filter(submitted_at__lt=at("2026-03-10", 0)).count()
    )
    assert FiguresBuilt.objects.get().until == dt.date(2026, 3, 9)


def test_a_gap_leaves_the_figures_built_where_they_were(history):
    FiguresBuilt.objects.all().delete()
    daily_figures_rebuild(first=dt.date(2024, 1, 1), last=dt.date(2024, 12, 31))
    assert FiguresBuilt.objects.get().until == dt.date(2024, 12, 31)
    daily_figures_rebuild(first=dt.date(2025, 3, 1), last=dt.date(2025, 3, 31))
    assert FiguresBuilt.objects.get().until == dt.date(2024, 12, 31)


def test_the_command_rebuilds_everything(history):
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("rebuild_daily_figures", "--all", stdout=out)
    assert "built until 2026-03-09" in out.getvalue()


def test_a_change_to_the_holiday_calendar_rebuilds_the_figures_it_touches(
    official_client, items, village, django_capture_on_commit_callbacks
):
    """Accepted on Monday 2026-03-02, completed on Friday 03-06: four working days,
    until an official makes Wednesday 03-04 a holiday in the admin; then three, in
    the daily figures the dashboard reads, without anyone running a command."""
    item = items["instant"]
    make(
        item,
        village,
        "instant",
        "2026-03-02",
        status=Status.COMPLETED,
        accepted_at=at("2026-03-02"),
        completed_at=at("2026-03-06", 15),
        due_date=dt.date(2026, 3, 20),
    )
    daily_figures_update(today=dt.date(2026, 3, 10))

    def working_days() -> int:
        return DailyFigures.objects.get(day=dt.date(2026, 3, 6)).working_days

    assert working_days() == 4
    with django_capture_on_commit_callbacks(execute=True):
        response = official_client.post(
            "/admin/services/calendarday/add/",
            {"date": "2026-03-04", "name": "测试假日", "is_workday": ""},
        )
    assert response.status_code == 302
    assert working_days() == 3
