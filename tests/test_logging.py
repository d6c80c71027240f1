"""Logs: one JSON object a line with the request id and the user id, and never an ID
number, a mobile number or an uploaded file's content.

The log handler here is built from the settings' own LOGGING (its JSON formatter and
the console handler's filters), at DEBUG for the portal's loggers and django.request.
"""

import io
import json
import logging
import os
import re
import subprocess
import sys

import pytest
from django.test import Client
from django.urls import reverse
from django.utils.module_loading import import_string

from huagang import log_context
from huagang.log_filters import mask_personal_numbers
from huagang.settings import base
from services.models import ServiceItem, ServiceRequest
from tests.files import image_bytes, pdf_bytes
from tests.services.test_apply import (  # the resident's form, as a browser fills it
    ELDER_CARD,
    apply_page,  # noqa: F401 - a fixture, used by name
    material_field,
)
from tests.services.test_staff_cases import post_step
from tests.test_settings import GOOD

ID_NUMBER = "11010519491231002X"  # GB 11643's own example
PHONE = "13955550123"
LOGGERS = ("huagang", "services", "villages", "django.request", "celery")


def settings_handler(stream: io.StringIO) -> logging.Handler:
    """The console handler as production configures it, writing to `stream`."""
    config = base.LOGGING
    console = config["handlers"]["console"]
    handler = logging.StreamHandler(stream)
    handler.setFormatter(import_string(config["formatters"]["json"]["()"])())
    for name in console["filters"]:
        handler.addFilter(import_string(config["filters"][name]["()"])())
    return handler


@pytest.fixture
def json_log():
    """Every line the portal logs while the test runs, as production writes it."""
    stream = io.StringIO()
    handler = settings_handler(stream)
    loggers = [logging.getLogger(name) for name in LOGGERS]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.setLevel(logging.DEBUG)
        logger.addHandler(handler)
    try:
        yield stream
    finally:
        for logger, level in zip(loggers, levels, strict=True):
            logger.removeHandler(handler)
            logger.setLevel(level)


def lines_of(stream: io.StringIO) -> list[str]:
    return stream.getvalue().splitlines()


# --- the life of a request ----------------------------------------------------------


@pytest.mark.django_db(transaction=True)  # on-commit work runs inside each request
def test_a_requests_whole_life_logs_json_lines_without_personal_data(
    json_log,
    client,
    apply_page,  # noqa: F811 - the fixture imported above
    village_clerk,
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    item = ServiceItem.objects.prefetch_related("materials").get(name=ELDER_CARD)
    scan, photo = pdf_bytes(unique=True), image_bytes("JPEG")
    marker = re.search(rb"/Title \(([0-9a-f]{16})\)", scan).group(1).decode()
    files = {
        material_field(item, "身份证或户口簿"): SimpleUploadedFile("身份证.pdf", scan),
        material_field(item, "一寸照片"): SimpleUploadedFile("照片.jpg", photo),
    }
    resident, clerk = client, Client()
    clerk.force_login(village_clerk)
    # the resident fills in the real form (tests/services/test_apply.py)
    resident.defaults["HTTP_X_REQUEST_ID"] = "resident-apply-0001"
    response, _form = apply_page(
        item,
        applicant_id_number=ID_NUMBER,
        applicant_phone="139 5555 0123",
        mode="instant",
        description=f"优待证损坏，申请换发，电话{PHONE}，身份证{ID_NUMBER}",
        **files,
    )
    del resident.defaults["HTTP_X_REQUEST_ID"]
    assert (
        response.status_code == 302
        and response["X-Request-ID"] == "resident-apply-0001"
    )
    case = ServiceRequest.objects.get()
    assert case.applicant_id_number == ID_NUMBER and case.attachments.count() == 2
    for step, fields in (("accept", {}), ("complete", {"result": "证明已开具"})):
        case.refresh_from_db()
        assert post_step(clerk, case, step, **fields).status_code == 302
    # the staff's case page with the ID number revealed, as a clerk would look
    assert clerk.post(
        reverse("staff:reveal", args=[case.tracking_number]), {"what": "id"}
    ).status_code in (200, 302)
    tracked = resident.post(
        "/track/", {"number": case.tracking_number, "phone_last4": PHONE[-4:]}
    )
    assert tracked.status_code == 302
    assert resident.get(tracked["Location"]).status_code == 200
    assert resident.get("/no-such-page/").status_code == 404  # django.request's line

    lines = lines_of(json_log)
    entries = [json.loads(line) for line in lines]  # each line is one JSON object
    assert [e for e in entries if not e["request_id"]] == []
    for text in (ID_NUMBER, ID_NUMBER.lower(), PHONE, "139 5555 0123", marker, "%PDF"):
        assert not [line for line in lines if text in line], text
    assert not [line for line in lines if "\\u0000" in line or "JFIF" in line]
    by_logger = {entry["logger"] for entry in entries}
    assert {"huagang.requests", "huagang.notifications", "django.request"} <= by_logger
    steps = [e for e in entries if e["logger"] == "huagang.requests"]
    assert {e["user_id"] for e in steps} == {village_clerk.pk}
    submitted = [e for e in entries if e["request_id"] == "resident-apply-0001"]
    assert submitted and {e["user_id"] for e in submitted} == {None}
    sent = [e for e in entries if e["logger"] == "huagang.notifications"]
    # each notification was sent by a task (run eagerly) inside a request
    assert sent and all(e["task_id"] and e["request_id"] for e in sent)
    missing = next(e for e in entries if e["logger"] == "django.request")
    assert missing["status_code"] == 404 and missing["level"] == "WARNING"


def test_a_systems_api_key_is_logged_as_its_accounts_id(
    json_log, submit, village_clerk, official, commit
):
    """The API authenticates in the view (DRF), after the middleware: its lines
    still name the key's account."""
    from villages.actions import api_token_create

    case = submit("agency", account=None)
    _token, key = api_token_create(name="12345热线", account=village_clerk, by=official)
    with commit():
        response = Client().post(
            f"/api/v1/requests/{case.tracking_number}/accept/",
            {"version": case.version},
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Token {key}",
        )
    assert response.status_code == 200, response.content
    (step,) = [
        json.loads(line)
        for line in lines_of(json_log)
        if '"logger": "huagang.requests"' in line
    ]
    assert step["user_id"] == village_clerk.pk and step["request_id"]
    assert response["X-Request-ID"] == step["request_id"]
    assert key not in json_log.getvalue()


# --- the pieces -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        (f"id {ID_NUMBER}", "id [ID number]"),
        ("id 110105194912310021.", "id [ID number]."),
        (f"电话{PHONE}，", "电话[mobile]，"),
        ("+86 139 5555 0123", "[mobile]"),
        ("8613955550123", "[mobile]"),
        ("139-5555-0123", "[mobile]"),
        # not personal numbers: a tracking number, a longer run, a landline, an id
        ("HG260310000123", "HG260310000123"),
        ("1395555012345", "1395555012345"),
        ("0551-68890000", "0551-68890000"),
        ("notification 1234 sent", "notification 1234 sent"),
    ],
)
def test_personal_numbers_are_masked(text, masked):
    assert mask_personal_numbers(text) == masked


def test_arguments_and_tracebacks_are_masked_too():
    stream = io.StringIO()
    logger = logging.getLogger("huagang.test_logging")
    handler = settings_handler(stream)
    logger.addHandler(handler)
    try:
        logger.warning("lookup by %s for %r", PHONE, {"id": ID_NUMBER})
        try:
            raise ValueError(f"duplicate key (applicant_id_number)=({ID_NUMBER})")
        except ValueError:
            logger.exception("could not save")
        logger.warning("one argument too few: %s %s", PHONE)  # a bug, not a crash
    finally:
        logger.removeHandler(handler)
    first, second, third = (json.loads(line) for line in lines_of(stream))
    assert third["message"] == "one argument too few: %s %s ('[mobile]',)"
    assert first["message"] == "lookup by [mobile] for {'id': '[ID number]'}"
    assert "(applicant_id_number)=([ID number])" in second["exception"]
    assert ID_NUMBER not in stream.getvalue() and PHONE not in stream.getvalue()
    assert first["request_id"] is None and first["user_id"] is None


@pytest.mark.parametrize(
    ("sent", "kept"),
    [
        ("3f2a9c1e-4b5d-4e6f-8a7b-9c0d1e2f3a4b", True),
        ("nginx-0123abcd", True),
        ("short", False),  # under 8 characters
        ("x" * 65, False),
        ("has space 123456", False),
        ("line\nbreak12345", False),
        ('quote"12345678', False),
        (f"req-{PHONE}", False),  # a mobile number is not an id
        (f"req-{ID_NUMBER}", False),
        ("", False),
    ],
)
def test_an_incoming_request_id_is_kept_only_if_it_is_a_safe_short_token(
    client, db, sent, kept
):
    response = client.get("/", HTTP_X_REQUEST_ID=sent)
    returned = response["X-Request-ID"]
    if kept:
        assert returned == sent
    else:
        assert returned != sent and re.fullmatch(r"[0-9a-f]{32}", returned)


def test_each_request_gets_its_own_id(client, db):
    first, second = client.get("/"), client.get("/")
    assert first["X-Request-ID"] != second["X-Request-ID"]


def test_a_task_carries_the_request_id_in_its_headers_and_logs_with_it():
    """What a worker does with a task queued from a request (the signals' receivers,
    called as Celery calls them)."""

    class Task:
        class request:
            request_id = "from-the-request-01"

    token = log_context.request_id_var.set("from-the-request-01")
    headers: dict = {}
    try:
        log_context.task_published(headers=headers, body=())
    finally:
        log_context.request_id_var.reset(token)
    assert headers == {"request_id": "from-the-request-01"}
    # on the worker, outside any request
    assert log_context.request_id_var.get() is None
    log_context.task_started(task_id="task-1", task=Task)
    assert log_context.task_id_var.get() == "task-1"
    assert log_context.request_id_var.get() == "from-the-request-01"
    log_context.task_finished(task_id="task-1")
    assert log_context.task_id_var.get() is None
    assert log_context.request_id_var.get() is None


def test_text_lines_in_development_name_the_request_and_user():
    formatter = import_string(base.LOGGING["formatters"]["text"]["()"])()
    record = logging.LogRecord("huagang.x", logging.INFO, "", 0, "hello", None, None)
    record.request_id, record.user_id, record.task_id = "abc12345", 7, None
    assert formatter.format(record).endswith(
        "INFO huagang.x hello [request=abc12345 user=7]"
    )


def _log_format(module: str, **env: str) -> subprocess.CompletedProcess:
    probe = (
        "import importlib, sys\n"
        "m = importlib.import_module(sys.argv[1])\n"
        "print(m.LOGGING['handlers']['console']['formatter'])"
    )
    environment = {
        k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE"))
    }
    return subprocess.run(
        [sys.executable, "-c", probe, module],
        env={**environment, **PRODUCTION, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


PRODUCTION = GOOD  # the settings tests' complete production environment


@pytest.mark.parametrize(
    ("module", "env", "expected"),
    [
        ("huagang.settings.production", {}, "json"),
        ("huagang.settings.production", {"DJANGO_LOG_FORMAT": "text"}, "text"),
        ("huagang.settings.base", {}, "text"),
        ("huagang.settings.base", {"DJANGO_LOG_FORMAT": "json"}, "json"),
    ],
)
def test_production_writes_json_and_development_text(module, env, expected):
    result = _log_format(module, **env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == expected


def test_an_unknown_log_format_is_refused_by_name():
    result = _log_format("huagang.settings.base", DJANGO_LOG_FORMAT="xml")
    assert result.returncode != 0
    assert 'DJANGO_LOG_FORMAT must be "text" or "json"' in result.stderr
