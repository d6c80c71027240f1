"""The workbench's 上门特办 visits: waiting cases, booking, the day's list and sheet,
outcomes, the case page's part; permissions per role and village; constant queries."""

import datetime as dt
import zoneinfo

import pytest
import time_machine
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.template import Context, Template
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from huagang.exceptions import InvalidInput
from services.actions import home_visit_schedule, service_request_accept
from services.actions.visits import visit_time_errors
from services.models import HomeVisit, ServiceRequest, Status

pytestmark = pytest.mark.django_db
SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
TODAY = dt.date(2026, 3, 10)  # the tests' Tuesday (tests/conftest.py)
VISITS = reverse("staff:visits")


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=SHANGHAI)


@pytest.fixture
def home_case(submit, village_clerk):
    def _home_case(**overrides) -> ServiceRequest:
        case = submit("home", **overrides)
        service_request_accept(service_request=case, by=village_clerk)
        case.refresh_from_db()
        return case

    return _home_case


@pytest.fixture
def clerk_client(client, village_clerk):
    client.force_login(village_clerk)
    return client


def book(client, case, staff, *, day=TODAY, starts="10:00", ends="11:00", **extra):
    data = {
        "day": str(day),
        "starts": starts,
        "ends": ends,
        "staff": staff.pk,
        "reason": "age",
        **extra,
    }
    return client.post(reverse("staff:visit_book", args=[case.pk]), data)


def schedule(case, clerk, starts_at, hours=1) -> HomeVisit:
    return home_visit_schedule(
        service_request=case,
        by=clerk,
        staff=clerk,
        starts_at=starts_at,
        ends_at=starts_at + dt.timedelta(hours=hours),
        reason="age",
    )


def record(client, visit, outcome, note=""):
    return client.post(
        reverse("staff:visit", args=[visit.pk]), {"outcome": outcome, "note": note}
    )


# --- the list and booking ------------------------------------------------------------


def test_an_accepted_case_waits_with_the_residents_days(clerk_client, home_case):
    case = home_case()
    page = clerk_client.get(VISITS)
    assert page.status_code == 200
    text = page.content.decode()
    assert case.tracking_number in text
    assert "每周二、四" in text and "上午" in text  # visit_weekdays [2, 4], morning
    assert reverse("staff:visit_book", args=[case.pk]) in text


def test_booking_a_visit_schedules_the_case(clerk_client, home_case, village_clerk):
    case = home_case()
    form = clerk_client.get(reverse("staff:visit_book", args=[case.pk]))
    assert form.status_code == 200
    # The form suggests the resident's next day at home (Tue 03-10) in the morning.
    assert 'value="2026-03-10"' in form.content.decode()
    answer = book(clerk_client, case, village_clerk)
    assert answer.status_code == 302
    assert answer["Location"] == f"{VISITS}?day=2026-03-10"
    visit = HomeVisit.objects.get(request=case)
    assert (visit.starts_at, visit.ends_at) == (at(TODAY, 10), at(TODAY, 11))
    assert visit.staff == village_clerk and visit.reason == "age"
    case.refresh_from_db()
    assert case.status == Status.VISIT_SCHEDULED
    assert case.events.filter(to_status=Status.VISIT_SCHEDULED).exists()
    day = clerk_client.get(answer["Location"]).content.decode()
    assert "10:00–11:00" in day and "已预约" in day
    # Not waiting any more.
    waiting = clerk_client.get(VISITS).context["waiting"]
    assert case.pk not in [row["case"].pk for row in waiting]


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"ends": "09:00"}, "ends", "结束"),
        ({"day": "2026-03-09"}, "day", "2026-03-10"),
        ({"day": "2026-13-40"}, "day", "年-月-日"),
        ({"starts": "25:99"}, "starts", "时:分"),
        ({"reason": ""}, "reason", "上门服务的原因"),
        ({"reason": "bored"}, "reason", "上门服务的原因"),
    ],
)
def test_bad_booking_input_is_400_beside_its_field(
    clerk_client, home_case, village_clerk, change, field, message
):
    case = home_case()
    answer = book(clerk_client, case, village_clerk, **change)
    assert answer.status_code == 400
    errors = answer.context["form"].errors
    assert message in " ".join(errors[field]), errors
    assert not HomeVisit.objects.exists()
    assert 'class="field has-error"' in answer.content.decode() or field == "reason"


@pytest.mark.parametrize(
    ("starts", "ends"),
    [("02:00", "03:00"), ("07:30", "09:00"), ("17:00", "18:30"), ("23:00", "23:59")],
)
def test_a_visit_outside_the_visiting_hours_is_refused(
    clerk_client, home_case, village_clerk, starts, ends
):
    case = home_case()
    answer = book(clerk_client, case, village_clerk, starts=starts, ends=ends)
    assert answer.status_code == 400
    assert "08:00" in answer.content.decode() and "18:00" in answer.content.decode()
    assert not HomeVisit.objects.filter(request=case).exists()
    with pytest.raises(InvalidInput, match="08:00") as refused:
        home_visit_schedule(
            service_request=case,
            by=village_clerk,
            staff=village_clerk,
            starts_at=at(TODAY, *map(int, starts.split(":"))),
            ends_at=at(TODAY, *map(int, ends.split(":"))),
            reason="age",
        )
    assert set(refused.value.errors) <= {"starts_at", "ends_at"}


def test_the_visiting_hours_come_from_the_settings(
    clerk_client, home_case, village_clerk, settings
):
    settings.HUAGANG_VISIT_HOURS = "07:00-20:00"
    case = home_case()
    visit = schedule(case, village_clerk, at(TODAY, 18, 30))
    assert visit.starts_at == at(TODAY, 18, 30)
    settings.HUAGANG_VISIT_HOURS = "nonsense"
    with pytest.raises(ImproperlyConfigured):
        visit_time_errors(starts_at=at(TODAY, 10), ends_at=at(TODAY, 11))


def test_every_booking_error_is_shown_at_once(clerk_client, home_case, village_clerk):
    case = home_case()
    answer = book(
        clerk_client, case, village_clerk, day="2026-03-09", reason="", ends="09:00"
    )
    assert answer.status_code == 400
    errors = answer.context["form"].errors
    assert set(errors) == {"day", "reason"}, errors
    assert "2026-03-10" in errors["day"][0]
    answer = book(clerk_client, case, village_clerk, reason="", ends="09:00")
    assert set(answer.context["form"].errors) == {"ends", "reason"}
    answer = book(
        clerk_client, case, village_clerk, reason="", starts="02:00", ends="03:00"
    )
    errors = answer.context["form"].errors
    assert set(errors) == {"starts", "reason"}, errors  # the hours said once
    assert "08:00" in errors["starts"][0]
    assert not HomeVisit.objects.filter(request=case).exists()


@pytest.mark.parametrize(
    ("change", "why"),
    [
        ({"day": "2026-03-11"}, "a Wednesday"),  # the resident gave Tue and Thu
        ({"starts": "14:00", "ends": "15:00"}, "an afternoon"),  # mornings only
        ({"starts": "11:30", "ends": "12:30"}, "past noon"),
    ],
)
def test_a_time_the_resident_did_not_give_needs_their_agreement(
    clerk_client, home_case, village_clerk, change, why
):
    case = home_case()
    warned = book(clerk_client, case, village_clerk, **change)
    assert warned.status_code == 400, why
    text = warned.content.decode()
    assert "居民说明在家的时间" in text and "每周二、四" in text
    assert 'name="other_time"' in text
    assert list(warned.context["form"].errors) == ["other_time"]
    assert not HomeVisit.objects.filter(request=case).exists()
    agreed = book(clerk_client, case, village_clerk, other_time="on", **change)
    assert agreed.status_code == 302
    assert HomeVisit.objects.filter(request=case).count() == 1


def test_a_time_the_resident_gave_needs_no_confirmation(
    clerk_client, home_case, village_clerk
):
    case = home_case()
    page = clerk_client.get(reverse("staff:visit_book", args=[case.pk]))
    assert 'name="other_time"' not in page.content.decode()
    anytime = home_case(visit_weekdays=[1, 2, 3, 4, 5, 6, 7], visit_time="any")
    assert (
        book(clerk_client, anytime, village_clerk, day="2026-03-11").status_code == 302
    )
    assert book(clerk_client, case, village_clerk, day="2026-03-12").status_code == 302


def test_only_staff_of_the_cases_village_can_be_sent(
    clerk_client, home_case, other_village_clerk, village_clerk
):
    case = home_case()
    form = clerk_client.get(reverse("staff:visit_book", args=[case.pk]))
    staff = list(form.context["form"].fields["staff"].queryset)
    assert village_clerk in staff and other_village_clerk not in staff
    answer = book(clerk_client, case, other_village_clerk)
    assert answer.status_code == 400
    assert answer.context["form"].errors["staff"] == ["请从列表中选择上门人员。"]


def test_the_villages_own_clerks_come_first_and_officials_are_labelled(
    client, home_case, village, village_clerk, official, other_village_clerk
):
    from tests.factories import UserFactory
    from villages.choices import Role

    # "Aaa" sorts before every Chinese name, and "official" before "village_clerk"
    first_official = UserFactory(role=Role.OFFICIAL, name="Aaa")
    colleague = UserFactory(role=Role.VILLAGE_CLERK, village=village, name="Zzz")
    case = home_case()
    for user in (village_clerk, official):
        client.force_login(user)
        page = client.get(reverse("staff:visit_book", args=[case.pk]))
        field = page.context["form"]["staff"]
        options = [(str(c.data["value"]), c.data["label"]) for c in field][1:]
        clerks = sorted([village_clerk, colleague], key=lambda u: (u.name, u.pk))
        officials = sorted([official, first_official], key=lambda u: (u.name, u.pk))
        assert options == [(str(u.pk), u.name) for u in clerks] + [
            (str(u.pk), f"{u.name}（管理人员）") for u in officials
        ]
        assert other_village_clerk.name not in page.content.decode()


def test_a_second_click_on_book_gets_a_clear_409(
    clerk_client, home_case, village_clerk
):
    case = home_case()
    assert book(clerk_client, case, village_clerk).status_code == 302
    again = book(clerk_client, case, village_clerk)
    assert again.status_code == 409
    text = again.content.decode()
    assert "已有预约的上门" in text
    assert "有效的选项" not in text and "valid choice" not in text
    assert HomeVisit.objects.filter(request=case).count() == 1


# --- outcomes --------------------------------------------------------------------------


def test_done_completes_the_case_with_its_result(
    clerk_client, home_case, village_clerk
):
    case = home_case()
    visit = schedule(case, village_clerk, at(TODAY, 10))
    with time_machine.travel(at(TODAY, 11, 30), tick=True):
        missing = record(clerk_client, visit, "done")
        assert missing.status_code == 400
        assert "结果" in " ".join(missing.context["form"].errors["note"])
        answer = record(clerk_client, visit, "done", "已上门核实并办结")
    assert answer.status_code == 302
    assert answer["Location"] == f"{VISITS}?day=2026-03-10"
    visit.refresh_from_db()
    case.refresh_from_db()
    assert visit.outcome == HomeVisit.Outcome.DONE
    assert case.status == Status.COMPLETED
    assert case.result_note == "已上门核实并办结"


def test_absent_offers_a_new_date_at_once_and_it_is_booked(
    clerk_client, home_case, village_clerk
):
    case = home_case()
    visit = schedule(case, village_clerk, at(TODAY, 10))
    answer = record(clerk_client, visit, "absent")
    booking = reverse("staff:visit_book", args=[case.pk])
    assert answer.status_code == 302 and answer["Location"] == booking
    page = clerk_client.get(booking)
    assert "家中无人" in page.content.decode()  # the message says what to do
    assert page.context["may_book"]
    later = TODAY + dt.timedelta(days=2)
    assert book(clerk_client, case, village_clerk, day=later).status_code == 302
    visits = list(HomeVisit.objects.filter(request=case).order_by("starts_at"))
    assert [v.outcome for v in visits] == ["absent", "planned"]
    assert visits[1].starts_at == at(later, 10)
    case.refresh_from_db()
    assert case.status == Status.VISIT_SCHEDULED
    with time_machine.travel(at(later, 11), tick=True):
        assert record(clerk_client, visits[1], "done", "办结").status_code == 302
    case.refresh_from_db()
    assert case.status == Status.COMPLETED


def test_not_possible_needs_a_reason(clerk_client, home_case, village_clerk):
    case = home_case()
    visit = schedule(case, village_clerk, at(TODAY, 10))
    refused = record(clerk_client, visit, "impossible", "  ")
    assert refused.status_code == 400
    assert refused.context["form"].errors["note"] == ["请说明无法上门办理的原因。"]
    visit.refresh_from_db()
    assert visit.outcome == HomeVisit.Outcome.PLANNED
    assert record(clerk_client, visit, "impossible", "居民已搬离").status_code == 302
    case.refresh_from_db()
    visit.refresh_from_db()
    assert (visit.outcome, visit.outcome_note) == ("impossible", "居民已搬离")
    assert case.status == Status.ACCEPTED


def test_an_outcome_before_the_visits_day_is_refused(
    clerk_client, home_case, village_clerk
):
    case = home_case()
    tomorrow = TODAY + dt.timedelta(days=1)
    visit = schedule(case, village_clerk, at(tomorrow, 10))
    page = clerk_client.get(reverse("staff:visit", args=[visit.pk]))
    assert page.context["too_early"]
    assert "当天起方可登记结果" in page.content.decode()
    answer = record(clerk_client, visit, "done", "提前办结")
    assert answer.status_code == 400
    assert "2026-03-11" in " ".join(answer.context["form"].errors["outcome"])
    visit.refresh_from_db()
    assert visit.outcome == HomeVisit.Outcome.PLANNED


def test_an_outcome_recorded_twice_is_409(clerk_client, home_case, village_clerk):
    visit = schedule(home_case(), village_clerk, at(TODAY, 10))
    assert record(clerk_client, visit, "absent").status_code == 302
    again = record(clerk_client, visit, "absent")
    assert again.status_code == 409
    assert "已记录" in again.content.decode()


# --- the day's list and sheet ------------------------------------------------------------


def test_the_days_visits_are_in_order_of_start_with_address_and_phone(
    clerk_client, home_case, village_clerk
):
    times = [15, 9, 11]
    cases = [
        home_case(applicant_phone=f"1395555000{n}", applicant_address=f"花岗社区{n}组")
        for n in range(3)
    ]
    for case, hour in zip(cases, times, strict=True):
        schedule(case, village_clerk, at(TODAY, hour))
    other_day = home_case()
    schedule(other_day, village_clerk, at(TODAY + dt.timedelta(days=1), 8))
    page = clerk_client.get(VISITS)
    rows = page.context["rows"]
    assert [r["visit"].starts_at.hour for r in rows] == [1, 3, 7]  # UTC of 9, 11, 15
    text = page.content.decode()
    assert text.index("09:00–10:00") < text.index("11:00–12:00") < text.index("15:00")
    for n in range(3):
        assert f"1395555000{n}" in text and f"花岗社区{n}组" in text
    assert other_day.tracking_number not in text.split("day-title")[1]
    sheet = clerk_client.get(reverse("staff:visit_sheet"), {"day": "2026-03-10"})
    assert sheet.status_code == 200
    assert [r["visit"].request for r in sheet.context["rows"]] == [
        cases[1],
        cases[2],
        cases[0],
    ]
    assert "13955550001" in sheet.content.decode()
    tomorrow = clerk_client.get(VISITS, {"day": "2026-03-11"})
    assert [r["visit"].request for r in tomorrow.context["rows"]] == [other_day]


def test_the_date_box_shows_the_day_shown(clerk_client):
    box = '<input type="date" name="day" value="{}"'
    assert box.format("2026-03-10") in clerk_client.get(VISITS).content.decode()
    page = clerk_client.get(VISITS, {"day": "2026-03-12"}).content.decode()
    assert box.format("2026-03-12") in page and "2026-03-12" in page


def test_a_bad_day_is_400_with_a_message(clerk_client):
    answer = clerk_client.get(VISITS, {"day": "yesterday"})
    assert answer.status_code == 400
    assert "年-月-日" in answer.content.decode()
    sheet = clerk_client.get(reverse("staff:visit_sheet"), {"day": "0000-00-00"})
    assert sheet.status_code == 400


def _many_visits(count: int, village, clerk, items) -> None:
    cases = ServiceRequest.objects.bulk_create(
        ServiceRequest(
            tracking_number=f"HGV{count:03d}{n:05d}",
            item=items["home"],
            village=village,
            mode="home",
            channel="window",
            status=Status.VISIT_SCHEDULED,
            applicant_name="测试",
            applicant_phone="13900000000",
            applicant_address="花岗社区一组",
        )
        for n in range(count)
    )
    HomeVisit.objects.bulk_create(
        HomeVisit(
            request=case,
            staff=clerk,
            starts_at=at(TODAY, 8) + dt.timedelta(minutes=10 * n),
            ends_at=at(TODAY, 9) + dt.timedelta(minutes=10 * n),
            reason="age",
        )
        for n, case in enumerate(cases)
    )
    ServiceRequest.objects.bulk_create(
        ServiceRequest(
            tracking_number=f"HGW{count:03d}{n:05d}",
            item=items["home"],
            village=village,
            mode="home",
            channel="window",
            status=Status.ACCEPTED,
            applicant_name="测试",
            applicant_phone="13900000000",
            visit_weekdays=[1, 3],
            visit_time="afternoon",
        )
        for n in range(count)
    )


@pytest.mark.parametrize("url", ["staff:visits", "staff:visit_sheet"])
def test_the_lists_cost_the_same_queries_for_3_or_30_visits(
    clerk_client, village, village_clerk, items, url
):
    def queries(count: int) -> int:
        HomeVisit.objects.all().delete()
        ServiceRequest.objects.all().delete()
        _many_visits(count, village, village_clerk, items)
        with CaptureQueriesContext(connection) as captured:
            page = clerk_client.get(reverse(url))
        assert page.status_code == 200
        assert len(page.context["rows"]) == count
        return len(captured)

    assert queries(3) == queries(30)


# --- who may see and do what -------------------------------------------------------------


def test_a_clerk_of_another_village_gets_404(
    client, home_case, village_clerk, other_village_clerk
):
    case = home_case()
    visit = schedule(case, village_clerk, at(TODAY, 10))
    client.force_login(other_village_clerk)
    page = client.get(VISITS)
    assert page.status_code == 200
    assert case.tracking_number not in page.content.decode()
    assert client.get(reverse("staff:visit_book", args=[case.pk])).status_code == 404
    assert book(client, case, other_village_clerk).status_code == 404
    assert client.get(reverse("staff:visit", args=[visit.pk])).status_code == 404
    assert record(client, visit, "done", "x").status_code == 404
    visit.refresh_from_db()
    assert visit.outcome == HomeVisit.Outcome.PLANNED


def test_residents_get_403_and_visitors_sign_in(client, home_case, resident):
    case = home_case()
    urls = [
        VISITS,
        reverse("staff:visit_sheet"),
        reverse("staff:visit_book", args=[case.pk]),
    ]
    for url in urls:
        assert client.get(url).status_code == 302
    client.force_login(resident)
    for url in urls:
        assert client.get(url).status_code == 403


def test_a_town_clerk_sees_but_neither_books_nor_records(
    client, home_case, village_clerk, town_clerk
):
    case = home_case()
    visit = schedule(case, village_clerk, at(TODAY, 10))
    client.force_login(town_clerk)
    page = client.get(reverse("staff:visit", args=[visit.pk]))
    assert page.status_code == 200 and not page.context["outcomes"]
    assert record(client, visit, "done", "x").status_code == 403
    other = home_case()
    assert book(client, other, village_clerk).status_code == 403
    assert not HomeVisit.objects.filter(request=other).exists()


def test_an_official_books_and_records_for_any_village(
    client, home_case, official, village_clerk
):
    case = home_case()
    client.force_login(official)
    assert case.tracking_number in client.get(VISITS).content.decode()
    assert book(client, case, village_clerk).status_code == 302
    visit = HomeVisit.objects.get(request=case)
    assert record(client, visit, "impossible", "道路中断").status_code == 302


# --- the case page's part ----------------------------------------------------------------


def render_part(case, user) -> str:
    request = RequestFactory().get(f"/staff/cases/{case.pk}/")
    request.user = user
    template = Template("{% load case_visits %}{% case_visits case %}")
    return template.render(Context({"request": request, "case": case}))


def test_the_case_part_offers_what_the_user_may_do_now(
    home_case, submit, village_clerk, town_clerk
):
    case = home_case()
    part = render_part(case, village_clerk)
    assert reverse("staff:visit_book", args=[case.pk]) in part
    assert 'name="next" value="/staff/cases/' in part
    assert "尚未预约上门" in part
    assert render_part(case, town_clerk).count("<form") == 0
    visit = schedule(case, village_clerk, at(TODAY, 10))
    case.refresh_from_db()
    part = render_part(case, village_clerk)
    assert reverse("staff:visit", args=[visit.pk]) in part
    assert 'name="outcome"' in part and 'name="staff"' not in part
    tomorrow = home_case()
    schedule(tomorrow, village_clerk, at(TODAY + dt.timedelta(days=1), 10))
    tomorrow.refresh_from_db()
    assert 'name="outcome"' not in render_part(tomorrow, village_clerk)
    assert render_part(submit("agency"), village_clerk) == ""


def test_a_form_posted_from_the_case_page_goes_back_there(
    clerk_client, home_case, village_clerk
):
    case = home_case()
    back = f"/staff/cases/{case.pk}/"
    answer = book(clerk_client, case, village_clerk, next=back)
    assert answer.status_code == 302 and answer["Location"] == back
    visit = HomeVisit.objects.get(request=case)
    absent = clerk_client.post(
        reverse("staff:visit", args=[visit.pk]), {"outcome": "absent", "next": back}
    )
    assert absent["Location"].startswith(reverse("staff:visit_book", args=[case.pk]))
    elsewhere = book(clerk_client, case, village_clerk, next="https://evil.example/")
    assert elsewhere["Location"] == f"{VISITS}?day=2026-03-10"
