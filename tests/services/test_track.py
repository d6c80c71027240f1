"""Tracking a request by number and the last four digits of the phone (/track/).

Every form is posted with the fields the rendered page holds; the resident's proof lives
in their own session only, and nothing else opens their request or their files.
"""

import datetime as dt
import re
from html.parser import HTMLParser
from urllib.parse import quote

import pytest
import time_machine
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from services import actions, progress, selectors, workflow
from services.models import (
    Attachment,
    HandlingMode,
    Notification,
    ServiceRequest,
    Status,
)
from tests.factories import MaterialFactory
from tests.files import image_bytes, pdf_bytes

pytestmark = pytest.mark.django_db

DIGITS = "0123"  # the fixture applicant's phone: 13955550123
TRACK = "/track/"


@pytest.fixture(autouse=True)
def _fresh_counts():
    """Each test starts with no failed lookups counted."""
    cache.clear()
    yield
    cache.clear()


class _Form(HTMLParser):
    """The named fields of the page's forms, as a browser would send them."""

    def __init__(self):
        super().__init__()
        self.forms: list[dict] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.forms.append({"action": attrs.get("action"), "fields": {}})
        elif tag == "input" and self.forms and attrs.get("name"):
            self.forms[-1]["fields"][attrs["name"]] = attrs


def forms_of(response) -> list[dict]:
    parser = _Form()
    parser.feed(response.content.decode())
    return parser.forms


def lookup(client: Client, number: str, digits: str, **extra):
    """Fill in the page's lookup form as a resident does and send it."""
    page = client.get(TRACK)
    form = next(f for f in forms_of(page) if f["action"] == TRACK)
    assert set(form["fields"]) == {"csrfmiddlewaretoken", "number", "phone_last4"}
    return client.post(TRACK, {"number": number, "phone_last4": digits}, **extra)


def result_url(service_request) -> str:
    return reverse("track_result", args=[service_request.tracking_number])


def text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


# --- looking up --------------------------------------------------------------------------


def test_the_right_digits_open_the_progress_page(client, submit):
    request = submit("agency")
    response = lookup(client, request.tracking_number, DIGITS)
    assert response.status_code == 302
    assert response["Location"] == result_url(request)
    assert DIGITS not in response["Location"]
    page = client.get(result_url(request))
    assert page.status_code == 200
    body = text(page)
    assert request.item.name in body
    assert "正在等待工作人员审核受理" in body  # what is happening, in plain words
    assert "13955550123" not in body


def test_the_number_as_typed_on_a_phone_is_found(client, submit):
    """Lower case, spaces, full-width digits: the same request."""
    request = submit("agency")
    typed = " ".join(request.tracking_number.lower())
    response = lookup(client, typed, "０１２３")
    assert response.status_code == 302
    assert response["Location"] == result_url(request)


def _normalised(response, number: str) -> str:
    """The page without what differs by nature: the CSRF token and the number the
    visitor typed, which the form shows back to them."""
    body = response.content.decode().replace(number, "<number>")
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "<csrf>", body)


def test_a_wrong_number_and_wrong_digits_get_the_same_answer(client, submit):
    request = submit("agency")
    wrong_digits = lookup(client, request.tracking_number, "9999")
    wrong_number = lookup(client, "HG260310999999", DIGITS)
    assert wrong_digits.status_code == wrong_number.status_code == 404
    assert _normalised(wrong_digits, request.tracking_number) == _normalised(
        wrong_number, "HG260310999999"
    )
    assert "没有与该办件编号和手机尾号相符的办件" in text(wrong_digits)
    fields = next(f for f in forms_of(wrong_number) if f["action"] == TRACK)["fields"]
    assert "value" not in fields["phone_last4"]  # the digits are never sent back


def test_malformed_digits_are_refused_at_the_field(client, submit):
    request = submit("agency")
    response = lookup(client, request.tracking_number, "12a")
    assert response.status_code == 400
    assert "请输入4位数字" in text(response)


def test_a_receipt_code_prefills_the_number_but_never_the_digits(client):
    page = client.get(TRACK, {"number": "HG260310000123"})
    fields = next(f for f in forms_of(page) if f["action"] == TRACK)["fields"]
    assert fields["number"]["value"] == "HG260310000123"
    assert fields["phone_last4"]["inputmode"] == "numeric"
    assert "value" not in fields["phone_last4"]


# --- nobody else sees it -----------------------------------------------------------------


def test_another_browser_gets_the_lookup_form_as_for_a_number_that_does_not_exist(
    client, submit
):
    request = submit("agency")
    assert lookup(client, request.tracking_number, DIGITS).status_code == 302
    stranger = Client()
    for number in (request.tracking_number, "HG260310999999"):
        response = stranger.get(reverse("track_result", args=[number]))
        assert response.status_code == 302
        assert response["Location"] == f"{TRACK}?number={number}"


def test_a_proof_opens_only_its_own_request(client, submit):
    """The same applicant's other request needs its own lookup."""
    mine = submit("agency")
    other = submit("agency")  # same phone, another matter
    assert lookup(client, mine.tracking_number, DIGITS).status_code == 302
    response = client.get(result_url(other))
    assert response.status_code == 302
    assert response["Location"].startswith(TRACK + "?")


def test_the_proof_lasts_thirty_minutes_and_ends_with_done(client, submit):
    request = submit("agency")
    lookup(client, request.tracking_number, DIGITS)
    with time_machine.travel(dt.timedelta(minutes=29)):
        assert client.get(result_url(request)).status_code == 200
    with time_machine.travel(dt.timedelta(minutes=31)):
        assert client.get(result_url(request)).status_code == 302
    lookup(client, request.tracking_number, DIGITS)
    page = client.get(result_url(request))
    leave = next(f for f in forms_of(page) if f["action"] == reverse("track_leave"))
    client.post(leave["action"], {})
    assert client.get(result_url(request)).status_code == 302


def test_a_lookup_changes_the_session_key(client, submit):
    request = submit("agency")
    client.get(TRACK)
    client.session.save()
    before = client.cookies["sessionid"].value
    lookup(client, request.tracking_number, DIGITS)
    assert client.cookies["sessionid"].value != before


# --- rate limits -------------------------------------------------------------------------


@pytest.fixture
def low_limits(settings):
    settings.HUAGANG_TRACK_FAILURES_PER_CLIENT = "3/h"
    settings.HUAGANG_TRACK_FAILURES_PER_NUMBER = "2/h"


def test_too_many_wrong_tries_from_one_client_are_paused(client, submit, low_limits):
    request = submit("agency")
    for number in ("HG260310999991", "HG260310999992", "HG260310999993"):
        assert lookup(client, number, DIGITS).status_code == 404
    limited = lookup(client, request.tracking_number, DIGITS)  # even the right one
    assert limited.status_code == 429
    minutes = int(re.search(r"请在 ?(\d+) ?分钟后再试", text(limited)).group(1))
    assert 1 <= minutes <= 60
    assert int(limited["Retry-After"]) == minutes * 60
    # another client is not affected
    other = Client(REMOTE_ADDR="10.0.0.9")
    assert lookup(other, request.tracking_number, DIGITS).status_code == 302


def test_too_many_wrong_tries_on_one_number_are_paused_for_everyone(submit, low_limits):
    request = submit("agency")
    for address in ("10.0.0.1", "10.0.0.2"):
        attacker = Client(REMOTE_ADDR=address)
        assert lookup(attacker, request.tracking_number, "9999").status_code == 404
    resident = Client(REMOTE_ADDR="10.0.0.3")
    response = lookup(resident, request.tracking_number, DIGITS)
    assert response.status_code == 429
    assert "分钟后再试" in text(response)
    # once the window has passed, the resident gets in
    with time_machine.travel(dt.timedelta(hours=1, minutes=1)):
        assert lookup(resident, request.tracking_number, DIGITS).status_code == 302


def test_successful_lookups_are_not_counted(client, submit, low_limits):
    request = submit("agency")
    for _attempt in range(5):
        assert lookup(client, request.tracking_number, DIGITS).status_code == 302


# --- supplements -------------------------------------------------------------------------


@pytest.fixture
def awaiting_supplement(submit, village_clerk, commit):
    """An agency case whose village clerk asked for a household register page."""
    request = submit("agency")
    MaterialFactory(item=request.item, name="户口簿本人页", order=90)
    with commit():
        actions.service_request_accept(service_request=request, by=village_clerk)
        actions.service_request_ask_supplement(
            service_request=request, by=village_clerk, what="请补交户口簿本人页的照片。"
        )
    request.refresh_from_db()
    return request


def upload_form(page) -> dict:
    return next(f for f in forms_of(page) if "other" in f["fields"])


def test_the_asked_supplement_is_shown_and_uploaded_right_there(
    client, awaiting_supplement, commit
):
    request = awaiting_supplement
    lookup(client, request.tracking_number, DIGITS)
    page = client.get(result_url(request))
    body = text(page)
    assert "请补交户口簿本人页的照片。" in body  # what was asked
    form = upload_form(page)
    assert form["action"] == result_url(request)
    register = request.item.materials.get(name="户口簿本人页")
    field = f"material_{register.pk}"
    assert form["fields"][field]["type"] == "file"
    with commit():
        response = client.post(
            form["action"],
            {field: SimpleUploadedFile("hukou.jpg", image_bytes("JPEG"))},
        )
    assert response.status_code == 302
    stored = Attachment.objects.get(request=request)
    assert (stored.material, stored.content_type) == (register, "image/jpeg")
    request.refresh_from_db()
    assert request.status == Status.SUPPLEMENT  # the clerk resumes, not the upload
    page = client.get(result_url(request))
    body = text(page)
    assert "已收到您的材料" in body
    assert "上传了 1 个文件：户口簿本人页" in body  # on the timeline
    assert "hukou.jpg" in body  # among the documents on file


def test_a_file_that_is_no_document_is_refused_at_its_field(
    client, awaiting_supplement
):
    request = awaiting_supplement
    lookup(client, request.tracking_number, DIGITS)
    form = upload_form(client.get(result_url(request)))
    response = client.post(
        form["action"],
        {
            "other": SimpleUploadedFile("scan.pdf", b"<html>not a pdf</html>"),
            next(k for k in form["fields"] if k.startswith("material_")): (
                SimpleUploadedFile("ok.pdf", pdf_bytes())
            ),
        },
    )
    assert response.status_code == 400
    assert "“scan.pdf”不是 PDF 或图片" in text(response)
    # next to its own field, not the good one's
    assert re.search(
        r'<div class="field has-error"> <label for="id_other">', text(response)
    )
    assert text(response).count("has-error") == 1
    assert not Attachment.objects.filter(request=request).exists()  # none of them


def test_an_empty_upload_asks_for_a_file(client, awaiting_supplement):
    request = awaiting_supplement
    lookup(client, request.tracking_number, DIGITS)
    form = upload_form(client.get(result_url(request)))
    response = client.post(form["action"], {})
    assert response.status_code == 400
    assert "请至少选择一个文件" in text(response)


def test_no_upload_is_offered_or_taken_unless_a_supplement_is_asked(client, submit):
    request = submit("agency")
    lookup(client, request.tracking_number, DIGITS)
    page = client.get(result_url(request))
    assert not [f for f in forms_of(page) if "other" in f["fields"]]
    response = client.post(
        result_url(request), {"other": SimpleUploadedFile("a.pdf", pdf_bytes())}
    )
    assert response.status_code == 409
    assert not Attachment.objects.filter(request=request).exists()


def test_another_browser_cannot_upload(awaiting_supplement):
    stranger = Client()
    response = stranger.post(
        result_url(awaiting_supplement),
        {"other": SimpleUploadedFile("a.pdf", pdf_bytes())},
    )
    assert response.status_code == 302
    assert not Attachment.objects.filter(request=awaiting_supplement).exists()


@pytest.mark.django_db(transaction=True)  # the file is written once the upload commits
def test_only_the_proving_session_opens_the_uploaded_file(
    client, awaiting_supplement, submit
):
    request = awaiting_supplement
    lookup(client, request.tracking_number, DIGITS)
    form = upload_form(client.get(result_url(request)))
    content = pdf_bytes(unique=True)
    client.post(form["action"], {"other": SimpleUploadedFile("a.pdf", content)})
    url = reverse("services:attachment", args=[Attachment.objects.get().pk])
    page = client.get(result_url(request))
    assert url in page.content.decode()
    response = client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == content
    assert Client().get(url).status_code == 404  # another browser
    # the same browser, once it proves another request, no longer opens this one
    other = submit("agency")
    lookup(client, other.tracking_number, DIGITS)
    assert client.get(url).status_code == 404


# --- the page's cost ---------------------------------------------------------------------


def _queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_the_page_costs_the_same_queries_however_long_the_story(
    client, submit, full_case, awaiting_supplement, village_clerk, resident, commit
):
    fresh = submit("agency")
    long = full_case["case"]  # carried on a trip and back, completed, rated
    answered = submit("agency")  # the resident sent what was asked, twice
    with commit():
        for _n in range(3):
            actions.attachment_add(
                service_request=awaiting_supplement,
                upload=SimpleUploadedFile("a.pdf", pdf_bytes(unique=True)),
                by=village_clerk,
            )
        actions.service_request_accept(service_request=answered, by=village_clerk)
        actions.service_request_ask_supplement(
            service_request=answered, by=village_clerk, what="缺少签字"
        )
        for _n in range(2):
            actions.attachments_add(
                service_request=answered,
                uploads={"other": (None, SimpleUploadedFile("a.pdf", pdf_bytes()))},
                by=resident,
            )
    counts = {}
    for name, request in {
        "fresh": fresh,
        "long": long,
        "supplement": awaiting_supplement,
        "answered": answered,
    }.items():
        visitor = Client()
        lookup(visitor, request.tracking_number, DIGITS)
        counts[name] = _queries(visitor, result_url(request))
    assert long.events.count() >= 8 and long.agency_trips.exists()
    assert awaiting_supplement.attachments.count() == 3
    assert progress.supplement_sent(list(answered.events.filter(is_public=True)))
    assert len(set(counts.values())) == 1, counts
    assert counts["fresh"] <= 10


# --- the words ---------------------------------------------------------------------------


def _where(service_request) -> str:
    """Where the documents are, as the resident's page reads the request afresh."""
    fresh = selectors.service_request_for_applicant(
        tracking_number=service_request.tracking_number
    )
    found = progress.describe(fresh, [])
    return found.place.value if found.place else ""


def test_the_documents_travel_village_town_and_back(
    submit, village, village_clerk, town_clerk, commit
):
    case = submit("agency")
    assert _where(case) == "applied"  # online: nothing handed in yet
    with commit():
        actions.service_request_accept(service_request=case, by=village_clerk)
    assert _where(case) == "village"
    with commit():
        trip = actions.agency_trip_plan(village=village, by=village_clerk)
        actions.agency_trip_add(trip=trip, service_requests=[case], by=village_clerk)
    assert trip.trip_date == dt.date(2026, 3, 10)  # today: on its way
    assert _where(case) == "on_the_way"
    with commit():
        actions.agency_trip_hand_over(
            trip=trip, by=village_clerk, received_by=town_clerk, documents=2
        )
    assert _where(case) == "town"
    with commit():
        actions.service_request_ask_supplement(
            service_request=case, by=town_clerk, what="缺少签字"
        )
    assert _where(case) == "town"  # the town holds them while it waits
    with commit():
        actions.service_request_resume(service_request=case, by=village_clerk)
    assert _where(case) == "town"
    case.refresh_from_db()
    assert case.status == Status.ACCEPTED
    found = progress.describe(
        selectors.service_request_for_applicant(tracking_number=case.tracking_number),
        [],
    )
    assert "镇为民服务中心" in found.now  # not "will take them on the next trip"
    assert "下一次代办" not in found.now


def test_a_case_back_in_the_village_says_where_to_collect_it(full_case):
    case = full_case["case"]
    found = progress.describe(
        selectors.service_request_for_applicant(tracking_number=case.tracking_number),
        [],
    )
    assert found.place is None  # completed: no longer travelling
    assert found.result == "已审核通过"
    assert found.due.startswith("已于")


@pytest.mark.parametrize("kind", ["instant", "home"])
def test_other_modes_show_no_journey(submit, kind):
    case = submit(kind)
    assert _where(case) == ""


def test_without_the_cache_lookups_are_paused_not_broken(client, submit, monkeypatch):
    """A cache that cannot count (Redis down) pauses lookups: never a 500, never
    unlimited guessing."""
    request = submit("agency")

    def down(*args, **kwargs):
        raise ConnectionError("redis is down")

    for operation in ("add", "get", "get_many", "incr"):
        monkeypatch.setattr(cache, operation, down)
    response = lookup(client, request.tracking_number, DIGITS)
    assert response.status_code == 429
    assert "请在 1 分钟后再试" in text(response)


def test_a_booked_home_visit_says_when_to_be_at_home(client, full_case):
    home = full_case["home"]
    lookup(client, home.tracking_number, DIGITS)
    body = text(client.get(result_url(home)))
    assert "已预约上门" in body
    assert "上门时间：2026年3月11日" in body
    assert "请在约定时间在家" in body
    assert "材料在哪里" not in body  # no journey to the town for a home visit


def test_the_limits_are_counted_in_redis_as_in_production(settings, submit):
    """Django's own RedisCache (what DJANGO_CACHE_URL=redis://… gives) counts
    atomically for django-ratelimit: the limit holds across clients."""
    import os
    import uuid

    redis = pytest.importorskip("redis")
    url = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/15")
    server = redis.Redis.from_url(url, socket_connect_timeout=1)
    try:
        server.ping()
    except redis.RedisError:
        pytest.skip(f"needs Redis at {url} (bash .ci/run starts one)")
    prefix = f"track-test-{uuid.uuid4().hex}"
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": url,
            "KEY_PREFIX": prefix,
        }
    }
    settings.HUAGANG_TRACK_FAILURES_PER_NUMBER = "2/h"
    try:
        request = submit("agency")
        for address in ("10.0.1.1", "10.0.1.2"):
            guesser = Client(REMOTE_ADDR=address)
            assert lookup(guesser, request.tracking_number, "9999").status_code == 404
        resident = Client(REMOTE_ADDR="10.0.1.3")
        assert lookup(resident, request.tracking_number, DIGITS).status_code == 429
    finally:
        for key in server.scan_iter(f"{prefix}:*"):
            server.delete(key)


# --- the words tell the truth ------------------------------------------------------------


def _here(response) -> str:
    """The step of the documents' journey the page marks as the current one."""
    found = re.findall(
        r'<li class="journey-here" aria-current="step">([^<]*)<',
        response.content.decode(),
    )
    assert len(found) <= 1
    return found[0].strip() if found else ""


def test_an_online_application_not_yet_accepted_has_nothing_handed_in(client, submit):
    request = submit("agency")  # online, 待受理
    lookup(client, request.tracking_number, DIGITS)
    page = client.get(result_url(request))
    body = text(page)
    assert _here(page) == "申请已提交"
    assert "您的申请已在网上提交" in body
    assert "纸质材料尚未递交" in body
    assert "请备好纸质材料" in body  # what to do: as the clerk says
    assert "材料在村" not in body


def test_an_application_made_at_the_window_has_its_documents_at_the_village(
    client, submit, village_clerk
):
    request = submit("agency", channel="window", account=None, entered_by=village_clerk)
    lookup(client, request.tracking_number, DIGITS)
    page = client.get(result_url(request))
    assert _here(page) == "在村(社区)为民服务分中心"
    assert "材料在村(社区)为民服务分中心" in text(page)


@pytest.mark.parametrize("channel", ["online", "phone", "window", "clerk"])
@pytest.mark.parametrize("mode", ["instant", "agency", "home"])
def test_every_status_of_every_mode_says_where_the_documents_truly_are(
    submit, village_clerk, mode, channel
):
    """Each status a mode can reach (set directly: only the words are under test)."""
    handed_in = channel in {"window", "clerk"}
    case = submit(
        mode,
        **{}
        if channel == "online"
        else {"channel": channel, "account": None, "entered_by": village_clerk},
    )
    statuses = {s for pair in workflow.TRANSITIONS[HandlingMode(mode)] for s in pair}
    for status in sorted(statuses):
        ServiceRequest.objects.filter(pk=case.pk).update(
            status=status, completed_at=timezone.now()
        )
        fresh = selectors.service_request_for_applicant(
            tracking_number=case.tracking_number
        )
        found = progress.describe(fresh, [])
        words = [found.now, found.to_do, found.place_words] + [
            str(place.label) for place, _state in found.journey
        ]
        assert found.now and found.to_do, status
        assert not any("便民服务站" in word for word in words), status
        if mode != "agency" or status in workflow.TERMINAL:
            assert found.place is None and found.journey == [], status
        elif status == Status.SUBMITTED and not handed_in:
            assert found.place == progress.Place.APPLIED
            assert found.journey[0] == (progress.Place.APPLIED, "here")
            assert "尚未递交" in found.place_words
        else:
            expected = {
                Status.SENT_TO_TOWN: progress.Place.TOWN,
                Status.RETURNED_TO_VILLAGE: progress.Place.BACK,
            }.get(status, progress.Place.VILLAGE)
            assert found.place == expected, status
            assert found.journey[0] == (progress.Place.APPLIED, "done")
        if status == Status.SUBMITTED and not handed_in:
            assert "请备好纸质材料" in found.to_do, status
            assert ("网上" in found.now) == (channel == "online"), status
        else:
            assert "请备好纸质材料" not in found.to_do, status


def test_the_pages_call_the_village_centre_by_the_portals_name(
    client, submit, low_limits
):
    request = submit("agency")
    not_found = lookup(client, request.tracking_number, "9999")
    assert not_found.status_code == 404
    for number in ("HG260310999991", "HG260310999992"):
        lookup(client, number, DIGITS)
    limited = lookup(client, request.tracking_number, DIGITS)
    assert limited.status_code == 429
    for page in (not_found, limited):
        assert "村(社区)为民服务分中心" in text(page)
        assert "便民服务站" not in text(page)


def test_the_tracking_page_is_your_request_not_my_requests(client, submit):
    request = submit("agency")
    lookup(client, request.tracking_number, DIGITS)
    page = client.get(result_url(request))
    heading = re.search(r"<h1>([^<]*)</h1>", page.content.decode()).group(1)
    assert heading == "您的办件"
    leave = next(f for f in forms_of(page) if f["action"] == reverse("track_leave"))
    assert leave  # its button does not call the page 我的办件 either
    assert "我的办件" not in re.sub(r"<nav.*?</nav>", "", text(page))


# --- after the resident sent the supplement ----------------------------------------------


def _send(client, request, commit, **files) -> None:
    form = upload_form(client.get(result_url(request)))
    with commit():
        response = client.post(form["action"], files)
    assert response.status_code == 302


def test_once_the_files_are_sent_the_page_says_they_were_received(
    client, awaiting_supplement, village_clerk, commit
):
    request = awaiting_supplement
    lookup(client, request.tracking_number, DIGITS)
    before = text(client.get(result_url(request)))
    assert "请在下方上传所需材料" in before
    _send(client, request, commit, other=SimpleUploadedFile("a.pdf", pdf_bytes()))
    page = client.get(result_url(request))
    body = text(page)
    todo = re.search(r'<section class="progress-todo".*?</section>', body).group(0)
    assert "已收到您于2026年3月10日上传的材料" in todo
    assert "工作人员核对后将继续办理" in todo
    assert "请在下方上传所需材料" not in todo
    # more files may still be added, under that heading, folded away
    assert re.search(
        r'<details class="more-files"> <summary>补充上传文件</summary>', body
    )
    assert upload_form(page)["action"] == result_url(request)
    # a second request for a supplement asks again
    with commit():
        actions.service_request_resume(service_request=request, by=village_clerk)
        actions.service_request_ask_supplement(
            service_request=request, by=village_clerk, what="还缺签字页。"
        )
    body = text(client.get(result_url(request)))
    assert "请在下方上传所需材料" in body
    assert "more-files" not in body


def test_a_staff_upload_does_not_count_as_the_residents(
    client, awaiting_supplement, village_clerk, commit
):
    with commit():
        actions.attachment_add(
            service_request=awaiting_supplement,
            upload=SimpleUploadedFile("a.pdf", pdf_bytes()),
            by=village_clerk,
        )
    lookup(client, awaiting_supplement.tracking_number, DIGITS)
    body = text(client.get(result_url(awaiting_supplement)))
    assert "请在下方上传所需材料" in body
    assert "more-files" not in body


def test_a_refused_extra_file_shows_its_error_with_the_form_open(
    client, awaiting_supplement, commit
):
    request = awaiting_supplement
    lookup(client, request.tracking_number, DIGITS)
    _send(client, request, commit, other=SimpleUploadedFile("a.pdf", pdf_bytes()))
    form = upload_form(client.get(result_url(request)))
    response = client.post(
        form["action"], {"other": SimpleUploadedFile("b.pdf", b"<html>no</html>")}
    )
    assert response.status_code == 400
    assert '<details class="more-files" open>' in response.content.decode()
    assert "“b.pdf”不是 PDF 或图片" in text(response)


def test_the_resident_is_not_texted_about_their_own_upload(
    client, awaiting_supplement, village_clerk, commit
):
    request = awaiting_supplement
    texts = Notification.objects.filter(recipient=request.applicant_phone)
    before = texts.count()
    assert before  # they were told of the acceptance and the supplement asked
    lookup(client, request.tracking_number, DIGITS)
    _send(client, request, commit, other=SimpleUploadedFile("a.pdf", pdf_bytes()))
    assert Attachment.objects.filter(request=request).count() == 1
    assert texts.count() == before
    assert not texts.filter(body__contains="上传").exists()
    # the clerk's next step is still sent
    with commit():
        actions.service_request_resume(service_request=request, by=village_clerk)
    assert texts.count() == before + 1


@pytest.mark.django_db(transaction=True)  # the file is written once the upload commits
def test_a_download_bears_the_name_the_resident_gave_it(client, awaiting_supplement):
    request = awaiting_supplement
    lookup(client, request.tracking_number, DIGITS)
    form = upload_form(client.get(result_url(request)))
    content = pdf_bytes(unique=True)
    client.post(
        form["action"], {"other": SimpleUploadedFile("申请书（签字）.pdf", content)}
    )
    stored = Attachment.objects.get(request=request)
    response = client.get(reverse("services:attachment", args=[stored.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == content
    assert response["Content-Disposition"] == (
        "attachment; filename*=utf-8''" + quote("申请书（签字）.pdf")
    )
    assert stored.sha256 not in response["Content-Disposition"]


@pytest.mark.parametrize(
    ("uploaded_as", "stored_as", "downloaded_as"),
    [
        ("letter.pdf", "ab12.pdf", "letter.pdf"),
        ("申请书.PDF", "ab12.pdf", "申请书.PDF"),
        ("照片.jpeg", "ab12.jpg", "照片.jpeg"),
        ("photo.png", "ab12.jpg", "photo.png.jpg"),  # the content decides
        ("scan", "ab12.png", "scan.png"),
        ("../../etc/passwd", "ab12.pdf", "passwd.pdf"),
        ("C:\\Users\\张\\身份证.pdf", "ab12.pdf", "身份证.pdf"),
        ('my "best" scan.pdf', "ab12.pdf", "my _best_ scan.pdf"),
        ("a\r\nSet-Cookie: x=1.pdf", "ab12.pdf", "aSet-Cookie_ x=1.pdf"),
        ("invoice\u202efdp.exe", "ab12.pdf", "invoicefdp.exe.pdf"),
        ("户口簿\u3000本人页.png", "ab12.png", "户口簿 本人页.png"),
        ("..", "ab12.pdf", "HG260310000001-7.pdf"),
    ],
)
def test_a_download_name_is_the_residents_made_safe(
    uploaded_as, stored_as, downloaded_as
):
    attachment = Attachment(
        pk=7,
        request=ServiceRequest(tracking_number="HG260310000001"),
        original_name=uploaded_as,
    )
    attachment.file.name = f"requests/2026/03/{stored_as}"
    assert attachment.download_name == downloaded_as
