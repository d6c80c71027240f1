"""Materials uploaded for a request: checked by their content, never by their name."""

import hashlib
from dataclasses import dataclass

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _

from huagang.exceptions import InvalidInput
from villages.models import User

from ..access import ApplicantProof, roles_towards
from ..models import Attachment, EventKind, Material, ServiceItem, ServiceRequest
from ..workflow import Activity, check_activity
from ._core import lock_request, record_event

# Signatures of the accepted formats: PDF and common images.
SIGNATURES: list[tuple[bytes, int, str, str]] = [
    (b"%PDF-", 0, "application/pdf", ".pdf"),
    (b"\x89PNG\r\n\x1a\n", 0, "image/png", ".png"),
    (b"\xff\xd8\xff", 0, "image/jpeg", ".jpg"),
    (b"GIF87a", 0, "image/gif", ".gif"),
    (b"GIF89a", 0, "image/gif", ".gif"),
    (b"WEBP", 8, "image/webp", ".webp"),
]


@dataclass
class CheckedUpload:
    upload: UploadedFile
    content_type: str
    extension: str
    size: int
    sha256: str
    material: Material | None


def sniff(head: bytes) -> tuple[str, str] | None:
    """The content type and extension the file's first bytes show, or None."""
    for signature, offset, content_type, extension in SIGNATURES:
        if head[offset : offset + len(signature)] == signature:
            if content_type == "image/webp" and head[:4] != b"RIFF":
                continue
            return content_type, extension
    return None


def check_upload(
    upload: UploadedFile, *, item: ServiceItem | None, material_id: int | None
) -> CheckedUpload:
    """Refuse a file that is too large, empty, or not a PDF or image by content."""
    limit = settings.HUAGANG_MAX_UPLOAD_BYTES
    name = upload.name or "?"
    if not upload.size:
        raise InvalidInput(_("“%(name)s” is empty.") % {"name": name})
    if upload.size > limit:
        raise InvalidInput(
            _("“%(name)s” is larger than %(mb)d MB.")
            % {"name": name, "mb": limit // (1024 * 1024)}
        )
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    found = sniff(head)
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
    """Store a checked upload under a generated name (never the resident's file name)."""
    attachment = Attachment(
        request=service_request,
        material=checked.material,
        original_name=(checked.upload.name or "")[:200],
        content_type=checked.content_type,
        size=checked.size,
        sha256=checked.sha256,
        uploaded_by=by if by is not None and by.is_authenticated else None,
    )
    attachment.file.save(
        f"{checked.sha256[:16]}{checked.extension}", checked.upload, save=False
    )
    attachment.save()
    return attachment


@transaction.atomic
def attachment_add(
    *,
    service_request: ServiceRequest,
    upload: UploadedFile,
    by: User | None,
    material_id: int | None = None,
    proof: ApplicantProof | None = None,
) -> Attachment:
    """Add a material to an open request (e.g. a supplement) and record it."""
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
