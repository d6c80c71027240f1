"""GET requests: the filters, the 90-day window, the 1,000 cap, the mapping of our
fields, the query count, and bad input answered with the specification's errors."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from services.models import ServiceRequest, Status

from .conftest import OPEN311, assert_nothing_personal
from .helpers import descriptions, get

pytestmark = pytest.mark.django_db


def _submitted(service_request: ServiceRequest, when: dt.datetime) -> None:
    ServiceRequest.objects.filter(pk=service_request.pk).update(submitted_at=when)


def _ids(data: list[dict]) -> list[int]:
    return [int(r["service_request_id"]) for r in data]


@pytest.fixture
def now():
    return timezone.now()


# --- what a request shows ----------------------------------------------------------------


def test_a_request_shows_the_item_body_village_status_and_times(client, made):
    accepted = made["accepted"]
    (shown,) = get(client, f"requests/{accepted.pk}.json", "requests")
    assert shown == {
        "service_request_id": str(accepted.pk),
        "status": "open",
        "status_notes": "已受理",
        "service_name": accepted.item.name,
        "service_code": accepted.item.code,
        "description": f"{accepted.item.name}（上门特办）",
        "agency_responsible": accepted.item.body.name,
        "service_notice": f"自受理之日起{accepted.item.promised_days}个工作日内办结。",
        "requested_datetime": timezone.localtime(accepted.submitted_at).isoformat(
            timespec="seconds"
        ),
        "updated_datetime": timezone.localtime(accepted.updated_at).isoformat(
            timespec="seconds"
        ),
        "expected_datetime": f"{accepted.due_date.isoformat()}T23:59:59+08:00",
        "address": accepted.village.name,
        "address_id": accepted.village.code,
    }
    assert shown["requested_datetime"].endswith("+08:00")


def test_a_request_awaiting_acceptance_expects_what_its_receipt_promised(client, made):
    from services.selectors import service_request_expected_completion

    waiting = made["waiting"]
    (shown,) = get(client, f"requests/{waiting.pk}.xml", "requests")
    promised = service_request_expected_completion(service_request=waiting)
    assert shown["expected_datetime"] == f"{promised.isoformat()}T23:59:59+08:00"
    assert (shown["status"], shown["status_notes"]) == ("open", "待受理")


def test_closed_requests_say_how_they_ended_but_not_the_result_or_the_reason(
    client, made
):
    done, refused = made["done"], made["refused"]
    shown = get(client, "requests.json", "requests", status="closed")
    by_id = {int(r["service_request_id"]): r for r in shown}
    assert by_id[done.pk]["status_notes"] == "已办结"
    assert by_id[refused.pk]["status_notes"] == "不予受理"
    assert_nothing_personal(str(shown))


def test_a_paused_request_has_no_expected_time(client, made, village_clerk):
    from services import actions

    accepted = made["accepted"]
    actions.service_request_ask_supplement(
        service_request=accepted, by=village_clerk, what="请补充材料"
    )
    (shown,) = get(client, f"requests/{accepted.pk}.json", "requests")
    assert (shown["status_notes"], shown["expected_datetime"]) == ("待补正", None)
    assert "请补充材料" not in str(shown)


def test_descriptions_follow_accept_language(client, made):
    waiting = made["waiting"]
    response = client.get(
        f"{OPEN311}/requests/{waiting.pk}.json", HTTP_ACCEPT_LANGUAGE="en"
    )
    (shown,) = response.json()
    assert shown["status_notes"] == "submitted (待受理)"
    assert shown["description"] == f"{waiting.item.name} — Scheduled agency (定时代办)"


# --- the filters -------------------------------------------------------------------------


def test_by_default_the_last_90_days_newest_first(client, made, now):
    _submitted(made["waiting"], now - dt.timedelta(days=91))
    _submitted(made["done"], now - dt.timedelta(days=89))
    shown = _ids(get(client, "requests.json", "requests"))
    assert made["waiting"].pk not in shown
    assert shown == [made["refused"].pk, made["accepted"].pk, made["done"].pk]


def test_dates_choose_the_window_in_any_time_zone(client, made):
    ninth = timezone.make_aware(dt.datetime(2026, 1, 9, 9, 0))  # Beijing time
    _submitted(made["waiting"], ninth)
    for start, end in [
        ("2026-01-09T09:00:00+08:00", "2026-01-09T09:00:00+08:00"),
        ("2026-01-09T01:00:00Z", "2026-01-09T01:00:00Z"),
        ("2026-01-09", "2026-01-09"),  # a day alone: all of it
        ("2026-01-09T00:00:00", "2026-01-09T23:00:00"),  # no offset: Beijing time
        # Offsets ISO 8601 allows but PostgreSQL would refuse (beyond ±15:59).
        ("2026-01-09T21:00:00+20:00", "2026-01-08T05:00:00-20:08"),
    ]:
        shown = get(client, "requests.json", "requests", start_date=start, end_date=end)
        assert _ids(shown) == [made["waiting"].pk], (start, end)
    shown = get(
        client,
        "requests.json",
        "requests",
        start_date="2026-01-09T01:00:01Z",
        end_date="2026-01-10",
    )
    assert shown == []


def test_a_plus_lost_in_an_unencoded_address_is_read_as_one(client, made):
    ninth = timezone.make_aware(dt.datetime(2026, 1, 9, 9, 0))  # Beijing time
    _submitted(made["waiting"], ninth)
    # "?start_date=2026-01-09T09:00:00+08:00" typed as is: the + arrives as a space.
    for moment in ("2026-01-09T09:00:00 08:00", "2026-01-09T09:00 0800"):
        shown = get(
            client, "requests.json", "requests", start_date=moment, end_date=moment
        )
        assert _ids(shown) == [made["waiting"].pk], moment


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31"])
def test_a_w3_date_out_of_range_is_told_so(client, made, day):
    errors = get(
        client, "requests.json", "requests", expect=400, language="en", start_date=day
    )
    assert descriptions(errors) == (
        "start_date: out of range: give a time from 1900 to 2100."
    )
    errors = get(client, "requests.json", "requests", expect=400, start_date=day)
    assert descriptions(errors) == (
        "start_date：超出范围，请填写 1900 年至 2100 年之间的时间。"
    )


def test_one_date_alone_spans_90_days_from_it(client, made):
    _submitted(made["waiting"], timezone.make_aware(dt.datetime(2025, 12, 1)))
    _submitted(made["done"], timezone.make_aware(dt.datetime(2025, 9, 1)))
    after = get(client, "requests.json", "requests", start_date="2025-11-20")
    assert _ids(after) == [made["waiting"].pk]
    before = get(client, "requests.json", "requests", end_date="2025-09-02")
    assert _ids(before) == [made["done"].pk]


def test_status_open_and_closed(client, made):
    open_ = get(client, "requests.json", "requests", status="open")
    assert set(_ids(open_)) == {made["waiting"].pk, made["accepted"].pk}
    both = get(client, "requests.json", "requests", status="open,closed")
    assert len(both) == 4
    also_both = client.get(f"{OPEN311}/requests.json?status=open&status=closed")
    assert len(also_both.json()) == 4


def test_service_codes_comma_separated_or_repeated(client, made, items):
    def made_of(*codes: str) -> set[int]:
        return {r.pk for r in made.values() if r.item.code in codes}

    agency, instant = items["agency"].code, items["instant"].code
    assert agency != instant
    only_agency = get(client, "requests.json", "requests", service_code=agency)
    assert set(_ids(only_agency)) == made_of(agency) != set()
    for query in [
        f"service_code={agency},{instant}",
        f"service_code={agency}&service_code={instant}",
    ]:
        response = client.get(f"{OPEN311}/requests.json?{query}")
        assert set(_ids(response.json())) == made_of(agency, instant)
    assert len(made_of(agency, instant)) > len(made_of(agency))


def test_service_request_ids_override_every_other_argument(client, made, now):
    _submitted(made["waiting"], now - dt.timedelta(days=400))
    wanted = f"{made['waiting'].pk},{made['done'].pk}"
    shown = get(
        client,
        "requests.xml",
        "requests",
        service_request_id=wanted,
        status="open",
        start_date="2020-01-01",
        end_date="2020-01-02",
        service_code="NO-SUCH-CODE",
    )
    assert _ids(shown) == [made["done"].pk, made["waiting"].pk]


def test_at_most_1000_requests_the_newest(client, made, now):
    template = made["waiting"]
    rows = [
        ServiceRequest(
            tracking_number=f"HGT{n:08d}",
            item_id=template.item_id,
            village_id=template.village_id,
            mode=template.mode,
            channel=template.channel,
            applicant_name="某",
            applicant_phone="13900000000",
            submitted_at=now - dt.timedelta(minutes=n + 10),
            status=Status.SUBMITTED,
        )
        for n in range(1000)
    ]
    ServiceRequest.objects.bulk_create(rows)
    shown = get(client, "requests.json", "requests")
    assert len(shown) == 1000
    newest = ServiceRequest.objects.order_by("-submitted_at", "-id")[:1000]
    assert _ids(shown) == [r.pk for r in newest]


def test_the_same_queries_for_1_and_for_20_requests(client, submit):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(f"{OPEN311}/requests.json").status_code == 200
        return len(captured)

    submit("agency")
    one = queries()
    for _n in range(19):
        submit("home")
    assert len(client.get(f"{OPEN311}/requests.json").json()) == 20
    assert queries() == one <= 3


# --- bad input ---------------------------------------------------------------------------

BAD_QUERIES = [
    ({"status": "pending"}, "status"),
    ({"status": "open,lost"}, "status"),
    ({"start_date": "yesterday"}, "start_date"),
    ({"start_date": "2026-02-30"}, "start_date"),
    ({"end_date": "2026-03-01T25:00:00Z"}, "end_date"),
    ({"end_date": "0001-01-01T00:00:00Z"}, "end_date"),
    ({"start_date": "9999-12-31T23:59:59-23:59"}, "start_date"),
    ({"start_date": "２０２６-０１-０１"}, "start_date"),
    ({"start_date": "2026-03-01", "end_date": "2026-02-01"}, "start_date is after"),
    ({"start_date": "2025-01-01", "end_date": "2025-06-01"}, "90"),
    ({"service_code": "NO-SUCH-CODE"}, "NO-SUCH-CODE"),
    ({"service_code": "X" * 300}, "service_code"),
    ({"service_request_id": "12,abc"}, "service_request_id"),
    ({"service_request_id": "-1"}, "service_request_id"),
    ({"service_request_id": "9" * 30}, "service_request_id"),
    ({"service_request_id": ",".join(str(n) for n in range(1, 1002))}, "1000"),
]


@pytest.mark.parametrize("fmt", ["json", "xml"])
@pytest.mark.parametrize(("params", "named"), BAD_QUERIES)
def test_bad_filters_are_400_naming_the_problem(client, made, params, named, fmt):
    errors = get(
        client, f"requests.{fmt}", "requests", expect=400, language="en", **params
    )
    assert all(e["code"] == 400 for e in errors)
    assert named in descriptions(errors)


def test_every_problem_is_listed_at_once(client, made):
    errors = get(
        client,
        "requests.json",
        "requests",
        expect=400,
        start_date="x",
        service_code="NOPE",
        status="lost",
    )
    assert len(errors) == 3


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_a_nul_character_is_400_in_the_specifications_form(client, fmt):
    errors = get(client, f"requests.{fmt}", "requests", expect=400, status="open\x00")
    assert errors[0]["code"] == 400
    assert "null" in descriptions(errors) or "空字符" in descriptions(errors)


@pytest.mark.parametrize(
    "path",
    [
        "requests/999999.json",
        "requests/999999.xml",
        "requests/99999999999999999999999.json",
        "requests/abc.json",
        "requests.csv",
        "requests.JSON",
        "requests",
        "services/NO-SUCH-CODE.json",
        "services.html",
        "discovery.yaml",
        "tokens/1.json",
        "",
    ],
)
def test_what_does_not_exist_is_404_in_the_specifications_form(client, path):
    errors = get(client, path, "requests", expect=404)
    assert errors[0]["code"] == 404


@pytest.mark.parametrize("method", ["put", "patch", "delete"])
def test_other_methods_are_405_with_the_allowed_ones(client, method):
    response = getattr(client, method)(f"{OPEN311}/requests.json")
    assert response.status_code == 405
    assert response["Allow"].startswith("GET, POST")
    assert response.json()[0]["code"] == 405
