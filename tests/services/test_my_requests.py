"""我的办件: a resident sees their own requests (and those a clerk entered for their
verified number), withdraws one after a confirmation step, rates a finished one."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from services import actions
from services.models import FollowUp, Notification, Rating, ServiceRequest, Status
from tests.factories import UserFactory
from tests.pages import page_form, submit
from villages.choices import Role

pytestmark = pytest.mark.django_db

LIST = "/my/requests/"


def url(service_request, action: str = "") -> str:
    return f"/my/requests/{service_request.tracking_number}/{action}"


@pytest.fixture
def signed_in(client, resident):
    client.force_login(resident)
    return client


@pytest.fixture
def entered_for(submit, village_clerk):
    """A request a clerk entered at the window for a number (no account)."""

    def _entered(phone: str, kind: str = "instant"):
        return submit(
            kind,
            account=None,
            entered_by=village_clerk,
            channel="window",
            applicant_phone=phone,
        )

    return _entered


@pytest.fixture
def completed(submit, village_clerk, commit):
    """A request of the resident, handled on the spot and completed."""
    case = submit("instant")
    with commit():
        actions.service_request_complete(service_request=case, by=village_clerk)
    case.refresh_from_db()
    assert case.status == Status.COMPLETED
    return case


# --- the list and the page -------------------------------------------------------------


def test_my_requests_lists_mine_newest_first_with_status_and_due_date(
    signed_in, submit, village_clerk, commit
):
    older = submit("agency")
    with commit():
        actions.service_request_accept(service_request=older, by=village_clerk)
    older.refresh_from_db()
    newer = submit("instant")
    strangers = submit("instant", account=UserFactory(), applicant_phone="13700001111")

    page = signed_in.get(LIST)

    assert page.status_code == 200
    assert [r.pk for r in page.context["page"].object_list] == [newer.pk, older.pk]
    html = page.content.decode()
    assert html.index(newer.tracking_number) < html.index(older.tracking_number)
    assert strangers.tracking_number not in html
    assert "已受理" in html and "待受理" in html
    assert older.due_date is not None
    assert f"期限 {older.due_date:%Y-%m-%d}" in html


def test_a_request_entered_for_a_number_is_mine_once_the_number_is_verified(
    client, entered_for
):
    owner = UserFactory(role=Role.RESIDENT, phone="13766667777")
    entered = entered_for("13766667777")
    client.force_login(owner)
    assert entered.tracking_number not in client.get(LIST).content.decode()
    assert client.get(url(entered)).status_code == 404

    owner.phone_verified_at = timezone.now()
    owner.save()

    assert entered.tracking_number in client.get(LIST).content.decode()
    page = client.get(url(entered))
    assert page.status_code == 200 and "待受理" in page.content.decode()
    assert f'href="{url(entered, "withdraw/")}"' in page.content.decode()


def test_another_residents_request_is_not_found_by_any_door(client, submit):
    theirs = submit("instant")  # the `resident` fixture's
    other = UserFactory(role=Role.RESIDENT, phone_verified_at=timezone.now())
    client.force_login(other)
    assert theirs.tracking_number not in client.get(LIST).content.decode()
    assert client.get(url(theirs)).status_code == 404
    assert client.get(url(theirs, "withdraw/")).status_code == 404
    refused = client.post(url(theirs, "withdraw/"), {"version": theirs.version})
    assert refused.status_code == 404
    assert client.post(url(theirs, "rate/"), {"level": "1"}).status_code == 404
    theirs.refresh_from_db()
    assert theirs.status == Status.SUBMITTED and not Rating.objects.exists()


def test_a_stranger_is_sent_to_sign_in(client, submit):
    theirs = submit("instant")
    response = client.get(url(theirs))
    assert response.status_code == 302
    assert response["Location"].startswith("/account/sign-in/?next=/my/requests/")


def test_the_page_shows_the_public_timeline_only(signed_in, submit, village_clerk):
    case = submit("agency")
    actions.service_request_add_note(
        service_request=case, by=village_clerk, note="内部备注：核对户籍"
    )
    actions.service_request_accept(service_request=case, by=village_clerk)
    html = signed_in.get(url(case)).content.decode()
    assert "内部备注" not in html
    assert html.count("<li><time") == 2  # submitted, accepted
    assert "办理经过" in html


def test_the_list_is_paginated(signed_in, resident, items, village):
    for n in range(21):
        ServiceRequest.objects.create(
            tracking_number=f"HG2603109{n:05d}",
            item=items["instant"],
            village=village,
            mode="instant",
            channel="online",
            applicant_name="张桂英",
            applicant_phone="13955550123",
            account=resident,
        )
    first = signed_in.get(LIST)
    assert len(first.context["page"].object_list) == 20
    second = signed_in.get(LIST, {"page": 2})
    assert len(second.context["page"].object_list) == 1


def test_the_list_costs_the_same_queries_for_3_or_12_requests(signed_in, submit):
    def queries() -> int:
        with CaptureQueriesContext(connection) as seen:
            assert signed_in.get(LIST).status_code == 200
        return len(seen.captured_queries)

    for _ in range(3):
        submit("instant")
    few = queries()
    for _ in range(9):
        submit("instant")
    assert queries() == few


# --- withdraw --------------------------------------------------------------------------


def test_withdraw_asks_for_confirmation_then_withdraws(signed_in, submit, resident):
    case = submit("agency")
    page = signed_in.get(url(case))
    assert f'href="{url(case, "withdraw/")}"' in page.content.decode()

    confirm = signed_in.get(url(case, "withdraw/"))
    assert confirm.status_code == 200 and "确定撤回办件吗" in confirm.content.decode()
    case.refresh_from_db()
    assert case.status == Status.SUBMITTED  # asking changes nothing

    done = submit_withdraw(signed_in, case, reason="已在县里办好")
    assert done.status_code == 302 and done["Location"] == url(case)
    case.refresh_from_db()
    assert case.status == Status.WITHDRAWN
    event = case.events.last()
    assert (event.actor, event.note) == (resident, "已在县里办好")
    after = signed_in.get(url(case)).content.decode()
    assert "您的办件已撤回" in after and "撤回此办件" not in after


def submit_withdraw(client, case, **values):
    return submit(client, url(case, "withdraw/"), url(case, "withdraw/"), **values)


def test_a_request_changed_meanwhile_is_not_withdrawn_blindly(
    signed_in, submit, village_clerk
):
    case = submit("agency")
    confirm = signed_in.get(url(case, "withdraw/"))
    form = page_form(confirm, url(case, "withdraw/"))
    actions.service_request_accept(service_request=case, by=village_clerk)

    refused = signed_in.post(url(case, "withdraw/"), form.values)

    assert refused.status_code == 409
    assert "在您确认期间，该办件已有变化" in refused.content.decode()
    case.refresh_from_db()
    assert case.status == Status.ACCEPTED
    # still withdrawable: confirming again with what the page now shows works
    assert submit_withdraw(signed_in, case).status_code == 302
    case.refresh_from_db()
    assert case.status == Status.WITHDRAWN


def test_a_finished_request_cannot_be_withdrawn(signed_in, completed):
    assert "撤回此办件" not in signed_in.get(url(completed)).content.decode()
    refused = signed_in.get(url(completed, "withdraw/"))
    assert refused.status_code == 409
    assert "该办件已不能撤回" in refused.content.decode()
    refused = signed_in.post(
        url(completed, "withdraw/"), {"version": completed.version}
    )
    assert refused.status_code == 409
    completed.refresh_from_db()
    assert completed.status == Status.COMPLETED


# --- rate ------------------------------------------------------------------------------


def rate(client, case, **values):
    return submit(client, url(case), url(case, "rate/"), **values)


def test_the_rating_form_offers_the_five_levels_in_order(signed_in, completed):
    html = signed_in.get(url(completed)).content.decode()
    labels = ["非常满意", "满意", "基本满意", "不满意", "非常不满意"]
    positions = [html.index(f"> {label}</label>") for label in labels]
    assert positions == sorted(positions)
    assert page_form(signed_in.get(url(completed)), url(completed, "rate/")).names >= {
        "level",
        "comment",
    }


def test_an_open_request_offers_no_rating(signed_in, submit):
    case = submit("instant")
    assert "评价服务" not in signed_in.get(url(case)).content.decode()
    refused = signed_in.post(url(case, "rate/"), {"level": "5"})
    assert refused.status_code == 409 and not Rating.objects.exists()


def test_a_poor_rating_promises_a_follow_up_and_later_shows_the_answer(
    signed_in, completed, official
):
    done = rate(signed_in, completed, level="2", comment="跑了两趟")
    assert done.status_code == 302

    rating = Rating.objects.get(request=completed)
    assert (rating.level, rating.comment) == (Rating.Level.DISSATISFIED, "跑了两趟")
    follow_up = FollowUp.objects.get(rating=rating)
    assert follow_up.deadline is not None
    html = signed_in.get(url(completed)).content.decode()
    assert "不满意" in html and "感谢您的评价" in html
    assert f"镇里将核实整改，并于 {follow_up.deadline:%Y-%m-%d} 前答复您" in html
    assert "评价服务" not in html  # no second rating form

    for text in ("情况属实", "已约谈窗口人员", "已改为当场办结，向您致歉。"):
        actions.follow_up_advance(follow_up=follow_up, by=official, text=text)

    html = signed_in.get(url(completed)).content.decode()
    assert "镇里的答复" in html and "已改为当场办结，向您致歉。" in html
    assert "前答复您" not in html


def test_a_good_rating_promises_nothing(signed_in, completed):
    assert rate(signed_in, completed, level="5").status_code == 302
    html = signed_in.get(url(completed)).content.decode()
    assert "非常满意" in html and "答复您" not in html
    assert not FollowUp.objects.exists()


def test_rating_twice_is_refused_with_a_message(signed_in, completed):
    page = signed_in.get(url(completed))  # a second tab, opened before the first rating
    form = page_form(page, url(completed, "rate/"))
    assert rate(signed_in, completed, level="4").status_code == 302

    again = signed_in.post(url(completed, "rate/"), {**form.values, "level": "1"})

    assert again.status_code == 409
    assert "该办件已评价" in again.content.decode()
    assert Rating.objects.get(request=completed).level == 4
    assert not FollowUp.objects.exists()


def test_a_rating_without_a_level_is_a_field_error(signed_in, completed):
    refused = rate(signed_in, completed, comment="没选")
    assert refused.status_code == 400
    assert refused.context["rating_form"].errors["level"] == [
        "请选择五个评价等级之一。"
    ]
    assert not Rating.objects.exists()


# --- a supplement asked for, uploaded from 我的办件 ------------------------------------


def test_a_signed_in_resident_uploads_the_asked_supplement_on_the_request_page(
    signed_in, submit, village_clerk, commit
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from services.models import Attachment
    from tests.files import image_bytes

    case = submit("agency")
    with commit():
        actions.service_request_accept(service_request=case, by=village_clerk)
        actions.service_request_ask_supplement(
            service_request=case, by=village_clerk, what="请补交户口簿本人页的照片。"
        )
    page = signed_in.get(url(case))
    assert "请补交户口簿本人页的照片。" in page.content.decode()
    form = page_form(page, url(case))
    assert "other" in form.names
    with commit():
        response = signed_in.post(
            form.action,
            {"other": SimpleUploadedFile("hukou.jpg", image_bytes("JPEG"))},
        )
    assert response.status_code == 302
    stored = Attachment.objects.get(request=case)
    assert stored.content_type == "image/jpeg"
    case.refresh_from_db()
    assert case.status == Status.SUPPLEMENT  # the clerk resumes, not the upload
    after = signed_in.get(url(case)).content.decode()
    assert "已收到您于2026年3月10日上传的材料" in after  # the same partial as /track/
    assert "请在下方上传所需材料" not in after
    assert "补充上传文件" in after
    # they did it themselves on this page: no text message about it
    assert not Notification.objects.filter(body__contains="上传").exists()


def test_no_upload_is_taken_on_my_request_page_unless_a_supplement_is_asked(
    signed_in, submit
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from services.models import Attachment
    from tests.files import pdf_bytes

    case = submit("agency")
    response = signed_in.post(
        url(case), {"other": SimpleUploadedFile("a.pdf", pdf_bytes())}
    )
    assert response.status_code == 409
    assert not Attachment.objects.filter(request=case).exists()
