"""The admin as the first screen for requests: every write goes through an action."""

import datetime as dt
import re

import pytest
import time_machine
from django.urls import reverse

from services.actions import service_request_accept, service_request_withdraw
from services.models import ServiceRequest, Status

pytestmark = pytest.mark.django_db
CHANGELIST = reverse("admin:services_servicerequest_changelist")


def change_url(request) -> str:
    return reverse("admin:services_servicerequest_change", args=[request.pk])


HIDDEN_INPUT = re.compile(r'<input type="hidden" name="([^"]+)" value="([^"]*)"')


def page_fields(client, request) -> dict[str, str]:
    """The hidden inputs the request's page renders: what a browser posts unasked."""
    html = client.get(change_url(request)).content.decode()
    return dict(HIDDEN_INPUT.findall(html))


def post_step(client, request, fields=None, **data):
    """Post the change form as a browser would: its hidden inputs (from `fields`, a page
    read earlier, or the page read now) plus what the clerk typed or chose."""
    payload = page_fields(client, request) if fields is None else dict(fields)
    payload.pop("csrfmiddlewaretoken", None)
    payload.update(data)
    return client.post(change_url(request), payload)


ADD = reverse("admin:services_servicerequest_add")


def add_page_fields(client) -> dict[str, str]:
    fields = dict(HIDDEN_INPUT.findall(client.get(ADD).content.decode()))
    fields.pop("csrfmiddlewaretoken", None)
    return fields


def test_a_clerk_enters_a_request_for_a_resident(client, village_clerk, village, items):
    client.force_login(village_clerk)
    response = client.post(
        reverse("admin:services_servicerequest_add"),
        {
            **add_page_fields(client),
            "item": items["agency"].pk,
            "village": village.pk,
            "mode": "agency",
            "channel": "phone",
            "applicant_name": "王大爷",
            "applicant_phone": "139 5555 0000",
            "applicant_id_number": "",
            "applicant_address": "花岗社区三组",
            "description": "电话申请",
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    request = ServiceRequest.objects.get()
    assert request.entered_by == village_clerk
    assert request.applicant_phone == "13955550000"
    assert request.events.get().to_status == Status.SUBMITTED


def test_bad_entry_shows_errors_and_saves_nothing(
    client, village_clerk, village, items
):
    client.force_login(village_clerk)
    response = client.post(
        reverse("admin:services_servicerequest_add"),
        {
            **add_page_fields(client),
            "item": items["instant"].pk,
            "village": village.pk,
            "mode": "home",
            "channel": "phone",
            "applicant_name": "王",
            "applicant_phone": "123",
            "applicant_id_number": "110105194912310021",
        },
    )
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert {"applicant_phone", "applicant_id_number"} <= set(errors)
    assert not ServiceRequest.objects.exists()


def test_the_next_step_form_offers_only_allowed_steps(client, submit, village_clerk):
    request = submit("agency")
    client.force_login(village_clerk)
    form = client.get(change_url(request)).context["adminform"].form
    offered = [value for value, _label in form.fields["step"].choices if value]
    assert offered == ["accepted", "rejected", "withdrawn"]


def test_accepting_through_the_admin(client, submit, village_clerk):
    request = submit("agency")
    client.force_login(village_clerk)
    response = post_step(client, request, step="accepted", note="")
    assert response.status_code == 302
    request.refresh_from_db()
    assert request.status == Status.ACCEPTED and request.due_date


def test_rejecting_without_a_reason_is_refused(client, submit, village_clerk):
    request = submit("agency")
    client.force_login(village_clerk)
    response = post_step(client, request, step="rejected", note="")
    assert response.status_code == 200
    assert response.context["adminform"].form.errors
    assert ServiceRequest.objects.get(pk=request.pk).status == Status.SUBMITTED


def test_a_stale_form_is_a_conflict(client, submit, village_clerk, official):
    request = submit("agency")
    client.force_login(village_clerk)
    stale = page_fields(client, request)  # the clerk opened the page …
    service_request_accept(service_request=request, by=official)  # … someone acted
    response = post_step(client, request, stale, step="rejected", note="重复")
    assert response.status_code == 200
    assert "reload" in str(
        response.context["adminform"].form.errors
    ).lower() or "刷新" in str(response.context["adminform"].form.errors)
    assert ServiceRequest.objects.get(pk=request.pk).status == Status.ACCEPTED


def test_a_step_no_longer_offered_on_a_stale_page_says_reload(
    client, submit, village_clerk, resident
):
    """The page offered 已办结 … but the resident withdrew meanwhile: the clerk is told
    the request changed, not that their choice is invalid."""
    request = submit("instant")
    client.force_login(village_clerk)
    stale = page_fields(client, request)
    service_request_withdraw(service_request=request, by=resident)
    response = post_step(client, request, stale, step="completed", note="")
    assert response.status_code == 200
    errors = str(response.context["adminform"].form.errors)
    assert "刷新" in errors and "有效的选项" not in errors
    assert ServiceRequest.objects.get(pk=request.pk).status == Status.WITHDRAWN


def test_no_step_to_take_is_said_so(client, submit, town_clerk):
    request = submit("agency")  # a village's step: the town clerk has none yet
    client.force_login(town_clerk)
    field = client.get(change_url(request)).context["adminform"].form.fields["step"]
    assert [value for value, _label in field.choices] == [""]
    assert "没有" in str(field.help_text)


def test_accept_selected_reports_each_outcome(client, submit, village_clerk):
    first, second = submit("agency"), submit("agency")
    service_request_accept(service_request=second, by=village_clerk)
    client.force_login(village_clerk)
    response = client.post(
        CHANGELIST,
        {"action": "accept_selected", "_selected_action": [first.pk, second.pk]},
        follow=True,
    )
    levels = sorted(m.level_tag for m in response.context["messages"])
    assert levels == ["error", "success"]
    assert ServiceRequest.objects.get(pk=first.pk).status == Status.ACCEPTED


def test_a_village_clerk_sees_only_their_village(
    client, submit, other_village, village_clerk, other_village_clerk
):
    mine = submit("agency")
    theirs = submit("agency", village=other_village)
    client.force_login(village_clerk)
    listed = list(client.get(CHANGELIST).context["cl"].result_list)
    assert listed == [mine]
    assert client.get(change_url(theirs)).status_code == 302  # redirected: not found
    client.force_login(other_village_clerk)
    response = client.post(
        change_url(mine), {"step": "accepted", "expected_version": 1}
    )
    assert response.status_code == 302
    assert ServiceRequest.objects.get(pk=mine.pk).status == Status.SUBMITTED


def test_phone_numbers_are_masked_in_the_list_and_on_the_request_s_page(
    client, submit, village_clerk
):
    """In full only through the case page's reveal, which is recorded."""
    request = submit("agency", applicant_id_number="11010519491231002X")
    client.force_login(village_clerk)
    html = client.get(CHANGELIST).content.decode()
    assert "139****0123" in html and "13955550123" not in html
    page = client.get(change_url(request)).content.decode()
    assert "13955550123" not in page and "11010519491231002X" not in page
    assert "139****0123" in page and "110***********002X" in page


def test_officials_are_told_about_a_missing_calendar_year(
    calendar_known_until_2098, client, submit, village_clerk, official
):
    with time_machine.travel(dt.datetime(2098, 12, 29, 1, tzinfo=dt.UTC)):
        request = submit("agency")
        service_request_accept(service_request=request, by=village_clerk)
    client.force_login(official)
    messages = [str(m) for m in client.get(CHANGELIST).context["messages"]]
    assert any("1" in m and ("节假日" in m or "calendar" in m) for m in messages)


def test_an_official_answers_a_poor_rating_in_the_admin(client, full_case, official):
    follow_up = full_case["rating"].follow_up
    url = reverse("admin:services_followup_change", args=[follow_up.pk])
    client.force_login(official)
    assert client.post(url, {"text": "经核实情况属实"}).status_code == 302
    follow_up.refresh_from_db()
    assert follow_up.stage == "verified"
    assert follow_up.verification_note == "经核实情况属实"


def test_trips_and_visits_are_scoped_like_requests(
    client, full_case, village_clerk, other_village_clerk
):
    lists = [
        reverse("admin:services_agencytrip_changelist"),
        reverse("admin:services_homevisit_changelist"),
    ]
    pages = [
        reverse("admin:services_agencytrip_change", args=[full_case["trip"].pk]),
        reverse("admin:services_homevisit_change", args=[full_case["visit"].pk]),
    ]
    client.force_login(village_clerk)
    assert [client.get(u).context["cl"].result_count for u in lists] == [1, 1]
    assert [client.get(u).status_code for u in pages] == [200, 200]
    client.force_login(other_village_clerk)
    assert [client.get(u).context["cl"].result_count for u in lists] == [0, 0]
    assert [client.get(u).status_code for u in pages] == [302, 302]


def test_the_request_list_costs_the_same_queries_for_5_and_200(
    client, village, other_village, village_clerk
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.services.test_staff_queue import make_requests

    client.force_login(village_clerk)

    def list_all(expected: int) -> int:
        with CaptureQueriesContext(connection) as queries:
            response = client.get(CHANGELIST, {"all": ""})  # every row on one page
        assert response.context["cl"].result_count == expected
        assert len(response.context["cl"].result_list) == expected
        return len(queries)

    make_requests(5, village, assigned_to=village_clerk)
    few = list_all(5)
    make_requests(195, other_village)  # and one village's list beside another's
    make_requests(195, village, status=Status.SENT_TO_TOWN)
    assert list_all(200) == few


def test_a_long_timeline_costs_no_extra_queries(
    client, submit, village_clerk, official
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from services.actions import service_request_add_note

    request = submit("agency")
    client.force_login(village_clerk)

    def page_queries() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(change_url(request)).status_code == 200
        return len(queries)

    short = page_queries()
    for n in range(10):
        by = official if n % 2 else village_clerk
        service_request_add_note(service_request=request, by=by, note=f"备注{n}")
    assert page_queries() == short


def filled_entry_form(client, village, items) -> dict:
    """The add page's own hidden inputs plus what a clerk fills in."""
    return {
        **add_page_fields(client),
        "item": items["agency"].pk,
        "village": village.pk,
        "mode": "agency",
        "channel": "window",
        "applicant_name": "王大爷",
        "applicant_phone": "13955550000",
    }


def test_posting_the_entry_form_twice_makes_one_request_and_one_message(
    client, village_clerk, village, items, commit
):
    from services.models import Notification

    client.force_login(village_clerk)
    form = filled_entry_form(client, village, items)
    assert form["form_key"]  # the page itself carries the key
    with commit():
        first = client.post(ADD, form)
    with commit():
        second = client.post(ADD, form)  # a double click, or back and again
    request = ServiceRequest.objects.get()
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"]
    assert request.events.count() == 1
    assert Notification.objects.filter(request=request).count() == 1
    another = client.post(  # a new form, for another matter
        ADD, {**form, **add_page_fields(client), "description": "另一件事"}
    )
    assert another.status_code == 302
    assert ServiceRequest.objects.count() == 2


def test_someone_elses_submission_key_reveals_nothing(
    client, village_clerk, official, village, items
):
    client.force_login(village_clerk)
    form = filled_entry_form(client, village, items)
    client.post(ADD, form)
    client.force_login(official)
    response = client.post(ADD, form)
    assert response.status_code == 200
    assert "已使用" in str(response.context["adminform"].form.errors)
    assert ServiceRequest.objects.count() == 1


def test_the_same_form_sent_again_with_a_new_key_finds_the_first_request(
    client, village_clerk, village, items
):
    """Back button, then 保存: the browser keeps what was typed, the page a new key."""
    client.force_login(village_clerk)
    form = filled_entry_form(client, village, items)
    client.post(ADD, form)
    again = {**form, **add_page_fields(client)}
    assert again["form_key"] != form["form_key"]
    assert client.post(ADD, again).status_code == 302
    assert ServiceRequest.objects.count() == 1
    other_person = {**again, **add_page_fields(client), "applicant_name": "王大妈"}
    client.post(ADD, other_person)
    assert ServiceRequest.objects.count() == 2


def test_a_double_clicked_step_is_taken_once_and_reported_as_done(
    client, submit, village_clerk, official
):
    request = submit("agency")
    client.force_login(village_clerk)
    page = page_fields(client, request)
    first = post_step(client, request, page, step="accepted", note="")
    second = post_step(client, request, page, step="accepted", note="")  # same page
    assert first.status_code == second.status_code == 302
    fresh = ServiceRequest.objects.get(pk=request.pk)
    assert fresh.status == Status.ACCEPTED and fresh.version == 2
    assert fresh.events.filter(to_status=Status.ACCEPTED).count() == 1
    # Someone else's change from that version is still a conflict for this page.
    other = submit("agency")
    page = page_fields(client, other)
    service_request_accept(service_request=other, by=official)
    response = post_step(client, other, page, step="accepted", note="")
    assert response.status_code == 200
    assert "刷新" in str(response.context["adminform"].form.errors)
