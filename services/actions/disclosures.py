"""Village affairs in public (党务、村务、财务公开): a clerk drafts, attaches PDFs and
submits; an official approves (it is then public) or returns it with a reason.

Every status change goes through ``_change``: lock, check the transition and the
actor's role towards the disclosure (``services.access.disclosure_roles``), change,
record a ``DisclosureEvent``. Nothing else assigns ``Disclosure.status``.
"""

import hashlib
import os

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from huagang.exceptions import InvalidInput, InvalidTransition, NotPermitted
from villages.models import User, Village
from villages.models_affairs import (
    TRANSITIONS,
    Disclosure,
    DisclosureEvent,
    DisclosureFile,
    DisclosureStatus,
    PeriodKind,
)

from .. import access
from .attachments import PDF, identify

EDITABLE_FIELDS = ("category", "year", "period_kind", "period", "title", "body")


def _check_values(values: dict) -> None:
    limit = 12 if values["period_kind"] == PeriodKind.MONTH else 4
    if not 1 <= values["period"] <= limit:
        raise InvalidInput({"period": [_("A month is 1 to 12, a quarter 1 to 4.")]})
    if not values["title"].strip():
        raise InvalidInput({"title": [_("Give the disclosure a title.")]})


@transaction.atomic
def disclosure_create(*, village: Village, by: User, **values) -> Disclosure:
    """A new draft of `village`. Raises NotPermitted unless `by` is its clerk."""
    if not access.may_draft_disclosure(by, village.pk):
        raise NotPermitted(_("Only the village's own clerk drafts its disclosures."))
    _check_values(values)
    fields = {name: values[name] for name in EDITABLE_FIELDS}
    return Disclosure.objects.create(village=village, created_by=by, **fields)


def _locked(disclosure: Disclosure) -> Disclosure:
    return Disclosure.objects.select_for_update().get(pk=disclosure.pk)


def _check_editable(locked: Disclosure, by: User) -> None:
    if not access.may_draft_disclosure(by, locked.village_id):
        raise NotPermitted(_("Only the village's own clerk edits its disclosures."))
    if not locked.is_editable:
        raise InvalidTransition(
            _("Only a draft or a returned disclosure can be changed.")
        )


@transaction.atomic
def disclosure_update(*, disclosure: Disclosure, by: User, **values) -> Disclosure:
    locked = _locked(disclosure)
    _check_editable(locked, by)
    _check_values(values)
    changed = [n for n in EDITABLE_FIELDS if getattr(locked, n) != values[n]]
    for name in changed:
        setattr(locked, name, values[name])
    if changed:
        locked.save(update_fields=[*changed, "updated_at"])
    return locked


def check_pdf(upload: UploadedFile) -> None:
    """Refuse anything but a non-empty PDF within the upload limit that pypdf opens
    (whatever its name or the browser's content type says)."""
    limit = settings.HUAGANG_MAX_UPLOAD_BYTES
    name = upload.name or "?"
    if not upload.size:
        raise InvalidInput({"file": [_("“%(name)s” is empty.") % {"name": name}]})
    if upload.size > limit:
        raise InvalidInput(
            {
                "file": [
                    _("“%(name)s” is larger than %(mb)d MB.")
                    % {"name": name, "mb": limit // (1024 * 1024)}
                ]
            }
        )
    if identify(upload) != PDF:
        raise InvalidInput({"file": [_("“%(name)s” is not a PDF.") % {"name": name}]})


@transaction.atomic
def disclosure_attach(
    *, disclosure: Disclosure, by: User, upload: UploadedFile
) -> DisclosureFile:
    """Attach a checked PDF to a draft (or returned) disclosure. The stored name is
    the content's SHA-256 (the storage adds a suffix for a second copy, so no two rows
    share a file), never the uploader's file name.

    Unlike a resident's materials the file is written at once, inside the
    transaction: a rollback after the write leaves an unreferenced file (a public
    document, not personal data), never a row without its file."""
    locked = _locked(disclosure)
    _check_editable(locked, by)
    check_pdf(upload)
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    base = os.path.basename(upload.name or "")[:140] or "file.pdf"
    if not base.lower().endswith(".pdf"):
        base += ".pdf"
    record = DisclosureFile(disclosure=locked, download_name=base, size=upload.size)
    record.file.save(f"{digest.hexdigest()}.pdf", upload, save=False)
    record.save()
    return record


@transaction.atomic
def disclosure_file_delete(*, file: DisclosureFile, by: User) -> None:
    locked = _locked(file.disclosure)
    _check_editable(locked, by)
    stored = file.file.name
    storage = file.file.storage
    file.delete()
    transaction.on_commit(lambda: storage.delete(stored))


def _change(disclosure: Disclosure, *, to: str, by: User, note: str = "") -> Disclosure:
    """Lock, check, change, record. Raises NotPermitted when `by` may not make the
    change and InvalidTransition when the status no longer allows it."""
    locked = _locked(disclosure)
    roles = access.disclosure_roles(by, locked)
    # Never allowed to this role (a clerk approving): 403; allowed, but not from this
    # status (approving a draft, or one already published): 409.
    if not roles & {role for (_src, dst), role in TRANSITIONS.items() if dst == to}:
        raise NotPermitted()
    needed = TRANSITIONS.get((locked.status, to))
    if needed is None:
        raise InvalidTransition(
            _("This disclosure is “%(status)s”: that step is no longer possible.")
            % {"status": locked.get_status_display()}
        )
    if needed not in roles:
        raise NotPermitted()
    previous = locked.status
    locked.status = to
    fields = ["status", "updated_at"]
    if to == DisclosureStatus.APPROVED:
        locked.approved_at, locked.approved_by = timezone.now(), by
        fields += ["approved_at", "approved_by"]
    if to == DisclosureStatus.RETURNED:
        locked.return_reason = note
        fields.append("return_reason")
    locked.save(update_fields=fields)
    DisclosureEvent.objects.create(
        disclosure=locked,
        from_status=previous,
        to_status=to,
        actor=by,
        actor_role=needed,
        note=note,
    )
    return locked


@transaction.atomic
def disclosure_submit(*, disclosure: Disclosure, by: User) -> Disclosure:
    """The clerk asks an official to approve. A disclosure with neither text nor a
    PDF has nothing to publish and is refused (400)."""
    if not disclosure.body.strip() and not disclosure.files.exists():
        raise InvalidInput(_("Write the text or attach a PDF before submitting."))
    return _change(disclosure, to=DisclosureStatus.SUBMITTED, by=by)


@transaction.atomic
def disclosure_approve(*, disclosure: Disclosure, by: User) -> Disclosure:
    """Publish it: from now on anyone sees it in the village's archive."""
    return _change(disclosure, to=DisclosureStatus.APPROVED, by=by)


@transaction.atomic
def disclosure_return(*, disclosure: Disclosure, by: User, reason: str) -> Disclosure:
    """Send it back to the clerk with the reason (required)."""
    if not reason.strip():
        raise InvalidInput({"reason": [_("Say what must be changed.")]})
    return _change(disclosure, to=DisclosureStatus.RETURNED, by=by, note=reason.strip())
