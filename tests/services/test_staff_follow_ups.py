"""The workbench's 差评 follow-ups: scoped to who serves the village, open first by
deadline with the overdue flagged, three stages each on the timeline, the answer sent
to the resident; constant queries."""

import datetime as dt

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from services import access, actions
from services.models import FollowUp, Notification, Rating, ServiceRequest, Status

pytestmark = pytest.mark.django_db
LIST = reverse("staff:follow_ups")


@pytest.fixture
def poorly_rated(submit, official, resident, commit):
    """A completed request of the village rated 非常不满意, with its follow-up."""

    def _poorly_rated(comment="窗口排队太久，没人解释", **overrides) -> FollowUp:
        case = submit("instant", **overrides)
        with commit():
            actions.service_request_complete(service_request=case, by=official)
            case.refresh_from_db()
            rating = actions.rating_submit(
                service_request=case, by=resident, level=1, comment=comment
            )
        return rating.follow_up

    return _poorly_rated


def url(follow_up) -> str:
    return reverse("staff:follow_up", args=[follow_up.pk])


def advance(client, follow_up, text, stage=None):
    if stage is None:
        stage = FollowUp.objects.get(pk=follow_up.pk).stage
    return client.post(url(follow_up), {"text": text, "stage": stage})


def test_a_clerk_answers_a_poor_rating_in_three_stages(
    client, poorly_rated, village_clerk, commit
):
    follow_up = poorly_rated()
    case = follow_up.rating.request
    client.force_login(village_clerk)
    page = client.get(url(follow_up))
    assert page.status_code == 200
    text = page.content.decode()
    assert "窗口排队太久，没人解释" in text and case.tracking_number in text
    assert "非常不满意" in text and "核实情况" in text
    assert case.applicant_phone not in text  # masked here
    sent_before = Notification.objects.filter(recipient=case.applicant_phone).count()
    for stage_text, label in [
        ("情况属实，当日窗口仅一人", "整改措施"),
        ("高峰时段增开一个窗口", "答复居民"),
    ]:
        answer = advance(client, follow_up, stage_text)
        assert answer.status_code == 302
        assert label in client.get(url(follow_up)).content.decode()
    with commit():
        answer = advance(client, follow_up, "已电话致歉，并说明整改措施")
    assert answer.status_code == 302
    follow_up.refresh_from_db()
    assert follow_up.stage == FollowUp.Stage.ANSWERED
    assert follow_up.supervisor == village_clerk
    assert (follow_up.verification_note, follow_up.fix_note, follow_up.answer) == (
        "情况属实，当日窗口仅一人",
        "高峰时段增开一个窗口",
        "已电话致歉，并说明整改措施",
    )
    events = case.events.filter(kind="follow_up", actor=village_clerk)
    assert list(events.values_list("note", "is_public")) == [
        ("情况属实，当日窗口仅一人", False),
        ("高峰时段增开一个窗口", False),
        ("已电话致歉，并说明整改措施", True),
    ]
    # The answer went to the resident's phone (an existing notification).
    told = Notification.objects.filter(recipient=case.applicant_phone)
    assert told.count() == sent_before + 1
    assert "已电话致歉" in told.latest("pk").body
    done = client.get(url(follow_up))
    assert done.context["form"] is None
    assert advance(client, follow_up, "再答复一次", stage="answered").status_code == 409


def test_a_second_click_records_nothing_twice(client, poorly_rated, village_clerk):
    follow_up = poorly_rated()
    client.force_login(village_clerk)
    assert advance(client, follow_up, "属实", stage="open").status_code == 302
    again = advance(client, follow_up, "属实", stage="open")
    assert again.status_code == 409
    assert "刷新" in again.content.decode()
    follow_up.refresh_from_db()
    assert (follow_up.stage, follow_up.fix_note) == ("verified", "")


@pytest.mark.parametrize("text", ["", "   ", "字" * 2001])
def test_an_empty_or_too_long_text_is_400(client, poorly_rated, village_clerk, text):
    follow_up = poorly_rated()
    client.force_login(village_clerk)
    answer = advance(client, follow_up, text)
    assert answer.status_code == 400
    assert answer.context["form"].errors["text"]
    assert FollowUp.objects.get().stage == FollowUp.Stage.OPEN


def test_a_damaged_form_is_400_not_500(client, poorly_rated, village_clerk):
    follow_up = poorly_rated()
    client.force_login(village_clerk)
    assert client.post(url(follow_up), {"text": "x"}).status_code == 400
    assert advance(client, follow_up, "x", stage="nonsense").status_code == 409


def test_who_sees_which_follow_ups(
    client,
    poorly_rated,
    other_village,
    village_clerk,
    other_village_clerk,
    town_clerk,
    official,
    resident,
):
    ours = poorly_rated()
    theirs = poorly_rated(village=other_village, comment="粉坊村的差评")
    seen = {}
    for user in (village_clerk, other_village_clerk, town_clerk, official):
        client.force_login(user)
        page = client.get(LIST)
        assert page.status_code == 200
        seen[user] = [f.pk for f in page.context["page"].object_list]
        # The object form and the queryset form agree.
        for follow_up in (ours, theirs):
            assert access.may_handle_follow_up(user, follow_up) == (
                follow_up.pk in seen[user]
            )
    assert seen[village_clerk] == [ours.pk]
    assert seen[other_village_clerk] == [theirs.pk]
    assert seen[town_clerk] == []
    assert sorted(seen[official]) == sorted([ours.pk, theirs.pk])
    client.force_login(other_village_clerk)
    assert client.get(url(ours)).status_code == 404
    assert advance(client, ours, "越权").status_code == 404
    client.force_login(village_clerk)
    assert "粉坊村的差评" not in client.get(LIST).content.decode()
    client.force_login(resident)
    assert client.get(LIST).status_code == 403
    assert client.get(url(ours)).status_code == 403
    client.logout()
    assert client.get(LIST).status_code == 302
    ours.refresh_from_db()
    assert ours.stage == FollowUp.Stage.OPEN


def test_open_first_by_deadline_and_overdue_flagged(
    client, poorly_rated, village_clerk
):
    first, second, third = poorly_rated(), poorly_rated(), poorly_rated()
    FollowUp.objects.filter(pk=first.pk).update(deadline=dt.date(2026, 3, 20))
    FollowUp.objects.filter(pk=second.pk).update(deadline=dt.date(2026, 3, 9))
    FollowUp.objects.filter(pk=third.pk).update(
        deadline=dt.date(2026, 3, 1), stage=FollowUp.Stage.ANSWERED
    )
    client.force_login(village_clerk)
    page = client.get(LIST)
    rows = list(page.context["page"].object_list)
    assert [f.pk for f in rows] == [second.pk, first.pk, third.pk]
    assert [f.is_overdue for f in rows] == [1, 0, 0]  # answered is never overdue
    text = page.content.decode()
    assert text.count('class="is-overdue"') == 1
    assert text.count("已超期") == 1
    with time_machine.travel(dt.datetime(2026, 3, 23, 2, tzinfo=dt.UTC), tick=True):
        later = client.get(LIST).content.decode()
    assert later.count('class="is-overdue"') == 2


def _many(count: int, village, items) -> None:
    cases = ServiceRequest.objects.bulk_create(
        ServiceRequest(
            tracking_number=f"HGF{count:03d}{n:05d}",
            item=items["instant"],
            village=village,
            mode="instant",
            channel="window",
            status=Status.COMPLETED,
            completed_at=dt.datetime(2026, 3, 1, tzinfo=dt.UTC),
            applicant_name="测试",
            applicant_phone="13900000000",
        )
        for n in range(count)
    )
    ratings = Rating.objects.bulk_create(
        Rating(request=case, level=1, comment="差") for case in cases
    )
    FollowUp.objects.bulk_create(
        FollowUp(rating=rating, deadline=dt.date(2026, 3, 5 + n % 10))
        for n, rating in enumerate(ratings)
    )


def test_the_list_costs_the_same_queries_for_3_or_30(
    client, village, village_clerk, items
):
    client.force_login(village_clerk)

    def queries(count: int) -> int:
        FollowUp.objects.all().delete()
        _many(count, village, items)
        with CaptureQueriesContext(connection) as captured:
            page = client.get(LIST)
        assert len(page.context["page"].object_list) == count
        return len(captured)

    assert queries(3) == queries(30)


def test_the_list_is_paged_without_counting_it(client, village, village_clerk, items):
    """Fifty a page; the page after the last says there are no more."""
    _many(60, village, items)
    client.force_login(village_clerk)
    with CaptureQueriesContext(connection) as captured:
        first = client.get(LIST)
    assert not any("COUNT(" in query["sql"] for query in captured)
    assert len(first.context["page"].object_list) == 50
    assert "?page=2" in first.content.decode()
    second = client.get(LIST, {"page": "2"})
    assert len(second.context["page"].object_list) == 10
    assert "?page=3" not in second.content.decode()
    assert "?page=1" in second.content.decode()
    beyond = client.get(LIST, {"page": "3"})
    assert beyond.status_code == 200
    assert list(beyond.context["page"]) == []
    assert client.get(LIST, {"page": "x"}).context["page"].number == 1
