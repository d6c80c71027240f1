"""Request bodies are bounded before anything reads them (huagang/guard.py), and the
temporary files of uploads are gone when the request ends."""

import json
from pathlib import Path

import pytest
from django.core.files import uploadhandler
from django.core.files.uploadedfile import SimpleUploadedFile, TemporaryUploadedFile
from django.test import override_settings
from django.urls import reverse

from services.models import ServiceItem
from tests.files import image_bytes, pdf_bytes

ELDER_CARD = "老年优待证换发"
MB = 1024 * 1024


@pytest.fixture
def spooled(monkeypatch, tmp_path, settings) -> list[Path]:
    """Every temporary file an upload handler makes (in `tmp_path`)."""
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path)
    made: list[Path] = []

    class Recorded(TemporaryUploadedFile):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            made.append(Path(self.temporary_file_path()))

    monkeypatch.setattr(uploadhandler, "TemporaryUploadedFile", Recorded)
    return made


@pytest.fixture
def apply_url(db) -> str:
    item = ServiceItem.objects.get(name=ELDER_CARD)
    return reverse("services:apply", kwargs={"code": item.code})


def test_a_20_mb_form_post_is_refused_before_it_is_read(
    client, apply_url, spooled, tmp_path
):
    big = SimpleUploadedFile("身份证.pdf", b"%PDF-1.4\n" + b"0" * (20 * MB))
    response = client.post(apply_url, {"material_1": big, "applicant_name": "王"})
    assert response.status_code == 413
    page = response.content.decode()
    assert "一次最多可发送 15 MB" in page
    # a hop-by-hop header is the server's: Django's development server answered 500
    assert "Connection" not in response.headers
    assert spooled == []
    assert list(tmp_path.iterdir()) == []


def test_the_limit_is_the_whole_body_not_one_file(client, apply_url, settings):
    settings.HUAGANG_MAX_REQUEST_BYTES = 1 * MB
    response = client.post(
        apply_url, {"material_1": SimpleUploadedFile("a.pdf", b"0" * (MB + 1))}
    )
    assert response.status_code == 413


def test_the_api_answers_in_its_error_body(client):
    response = client.post(
        "/api/v1/requests/",
        data=b"{" + b" " * (16 * MB) + b"}",
        content_type="application/json",
    )
    assert response.status_code == 413
    body = json.loads(response.content)
    assert body["code"] == "request_too_large"
    assert "15 MB" in body["message"]


def test_open311_answers_in_its_own_form(client):
    response = client.post(
        "/open311/v2/requests.json",
        data=b"x" * (16 * MB),
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 413
    body = json.loads(response.content)
    assert body[0]["code"] == 413


def test_a_chunked_body_without_a_length_is_refused(client, apply_url):
    response = client.generic(
        "POST",
        apply_url,
        data=b"",
        HTTP_TRANSFER_ENCODING="chunked",
        CONTENT_LENGTH="",
    )
    assert response.status_code == 411


def test_a_plain_get_without_cookies_is_untouched(client, db):
    assert client.get("/").status_code == 200


@override_settings(FILE_UPLOAD_MAX_MEMORY_SIZE=1024)
def test_an_upload_spooled_to_disk_is_deleted_when_the_request_ends(
    client, apply_url, spooled, tmp_path
):
    item = ServiceItem.objects.get(name=ELDER_CARD)
    files = {
        f"material_{item.materials.get(name='身份证或户口簿').pk}": SimpleUploadedFile(
            "身份证.pdf", pdf_bytes()
        ),
        f"material_{item.materials.get(name='一寸照片').pk}": SimpleUploadedFile(
            "照片.jpg", image_bytes("JPEG")
        ),
    }
    response = client.post(apply_url, {"applicant_name": "王桂兰", **files})
    assert response.status_code in (200, 400)  # the form again: fields are missing
    assert spooled, "the test's files should have gone to disk"
    assert not any(path.exists() for path in spooled)
    assert list(tmp_path.iterdir()) == []
