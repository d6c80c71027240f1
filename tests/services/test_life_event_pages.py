"""The life event's pages: the questions, the application, tracking as one, 我的办件,
the clerks' case page, and the queries each page costs."""

import re
import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from huagang.privacy import NOTICE_VERSION
from services.actions import events as event_actions
from services.actions import (
    service_request_complete,
    service_request_reject,
    service_request_withdraw,
)
from services.models import LifeEventApplication, Notification, ServiceRequest
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
    assert "4 项中已办结 0 项" in body
    linked = {
        r.item.code: r
        for r in ServiceRequest.objects.filter(
            life_event_link__application=application
        ).select_related("item")
    }
    service_request_complete(
        service_request=linked["HG-HJ-002"], by=official, result="已注销户口"
    )
    body = client.get(f"/events/track/{application.number}/").content.decode()
    assert "4 项中已办结 1 项" in body
    assert "已注销户口" in body  # the result, beside its item
    # A refusal is not 办结: it is counted and its reason shown.
    service_request_reject(
        service_request=linked["HG-QT-001"], by=official, reason="已领取过同类补贴"
    )
    service_request_withdraw(
        service_request=linked["HG-CJ-010"], by=official, reason="申请人要求撤回"
    )
    body = client.get(f"/events/track/{application.number}/").content.decode()
    assert "4 项中已办结 1 项" in body
    assert "2 项不予受理或已撤回" in body
    assert "已领取过同类补贴" in body
    assert "预计办结" in body  # one is still open


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
    assert "4 项中已办结 0 项" in body
    # Each linked request in the list below says which event it belongs to.
    cards = body[body.index('class="item-list my-requests"') :]
    assert cards.count(f"属于身后一件事 {application.number}") == 4


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
    only_death = {**DEATH, "pension": "no", "disability-card": "no", "cremated": "no"}
    completed = _apply(village, answers=only_death).links.get().service_request
    assert completed.item.code == "HG-HJ-002"
    service_request_complete(service_request=completed, by=official, result="已注销")
    refused = _apply(village, phone="13800002222", answers=only_death)
    service_request_reject(
        service_request=refused.links.get().service_request,
        by=official,
        reason="不属于本镇户籍",
    )
    _apply(village, phone="13800001111")  # still open
    client.force_login(official)
    body = client.get("/dashboard/").content.decode()
    row = re.search(r"<th scope=\"row\">身后一件事</th>(.*?)</tr>", body).group(1)
    cells = re.findall(r"<td[^>]*>([^<]*)</td>", row)
    # applications, completed, average days, ended otherwise
    assert cells[0] == "3" and cells[1] == "1" and cells[3] == "1"
    assert cells[2] != "—"


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
    assert "supplement-sent" not in page
    ids = re.findall(r' id="([^"]+)"', page)
    assert len(ids) == len(set(ids)), sorted(i for i in ids if ids.count(i) > 1)
    for label_for in re.findall(r'<label for="([^"]+)"', page):
        assert label_for in ids


def test_after_the_upload_the_page_says_the_files_arrived(
    client, village, village_clerk
):
    from services.actions import service_request_accept, service_request_ask_supplement

    application = _apply(village)
    _tracked(client, application)
    cases = []
    for code in ("HG-QT-001", "HG-SB-017"):
        case = ServiceRequest.objects.get(
            life_event_link__application=application, item__code=code
        )
        service_request_accept(service_request=case, by=village_clerk)
        case.refresh_from_db()
        service_request_ask_supplement(
            service_request=case, by=village_clerk, what="请补交材料"
        )
        cases.append(case)
    page = f"/events/track/{application.number}/"
    # A bad file in the first of the two forms on the page (SB-017 comes before
    # QT-001 in the event): its error, and a 400.
    refused = client.post(
        f"{page}?request={cases[1].tracking_number}",
        {"other": SimpleUploadedFile("x.pdf", b"not a pdf at all")},
    )
    assert refused.status_code == 400
    # The page says so at its top, linking to the form's section, where the form's
    # own address brings the browser back.
    shown = refused.content.decode()
    section = f"#supplement-{cases[1].tracking_number}"
    assert f'<a href="{section}">' in shown
    assert f'?request={cases[1].tracking_number}{section}"' in shown
    sent = client.post(
        f"{page}?request={cases[0].tracking_number}", {"other": pdf_upload("a.pdf")}
    )
    assert sent.status_code == 302
    body = client.get(page).content.decode()
    first = body[body.index(f"supplement-{cases[0].tracking_number}") :]
    first = first[: first.index("</section>")]
    assert "supplement-sent" in first and "more-files" in first
    second = body[body.index(f"supplement-{cases[1].tracking_number}") :]
    second = second[: second.index("</section>")]
    assert "supplement-sent" not in second


def test_the_confirmation_names_the_window_of_each_on_the_spot_item(client, village):
    application = _apply(village)
    _tracked(client, application)
    body = client.get(f"/events/applications/{application.number}/").content.decode()
    windows = body[body.index('class="event-windows"') :]
    windows = windows[: windows.index("</ul>")]
    assert "死亡注销 — 花岗派出所" in windows
    assert "惠民殡葬补贴" not in windows  # carried by the village (定时代办)


def test_done_on_a_shared_computer_hides_the_event(client, village):
    application = _apply(village)
    _tracked(client, application)
    page = f"/events/track/{application.number}/"
    assert client.get(page).status_code == 200
    assert 'action="/events/track/leave/"' in client.get(page).content.decode()
    left = client.post("/events/track/leave/")
    assert left.status_code == 302 and left["Location"] == "/events/track/"
    again = client.get(page)
    assert again.status_code == 302 and again["Location"].startswith("/events/track/?")


def test_the_event_tracker_asks_for_the_event_number(client):
    page = client.get("/events/track/").content.decode()
    assert "一件事编号" in page and "HGE260310000123" in page


def _send_the_event_form(browser: Client, village, query: str):
    """Open the event's form (a new one-time key each time) and send it filled in,
    with a file for each material field the page has."""
    url = f"/events/after-death/apply/?{query}"
    page = browser.get(url).content.decode()
    key = re.search(r'name="form_key" value="([^"]+)"', page)
    assert key is not None
    data = {
        "applicant_name": "李四",
        "applicant_phone": "13955550123",
        "applicant_id_number": "11010519491231002X",
        "village": village.code,
        "consent": "on",
        "privacy_notice": NOTICE_VERSION,
        "form_key": key.group(1),
        **{
            name: pdf_upload(f"{name}.pdf", unique=True)
            for name in re.findall(r'type="file" name="([^"]+)"', page)
        },
    }
    return browser.post(url, data), key.group(1)


SENT = "pension=yes&disability-card=no&cremated=yes&dibao=no"


def test_the_back_button_then_send_again_finds_the_first_event(
    client, village, django_capture_on_commit_callbacks
):
    """Not signed in: the form opened again and sent with the same details is the
    event this browser just sent — no second event, requests or text message."""
    with django_capture_on_commit_callbacks(execute=True):
        first, first_key = _send_the_event_form(client, village, SENT)
        again, again_key = _send_the_event_form(client, village, SENT)
    assert first_key != again_key
    assert first.status_code == again.status_code == 302
    assert again["Location"] == first["Location"]
    application = LifeEventApplication.objects.get()
    assert ServiceRequest.objects.count() == application.links.count() == 3
    assert Notification.objects.filter(channel="sms").count() == 1


def test_the_same_event_from_another_browser_is_refused_and_named_nowhere(
    client, village
):
    first, _key = _send_the_event_form(client, village, SENT)
    application = LifeEventApplication.objects.get()
    elsewhere = Client()
    refused, _key = _send_the_event_form(elsewhere, village, SENT)
    assert refused.status_code == 409
    page = refused.content.decode()
    assert "已经提交过" in page
    assert application.number not in page
    assert not any(r.tracking_number in page for r in ServiceRequest.objects.all())
    assert LifeEventApplication.objects.count() == 1
    assert ServiceRequest.objects.count() == 3
    assert elsewhere.get(first["Location"]).status_code == 404


def test_apply_without_answers_goes_back_to_the_questions_without_a_query(client):
    response = client.get("/events/after-death/apply/")
    assert response.status_code == 302
    assert response["Location"] == "/events/after-death/"
    some = client.get("/events/after-death/apply/?pension=yes")
    assert some["Location"] == "/events/after-death/?pension=yes"
