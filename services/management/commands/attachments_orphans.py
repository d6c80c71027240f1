from collections.abc import Iterator

from django.core.files.storage import Storage
from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from services.models import Attachment

# Where Attachment.file stores uploads (its upload_to, without the date folders).
TOP = "requests"


class Command(BaseCommand):
    help = (
        "List stored upload files that no attachment names, and attachments whose file "
        "is missing. Read-only unless --delete-orphan-files is given."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--delete-orphan-files",
            action="store_true",
            help="Delete the files that no attachment names (never a row).",
        )

    def handle(self, *args, delete_orphan_files: bool = False, **options):
        storage = Attachment._meta.get_field("file").storage
        # Files first, rows second: a row committed in between has its file written
        # after the commit, so it can only show up as missing, and that is re-checked.
        stored = set(stored_files(storage, TOP))
        rows = Attachment.objects.select_related("request").order_by("pk")
        named = set(rows.values_list("file", flat=True))
        orphans = sorted(stored - named)
        missing = [
            a
            for a in rows
            if a.file.name not in stored and not storage.exists(a.file.name)
        ]
        self.stdout.write(
            _("Files that no attachment names: %(n)d") % {"n": len(orphans)}
        )
        for name in orphans:
            self.stdout.write(f"  {name}")
        self.stdout.write(
            _("Attachments whose file is missing: %(n)d") % {"n": len(missing)}
        )
        for attachment in missing:
            self.stdout.write(
                f"  #{attachment.pk} {attachment.request.tracking_number} "
                f"{attachment.file.name}"
            )
        if delete_orphan_files:
            deleted = delete_orphans(storage, orphans)
            self.stdout.write(_("Deleted %(n)d orphan files.") % {"n": deleted})
        elif orphans:
            self.stdout.write(_("Run again with --delete-orphan-files to delete them."))


def stored_files(storage: Storage, folder: str) -> Iterator[str]:
    """Every file name under `folder` in `storage`, recursively."""
    if not storage.exists(folder):
        return
    folders, files = storage.listdir(folder)
    for name in files:
        yield f"{folder}/{name}"
    for sub in folders:
        yield from stored_files(storage, f"{folder}/{sub}")


def delete_orphans(storage: Storage, names: list[str]) -> int:
    """Delete the files no attachment names, re-checking each just before: an upload
    of the same bytes may have committed a row naming it since the listing."""
    deleted = 0
    for name in names:
        if not Attachment.objects.filter(file=name).exists():
            storage.delete(name)
            deleted += 1
    return deleted
