"""Uploads: parsed by real parsers, added only to open requests, and stored only when
their row commits."""

import io
from io import StringIO

import pytest
from django.core.files.storage import InMemoryStorage, default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation
from PIL import Image
from pypdf import PdfWriter

from huagang.exceptions import InvalidInput, InvalidTransition
from services import actions
from services.actions import submission
from services.management.commands.attachments_orphans import stored_files
from services.models import Attachment, EventKind, Status
from tests.files import image_bytes, image_upload, pdf_bytes, pdf_upload

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_storage(settings):
    """An empty in-memory storage for each test: only this test's files are in it."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    }
    return default_storage


def stored() -> set[str]:
    return set(stored_files(default_storage, "requests"))


# --- 1. materials only on open requests -------------------------------------------------


@pytest.fixture
def closed(submit, village_clerk, resident):
    """A request in each terminal status, reached through the actions."""

    def _closed(status: str):
        if status == Status.COMPLETED:
            request = submit("instant")
            actions.service_request_complete(service_request=request, by=village_clerk)
        elif status == Status.REJECTED:
            request = submit("agency")
            actions.service_request_reject(
                service_request=request, by=village_clerk, reason="材料不全"
            )
        else:
            request = submit("agency")
            actions.service_request_withdraw(service_request=request, by=resident)
        request.refresh_from_db()
        assert request.status == status
        return request

    return _closed


@pytest.mark.parametrize(
    "status", [Status.COMPLETED, Status.REJECTED, Status.WITHDRAWN]
)
def test_no_material_is_added_to_a_closed_request(
    closed, status, resident, commit, fresh_storage
):
    request = closed(status)
    events = request.events.count()
    with (
        commit(),
        pytest.raises(InvalidTransition, match=r"该申请已结束.*不能再补充材料"),
    ):
        actions.attachment_add(
            service_request=request, by=resident, upload=pdf_upload(unique=True)
        )
    assert not request.attachments.exists()
    assert request.events.count() == events
    assert stored() == set()


def test_the_closed_request_message_names_the_status_in_english(closed, resident):
    request = closed(Status.WITHDRAWN)
    with (
        translation.override("en"),
        pytest.raises(InvalidTransition, match=r"closed \(withdrawn"),
    ):
        actions.attachment_add(
            service_request=request, by=resident, upload=pdf_upload()
        )


@pytest.mark.parametrize("status", [Status.SUBMITTED, Status.SUPPLEMENT])
def test_a_material_is_added_to_an_open_request(
    submit, village_clerk, resident, commit, status
):
    request = submit("agency")
    if status == Status.SUPPLEMENT:
        actions.service_request_accept(service_request=request, by=village_clerk)
        actions.service_request_ask_supplement(
            service_request=request, by=village_clerk, what="户口簿"
        )
    with commit():
        attachment = actions.attachment_add(
            service_request=request, by=resident, upload=pdf_upload()
        )
    assert request.attachments.get() == attachment
    assert request.events.filter(kind=EventKind.ATTACHMENT).count() == 1
    assert stored() == {attachment.file.name}


# --- 2. files stored only when the row commits -------------------------------------------


def test_a_rolled_back_submission_leaves_no_file(submit, monkeypatch, fresh_storage):
    def fail(*args, **kwargs):
        raise RuntimeError("a later step fails")

    monkeypatch.setattr(submission, "record_event", fail)
    with pytest.raises(RuntimeError):
        submit("agency", uploads=[(pdf_upload(unique=True), None)])
    assert not Attachment.objects.exists()
    assert stored() == set()


def test_the_file_is_written_only_when_the_row_commits(
    submit, resident, django_capture_on_commit_callbacks
):
    request = submit("agency")
    content = image_bytes("PNG")
    with django_capture_on_commit_callbacks() as callbacks:
        attachment = actions.attachment_add(
            service_request=request,
            by=resident,
            upload=SimpleUploadedFile("户口簿.png", content),
        )
        assert stored() == set()  # the row is not committed yet
    assert stored() == set()
    for callback in callbacks:
        callback()
    assert stored() == {attachment.file.name}
    with default_storage.open(attachment.file.name) as handle:
        assert handle.read() == content


def test_the_stored_name_is_the_content_hash(submit, resident, commit):
    request = submit("agency")
    upload = image_upload("我的身份证.png")
    with commit():
        attachment = actions.attachment_add(
            service_request=request, by=resident, upload=upload
        )
    assert attachment.file.name == f"requests/2026/03/{attachment.sha256}.png"
    assert "身份证" not in attachment.file.name


def test_the_same_bytes_twice_share_one_file(submit, resident, commit):
    request = submit("agency")
    content = pdf_bytes(unique=True)
    with commit():
        first, second = (
            actions.attachment_add(
                service_request=request,
                by=resident,
                upload=SimpleUploadedFile(name, content),
            )
            for name in ("a.pdf", "b.pdf")
        )
    assert first.file.name == second.file.name
    assert stored() == {first.file.name}


def test_a_failed_write_is_logged_and_the_row_kept(
    submit, resident, commit, monkeypatch, caplog, client, village_clerk
):
    request = submit("agency")

    def broken(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(InMemoryStorage, "save", broken)
    with commit():
        attachment = actions.attachment_add(
            service_request=request, by=resident, upload=pdf_upload(unique=True)
        )
    assert Attachment.objects.filter(pk=attachment.pk).exists()
    assert f"attachment {attachment.pk}" in caplog.text
    assert stored() == set()
    # Its download is a plain 404 for the clerk, not a 500.
    client.force_login(village_clerk)
    url = reverse("services:attachment", args=[attachment.pk])
    assert client.get(url).status_code == 404


def test_a_stored_material_is_downloaded(client, submit, village_clerk):
    content = pdf_bytes(unique=True)
    request = submit(
        "agency", uploads=[(SimpleUploadedFile("身份证.pdf", content), None)]
    )
    client.force_login(village_clerk)
    url = reverse("services:attachment", args=[request.attachments.get().pk])
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content) == content


# --- the orphans command -----------------------------------------------------------------


def orphans(*args: str) -> str:
    out = StringIO()
    with translation.override("en"):
        call_command("attachments_orphans", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def messy(submit):
    """One good attachment, one row whose file is missing, one file with no row."""
    good = submit("agency", uploads=[(pdf_upload(unique=True), None)])
    attachment = good.attachments.get()
    missing = Attachment.objects.create(
        request=good,
        file="requests/2026/03/missing.pdf",
        original_name="丢失.pdf",
        content_type="application/pdf",
        size=10,
        sha256="0" * 64,
    )
    orphan = default_storage.save("requests/2025/12/orphan.pdf", io.BytesIO(b"%PDF-"))
    return {"good": attachment, "missing": missing, "orphan": orphan}


def test_orphans_are_listed_and_nothing_is_deleted(messy):
    output = orphans()
    assert "Files that no attachment names: 1" in output
    assert f"  {messy['orphan']}\n" in output
    assert "Attachments whose file is missing: 1" in output
    missing = messy["missing"]
    assert f"  #{missing.pk} {missing.request.tracking_number} " in output
    assert messy["good"].file.name not in output
    assert "--delete-orphan-files" in output
    assert stored() == {messy["good"].file.name, messy["orphan"]}
    assert Attachment.objects.count() == 2


def test_orphan_files_are_deleted_on_request(messy):
    output = orphans("--delete-orphan-files")
    assert "Deleted 1 orphan files." in output
    assert stored() == {messy["good"].file.name}
    assert Attachment.objects.count() == 2  # rows are never deleted
    assert "Files that no attachment names: 0" in orphans()


def test_a_clean_storage_reports_nothing(submit):
    submit("agency", uploads=[(pdf_upload(unique=True), None)])
    output = orphans()
    assert "Files that no attachment names: 0" in output
    assert "Attachments whose file is missing: 0" in output


def test_the_report_is_in_chinese_by_default(messy):
    out = StringIO()
    call_command("attachments_orphans", stdout=out)
    assert "没有附件记录的文件：1 个" in out.getvalue()


# --- 3. uploads parsed, not sniffed ------------------------------------------------------


def _mpo() -> bytes:
    buffer = io.BytesIO()
    frames = [Image.new("RGB", (8, 8), colour) for colour in ("red", "blue")]
    frames[0].save(buffer, "MPO", save_all=True, append_images=frames[1:])
    return buffer.getvalue()


def _pillow_pdf() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (20, 20), "white").save(buffer, "PDF")
    return buffer.getvalue()


ACCEPTED = {
    "pdf (pypdf)": ("scan.pdf", pdf_bytes(pages=2), "application/pdf", ".pdf"),
    "pdf (Pillow)": ("scan.pdf", _pillow_pdf(), "application/pdf", ".pdf"),
    "jpeg": ("photo.jpg", image_bytes("JPEG"), "image/jpeg", ".jpg"),
    "mpo (phone camera jpeg)": ("photo.jpg", _mpo(), "image/jpeg", ".jpg"),
    "png": ("photo.png", image_bytes("PNG"), "image/png", ".png"),
    "gif": ("photo.gif", image_bytes("GIF"), "image/gif", ".gif"),
    "webp": ("photo.webp", image_bytes("WEBP"), "image/webp", ".webp"),
    "png named .pdf": ("身份证.pdf", image_bytes("PNG"), "image/png", ".png"),
}


@pytest.mark.parametrize("case", ACCEPTED.keys())
def test_a_real_pdf_or_image_is_accepted_as_what_it_is(submit, case):
    name, content, content_type, extension = ACCEPTED[case]
    request = submit("agency", uploads=[(SimpleUploadedFile(name, content), None)])
    attachment = request.attachments.get()
    assert attachment.content_type == content_type
    assert attachment.file.name.endswith(extension)
    assert attachment.original_name == name
    assert stored() == {attachment.file.name}


def _without_pages() -> bytes:
    buffer = io.BytesIO()
    PdfWriter().write(buffer)
    return buffer.getvalue()


def _encrypted() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=100, height=100)
    writer.encrypt("secret")
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def _with_html_comment(content: bytes) -> bytes:
    """A valid PDF whose second line is markup a sniffing browser would render."""
    header, rest = content.split(b"\n", 1)
    return header + b"\n%<html><script>alert(1)</script></html>\n" + rest


PNG = image_bytes("PNG")
JPEG = image_bytes("JPEG")
REFUSED = {
    "html behind a pdf header": b"%PDF-<html><script>alert(1)</script></html>",
    "gif header then html": b"GIF89a<html><script>alert(1)</script></html>",
    "gif with html in its comment": image_bytes(
        "GIF", comment=b"<html><script>alert(1)</script></html>"
    ),
    "pdf with html in a comment": _with_html_comment(pdf_bytes()),
    "png signature then zeros": b"\x89PNG\r\n\x1a\n" + b"\x00" * 32,
    "truncated png": PNG[: len(PNG) - 20],
    "truncated jpeg": JPEG[: len(JPEG) // 2],
    "pdf header only": b"%PDF-1.4\n%%EOF\n",
    "pdf without pages": _without_pages(),
    "password-protected pdf": _encrypted(),
    "bmp image": image_bytes("BMP"),
    "svg": b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
    "windows executable": b"MZ\x90\x00 not a pdf",
}


@pytest.mark.parametrize("case", REFUSED.keys())
def test_anything_else_is_refused_naming_the_file(submit, case):
    upload = SimpleUploadedFile("材料.pdf", REFUSED[case])
    with pytest.raises(InvalidInput) as excinfo:
        submit("agency", uploads=[(upload, None)])
    message = " ".join(excinfo.value.errors["uploads"])
    assert "“材料.pdf”" in message and "PDF" in message
    assert not Attachment.objects.exists()
    assert stored() == set()


def test_a_refused_supplement_stores_nothing(submit, resident, commit):
    request = submit("agency")
    with commit(), pytest.raises(InvalidInput, match=r"补充\.png"):
        actions.attachment_add(
            service_request=request,
            by=resident,
            upload=SimpleUploadedFile("补充.png", PNG[:-20]),
        )
    assert not request.attachments.exists()
    assert stored() == set()


@pytest.mark.filterwarnings("ignore::PIL.Image.DecompressionBombWarning")
def test_a_decompression_bomb_is_refused(submit, monkeypatch):
    # 16 × 12 = 192 pixels: past the limit, below twice it (where Pillow only warns).
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 100)
    with pytest.raises(InvalidInput, match=r"bomb\.png"):
        submit("agency", uploads=[(image_upload("bomb.png"), None)])


def test_the_size_and_empty_checks_still_apply(submit, settings):
    with pytest.raises(InvalidInput, match="空"):
        submit("agency", uploads=[(SimpleUploadedFile("empty.pdf", b""), None)])
    content = pdf_bytes()
    settings.HUAGANG_MAX_UPLOAD_BYTES = len(content) - 1
    with pytest.raises(InvalidInput, match=r"big\.pdf"):
        submit("agency", uploads=[(SimpleUploadedFile("big.pdf", content), None)])
