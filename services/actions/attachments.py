"""Materials uploaded for a request: checked by parsing them, never by their name.

An upload is accepted only if a real parser opens it: Pillow for images (JPEG, PNG, GIF,
WebP; verified and fully decoded), pypdf for PDFs (parsed, at least one page). The format
the parser found decides the stored content type and extension.

Files are written to storage only once the row that names them has committed; see
``attachment_save``.
"""

import hashlib
import logging
from dataclasses import dataclass
from functools import partial

from django.conf import settings
from django.core.files.storage import Storage
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from PIL import Image
from pypdf import PdfReader

from huagang.exceptions import InvalidInput
from villages.choices import Role
from villages.models import User

from ..access import ApplicantProof, roles_towards
from ..models import Attachment, EventKind, Material, ServiceItem, ServiceRequest
from ..workflow import Activity, check_activity
from ._core import lock_request, record_event

logger = logging.getLogger("huagang.attachments")

PDF = ("application/pdf", ".pdf")
# Pillow's format name -> the content type and extension we store. MPO is the
# multi-picture JPEG some phone cameras write; it is a JPEG to every viewer.
IMAGE_FORMATS: dict[str, tuple[str, str]] = {
    "JPEG": ("image/jpeg", ".jpg"),
    "MPO": ("image/jpeg", ".jpg"),
    "PNG": ("image/png", ".png"),
    "GIF": ("image/gif", ".gif"),
    "WEBP": ("image/webp", ".webp"),
}
# The plugins Pillow may try (the JPEG one also opens MPO).
IMAGE_PLUGINS = ["JPEG", "PNG", "GIF", "WEBP"]
# Browsers that sniff content look for markup near the start of a file (the WHATWG
# MIME Sniffing "resource header" is its first 1445 bytes); a PDF or image carrying any
# of these there is a polyglot, whatever its parser says.
HTML_WINDOW = 1445
HTML_MARKERS = (
    b"<!doctype",
    b"<html",
    b"<head",
    b"<body",
    b"<script",
    b"<iframe",
    b"<svg",
    b"<?xml-stylesheet",
)


@dataclass
class CheckedUpload:
    upload: UploadedFile
    content_type: str
    extension: str
    size: int
    sha256: str
    material: Material | None


def identify(upload: UploadedFile) -> tuple[str, str] | None:
    """The content type and extension of a file a parser fully opens, or None.

    A file starting with ``%PDF-`` must parse as a PDF with at least one page; anything
    else must open, verify and decode as a JPEG, PNG, GIF or WebP image. Markup near the
    start (a polyglot) or any parser error means None. Leaves the file at position 0.
    """
    upload.seek(0)
    head = upload.read(HTML_WINDOW)
    upload.seek(0)
    try:
        if any(marker in head.lower() for marker in HTML_MARKERS):
            return None
        if head.startswith(b"%PDF-"):
            return PDF if _pdf_pages(upload) > 0 else None
        return _image_format(upload)
    # The parsers raise many kinds of errors on malformed input (OSError, ValueError,
    # SyntaxError, struct.error, their own, …): any of them means "not a valid file".
    except Exception:
        return None
    finally:
        upload.seek(0)


def _pdf_pages(upload: UploadedFile) -> int:
    """How many pages pypdf finds; raises on a file it cannot parse or decrypt."""
    return len(PdfReader(upload).pages)


def _image_format(upload: UploadedFile) -> tuple[str, str] | None:
    """Open, verify and fully decode an image; its content type and extension."""
    with Image.open(upload, formats=IMAGE_PLUGINS) as image:
        found = IMAGE_FORMATS.get(image.format or "")
        # Pillow refuses past twice MAX_IMAGE_PIXELS and only warns past it; a
        # decompression bomb is refused here before anything is decoded.
        limit = Image.MAX_IMAGE_PIXELS
        if limit and image.width * image.height > limit:
            return None
        image.verify()  # checksums and structure; the image is unusable after it
    upload.seek(0)
    with Image.open(upload, formats=IMAGE_PLUGINS) as image:
        image.load()  # decodes every byte of the (first) frame: truncation fails
    return found


def check_upload(
    upload: UploadedFile, *, item: ServiceItem | None, material_id: int | None
) -> CheckedUpload:
    """Refuse a file that is too large, empty, or not a PDF or image a parser opens.

    Raises InvalidInput naming the file; `material_id`, if given, must be one of the
    item's materials.
    """
    limit = settings.HUAGANG_MAX_UPLOAD_BYTES
    name = upload.name or "?"
    if not upload.size:
        raise InvalidInput(_("“%(name)s” is empty.") % {"name": name})
    if upload.size > limit:
        raise InvalidInput(
            _("“%(name)s” is larger than %(mb)d MB.")
            % {"name": name, "mb": limit // (1024 * 1024)}
        )
    found = identify(upload)
    if found is None:
        raise InvalidInput(
            _(
                "“%(name)s” is not a PDF or an image (JPEG, PNG, GIF, WebP), whatever its "
                "name says."
            )
            % {"name": name}
        )
    material = None
    if material_id is not None:
        material = Material.objects.filter(pk=material_id, item=item).first()
        if material is None:
            raise InvalidInput(_("That material does not belong to this item."))
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return CheckedUpload(
        upload, found[0], found[1], upload.size, digest.hexdigest(), material
    )


def attachment_save(
    service_request: ServiceRequest, checked: CheckedUpload, *, by: User | None
) -> Attachment:
    """Save the attachment row now and write its file once the transaction commits.

    Call inside a transaction (both callers do; outside one the file is written at
    once). The stored name is content-addressed — ``requests/<year>/<month>/<SHA-256>
    <extension>``, never the resident's file name — so it is known before the write
    and the row can be saved with it. The write is queued with
    ``transaction.on_commit``: if the transaction rolls back (a later error in
    ``service_request_submit``, say), the callback is discarded and neither the row nor
    the resident's document is left behind. Writing first and deleting on rollback
    would need a rollback hook Django does not have, and a crash in between would
    still leave the file.

    The opposite failure, the row committed but the write failing, is logged, not
    raised: the request and its other changes are already saved. Such a row is what
    ``manage.py attachments_orphans`` reports as a missing file. Identical bytes uploaded
    in the same month share one file, which is safe because files are never
    overwritten, and deleted only as orphans (no row names them).
    """
    attachment = Attachment(
        request=service_request,
        material=checked.material,
        original_name=(checked.upload.name or "")[:200],
        content_type=checked.content_type,
        size=checked.size,
        sha256=checked.sha256,
        uploaded_by=by if by is not None and by.is_authenticated else None,
    )
    field = Attachment._meta.get_field("file")
    attachment.file.name = field.generate_filename(
        attachment, f"{checked.sha256}{checked.extension}"
    )
    attachment.save()
    transaction.on_commit(
        partial(
            _write_file,
            storage=attachment.file.storage,
            name=attachment.file.name,
            upload=checked.upload,
            attachment_pk=attachment.pk,
        )
    )
    return attachment


def _write_file(
    *, storage: Storage, name: str, upload: UploadedFile, attachment_pk: int
) -> None:
    """Write a committed attachment's file, unless the same bytes are stored already."""
    try:
        if storage.exists(name):
            return  # the name is the content's hash: the same bytes
        upload.seek(0)
        stored = storage.save(name, upload)
        if stored != name:
            # An identical upload wrote `name` between the check and the save, and the
            # storage picked another name for ours: keep the one the row names.
            storage.delete(stored)
    except Exception:
        logger.exception(
            "The file of attachment %s (%s) could not be stored.", attachment_pk, name
        )


@transaction.atomic
def attachment_add(
    *,
    service_request: ServiceRequest,
    upload: UploadedFile,
    by: User | None,
    material_id: int | None = None,
    proof: ApplicantProof | None = None,
) -> Attachment:
    """Add a material to an open request (e.g. a supplement) and record it.

    Raises NotPermitted if `by` has no role towards the request, InvalidTransition if
    the request is completed, rejected or withdrawn, and InvalidInput for a bad file.
    Nothing is stored in any of these cases.
    """
    locked = lock_request(service_request)
    roles = roles_towards(by, locked, proof=proof)
    check_activity(Activity.ATTACH, locked.status, roles)
    checked = check_upload(upload, item=locked.item, material_id=material_id)
    attachment = attachment_save(locked, checked, by=by)
    record_event(
        locked,
        kind=EventKind.ATTACHMENT,
        by=by,
        roles=roles,
        note=checked.material.name if checked.material else "",
        public=False,
    )
    return attachment


@transaction.atomic
def attachments_add(
    *,
    service_request: ServiceRequest,
    uploads: dict[str, tuple[int | None, UploadedFile]],
    by: User | None,
    proof: ApplicantProof | None = None,
) -> list[Attachment]:
    """Add several materials at once (a resident's supplement): all of them or none.

    `uploads` maps the caller's own keys (a form's field names) to (material id or
    None, file). Every file is checked before any is saved; InvalidInput's `errors`
    names the key of each refused file, so a form can show each message at its field.
    Raises NotPermitted and InvalidTransition as ``attachment_add`` does; InvalidInput
    also when `uploads` is empty. One event records the batch; it is public (on the
    applicant's timeline, where their page shows it received) when the applicant
    uploaded it, under the resident's role; no message is sent about it
    (``notifications.told_to_applicant``).
    """
    locked = lock_request(service_request)
    roles = roles_towards(by, locked, proof=proof)
    check_activity(Activity.ATTACH, locked.status, roles)
    if not uploads:
        raise InvalidInput(_("Choose at least one file to upload."))
    checked: list[CheckedUpload] = []
    errors: dict[str, list[str]] = {}
    for key, (material_id, upload) in uploads.items():
        try:
            checked.append(
                check_upload(upload, item=locked.item, material_id=material_id)
            )
        except InvalidInput as exc:
            errors[key] = [
                message for found in exc.errors.values() for message in found
            ]
    if errors:
        raise InvalidInput(errors)
    saved = [attachment_save(locked, one, by=by) for one in checked]
    names = "、".join(one.material.name for one in checked if one.material)
    note = ngettext(
        "%(count)d file uploaded", "%(count)d files uploaded", len(saved)
    ) % {"count": len(saved)}
    record_event(
        locked,
        kind=EventKind.ATTACHMENT,
        by=by,
        roles=roles,
        note=_("%(uploaded)s: %(materials)s") % {"uploaded": note, "materials": names}
        if names
        else note,
        # The applicant's own upload is on their timeline (their page confirms it;
        # no message: they did it themselves); staff uploads stay internal, as in
        # ``attachment_add``.
        public=Role.RESIDENT in roles,
    )
    return saved
