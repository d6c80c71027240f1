"""The officials' admin: the request list's search and export, the record of reads,
and what the admin records when an official sets a password or changes a role."""

import csv
import io
import logging
import re
from urllib.parse import parse_qs, urlsplit

import pytest
from django.contrib.auth.hashers import check_password
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from huagang import exports
from huagang.log_filters import NoQueryStrings
from services.admin import request_list
from services.models import Notification, ServiceRequest, Status
from tests.factories import UserFactory
from tests.services.test_due_flag import CALENDAR as DUE_CALENDAR
from tests.services.test_due_flag import TODAY as DUE_TODAY
from tests.services.test_due_flag import requests_at_every_distance  # noqa: F401
from tests.services.test_staff_queue import make_requests
from villages.actions import access_record
from villages.choices import Role
from villages.models import AccessRecord

pytestmark = pytest.mark.django_db
CHANGELIST = reverse("admin:services_servicerequest_changelist")
EXPORT = reverse("admin:services_servicerequest_export")
RECORDS = reverse("admin:villages_accessrecord_changelist")
SEARCH = reverse("admin:services_servicerequest_search")


def listed(client, **params) -> list[str]:
    """Every tracking number the list shows for `params` (all on one page)."""
    response = client.get(CHANGELIST, {**params, "all": ""})
    assert response.status_code == 200
    return [r.tracking_number for r in response.context["cl"].result_list]


def search(client, term: str, **filters) -> str:
    """Type `term` in the list's search box (posted with the list's filters as
    hidden fields): the address the browser is sent to."""
    response = client.post(SEARCH, {**filters, "q": term})
    assert response.status_code == 302
    return response["Location"]


def found(client, url: str) -> list[str]:
    """Every tracking number the list at `url` shows (all on one page)."""
    response = client.get(url, {"all": ""} if "?" not in url else None)
    if "?" in url:
        response = client.get(f"{url}&all=")
    assert response.status_code == 200
    return [r.tracking_number for r in response.context["cl"].result_list]


def hrefs(response) -> list[str]:
    return re.findall(r'(?:href|action)="([^"]*)"', response.content.decode())


def xlsx_rows(response) -> list[list]:
    assert response["Content-Type"] == exports.CONTENT_TYPES["xlsx"]
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    return [list(row) for row in book.active.iter_rows(values_only=True)]


def csv_rows(response) -> list[list[str]]:
    content = b"".join(response.streaming_content)
    assert content.startswith("\ufeff".encode())  # Excel reads it as UTF-8
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


@pytest.fixture
def mixed(village, other_village):
    """Accepted and completed requests in two villages."""
    make_requests(4, village)
    make_requests(3, village, status=Status.COMPLETED)
    make_requests(5, other_village)


# --- export ---------------------------------------------------------------------------


def test_the_excel_export_holds_exactly_the_filtered_rows(
    official_client, mixed, village
):
    filters = {"status__exact": "accepted", "village__id__exact": str(village.pk)}
    shown = listed(official_client, **filters)
    assert len(shown) == 4
    rows = xlsx_rows(official_client.get(EXPORT, {**filters, "_export": "xlsx"}))
    heading, body = rows[0], rows[1:]
    assert heading[0] == "办件编号"  # a heading row, in Chinese
    assert [row[0] for row in body] == shown  # same rows, same order
    assert heading[10] == "申请人手机号码"
    assert all(row[10] == "139****0000" for row in body)


def test_the_csv_export_follows_the_search_and_is_excel_readable(
    official_client, submit, mixed
):
    mine = submit("agency", applicant_name="李秀兰", applicant_phone="13812345678")
    listing = official_client.get(search(official_client, "李秀"))
    rows = csv_rows(official_client.get(listing.context["export_urls"]["csv"]))
    assert [row[0] for row in rows[1:]] == [mine.tracking_number]
    assert "13812345678" not in str(rows) and "138****5678" in str(rows)
    assert "李秀兰" not in str(rows) and "李**" in str(rows)


def test_a_village_clerk_exports_only_their_village(
    client, village_clerk, mixed, village
):
    client.force_login(village_clerk)
    rows = csv_rows(client.get(EXPORT, {"_export": "csv"}))[1:]
    assert len(rows) == 7
    assert {row[3] for row in rows} == {village.name}


def test_every_export_is_recorded_with_its_filter_and_masked_search(
    official_client, official, mixed
):
    url = search(official_client, "13900000000", status__exact="accepted")
    official_client.get(official_client.get(url).context["export_urls"]["xlsx"])
    searched, record = AccessRecord.objects.order_by("pk")  # the search's, the export's
    assert searched.kind == "search"
    assert (record.kind, record.actor) == ("export", official)
    assert "status__exact=accepted" in record.subject
    assert "q=139****0000" in record.subject
    assert "13900000000" not in record.subject + record.detail
    assert record.detail.startswith("xlsx")


def test_a_long_list_is_cut_and_says_so(official_client, mixed, monkeypatch):
    monkeypatch.setattr(exports, "MAX_ROWS", 5)
    rows = csv_rows(official_client.get(EXPORT, {"_export": "csv"}))
    assert len(rows) == 1 + 5 + 1
    assert "5" in rows[-1][0] and len(rows[-1]) == 1


def test_a_full_export_needs_an_official_and_a_reason(
    official_client, official, village_clerk, submit
):
    case = submit("agency")
    clerk = Client()
    clerk.force_login(village_clerk)
    assert clerk.get(EXPORT, {"_full": "1"}).status_code == 403
    page = official_client.get(EXPORT, {"_full": "1", "status__exact": "submitted"})
    assert page.status_code == 200 and "reason" in page.context["form"].fields
    url = f"{EXPORT}?_full=1&status__exact=submitted"
    refused = official_client.post(url, {"format": "csv", "reason": ""})
    assert refused.status_code == 200 and refused.context["form"].errors
    assert not AccessRecord.objects.exists()
    response = official_client.post(url, {"format": "csv", "reason": "县里年度核查"})
    rows = csv_rows(response)
    assert rows[1][0] == case.tracking_number
    assert "13955550123" in rows[1] and "11010519491231002X" in rows[1]
    record = AccessRecord.objects.get(kind="export")
    assert "县里年度核查" in record.detail and "完整" in record.detail


def test_a_bad_export_request_is_a_400(official_client):
    assert official_client.get(EXPORT, {"_export": "pdf"}).status_code == 400
    bad = official_client.get(EXPORT, {"_export": "csv", "submitted_from": "2026-13"})
    assert bad.status_code == 400


def test_the_list_links_to_its_exports_with_its_filters(official_client, mixed):
    response = official_client.get(CHANGELIST, {"status__exact": "completed"})
    html = response.content.decode()
    assert "导出 Excel" in html and "导出 CSV" in html
    urls = response.context["export_urls"]
    assert "status__exact=completed" in urls["xlsx"] and "_export=xlsx" in urls["xlsx"]


def test_exported_cells_never_run_as_formulas():
    assert exports.cell("=HYPERLINK(1)") == "'=HYPERLINK(1)"
    assert exports.cell("张三") == "张三"


# --- search ---------------------------------------------------------------------------


def test_search_by_name_and_phone_finds_and_is_recorded_masked(
    official_client, official, submit, mixed
):
    mine = submit("agency", applicant_name="王德明", applicant_phone="13712345678")
    by_name = search(official_client, "王德")
    by_phone = search(official_client, "137 1234 5678")
    by_number = search(official_client, mine.tracking_number)
    for url in (by_name, by_phone, by_name, by_number):  # seen again: no new record
        assert found(official_client, url) == [mine.tracking_number]
    records = list(AccessRecord.objects.order_by("pk"))
    assert [(r.kind, r.subject) for r in records] == [
        ("search", "王*"),
        ("search", "137****5678"),
    ]  # once per search; the tracking number's search reads nobody's data
    assert all(r.actor == official for r in records)


def test_a_personal_search_never_goes_into_an_address(official_client, submit, mixed):
    mine = submit("agency", applicant_name="王德明", applicant_phone="13955550023")
    url = search(official_client, "13955550023", status__exact="submitted")
    assert "13955550023" not in url and "王" not in url
    query = parse_qs(urlsplit(url).query)
    assert query["status__exact"] == ["submitted"] and len(query["qs"][0]) >= 8
    assert "q" not in query
    response = official_client.get(url)
    assert [r.tracking_number for r in response.context["cl"].result_list] == [
        mine.tracking_number
    ]
    links = hrefs(response) + list(response.context["export_urls"].values())
    assert all("13955550023" not in link and "1395555" not in link for link in links)
    assert all(
        f"qs={query['qs'][0]}" in link
        for link in response.context["export_urls"].values()
    )
    # the search box shows the term (in the page, not in an address)
    assert 'value="13955550023"' in response.content.decode()


def test_a_tracking_number_search_stays_in_the_address(official_client, submit):
    case = submit("agency")
    url = search(official_client, case.tracking_number)
    assert parse_qs(urlsplit(url).query) == {"q": [case.tracking_number]}


def test_a_personal_term_typed_in_the_address_is_moved_out_of_it(
    official_client, submit, mixed
):
    mine = submit("agency", applicant_name="王德明", applicant_phone="13712345678")
    response = official_client.get(CHANGELIST, {"q": "13712345678", "mode__exact": "x"})
    assert response.status_code == 302
    assert "13712345678" not in response["Location"]
    assert "mode__exact=x" in response["Location"] and "qs=" in response["Location"]
    moved = search(official_client, "13712345678")
    assert found(official_client, moved) == [mine.tracking_number]
    assert AccessRecord.objects.filter(kind="search").count() == 2  # once each


def test_an_unknown_search_key_says_so_and_searches_nothing(
    official_client, official, submit, mixed
):
    submit("agency", applicant_name="王德明")
    url = search(official_client, "王德", status__exact="accepted")
    other = Client()
    other.force_login(official)  # another session does not hold the key
    response = other.get(url)
    assert response.status_code == 302
    assert "qs=" not in response["Location"]
    assert "status__exact=accepted" in response["Location"]
    page = other.get(response["Location"])
    assert page.status_code == 200
    assert "不再可用" in page.content.decode() or "no longer" in page.content.decode()
    accepted = ServiceRequest.objects.filter(status=Status.ACCEPTED).count()
    assert len(page.context["cl"].result_list) == accepted  # no search applied
    export = other.get(f"{EXPORT}?qs=nope&_export=csv")
    assert export.status_code == 400


def test_an_export_refuses_a_personal_term_in_its_address(official_client, mixed):
    response = official_client.get(EXPORT, {"q": "13900000000", "_export": "csv"})
    assert response.status_code == 400
    assert not AccessRecord.objects.exists()


def test_the_date_filter_form_carries_the_search_key_not_the_term(
    official_client, submit, mixed
):
    submit("agency", applicant_phone="13712345678")
    url = search(official_client, "13712345678")
    html = official_client.get(url).content.decode()
    key = parse_qs(urlsplit(url).query)["qs"][0]
    assert f'name="qs" value="{key}"' in html
    assert 'type="hidden" name="q"' not in html


def test_search_by_item_name_still_works(official_client, submit, items):
    case = submit("agency")
    url = search(official_client, items["agency"].name)
    assert case.tracking_number in found(official_client, url)


# --- speed ----------------------------------------------------------------------------


def test_the_list_costs_the_same_queries_for_5_and_50_rows(
    official_client, village, other_village
):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            response = official_client.get(CHANGELIST)
        assert response.status_code == 200
        return len(captured)

    make_requests(5, village)
    few = queries()
    make_requests(45, other_village, status=Status.SUBMITTED)
    assert queries() == few
    assert len(official_client.get(CHANGELIST).context["cl"].result_list) == 50


def test_a_long_list_is_counted_about(official_client, mixed, monkeypatch):
    monkeypatch.setattr(request_list, "EXACT_UP_TO", 5)
    response = official_client.get(CHANGELIST)
    assert response.context["cl"].paginator.estimated
    assert "约" in response.content.decode() or "about" in response.content.decode()
    # only the pages of the first EXACT_UP_TO rows are offered
    assert response.context["cl"].paginator.num_pages == 1


def test_pages_deep_in_an_estimated_list_are_not_offered(
    official_client, village, monkeypatch
):
    monkeypatch.setattr(request_list, "EXACT_UP_TO", 60)
    make_requests(130, village)
    first = official_client.get(CHANGELIST)
    paginator = first.context["cl"].paginator
    assert paginator.estimated and paginator.num_pages == 2  # 60 rows, 50 a page
    assert len(official_client.get(CHANGELIST, {"p": "2"}).context["cl"].result_list)
    assert official_client.get(CHANGELIST, {"p": "3"}).status_code == 302  # ?e=1


def test_the_date_range_filter(official_client, mixed):
    ServiceRequest.objects.filter(pk=ServiceRequest.objects.first().pk).update(
        submitted_at="2025-01-15T10:00:00+08:00"
    )
    assert len(listed(official_client, submitted_to="2025-12-31")) == 1
    assert len(listed(official_client, submitted_from="2026-01-01")) == 11
    assert (
        len(
            listed(
                official_client, submitted_from="2025-01-15", submitted_to="2025-01-15"
            )
        )
        == 1
    )
    bad = official_client.get(CHANGELIST, {"submitted_from": "15.1.2025"})
    assert bad.status_code in (200, 302) and bad.status_code != 500


def test_request_lines_are_logged_without_their_query_strings():
    record = logging.LogRecord(
        "django.server",
        logging.INFO,
        "",
        0,
        '"%s" %s %s',
        ("GET /admin/services/servicerequest/?q=13912345678 HTTP/1.1", "200", "99"),
        None,
    )
    NoQueryStrings().filter(record)
    assert "13912345678" not in record.getMessage()
    assert "/admin/services/servicerequest/?…" in record.getMessage()


# --- the record of reads --------------------------------------------------------------


@pytest.fixture
def a_record(official):
    return access_record(by=official, kind="search", subject="张*")


@pytest.mark.parametrize("superuser", [False, True])
def test_the_record_of_reads_is_read_only_for_everyone(
    client, official, a_record, superuser
):
    reader = (
        UserFactory(role=Role.OFFICIAL, is_superuser=True, is_staff=True)
        if superuser
        else official
    )
    client.force_login(reader)
    change = reverse("admin:villages_accessrecord_change", args=[a_record.pk])
    delete = reverse("admin:villages_accessrecord_delete", args=[a_record.pk])
    assert client.get(RECORDS).status_code == 200
    assert client.get(change).status_code == 200  # a read-only page
    assert client.get(reverse("admin:villages_accessrecord_add")).status_code == 403
    assert client.post(change, {"subject": "x"}).status_code == 403
    assert client.post(delete, {"post": "yes"}).status_code == 403
    bulk = client.post(
        RECORDS, {"action": "delete_selected", "_selected_action": [a_record.pk]}
    )
    assert bulk.status_code in (200, 302)
    a_record.refresh_from_db()
    assert AccessRecord.objects.get().subject == "张*"


def test_clerks_cannot_read_the_record(client, village_clerk, a_record):
    client.force_login(village_clerk)
    assert client.get(RECORDS).status_code == 403


def test_the_record_is_filtered_by_kind(official_client, official, a_record):
    access_record(by=official, kind="export", subject="status__exact=accepted")
    shown = official_client.get(RECORDS, {"kind__exact": "export"}).context["cl"]
    assert [r.kind for r in shown.result_list] == ["export"]


# --- passwords and roles --------------------------------------------------------------


def test_setting_a_staff_members_password_is_recorded_and_they_are_told(
    official_client, official, village_clerk, django_capture_on_commit_callbacks
):
    url = reverse("admin:auth_user_password_change", args=[village_clerk.pk])
    with django_capture_on_commit_callbacks(execute=True):
        response = official_client.post(
            url,
            {
                "password1": "Ne3w-secret-pass",
                "password2": "Ne3w-secret-pass",
                "usable_password": "true",
            },
        )
    assert response.status_code == 302
    village_clerk.refresh_from_db()
    assert check_password("Ne3w-secret-pass", village_clerk.password)
    record = AccessRecord.objects.get()
    assert (record.kind, record.actor) == ("password", official)
    assert village_clerk.masked_phone in record.subject
    sms = Notification.objects.get(recipient=village_clerk.phone)
    assert sms.idempotency_key == f"password-set:{record.pk}"
    assert "密码" in sms.body


def test_a_refused_password_is_not_recorded(official_client, village_clerk):
    url = reverse("admin:auth_user_password_change", args=[village_clerk.pk])
    response = official_client.post(url, {"password1": "a", "password2": "b"})
    assert response.status_code == 200
    assert not AccessRecord.objects.exists()


def test_changing_a_role_is_recorded_and_the_person_told(
    official_client, official, village_clerk, django_capture_on_commit_callbacks
):
    url = reverse("admin:villages_user_change", args=[village_clerk.pk])
    with django_capture_on_commit_callbacks(execute=True):
        response = official_client.post(
            url,
            {
                "phone": village_clerk.phone,
                "name": village_clerk.name,
                "role": Role.TOWN_CLERK,
                "village": "",
                "is_active": "on",
            },
        )
    assert response.status_code == 302, response.context["adminform"].form.errors
    village_clerk.refresh_from_db()
    assert village_clerk.role == Role.TOWN_CLERK
    record = AccessRecord.objects.get()
    assert (record.kind, record.actor) == ("role", official)
    assert "村代办员" in record.subject
    assert "→" in record.detail
    sms = Notification.objects.get(recipient=village_clerk.phone)
    assert sms.idempotency_key == f"role-change:{record.pk}"


def test_saving_a_user_without_changing_the_role_records_nothing(
    official_client, village_clerk, village
):
    url = reverse("admin:villages_user_change", args=[village_clerk.pk])
    response = official_client.post(
        url,
        {
            "phone": village_clerk.phone,
            "name": "新名字",
            "role": Role.VILLAGE_CLERK,
            "village": village.pk,
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    assert not AccessRecord.objects.exists()


def test_the_indexed_due_filters_agree_with_the_flag(
    requests_at_every_distance,  # noqa: F811 (the fixture, imported above)
):
    from services import time_limits
    from services.selectors import service_requests_with_due_flag

    rows = service_requests_with_due_flag(
        ServiceRequest.objects.filter(pk__in=requests_at_every_distance),
        today=DUE_TODAY,
        calendar=DUE_CALENDAR,
    )
    for state in ("overdue", "due_soon", "unknown"):
        by_q = rows.filter(
            time_limits.flag_q(state, today=DUE_TODAY, calendar=DUE_CALENDAR)
        )
        by_flag = rows.filter(due_flag=state)
        assert set(by_q) == set(by_flag) and by_flag.exists(), state


@pytest.mark.parametrize("term", ["\x00", "王" * 500, "   "])
def test_an_odd_search_term_is_never_a_500(official_client, term):
    response = official_client.post(SEARCH, {"q": term})
    assert response.status_code in (302, 400)
    if response.status_code == 302:
        assert official_client.get(response["Location"]).status_code == 200
    assert official_client.get(SEARCH).status_code == 302  # GET: back to the list


# --- only a superuser makes, unmakes or changes another official -----------------------


@pytest.fixture
def other_official(db):
    return UserFactory(role=Role.OFFICIAL, is_staff=True)


def test_an_official_cannot_change_another_official(official_client, other_official):
    url = reverse("admin:villages_user_change", args=[other_official.pk])
    page = official_client.get(url)
    assert page.status_code == 200
    assert not page.context["has_change_permission"]  # shown, not editable
    response = official_client.post(
        url,
        {
            "phone": other_official.phone,
            "name": other_official.name,
            "role": Role.RESIDENT,
            "village": "",
            "is_active": "",
        },
    )
    assert response.status_code == 403
    other_official.refresh_from_db()
    assert other_official.role == Role.OFFICIAL and other_official.is_active
    assert not AccessRecord.objects.exists()


def test_an_official_cannot_set_another_official_s_password(
    official_client, other_official
):
    url = reverse("admin:auth_user_password_change", args=[other_official.pk])
    response = official_client.post(
        url,
        {
            "password1": "Ne3w-secret-pass",
            "password2": "Ne3w-secret-pass",
            "usable_password": "true",
        },
    )
    assert response.status_code == 403
    other_official.refresh_from_db()
    assert not check_password("Ne3w-secret-pass", other_official.password)


def test_an_official_cannot_make_an_official(official_client, village_clerk):
    url = reverse("admin:villages_user_change", args=[village_clerk.pk])
    choices = official_client.get(url).context["adminform"].form.fields["role"].choices
    assert Role.OFFICIAL not in [value for value, _label in choices]
    response = official_client.post(
        url,
        {
            "phone": village_clerk.phone,
            "name": village_clerk.name,
            "role": Role.OFFICIAL,
            "village": "",
            "is_active": "on",
        },
    )
    assert response.status_code == 200
    assert "role" in response.context["adminform"].form.errors
    village_clerk.refresh_from_db()
    assert village_clerk.role == Role.VILLAGE_CLERK


def test_a_superuser_makes_and_unmakes_officials(client, village_clerk, other_official):
    superuser = UserFactory(role=Role.OFFICIAL, is_superuser=True, is_staff=True)
    client.force_login(superuser)
    url = reverse("admin:villages_user_change", args=[village_clerk.pk])
    response = client.post(
        url,
        {
            "phone": village_clerk.phone,
            "name": village_clerk.name,
            "role": Role.OFFICIAL,
            "village": "",
            "is_active": "on",
            # a superuser's form has the dates too
            "date_joined_0": "2026-01-05",
            "date_joined_1": "08:00:00",
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    village_clerk.refresh_from_db()
    assert village_clerk.role == Role.OFFICIAL
    url = reverse("admin:villages_user_change", args=[other_official.pk])
    response = client.post(
        url,
        {
            "phone": other_official.phone,
            "name": other_official.name,
            "role": Role.TOWN_CLERK,
            "village": "",
            "is_active": "on",
            # a superuser's form has the dates too
            "date_joined_0": "2026-01-05",
            "date_joined_1": "08:00:00",
        },
    )
    assert response.status_code == 302
    other_official.refresh_from_db()
    assert other_official.role == Role.TOWN_CLERK


def test_an_official_still_edits_their_own_name(official_client, official):
    url = reverse("admin:villages_user_change", args=[official.pk])
    response = official_client.post(url, {"phone": official.phone, "name": "新的名字"})
    assert response.status_code == 302, response.context["adminform"].form.errors
    official.refresh_from_db()
    assert (official.name, official.role) == ("新的名字", Role.OFFICIAL)


@pytest.mark.parametrize("role", ["official", "village_clerk", "town_clerk"])
def test_a_request_s_admin_page_masks_mobile_and_id_number_and_records_nothing(
    client, request, role, submit
):
    """The admin is no way around the workbench's recorded reveal."""
    case = submit("agency", applicant_phone="13912345678")
    client.force_login(request.getfixturevalue(role))
    page = client.get(reverse("admin:services_servicerequest_change", args=[case.pk]))
    assert page.status_code == 200
    text = page.content.decode()
    assert "13912345678" not in text and "11010519491231002X" not in text
    assert "139****5678" in text and "110***********002X" in text
    assert reverse("staff:case", args=[case.tracking_number]) in text
    assert not AccessRecord.objects.exists()
