"""The workbench's queue (/staff/) and case page (/staff/cases/<number>/)."""

import datetime as dt
import re
import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from huagang.privacy import NOTICE_VERSION
from services import actions
from services.actions.events import life_event_submit
from services.models import (
    EventKind,
    ServiceItem,
    ServiceRequest,
    Status,
)
from services.selectors.events import life_event_get, life_event_plan
from services.views.staff.cases import SEARCH_KEY
from tests.factories import BodyFactory, UserFactory
from tests.files import image_upload, pdf_upload
from villages.choices import Role
from villages.models import AccessRecord

pytestmark = pytest.mark.django_db
QUEUE = reverse("staff:queue")
TODAY = dt.date(2026, 3, 10)  # the tests' day (tests/conftest.py), a Tuesday
NAME, PHONE, ID_NUMBER = "张桂英", "13955550123", "11010519491231002X"


def case_url(case, name="staff:case", *args):
    return reverse(name, args=[case.tracking_number, *args])


def step_url(case, step):
    return reverse("staff:step", args=[case.tracking_number, step])


def signed_in(client, user):
    client.force_login(user)
    return client


def make_cases(
    count,
    village,
    *,
    item=None,
    status=Status.ACCEPTED,
    mode="agency",
    due=None,
    start=0,
    name="测试",
    phone="13900000000",
):
    """`count` cases straight into the table (for lists and query counts)."""
    item = item or ServiceItem.objects.filter(allows_agency=True).order_by("code")[0]
    return ServiceRequest.objects.bulk_create(
        ServiceRequest(
            tracking_number=f"HG260310{village.pk % 100:02d}{start + n:04d}",
            item=item,
            village=village,
            mode=mode,
            channel="window",
            status=status,
            applicant_name=name,
            applicant_phone=phone,
            accepted_at=timezone.now(),
            due_date=due,
            submitted_at=timezone.now() - dt.timedelta(hours=n),
            completed_at=timezone.now() if status == Status.COMPLETED else None,
        )
        for n in range(count)
    )


def numbers(response) -> list[str]:
    return re.findall(
        r'class="case-link" href="[^"]+">(HG\d+)<', response.content.decode()
    )


# --- who sees which queue --------------------------------------------------------------


def test_anonymous_is_sent_to_sign_in_and_a_resident_is_refused(client, resident):
    assert client.get(QUEUE).status_code == 302
    assert signed_in(client, resident).get(QUEUE).status_code == 403


def test_a_village_clerk_sees_the_open_cases_of_their_village_only(
    client, village, other_village, village_clerk
):
    mine = make_cases(2, village)
    make_cases(2, other_village, start=50)
    make_cases(1, village, status=Status.COMPLETED, start=90)
    response = signed_in(client, village_clerk).get(QUEUE)
    assert response.status_code == 200
    assert sorted(numbers(response)) == sorted(c.tracking_number for c in mine)


@pytest.fixture
def town_cases(submit, items, village, village_clerk, town_clerk, commit):
    """A 定时代办 case at the town, one still at the village, an instant one."""
    with commit():
        at_town = submit("agency")
        actions.service_request_accept(service_request=at_town, by=village_clerk)
        trip = actions.agency_trip_plan(village=village, by=village_clerk)
        actions.agency_trip_add(trip=trip, service_requests=[at_town], by=village_clerk)
        actions.agency_trip_hand_over(
            trip=trip, by=village_clerk, received_by=town_clerk, documents=1
        )
        at_village = submit("agency")
        instant = submit("instant")
    return {"at_town": at_town, "at_village": at_village, "instant": instant}


def test_a_town_clerk_sees_the_cases_at_the_town_and_instant_ones_of_their_bodies(
    client, town_cases, town_clerk, items
):
    response = signed_in(client, town_clerk).get(QUEUE)
    found = set(numbers(response))
    assert town_cases["at_town"].tracking_number in found
    assert town_cases["instant"].tracking_number in found
    assert town_cases["at_village"].tracking_number not in found


def test_a_town_clerk_of_another_body_sees_none_of_them(client, town_cases, items):
    other = UserFactory(role=Role.TOWN_CLERK)
    BodyFactory().clerks.add(other)
    assert numbers(signed_in(client, other).get(QUEUE)) == []
    for case in town_cases.values():
        assert signed_in(client, other).get(case_url(case)).status_code == 404


def test_an_official_sees_every_open_case(client, village, other_village, official):
    cases = make_cases(2, village) + make_cases(2, other_village, start=50)
    found = numbers(signed_in(client, official).get(QUEUE))
    assert sorted(found) == sorted(c.tracking_number for c in cases)


# --- order, flags, filters, pages ------------------------------------------------------


def test_overdue_first_then_due_soon_then_by_due_date_with_words(
    client, village, village_clerk
):
    later = make_cases(1, village, due=TODAY + dt.timedelta(days=20))[0]
    soon = make_cases(1, village, due=TODAY + dt.timedelta(days=1), start=1)[0]
    late = make_cases(1, village, due=TODAY - dt.timedelta(days=2), start=2)[0]
    waiting = make_cases(1, village, status=Status.SUBMITTED, start=3)[0]
    response = signed_in(client, village_clerk).get(QUEUE)
    assert numbers(response) == [
        late.tracking_number,
        soon.tracking_number,
        later.tracking_number,
        waiting.tracking_number,
    ]
    html = response.content.decode()
    assert "due-flag due-overdue" in html and "已超期" in html
    assert "due-flag due-due_soon" in html and "即将到期" in html
    assert "due-flag due-on_time" in html


def test_filters_by_status_mode_item_and_submission_date(
    client, village, village_clerk
):
    items = list(ServiceItem.objects.filter(allows_agency=True).order_by("code")[:2])
    a = make_cases(1, village, item=items[0])[0]
    b = make_cases(1, village, item=items[1], status=Status.SUBMITTED, start=1)[0]
    c = make_cases(1, village, item=items[0], mode="home", start=2)[0]
    ServiceRequest.objects.filter(pk=c.pk).update(
        submitted_at=timezone.now() - dt.timedelta(days=10)
    )
    client = signed_in(client, village_clerk)
    assert numbers(client.get(QUEUE, {"status": "submitted"})) == [b.tracking_number]
    assert numbers(client.get(QUEUE, {"mode": "home"})) == [c.tracking_number]
    assert set(numbers(client.get(QUEUE, {"item": items[0].code}))) == {
        a.tracking_number,
        c.tracking_number,
    }
    old = (TODAY - dt.timedelta(days=5)).isoformat()
    assert numbers(client.get(QUEUE, {"submitted_to": old})) == [c.tracking_number]
    assert c.tracking_number not in numbers(client.get(QUEUE, {"submitted_from": old}))


@pytest.mark.parametrize(
    "query, message",
    [
        ({"status": "completed"}, "没有这个"),
        ({"item": "nope"}, "没有这个服务事项"),
        ({"submitted_from": "2026-03-09", "submitted_to": "2026-03-01"}, "早于"),
        ({"submitted_from": "yesterday"}, "2026-03-01"),
    ],
)
def test_a_bad_filter_is_400_with_its_message(client, village_clerk, query, message):
    response = signed_in(client, village_clerk).get(QUEUE, query)
    assert response.status_code == 400
    assert message in response.content.decode()


def test_twenty_a_page_without_counting_the_queue(client, village, village_clerk):
    make_cases(25, village, due=TODAY + dt.timedelta(days=30))
    client = signed_in(client, village_clerk)
    with CaptureQueriesContext(connection) as queries:
        first = client.get(QUEUE, {"mode": "agency"})
    assert len(numbers(first)) == 20
    assert 'rel="next"' in first.content.decode()
    assert (
        "page=2" in first.content.decode() and "mode=agency" in first.content.decode()
    )
    assert not [q for q in queries if "COUNT(" in q["sql"].upper()]
    second = client.get(QUEUE, {"mode": "agency", "page": 2})
    assert len(numbers(second)) == 5
    assert 'rel="next"' not in second.content.decode()
    assert 'rel="prev"' in second.content.decode()
    assert client.get(QUEUE, {"page": "x"}).status_code == 200


@pytest.mark.parametrize("who", ["village_clerk", "town_clerk", "official"])
def test_the_queue_costs_the_same_queries_for_5_or_50_rows(
    client, village, items, who, request
):
    user = request.getfixturevalue(who)
    client = signed_in(client, user)
    make_cases(5, village, item=items["instant"], mode="instant")
    client.get(QUEUE)  # warm the session
    with CaptureQueriesContext(connection) as five:
        assert len(numbers(client.get(QUEUE))) == 5
    make_cases(45, village, item=items["instant"], mode="instant", start=100)
    with CaptureQueriesContext(connection) as fifty:
        assert len(numbers(client.get(QUEUE))) == 20
    with CaptureQueriesContext(connection) as page_three:
        assert len(numbers(client.get(QUEUE, {"page": 3}))) == 10
    assert len(five) == len(fifty) == len(page_three)


# --- search ----------------------------------------------------------------------------


def test_a_search_by_name_is_posted_kept_in_the_session_and_recorded_masked(
    client, village, other_village, village_clerk
):
    found = make_cases(1, village, name=NAME)[0]
    make_cases(1, village, name="李四", start=1)
    make_cases(1, other_village, name=NAME, start=50)
    client = signed_in(client, village_clerk)
    response = client.post(QUEUE + "?mode=agency", {"q": "张桂"})
    assert response.status_code == 302
    assert "张" not in response["Location"] and "%E5%BC%A0" not in response["Location"]
    assert response["Location"] == QUEUE + "?mode=agency"
    record = AccessRecord.objects.get(actor=village_clerk)
    assert (record.kind, record.detail) == ("search", "name: 张*")
    assert "张桂" not in record.subject + record.detail
    listed = client.get(response["Location"])
    assert numbers(listed) == [found.tracking_number]
    assert "张桂英" not in listed.content.decode()  # the rows show names masked
    assert "张**" in listed.content.decode()
    cleared = client.post(QUEUE, {"clear": "1"})
    assert cleared.status_code == 302 and SEARCH_KEY not in client.session
    assert len(numbers(client.get(QUEUE))) == 2


def test_a_search_by_phone_is_recorded_masked(client, village, village_clerk):
    found = make_cases(1, village, phone=PHONE)[0]
    make_cases(1, village, start=1)
    client = signed_in(client, village_clerk)
    response = client.post(QUEUE, {"q": "139 5555 0123"})
    assert PHONE not in response["Location"]
    record = AccessRecord.objects.get(actor=village_clerk, kind="search")
    assert record.detail == "phone: 139****0123"
    page = client.get(QUEUE)
    assert numbers(page) == [found.tracking_number]
    assert PHONE not in page.content.decode()
    client.post(QUEUE, {"q": "0123"})  # the last digits
    assert AccessRecord.objects.filter(detail="phone: 0123").exists()
    assert numbers(client.get(QUEUE)) == [found.tracking_number]


def test_a_tracking_number_opens_the_case_and_is_not_recorded(
    client, village, other_village, village_clerk
):
    case = make_cases(1, village)[0]
    theirs = make_cases(1, other_village, start=50)[0]
    client = signed_in(client, village_clerk)
    response = client.post(QUEUE, {"q": case.tracking_number.lower()})
    assert response["Location"] == case_url(case)
    response = client.post(QUEUE, {"q": theirs.tracking_number})
    assert numbers(client.get(response["Location"])) == []
    assert not AccessRecord.objects.exists()


def _life_event(village, phone=PHONE):
    """身后一件事 applied for in `village`: 4 linked requests, open (待受理)."""
    answers = {"pension": "yes", "disability-card": "yes", "cremated": "yes"}
    plan = life_event_plan(
        event=life_event_get(code="after-death"), given={**answers, "dibao": "no"}
    )
    return life_event_submit(
        plan=plan,
        village=village,
        applicant_name=NAME,
        applicant_phone=phone,
        applicant_id_number=ID_NUMBER,
        consent_version=NOTICE_VERSION,
        submission_key=uuid.uuid4(),
    )


def test_a_life_event_number_lists_its_cases_and_is_not_recorded(
    client, village, village_clerk
):
    application = _life_event(village)
    _life_event(village, phone="13955557777")  # another event of the same village
    make_cases(1, village, name=NAME, phone=PHONE)  # the same applicant, alone
    linked = sorted(
        application.links.values_list("service_request__tracking_number", flat=True)
    )
    client = signed_in(client, village_clerk)
    typed = " ".join((application.number[:7], application.number[7:])).lower()
    response = client.post(QUEUE, {"q": typed})
    assert response["Location"] == QUEUE
    page = client.get(QUEUE)
    assert sorted(numbers(page)) == linked
    assert "一件事编号以" in page.content.decode()
    assert not AccessRecord.objects.exists()  # a number is no personal data


def test_a_life_event_number_finds_only_the_cases_the_clerk_may_see(
    client, village, other_village_clerk
):
    application = _life_event(village)
    client = signed_in(client, other_village_clerk)
    response = client.post(QUEUE, {"q": application.number})
    assert response["Location"] == QUEUE
    assert numbers(client.get(QUEUE)) == []
    assert not AccessRecord.objects.exists()


def test_an_empty_search_is_400(client, village_clerk):
    response = signed_in(client, village_clerk).post(QUEUE, {"q": "  "})
    assert response.status_code == 400
    assert "输入办件编号" in response.content.decode()


# --- the case page ---------------------------------------------------------------------


@pytest.fixture
def case(submit):
    return submit("agency", channel="window")


def test_the_case_page_is_404_for_a_case_the_user_may_not_see(
    client, case, other_village_clerk, resident
):
    assert signed_in(client, other_village_clerk).get(case_url(case)).status_code == 404
    # the applicant, even signed in, has no staff page (403: not staff at all)
    assert signed_in(client, resident).get(case_url(case)).status_code == 403
    missing = reverse("staff:case", args=["HG260310999999"])
    assert signed_in(client, other_village_clerk).get(missing).status_code == 404
    post = client.post(case_url(case, "staff:reveal"), {"what": "id"})
    assert post.status_code == 404
    assert not AccessRecord.objects.exists()


def test_a_clerk_of_another_village_cannot_reveal_or_step(
    client, case, other_village_clerk
):
    client = signed_in(client, other_village_clerk)
    assert (
        client.post(case_url(case, "staff:reveal"), {"what": "id"}).status_code == 404
    )
    assert (
        client.post(step_url(case, "accept"), {"accept-version": 1}).status_code == 404
    )
    assert not AccessRecord.objects.exists()
    assert ServiceRequest.objects.get(pk=case.pk).status == Status.SUBMITTED


def test_the_case_page_masks_the_id_and_phone_until_revealed(
    client, case, village_clerk
):
    client = signed_in(client, village_clerk)
    page = client.get(case_url(case)).content.decode()
    assert NAME in page
    assert ID_NUMBER not in page and PHONE not in page
    assert "110***********002X" in page and "139****0123" in page
    assert "Cache-Control" in client.get(case_url(case)).headers

    # POST-redirect-GET: the reveal is recorded, then the case page shows it once
    posted = client.post(case_url(case, "staff:reveal"), {"what": "id"})
    assert posted.status_code == 302 and posted["Location"] == case_url(case)
    assert ID_NUMBER not in posted.content.decode()
    record = AccessRecord.objects.get()
    assert (record.kind, record.subject, record.actor) == (
        "reveal_id",
        case.tracking_number,
        village_clerk,
    )
    assert ID_NUMBER not in record.detail
    shown = client.get(posted["Location"]).content.decode()
    assert ID_NUMBER in shown and PHONE not in shown
    assert ID_NUMBER not in str(dict(client.session))  # which, never the value
    # a reload is a GET: masked again, nothing posted or recorded again
    reloaded = client.get(posted["Location"]).content.decode()
    assert ID_NUMBER not in reloaded and AccessRecord.objects.count() == 1

    client.post(case_url(case, "staff:reveal"), {"what": "id"})
    client.post(case_url(case, "staff:reveal"), {"what": "phone"})
    shown = client.get(case_url(case)).content.decode()
    assert PHONE in shown and ID_NUMBER in shown
    assert AccessRecord.objects.filter(kind="reveal_phone").count() == 1
    # the next view is masked again
    assert ID_NUMBER not in client.get(case_url(case)).content.decode()
    assert client.post(case_url(case, "staff:reveal"), {"what": "x"}).status_code == 400
    assert client.get(case_url(case, "staff:reveal")).status_code == 405


def test_the_timeline_shows_internal_notes_to_staff_only(
    client, case, village_clerk, resident
):
    client = signed_in(client, village_clerk)
    response = client.post(
        case_url(case, "staff:note"),
        {"note-version": case.version, "note-note": "电话已联系"},
    )
    assert response.status_code == 302
    event = case.events.get(kind=EventKind.NOTE)
    assert (event.is_public, event.note) == (False, "电话已联系")
    page = client.get(case_url(case)).content.decode()
    assert "电话已联系" in page and "internal-badge" in page
    mine = signed_in(client, resident).get(
        reverse("mine:request", args=[case.tracking_number])
    )
    assert "电话已联系" not in mine.content.decode()


def test_an_empty_note_is_400_and_nothing_is_added(client, case, village_clerk):
    events = case.events.count()
    response = signed_in(client, village_clerk).post(
        case_url(case, "staff:note"), {"note-version": case.version, "note-note": " "}
    )
    assert response.status_code == 400
    assert (
        "请填写备注" in response.content.decode() or "note" in response.content.decode()
    )
    assert case.events.count() == events


def offered(response) -> list[str]:
    return re.findall(r'action="/staff/cases/HG\d+/(\w+)/"', response.content.decode())


def test_only_the_steps_the_clerk_may_take_now_are_offered(
    client, case, village_clerk, town_clerk
):
    assert offered(signed_in(client, village_clerk).get(case_url(case))) == [
        "reveal",
        "reveal",
        "accept",
        "reject",
        "withdraw",
        "note",
    ]
    # a 定时代办 case still at the village: the town only reads it and adds notes
    assert offered(signed_in(client, town_clerk).get(case_url(case))) == [
        "reveal",
        "reveal",
        "note",
    ]


def post_step(client, case, step, **fields):
    data = {f"{step}-version": case.version}
    data.update({f"{step}-{name}": value for name, value in fields.items()})
    return client.post(step_url(case, step), data)


def test_accept_supplement_resume_and_complete_through_the_page(
    client, submit, village_clerk
):
    case = submit("instant", channel="window")
    client = signed_in(client, village_clerk)
    assert post_step(client, case, "accept").status_code == 302
    case.refresh_from_db()
    assert case.status == Status.ACCEPTED
    materials = list(case.item.materials.order_by("order"))
    assert materials, "the instant item lists materials"
    response = post_step(
        client, case, "supplement", missing=[materials[0].pk], note="复印件不清楚"
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == Status.SUPPLEMENT
    asked = case.events.filter(to_status=Status.SUPPLEMENT).get()
    assert materials[0].name in asked.note and "复印件不清楚" in asked.note
    assert post_step(client, case, "resume").status_code == 302
    case.refresh_from_db()
    assert case.status == Status.ACCEPTED
    assert post_step(client, case, "complete", result="证明已开具").status_code == 302
    case.refresh_from_db()
    assert (case.status, case.result_note, case.delivered_how) == (
        Status.COMPLETED,
        "证明已开具",
        "",
    )


def test_a_supplement_needs_a_material_or_words(client, case, village_clerk):
    client = signed_in(client, village_clerk)
    post_step(client, case, "accept")
    case.refresh_from_db()
    response = post_step(client, case, "supplement", note="")
    assert response.status_code == 400
    assert "勾选" in response.content.decode()
    assert ServiceRequest.objects.get(pk=case.pk).status == Status.ACCEPTED
    response = post_step(client, case, "supplement", missing=["999999"])
    assert response.status_code == 400


def test_reject_needs_a_reason_and_a_confirmation(client, case, village_clerk):
    client = signed_in(client, village_clerk)
    response = post_step(client, case, "reject", reason="不属于本镇")
    assert response.status_code == 400
    assert "勾选" in response.content.decode()
    response = post_step(client, case, "reject", confirm="on")
    assert response.status_code == 400
    assert ServiceRequest.objects.get(pk=case.pk).status == Status.SUBMITTED
    response = post_step(client, case, "reject", reason="不属于本镇", confirm="on")
    assert response.status_code == 302
    case.refresh_from_db()
    assert (case.status, case.result_note) == (Status.REJECTED, "不属于本镇")


def test_withdraw_on_the_residents_behalf(client, case, village_clerk):
    client = signed_in(client, village_clerk)
    assert (
        post_step(client, case, "withdraw", reason="居民电话要求撤回").status_code
        == 400
    )
    response = post_step(
        client, case, "withdraw", reason="居民电话要求撤回", confirm="on"
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == Status.WITHDRAWN
    assert case.events.last().note == "居民电话要求撤回"


def test_an_agency_case_back_from_the_town_is_completed_with_its_delivery(
    client, town_cases, town_clerk, village_clerk, village, commit
):
    case = town_cases["at_town"]
    trip = case.agency_trips.get()
    with commit():
        actions.agency_trip_return(
            trip=trip,
            by=town_clerk,
            received_by=village_clerk,
            documents=1,
            results={case.pk: "审核通过"},
        )
    case.refresh_from_db()
    client = signed_in(client, village_clerk)
    page = client.get(case_url(case)).content.decode()
    assert "审核通过" in page and 'name="complete-delivered_how"' in page
    response = post_step(client, case, "complete", result="审核通过")
    assert response.status_code == 400
    assert "如何送达" in response.content.decode()
    response = post_step(
        client, case, "complete", result="审核通过", delivered_how="teleport"
    )
    assert response.status_code == 400
    assert ServiceRequest.objects.get(pk=case.pk).status == Status.RETURNED_TO_VILLAGE
    response = post_step(
        client, case, "complete", result="审核通过", delivered_how="post"
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert (case.status, case.delivered_how) == (Status.COMPLETED, "post")


def test_the_action_checks_the_delivery(town_cases, village_clerk, submit):
    from huagang.exceptions import InvalidInput

    instant = town_cases["instant"]
    with pytest.raises(InvalidInput, match="从镇里带回"):
        actions.service_request_complete(
            service_request=instant, by=village_clerk, delivered_how="post"
        )
    assert ServiceRequest.objects.get(pk=instant.pk).status == Status.SUBMITTED


def test_a_stale_page_is_409_and_nothing_changes(client, case, village_clerk, official):
    client = signed_in(client, village_clerk)
    seen = case.version
    actions.service_request_add_note(service_request=case, by=official, note="看过")
    actions.service_request_reject(service_request=case, by=official, reason="重复申请")
    response = client.post(step_url(case, "accept"), {"accept-version": seen})
    assert response.status_code == 409
    assert "已被他人更改" in response.content.decode()
    case.refresh_from_db()
    assert case.status == Status.REJECTED
    response = client.post(
        case_url(case, "staff:note"), {"note-version": seen, "note-note": "晚了"}
    )
    assert response.status_code == 409
    assert not case.events.filter(note="晚了").exists()


def test_a_stale_step_with_bad_input_is_still_409(
    client, case, village_clerk, official
):
    seen = case.version
    actions.service_request_accept(service_request=case, by=official)
    response = signed_in(client, village_clerk).post(
        step_url(case, "reject"), {"reject-version": seen}
    )
    assert response.status_code == 409
    assert ServiceRequest.objects.get(pk=case.pk).status == Status.ACCEPTED


def test_a_double_click_is_the_same_step_not_a_conflict(client, case, village_clerk):
    client = signed_in(client, village_clerk)
    first = post_step(client, case, "accept")
    again = post_step(client, case, "accept")  # the same page's version
    assert (first.status_code, again.status_code) == (302, 302)
    assert case.events.filter(to_status=Status.ACCEPTED).count() == 1


def test_a_step_not_offered_now_is_refused(client, case, village_clerk):
    client = signed_in(client, village_clerk)
    response = post_step(client, case, "resume")
    assert response.status_code == 409
    assert client.post(step_url(case, "hand_over"), {}).status_code == 404
    assert client.post(step_url(case, "nonsense"), {}).status_code == 404
    assert client.post(step_url(case, "accept"), {}).status_code == 400
    assert client.get(step_url(case, "accept")).status_code == 405
    assert ServiceRequest.objects.get(pk=case.pk).status == Status.SUBMITTED


@pytest.fixture
def fresh_storage(settings):
    from django.core.files.storage import default_storage

    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    }
    return default_storage


def test_materials_are_listed_with_previews_and_staff_downloads_are_recorded(
    client, case, village_clerk, resident, commit, fresh_storage
):
    with commit():
        image = actions.attachment_add(
            service_request=case, by=resident, upload=image_upload()
        )
        pdf = actions.attachment_add(
            service_request=case, by=resident, upload=pdf_upload()
        )
    url = reverse("services:attachment", args=[image.pk])
    page = signed_in(client, resident).get(url)
    assert page.status_code == 200
    assert not AccessRecord.objects.exists()  # the applicant's own file
    client = signed_in(client, village_clerk)
    html = client.get(case_url(case)).content.decode()
    assert f'<img src="{url}"' in html
    assert reverse("services:attachment", args=[pdf.pk]) in html
    assert client.get(url).status_code == 200
    record = AccessRecord.objects.get()
    assert (record.kind, record.subject, record.actor) == (
        "download",
        case.tracking_number,
        village_clerk,
    )


def test_the_case_page_costs_the_same_queries_for_a_short_or_long_history(
    client, submit, village_clerk, resident, commit, fresh_storage
):
    short = submit("agency")
    long = submit("agency")
    with commit():
        for n in range(12):
            actions.service_request_add_note(
                service_request=long, by=village_clerk, note=f"备注{n}"
            )
        for _ in range(3):
            actions.attachment_add(
                service_request=long, by=resident, upload=pdf_upload(unique=True)
            )
    client = signed_in(client, village_clerk)
    client.get(case_url(short))
    with CaptureQueriesContext(connection) as few:
        client.get(case_url(short))
    with CaptureQueriesContext(connection) as many:
        response = client.get(case_url(long))
    assert response.content.decode().count("<p>备注") == 12
    assert len(few) == len(many)


def test_the_queue_rule_as_object_and_as_filter_agree(
    town_cases, village_clerk, other_village_clerk, town_clerk, official, resident
):
    from services import access

    other_body = UserFactory(role=Role.TOWN_CLERK)
    BodyFactory().clerks.add(other_body)
    users = [village_clerk, other_village_clerk, town_clerk, official, resident]
    for user in [*users, other_body]:
        listed = set(ServiceRequest.objects.filter(access.queue_q(user)))
        for case in ServiceRequest.objects.select_related("item"):
            assert access.in_queue(user, case) == (case in listed), (user.role, case)


# --- 花岗派出所's 即时即办 case: done at the station's own window ---------------------


@pytest.fixture
def station_case(submit):
    """死亡注销 as 身后一件事 makes it: online, 即时即办, 花岗派出所's item."""
    return submit("instant", item=ServiceItem.objects.get(code="HG-HJ-002"))


@pytest.fixture
def station_clerk(db):
    """花岗派出所's window (demo 13800000006): a town clerk serving that body."""
    from services.models import Body

    clerk = UserFactory(role=Role.TOWN_CLERK, name="派出所户籍窗口")
    Body.objects.get(code="police-station").clerks.add(clerk)
    return clerk


def test_the_village_clerk_follows_the_station_case_without_steps(
    client, station_case, village_clerk
):
    """On the village's queue, marked as done at the station's window; on the case
    page no step, the words saying where it is done, the note form still there; a
    step posted anyway is 403 with those words and changes nothing."""
    client = signed_in(client, village_clerk)
    queue = client.get(QUEUE)
    assert station_case.tracking_number in numbers(queue)
    assert "在花岗派出所窗口办理" in queue.content.decode()
    page = client.get(case_url(station_case))
    assert page.status_code == 200
    assert offered(page) == ["reveal", "reveal", "note"]
    html = page.content.decode()
    assert "本事项在花岗派出所窗口办理" in html
    assert "您目前不能对该办件进行任何操作" not in html
    for step, fields in (
        ("accept", {}),
        ("complete", {"result": "户口已注销"}),
        ("reject", {"reason": "不符合条件", "confirm": "on"}),
        ("withdraw", {"reason": "本人撤回", "confirm": "on"}),
    ):
        refused = post_step(client, station_case, step, **fields)
        assert refused.status_code == 403, step
        assert "“死亡注销”在花岗派出所窗口办理" in refused.content.decode()
    fresh = ServiceRequest.objects.get(pk=station_case.pk)
    assert (fresh.status, fresh.version) == (Status.SUBMITTED, station_case.version)
    assert (
        post_step(client, station_case, "note", note="家属已来村询问").status_code
        == 302
    )


def test_the_station_window_and_an_official_work_the_station_case(
    client, station_case, station_clerk, official
):
    client = signed_in(client, station_clerk)
    queue = client.get(QUEUE).content.decode()
    assert station_case.tracking_number in queue and "窗口办理" not in queue
    page = client.get(case_url(station_case))
    assert offered(page) == ["reveal", "reveal", "accept", "complete", "reject", "note"]
    assert "本事项在花岗派出所窗口办理" not in page.content.decode()
    assert post_step(client, station_case, "accept").status_code == 302
    station_case.refresh_from_db()
    client = signed_in(client, official)
    done = post_step(client, station_case, "complete", result="户口已注销")
    assert done.status_code == 302
    assert ServiceRequest.objects.get(pk=station_case.pk).status == Status.COMPLETED
