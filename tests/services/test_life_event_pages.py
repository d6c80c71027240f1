"""The life event's pages: the questions, the application, tracking as one, 我的办件,
the clerks' case page, and the queries each page costs."""

import re
import uuid

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from huagang.privacy import NOTICE_VERSION
from services.actions import events as event_actions
from services.actions import service_request_complete
from services.models import LifeEventApplication, ServiceRequest
from services.selectors.events import life_event_get, life_event_plan
from tests.factories import UserFactory
from tests.files import pdf_upload
from villages.choices import Role

pytestmark = pytest.mark.django_db

DEATH = {"pension": "yes", "disability-card": "yes", "cremated": "yes", "dibao": "no"}


def _apply(village, *, account=None, phone="13955550123", answers=DEATH):
    plan = life_event_plan(event=life_event_get(code="after-death"), given=answers)
    return event_actions.life_event_submit(
        plan=plan,
        village=village,
        applicant_name="张桂英",
        applicant_phone=phone,
        applicant_id_number="11010519491231002X",
        account=account,
        consent_version=NOTICE_VERSION,
        submission_key=uuid.uuid4(),
    )


def _tracked(client: Client, application, phone="13955550123") -> None:
    response = client.post(
        "/events/track/",
        {"number": application.number, "phone_last4": phone[-4:]},
    )
    assert response.status_code == 302


def test_the_questions_page_lists_only_the_applicable_items(client):
    body = client.get(
        "/events/after-death/?pension=no&disability-card=yes&cremated=no&dibao=no"
    ).content.decode()
    listed = re.findall(r'href="/services/(HG-[A-Z]{2}-\d{3})/"', body)
    assert listed == ["HG-HJ-002", "HG-CJ-010"]


def test_an_unanswered_question_lists_nothing_and_says_so(client):
    body = client.get("/events/after-death/?pension=no").content.decode()
    assert 'href="/services/HG-' not in body
    assert "errorlist" in body


def test_the_questions_sent_with_nothing_ticked_say_what_is_missing(client):
    page = client.get("/events/after-death/").content.decode()
    marker = re.search(r'<input type="hidden" name="([^"]+)" value="1">', page)
    assert marker is not None  # what the form's button sends, nothing ticked
    body = client.get(f"/events/after-death/?{marker.group(1)}=1").content.decode()
    assert 'href="/services/HG-' not in body
    assert body.count('class="choices has-error"') == 4
    assert 'role="alert"' in body
    # The first visit, before any answer, shows no error.
    assert "has-error" not in page and 'role="alert"' not in page


def test_the_plan_names_who_handles_each_item_and_how(client):
    body = client.get(
        "/events/after-death/?pension=yes&disability-card=no&cremated=no&dibao=no"
    ).content.decode()
    rows = re.findall(
        r"<li><a href=\"/services/(HG-[A-Z]{2}-\d{3})/\">.*?</li>", body, re.S
    )
    assert rows == ["HG-HJ-002", "HG-SB-017"]
    death = body[body.index("HG-HJ-002") : body.index("HG-SB-017")]
    assert "花岗派出所" in death and "即时即办" in death
    assert "定时代办" in body[body.index("HG-SB-017") :]


def test_the_household_item_reaches_the_police_windows_queue(client, village):
    from django.core.management import call_command

    call_command("create_demo_accounts", stdout=open("/dev/null", "w"))  # noqa: SIM115
    application = _apply(village)
    numbers = {
        link.service_request.item.code: link.service_request.tracking_number
        for link in application.links.select_related("service_request__item")
    }
    from villages.models import User

    client.force_login(User.objects.get(phone="13800000006"))
    queue = client.get("/staff/").content.decode()
    assert numbers["HG-HJ-002"] in queue
    assert numbers["HG-SB-017"] not in queue  # 社会管理局's, not the police's


def test_the_event_tracking_page_shows_each_items_step(client, village, official):
    application = _apply(village)
    _tracked(client, application)
    body = client.get(f"/events/track/{application.number}/").content.decode()
    assert "身后一件事: 0 of 4 completed" in body or "4 项中已办结 0 项" in body
    first = ServiceRequest.objects.get(
        life_event_link__application=application, item__code="HG-HJ-002"
    )
    # 死亡注销 is done at 花岗派出所's window (or by an official), not the village's
    service_request_complete(service_request=first, by=official, result="已注销")
    body = client.get(f"/events/track/{application.number}/").content.decode()
    assert "身后一件事: 1 of 4 completed" in body or "4 项中已办结 1 项" in body


def test_a_resident_never_sees_another_residents_event(client, village):
    mine = _apply(village)
    theirs = _apply(village, phone="13800001111")
    _tracked(client, mine)
    response = client.get(f"/events/track/{theirs.number}/")
    assert response.status_code == 302
    assert client.get(f"/events/applications/{theirs.number}/").status_code == 404
    other = UserFactory(role=Role.RESIDENT, phone="13900002222")
    someone = Client()
    someone.force_login(other)
    assert someone.get(f"/events/applications/{mine.number}/").status_code == 404
    assert someone.get(f"/events/track/{mine.number}/").status_code == 302
    assert mine.number not in someone.get("/my/requests/").content.decode()


def test_wrong_digits_find_nothing(client, village):
    application = _apply(village)
    response = client.post(
        "/events/track/", {"number": application.number, "phone_last4": "0000"}
    )
    assert response.status_code == 404


def test_my_requests_shows_the_event(client, village, resident):
    application = _apply(village, account=resident, phone=resident.phone)
    client.force_login(resident)
    body = client.get("/my/requests/").content.decode()
    assert application.number in body
    assert "0 of 4 completed" in body or "4 项中已办结 0 项" in body


def test_the_clerk_sees_the_event_and_only_the_siblings_they_may_see(
    client, village, village_clerk
):
    from services.models import Body

    application = _apply(village)
    case = application.links.first().service_request
    bodies = {link.service_request.item.body_id for link in application.links.all()}
    town_clerk = UserFactory(role=Role.TOWN_CLERK)
    Body.objects.exclude(pk__in=bodies).first().clerks.add(town_clerk)
    client.force_login(village_clerk)
    body = client.get(f"/staff/cases/{case.tracking_number}/").content.decode()
    assert application.number in body
    siblings = set(re.findall(r'href="/staff/cases/(HG\d+)/"', body))
    assert len(siblings) == 3
    client.force_login(town_clerk)  # serves another body: sees none of these
    assert client.get(f"/staff/cases/{case.tracking_number}/").status_code == 404


def _count(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_the_event_page_costs_the_same_queries_whatever_the_answers(client):
    few = _count(
        client,
        "/events/after-death/?pension=no&disability-card=no&cremated=no&dibao=no",
    )
    many = _count(
        client,
        "/events/after-death/?pension=yes&disability-card=yes&cremated=yes&dibao=yes",
    )
    assert few == many


def test_the_tracking_page_costs_the_same_queries_for_two_or_five_items(
    client, village
):
    small = _apply(
        village,
        answers={
            "pension": "yes",
            "disability-card": "no",
            "cremated": "no",
            "dibao": "no",
        },
    )
    large = _apply(
        village,
        phone="13800001111",
        answers={**DEATH, "dibao": "yes"},
    )
    assert small.links.count() == 2 and large.links.count() == 5
    _tracked(client, small)
    two = _count(client, f"/events/track/{small.number}/")
    other = Client()
    _tracked(other, large, phone="13800001111")
    five = _count(other, f"/events/track/{large.number}/")
    assert two == five


def test_the_application_form_posts_one_file_per_kind(client, village):
    query = "pension=yes&disability-card=no&cremated=yes&dibao=no"
    body = client.get(f"/events/after-death/apply/?{query}").content.decode()
    fields = re.findall(r'type="file" name="([^"]+)"', body)
    assert fields.count("kind_death-certificate") == 1
    data = {
        "applicant_name": "李四",
        "applicant_phone": "13955550123",
        "applicant_id_number": "11010519491231002X",
        "village": village.code,
        "consent": "on",
        "privacy_notice": NOTICE_VERSION,
        "form_key": str(uuid.uuid4()),
        **{name: pdf_upload(f"{name}.pdf") for name in fields},
    }
    response = client.post(f"/events/after-death/apply/?{query}", data)
    assert response.status_code == 302
    application = LifeEventApplication.objects.get()
    assert response["Location"] == f"/events/applications/{application.number}/"
    receipt = client.get(f"/events/applications/{application.number}/receipt/")
    assert "<svg" in receipt.content.decode()
    assert application.links.count() == 3


def test_the_dashboard_counts_events_and_their_time_to_finish(
    client, village, official
):
    application = _apply(
        village,
        answers={**DEATH, "pension": "no", "disability-card": "no", "cremated": "no"},
    )
    only = application.links.get().service_request
    assert only.item.code == "HG-HJ-002"
    service_request_complete(service_request=only, by=official, result="已注销")
    _apply(village, phone="13800001111")
    client.force_login(official)
    body = client.get("/dashboard/").content.decode()
    row = re.search(r"<th scope=\"row\">身后一件事</th>(.*?)</tr>", body).group(1)
    assert re.findall(r"<td>([^<]*)</td>", row)[:2] == ["2", "1"]


def test_a_supplement_any_item_asks_for_is_uploaded_on_the_event_page(
    client, village, village_clerk
):
    from services.actions import service_request_accept, service_request_ask_supplement
    from services.models import Status

    application = _apply(village)
    _tracked(client, application)
    before = _count(client, f"/events/track/{application.number}/")
    case = ServiceRequest.objects.get(
        life_event_link__application=application, item__code="HG-QT-001"
    )
    service_request_accept(service_request=case, by=village_clerk)
    case.refresh_from_db()
    service_request_ask_supplement(
        service_request=case, by=village_clerk, what="请补交火化证的清晰照片"
    )
    page = client.get(f"/events/track/{application.number}/").content.decode()
    assert "请补交火化证的清晰照片" in page
    assert f"?request={case.tracking_number}" in page
    response = client.post(
        f"/events/track/{application.number}/?request={case.tracking_number}",
        {"other": pdf_upload("火化证.pdf")},
    )
    assert response.status_code == 302
    assert case.attachments.filter(original_name="火化证.pdf").exists()
    case.refresh_from_db()
    assert case.status == Status.SUPPLEMENT  # the clerk resumes
    # A page with a supplement asked costs a query more (the words), not one per item.
    assert _count(client, f"/events/track/{application.number}/") <= before + 4


def test_two_supplements_asked_give_two_forms_with_ids_of_their_own(
    client, village, village_clerk
):
    from services.actions import service_request_accept, service_request_ask_supplement

    application = _apply(village)
    _tracked(client, application)
    for code in ("HG-QT-001", "HG-SB-017"):
        case = ServiceRequest.objects.get(
            life_event_link__application=application, item__code=code
        )
        service_request_accept(service_request=case, by=village_clerk)
        case.refresh_from_db()
        service_request_ask_supplement(
            service_request=case, by=village_clerk, what="请补交材料"
        )
    page = client.get(f"/events/track/{application.number}/").content.decode()
    assert page.count('class="upload-form"') == 2
    ids = re.findall(r' id="([^"]+)"', page)
    assert len(ids) == len(set(ids)), sorted(i for i in ids if ids.count(i) > 1)
    for label_for in re.findall(r'<label for="([^"]+)"', page):
        assert label_for in ids


def test_the_event_tracker_asks_for_the_event_number(client):
    page = client.get("/events/track/").content.decode()
    assert "一件事编号" in page and "HGE260310000123" in page
