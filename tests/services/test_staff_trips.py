"""定时代办 trips in the workbench: the next trip and its printed list, the check-in by
number at the town and back at the village (flags: not on the list, no such case,
missing), the town's decision per body, the return with the recorded results, and
who may open which page."""

import pytest
from django.db import connection
from django.template import Context, Template
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from huagang.exceptions import Conflict, InvalidInput, NotPermitted
from services import actions
from services.actions.trips import CheckOutcome
from services.models import (
    AgencyTrip,
    Body,
    EventKind,
    RequestEvent,
    ServiceItem,
    ServiceRequest,
    Status,
    TripCheck,
)
from services.selectors import trips as selectors_trips
from services.selectors.trips import case_journey
from tests.factories import UserFactory, VillageFactory
from villages.choices import Role
from villages.validators import mask_name

pytestmark = pytest.mark.django_db
OUT, BACK = TripCheck.Leg.OUT, TripCheck.Leg.BACK


@pytest.fixture
def accepted(submit, village_clerk, commit):
    def _accepted(**overrides):
        case = submit("agency", **overrides)
        with commit():
            actions.service_request_accept(service_request=case, by=village_clerk)
        case.refresh_from_db()
        return case

    return _accepted


@pytest.fixture
def clerk_x(items):
    """A town-center clerk of the agency item's body."""
    clerk = UserFactory(role=Role.TOWN_CLERK, name="镇X")
    items["agency"].body.clerks.add(clerk)
    return clerk


@pytest.fixture
def clerk_y(items):
    """A town-center clerk of another body."""
    clerk = UserFactory(role=Role.TOWN_CLERK, name="镇Y")
    Body.objects.exclude(pk=items["agency"].body_id).first().clerks.add(clerk)
    return clerk


@pytest.fixture
def handed_over(accepted, village, village_clerk, commit):
    """Two cases handed over on today's trip (2026-03-10 is a Tuesday, a trip day)."""
    first, second = accepted(), accepted()
    with commit():
        trip = actions.agency_trip_plan(village=village, by=village_clerk)
        actions.agency_trip_add(
            trip=trip, service_requests=[first, second], by=village_clerk
        )
        actions.agency_trip_hand_over(trip=trip, by=village_clerk, documents=4)
    trip.refresh_from_db()
    return trip, first, second


# --- actions ---------------------------------------------------------------------------


def test_hand_over_without_a_receiver_lists_the_cases_carried(handed_over):
    trip, first, second = handed_over
    assert trip.received_by is None and trip.documents_out == 4
    assert set(trip.carried_out.all()) == {first, second}


def test_check_in_on_the_list_off_the_list_unknown_and_again(
    handed_over, accepted, clerk_x
):
    trip, first, _second = handed_over
    other = accepted()  # a real case, not on this trip
    check = actions.agency_trip_check_in
    got = check(trip=trip, leg=OUT, number=first.tracking_number.lower(), by=clerk_x)
    assert got.outcome == CheckOutcome.RECEIVED and got.case == first
    again = check(trip=trip, leg=OUT, number=first.tracking_number, by=clerk_x)
    assert again.outcome == CheckOutcome.AGAIN
    off = check(trip=trip, leg=OUT, number=other.tracking_number, by=clerk_x)
    assert off.outcome == CheckOutcome.NOT_ON_LIST
    unknown = check(trip=trip, leg=OUT, number="HG000000000000", by=clerk_x)
    assert unknown.outcome == CheckOutcome.UNKNOWN and unknown.case is None
    checks = TripCheck.objects.filter(trip=trip, leg=OUT)
    assert sorted((c.request_id, c.on_list) for c in checks) == sorted(
        [(first.pk, True), (other.pk, False)]
    )
    # put on the trip, then checked in once (the second scan records nothing)
    assert RequestEvent.objects.filter(request=first, kind=EventKind.TRIP).count() == 2
    assert RequestEvent.objects.filter(request=other, kind=EventKind.TRIP).count() == 1
    with pytest.raises(InvalidInput):
        check(trip=trip, leg=OUT, number="  ", by=clerk_x)


def test_finish_flags_the_missing_case_which_can_still_arrive(handed_over, clerk_x):
    trip, first, second = handed_over
    actions.agency_trip_check_in(
        trip=trip, leg=OUT, number=first.tracking_number, by=clerk_x
    )
    missing = actions.agency_trip_check_finish(trip=trip, leg=OUT, by=clerk_x)
    assert missing == [second]
    trip.refresh_from_db()
    assert trip.arrival_checked_at and trip.received_by == clerk_x
    assert case_journey(case=second).missing
    assert not case_journey(case=first).missing
    with pytest.raises(Conflict):
        actions.agency_trip_check_finish(trip=trip, leg=OUT, by=clerk_x)
    late = actions.agency_trip_check_in(
        trip=trip, leg=OUT, number=second.tracking_number, by=clerk_x
    )
    assert late.outcome == CheckOutcome.LATE
    assert not case_journey(case=second).missing


def test_only_town_staff_who_see_the_trip_check_it_in(
    handed_over, clerk_y, village_clerk, other_village_clerk
):
    trip, first, _second = handed_over
    for user in (clerk_y, village_clerk, other_village_clerk):
        with pytest.raises(NotPermitted):
            actions.agency_trip_check_in(
                trip=trip, leg=OUT, number=first.tracking_number, by=user
            )
    with pytest.raises(NotPermitted):  # nothing came back yet
        actions.agency_trip_check_in(
            trip=trip, leg=BACK, number=first.tracking_number, by=village_clerk
        )


def test_the_decision_is_recorded_by_the_items_body_only(
    handed_over, clerk_x, clerk_y, village_clerk, official
):
    _trip, first, second = handed_over
    for user in (clerk_y, village_clerk):
        with pytest.raises(NotPermitted):
            actions.service_request_town_decide(
                service_request=first, by=user, result="同意"
            )
    with pytest.raises(InvalidInput):
        actions.service_request_town_decide(
            service_request=first, by=clerk_x, result="   "
        )
    decided = actions.service_request_town_decide(
        service_request=first, by=clerk_x, result="审核通过，证件已制作"
    )
    assert decided.town_decided_at and decided.status == Status.SENT_TO_TOWN
    assert decided.events.filter(kind=EventKind.DECISION, actor=clerk_x).exists()
    actions.service_request_town_decide(
        service_request=second, by=official, result="同意"
    )


def test_return_takes_the_recorded_results_and_is_checked_in_at_the_village(
    handed_over, clerk_x, village_clerk, other_village_clerk
):
    trip, first, second = handed_over
    with pytest.raises(InvalidInput, match=second.tracking_number):
        actions.agency_trip_send_back(
            trip=trip, by=clerk_x, service_requests=[second], documents=1
        )
    actions.service_request_town_decide(
        service_request=first, by=clerk_x, result="审核通过"
    )
    actions.agency_trip_send_back(
        trip=trip, by=clerk_x, service_requests=[first], documents=2
    )
    first.refresh_from_db()
    assert first.status == Status.RETURNED_TO_VILLAGE
    assert first.result_note == "审核通过"
    trip.refresh_from_db()
    assert list(trip.carried_back.all()) == [first]
    with pytest.raises(NotPermitted):
        actions.agency_trip_check_in(
            trip=trip, leg=BACK, number=first.tracking_number, by=other_village_clerk
        )
    off = actions.agency_trip_check_in(
        trip=trip, leg=BACK, number=second.tracking_number, by=village_clerk
    )
    assert off.outcome == CheckOutcome.NOT_ON_LIST
    got = actions.agency_trip_check_in(
        trip=trip, leg=BACK, number=first.tracking_number, by=village_clerk
    )
    assert got.outcome == CheckOutcome.RECEIVED
    assert actions.agency_trip_check_finish(trip=trip, leg=BACK, by=village_clerk) == []
    trip.refresh_from_db()
    assert trip.return_checked_at and trip.return_received_by == village_clerk


def test_mask_name():
    """One masking of names everywhere (villages.validators): the first character
    and a star for each other one."""
    assert [mask_name(n) for n in ("张桂英", "张三", "欧阳娜娜", "")] == [
        "张**",
        "张*",
        "欧***",
        "",
    ]


# --- pages -----------------------------------------------------------------------------


def test_village_clerk_adds_cases_and_prints_the_list(
    client, accepted, village, village_clerk
):
    first, second = accepted(), accepted()
    client.force_login(village_clerk)
    page = client.get(reverse("staff:trips"))
    assert page.status_code == 200
    assert first.tracking_number in page.content.decode()
    assert page.context["trip"].pk is None  # only its date, until cases go on it
    answer = client.post(
        reverse("staff:trip_add_next"), {"cases": [first.pk, second.pk]}
    )
    assert answer.status_code == 302
    trip = AgencyTrip.objects.get(village=village)
    assert set(trip.requests.all()) == {first, second}
    printed = client.get(reverse("staff:trip_list", args=[trip.pk])).content.decode()
    assert printed.count("<svg") >= 2 and "张**" in printed
    assert "张桂英" not in printed and first.applicant_phone not in printed
    assert "交件人" in printed and "接收人" in printed
    assert printed.count('class="line"') == 2
    bad = client.post(reverse("staff:trip_add", args=[trip.pk]), {"cases": ["x"]})
    assert bad.status_code == 400


def test_hand_over_page_posts(client, accepted, village, village_clerk):
    case = accepted()
    trip = actions.agency_trip_plan(village=village, by=village_clerk)
    actions.agency_trip_add(trip=trip, service_requests=[case], by=village_clerk)
    client.force_login(village_clerk)
    url = reverse("staff:trip_hand_over", args=[trip.pk])
    assert client.post(url, {"documents": "-1"}).status_code == 400
    assert client.post(url, {"documents": "3"}).status_code == 302
    case.refresh_from_db()
    assert case.status == Status.SENT_TO_TOWN


def test_a_trip_not_handed_over_on_its_day_stays_the_next_trip(
    client, accepted, village, village_clerk
):
    """Its cases cannot go on another trip: the index keeps offering its hand-over."""
    import datetime as dt

    import time_machine

    case = accepted()
    trip = actions.agency_trip_plan(village=village, by=village_clerk)  # Tue 10 March
    actions.agency_trip_add(trip=trip, service_requests=[case], by=village_clerk)
    with time_machine.travel(dt.datetime(2026, 3, 12, 2, 0, tzinfo=dt.UTC)):
        assert actions.agency_trip_plan(village=village, by=village_clerk) == trip
        client.force_login(village_clerk)
        page = client.get(reverse("staff:trips"))
        assert page.context["trip"] == trip and page.context["may_hand_over"]
        assert case.tracking_number in page.content.decode()
        url = reverse("staff:trip_hand_over", args=[trip.pk])
        assert client.post(url, {"documents": "1"}).status_code == 302
        later = actions.agency_trip_plan(village=village, by=village_clerk)
        assert later != trip and later.trip_date >= dt.date(2026, 3, 12)
    case.refresh_from_db()
    assert case.status == Status.SENT_TO_TOWN


def test_pages_per_role(
    client, handed_over, clerk_x, clerk_y, village_clerk, other_village_clerk, resident
):
    trip, first, _second = handed_over
    pages = {
        "trip": reverse("staff:trip", args=[trip.pk]),
        "list": reverse("staff:trip_list", args=[trip.pk]),
        "check_out": reverse("staff:trip_check", args=[trip.pk, "out"]),
        "arrivals": reverse("staff:trip_arrivals"),
        "town": reverse("staff:town"),
        "decide": reverse("staff:town_decide", args=[first.tracking_number]),
    }
    expected = {
        village_clerk: {
            "trip": 200,
            "list": 200,
            "check_out": 403,
            "arrivals": 403,
            "town": 403,
            "decide": 403,
        },
        other_village_clerk: {
            "trip": 404,
            "list": 404,
            "check_out": 404,
            "arrivals": 403,
            "town": 403,
            "decide": 404,
        },
        clerk_x: {
            "trip": 200,
            "list": 200,
            "check_out": 200,
            "arrivals": 200,
            "town": 200,
            "decide": 200,
        },
        clerk_y: {
            "trip": 404,
            "list": 404,
            "check_out": 404,
            "arrivals": 200,
            "town": 200,
            "decide": 404,
        },
        resident: dict.fromkeys(pages, 403),
    }
    for user, answers in expected.items():
        client.force_login(user)
        for name, url in pages.items():
            response = client.get(url)
            assert response.status_code == answers[name], (user.name, name)
            if response.status_code == 200 and user in (clerk_y, other_village_clerk):
                assert first.tracking_number not in response.content.decode()
    client.logout()
    assert client.get(pages["trip"]).status_code == 302
    client.force_login(other_village_clerk)
    assert trip.village.name not in client.get(reverse("staff:trips")).content.decode()


def test_check_in_page_flags_at_once(client, handed_over, accepted, clerk_x):
    trip, first, second = handed_over
    other = accepted()
    client.force_login(clerk_x)
    url = reverse("staff:trip_check", args=[trip.pk, "out"])
    answer = client.post(url, {"number": first.tracking_number}, follow=True)
    assert "✓" in answer.content.decode()
    fetch = {"HTTP_X_REQUESTED_WITH": "fetch"}
    flagged = client.post(url, {"number": other.tracking_number}, **fetch)
    assert flagged.status_code == 200
    body = flagged.content.decode()
    assert "flag-warning" in body and other.tracking_number in body
    assert second.tracking_number in body  # still waiting
    unknown = client.post(url, {"number": "NOPE123"}, **fetch).content.decode()
    assert "flag-error" in unknown and "NOPE123" in unknown
    assert client.post(url, {"number": ""}).status_code == 400
    finish = reverse("staff:trip_check_finish", args=[trip.pk, "out"])
    page = client.post(finish, follow=True).content.decode()
    assert second.tracking_number in page and "flag-error" in page


def test_town_list_splits_to_decide_and_ready(client, handed_over, clerk_x, clerk_y):
    _trip, first, second = handed_over
    actions.service_request_town_decide(
        service_request=first, by=clerk_x, result="同意"
    )
    client.force_login(clerk_x)
    page = client.get(reverse("staff:town"))
    assert [c.pk for c in page.context["to_decide"]] == [second.pk]
    assert [c.pk for c in page.context["ready"]] == [first.pk]
    client.force_login(clerk_y)
    page = client.get(reverse("staff:town"))
    assert not list(page.context["to_decide"]) and not list(page.context["ready"])


def test_decide_and_send_back_through_the_pages(
    client, handed_over, clerk_x, clerk_y, village_clerk
):
    trip, first, _second = handed_over
    url = reverse("staff:town_decide", args=[first.tracking_number])
    client.force_login(clerk_y)
    assert client.post(url, {"result": "x"}).status_code == 404
    client.force_login(clerk_x)
    assert client.post(url, {"result": ""}).status_code == 400
    answer = client.post(url, {"result": "准予", "next": "https://evil.example/"})
    assert answer.status_code == 302 and answer.url == reverse("staff:town")
    back = reverse("staff:trip_send_back", args=[trip.pk])
    assert first.tracking_number in client.get(back).content.decode()
    assert client.post(back, {"cases": [first.pk], "documents": "1"}).status_code == 302
    first.refresh_from_db()
    assert first.status == Status.RETURNED_TO_VILLAGE and first.result_note == "准予"
    client.force_login(village_clerk)
    assert client.get(back).status_code == 403


def test_a_decision_from_a_stale_page_does_not_replace_a_newer_one(
    client, handed_over, clerk_x
):
    _trip, first, _second = handed_over
    url = reverse("staff:town_decide", args=[first.tracking_number])
    client.force_login(clerk_x)
    seen = client.get(url).context["decide_form"]  # two tabs open on the same case
    version = seen.initial["version"]
    first.refresh_from_db()
    assert version == first.version
    first_tab = client.post(url, {"result": "准予办理", "version": version})
    assert first_tab.status_code == 302
    second_tab = client.post(url, {"result": "另一个决定", "version": version})
    assert second_tab.status_code == 409
    assert "准予办理" in second_tab.content.decode()
    first.refresh_from_db()
    assert first.result_note == "准予办理"


def test_case_agency_part(handed_over, clerk_x, clerk_y, village_clerk, resident):
    _trip, first, _second = handed_over
    first.refresh_from_db()
    template = Template("{% load case_agency %}{% case_agency case %}")

    def render(user):
        request = RequestFactory().get("/staff/cases/x/")
        request.user = user
        return template.render(Context({"request": request, "case": first}))

    assert "decide-form" in render(clerk_x)
    assert "decide-form" not in render(clerk_y)
    assert "decide-form" not in render(village_clerk)
    assert render(resident) == ""


# --- queries ---------------------------------------------------------------------------


def _trip_with(count):
    """A new village with its clerk, and `count` accepted cases on its next trip."""
    village = VillageFactory()
    clerk = UserFactory(role=Role.VILLAGE_CLERK, village=village)
    items = list(ServiceItem.objects.filter(allows_agency=True)[:10])
    cases = ServiceRequest.objects.bulk_create(
        ServiceRequest(
            tracking_number=f"HGQ{village.pk:03d}{n:05d}",
            item=items[n % len(items)],
            village=village,
            mode="agency",
            channel="window",
            status=Status.ACCEPTED,
            applicant_name="王小明",
            applicant_phone="13900000000",
            accepted_at=timezone.now(),
        )
        for n in range(count)
    )
    trip = actions.agency_trip_plan(village=village, by=clerk)
    actions.agency_trip_add(trip=trip, service_requests=cases, by=clerk)
    return trip, cases, clerk


PAGES = {
    "trips": lambda trip: reverse("staff:trips"),
    "trip": lambda trip: reverse("staff:trip", args=[trip.pk]),
    "trip_list": lambda trip: reverse("staff:trip_list", args=[trip.pk]),
    "check": lambda trip: reverse("staff:trip_check", args=[trip.pk, "out"]),
    "arrivals": lambda trip: reverse("staff:trip_arrivals"),
    "town": lambda trip: reverse("staff:town"),
}


@pytest.mark.parametrize("page", PAGES)
def test_query_counts_do_not_grow_with_the_cases(client, page, official):
    counts = []
    for size in (3, 30):
        trip, cases, clerk = _trip_with(size)
        if page not in ("trips", "trip_list"):
            actions.agency_trip_hand_over(trip=trip, by=clerk, documents=1)
            for case in cases[:2]:
                actions.agency_trip_check_in(
                    trip=trip, leg=OUT, number=case.tracking_number, by=official
                )
        client.force_login(clerk if page in ("trips", "trip_list") else official)
        url = PAGES[page](trip)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1], counts


def test_object_and_queryset_forms_agree(
    handed_over, clerk_x, clerk_y, village_clerk, other_village_clerk, official
):
    from services import access

    trip, first, second = handed_over
    actions.service_request_town_decide(
        service_request=first, by=clerk_x, result="同意"
    )
    actions.agency_trip_send_back(
        trip=trip, by=clerk_x, service_requests=[first], documents=1
    )
    trip.refresh_from_db()
    users = (clerk_x, clerk_y, village_clerk, other_village_clerk, official)
    for user in users:
        for leg in (OUT, BACK):
            listed = trip in access.trips_to_check_in(user=user, leg=leg)
            assert listed == access.may_check_in(user, trip, leg), (user.name, leg)
        second.refresh_from_db()
        in_scope = second in access.town_cases_scope(user=user)
        assert in_scope == access.may_decide(user, second), user.name


def test_the_case_page_part_shows_the_missing_flag(handed_over, clerk_x, village_clerk):
    trip, first, second = handed_over
    actions.agency_trip_check_in(
        trip=trip, leg=OUT, number=first.tracking_number, by=clerk_x
    )
    actions.agency_trip_check_finish(trip=trip, leg=OUT, by=clerk_x)
    second.refresh_from_db()
    request = RequestFactory().get("/staff/cases/x/")
    request.user = village_clerk
    html = Template("{% load case_agency %}{% case_agency case %}").render(
        Context({"request": request, "case": second})
    )
    assert "flag-error" in html and trip.trip_date.isoformat() in html


def test_the_counts_of_a_trip_are_each_its_own(handed_over, accepted, clerk_x):
    """Each figure counts its own rows, whatever the other lists hold (they are no
    longer counted over the product of the lists and the check-ins)."""
    from services.models import AgencyTrip
    from services.selectors.trips import trips_past

    trip, first, second = handed_over
    third = accepted()
    trip.carried_back.add(first, second, third)
    actions.agency_trip_check_in(
        trip=trip, leg=OUT, number=first.tracking_number, by=clerk_x
    )
    actions.agency_trip_check_in(
        trip=trip, leg=OUT, number=third.tracking_number, by=clerk_x
    )
    TripCheck.objects.create(
        trip=trip,
        request=second,
        leg=BACK,
        on_list=True,
        checked_at=timezone.now(),
        checked_by=clerk_x,
    )
    found = trips_past(village=trip.village).get(pk=trip.pk)
    assert (
        found.out_count,
        found.back_count,
        found.arrived_count,
        found.back_arrived_count,
        found.off_list_count,
    ) == (2, 3, 1, 1, 1)
    empty = AgencyTrip.objects.create(
        village=trip.village,
        trip_date=trip.trip_date.replace(year=trip.trip_date.year - 1),
        handed_over_at=timezone.now(),
    )
    none = trips_past(village=trip.village).get(pk=empty.pk)
    assert (none.out_count, none.back_count, none.off_list_count) == (0, 0, 0)


def test_the_trips_list_costs_the_same_for_3_or_12_past_trips(client):
    """Past trips are paged (ten a page); each page costs the same queries."""
    import datetime as dt

    from services.models import AgencyTrip

    counts = []
    for size in (3, 12):
        trip, cases, clerk = _trip_with(2)
        for n in range(size):
            past = AgencyTrip.objects.create(
                village=trip.village,
                trip_date=dt.date(2025, 1, 2) + dt.timedelta(days=n),
                handed_over_at=timezone.now(),
            )
            past.carried_out.add(*cases)
        client.force_login(clerk)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(reverse("staff:trips"))
        assert response.status_code == 200
        assert len(response.context["past"].object_list) == min(size, 10)
        counts.append(len(queries))
    assert counts[0] == counts[1], counts


# --- review fixes ----------------------------------------------------------------------


def test_a_case_missing_at_the_town_is_flagged_and_not_decided_until_checked_in(
    client, handed_over, clerk_x
):
    trip, first, second = handed_over
    actions.agency_trip_check_in(
        trip=trip, leg=OUT, number=first.tracking_number, by=clerk_x
    )
    actions.agency_trip_check_finish(trip=trip, leg=OUT, by=clerk_x)
    with pytest.raises(Conflict, match=second.tracking_number) as refused:
        actions.service_request_town_decide(
            service_request=second, by=clerk_x, result="同意"
        )
    assert refused.value.code == "papers_missing"
    client.force_login(clerk_x)
    town = client.get(reverse("staff:town"))
    rows = {case.pk: case.papers_missing for case in town.context["to_decide"]}
    assert rows == {first.pk: False, second.pk: True}
    body = town.content.decode()
    decide = reverse("staff:town_decide", args=[second.tracking_number])
    assert decide not in body and "flag-error" in body
    assert reverse("staff:town_decide", args=[first.tracking_number]) in body
    page = client.get(decide)
    assert page.status_code == 409 and "decide-form" not in page.content.decode()
    assert client.post(decide, {"result": "同意"}).status_code == 409
    second.refresh_from_db()
    assert second.town_decided_at is None
    # checked in late: the papers are there, the decision can be recorded
    actions.agency_trip_check_in(
        trip=trip, leg=OUT, number=second.tracking_number, by=clerk_x
    )
    town = client.get(reverse("staff:town"))
    assert not any(case.papers_missing for case in town.context["to_decide"])
    assert client.post(decide, {"result": "同意"}).status_code == 302


def test_opening_the_trips_page_writes_nothing(
    client, accepted, village, village_clerk, official, clerk_x
):
    case = accepted()
    for user, url in (
        (village_clerk, reverse("staff:trips")),
        (official, reverse("staff:trips") + f"?village={village.pk}"),
    ):
        client.force_login(user)
        page = client.get(url)
        assert page.status_code == 200 and page.context["trip"].pk is None
        assert page.context["trip"].trip_date.isoformat() in page.content.decode()
        assert reverse("staff:trip_add_next") in page.content.decode()
    assert not AgencyTrip.objects.exists()
    add = reverse("staff:trip_add_next")
    client.force_login(clerk_x)
    assert client.post(add, {"cases": [case.pk]}).status_code == 403
    assert client.get(add).status_code == 405
    client.force_login(official)
    answer = client.post(f"{add}?village={village.pk}", {"cases": [case.pk]})
    assert answer.status_code == 302
    assert answer.url == reverse("staff:trips") + f"?village={village.pk}"
    trip = AgencyTrip.objects.get()
    assert list(trip.requests.all()) == [case] and trip.handed_over_at is None


def test_a_case_is_taken_off_a_trip_before_the_hand_over(
    client, accepted, village, village_clerk, other_village_clerk, clerk_x
):
    first, second = accepted(), accepted()
    trip = actions.agency_trip_plan(village=village, by=village_clerk)
    actions.agency_trip_add(
        trip=trip, service_requests=[first, second], by=village_clerk
    )
    remove = reverse("staff:trip_remove", args=[trip.pk])
    client.force_login(village_clerk)
    for page in (reverse("staff:trips"), reverse("staff:trip", args=[trip.pk])):
        assert remove in client.get(page).content.decode()
    assert client.get(remove).status_code == 405
    assert client.post(remove, {"case": "x"}).status_code == 400
    client.force_login(clerk_x)  # sees the trip page, may not fill the trip
    assert (
        remove not in client.get(reverse("staff:trip", args=[trip.pk])).content.decode()
    )
    assert client.post(remove, {"case": first.pk}).status_code == 403
    client.force_login(other_village_clerk)
    assert client.post(remove, {"case": first.pk}).status_code == 404
    with pytest.raises(NotPermitted):
        actions.agency_trip_remove(trip=trip, service_request=first, by=clerk_x)
    client.force_login(village_clerk)
    page = reverse("staff:trip", args=[trip.pk])
    answer = client.post(remove, {"case": first.pk, "next": page})
    assert answer.status_code == 302 and answer.url == page
    assert list(trip.requests.all()) == [second]
    assert first.events.filter(kind=EventKind.TRIP, actor=village_clerk).count() == 2
    assert first in selectors_trips.agency_cases_to_carry(village=village)
    with pytest.raises(InvalidInput, match=first.tracking_number):
        actions.agency_trip_remove(trip=trip, service_request=first, by=village_clerk)
    actions.agency_trip_hand_over(trip=trip, by=village_clerk, documents=1)
    assert client.post(remove, {"case": second.pk}).status_code == 409
    with pytest.raises(Conflict):
        actions.agency_trip_remove(trip=trip, service_request=second, by=village_clerk)
    assert list(trip.requests.all()) == [second]
    assert remove not in client.get(page).content.decode()


def test_a_case_not_on_the_list_shows_its_item_and_village_to_who_may_see_it(
    client, handed_over, submit, other_village, village_clerk, clerk_x
):
    trip, first, _second = handed_over
    elsewhere = submit("agency", village=other_village)  # body X, village B
    actions.agency_trip_check_in(
        trip=trip, leg=OUT, number=elsewhere.tracking_number, by=clerk_x
    )
    for url in (
        reverse("staff:trip_check", args=[trip.pk, "out"]),
        reverse("staff:trip", args=[trip.pk]),
    ):
        client.force_login(clerk_x)
        body = client.get(url).content.decode()
        row = body[body.index('class="case-list is-off-list"') :]
        row = row[: row.index("</ul>")]
        assert elsewhere.tracking_number in row
        assert elsewhere.item.name in row and other_village.name in row
    # back at village A, village B's case is only its number
    actions.service_request_town_decide(
        service_request=first, by=clerk_x, result="同意"
    )
    actions.agency_trip_send_back(
        trip=trip, by=clerk_x, service_requests=[first], documents=1
    )
    actions.agency_trip_check_in(
        trip=trip, leg=BACK, number=elsewhere.tracking_number, by=village_clerk
    )
    client.force_login(village_clerk)
    body = client.get(reverse("staff:trip_check", args=[trip.pk, "back"]))
    body = body.content.decode()
    row = body[body.index('class="case-list is-off-list"') :]
    row = row[: row.index("</ul>")]
    assert elsewhere.tracking_number in row and elsewhere.item.name not in row
    assert other_village.name not in body


def test_the_town_list_flags_overdue_cases_as_the_queue_does(
    client, handed_over, clerk_x
):
    import datetime as dt

    _trip, first, second = handed_over
    today = timezone.localdate()
    ServiceRequest.objects.filter(pk=first.pk).update(
        due_date=today - dt.timedelta(days=2)
    )
    ServiceRequest.objects.filter(pk=second.pk).update(
        due_date=today + dt.timedelta(days=60)
    )
    client.force_login(clerk_x)
    page = client.get(reverse("staff:town"))
    flags = {case.pk: case.due_flag for case in page.context["to_decide"]}
    assert flags == {first.pk: "overdue", second.pk: "on_time"}
    body = page.content.decode()
    assert body.count('class="due-flag due-overdue">已超期</span>') == 1
    assert "css/staff/cases.css" in body  # the flag's colours
