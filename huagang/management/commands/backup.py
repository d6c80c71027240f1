from pathlib import Path

from django.conf import settings
from django.core.files.storage import default_storage
from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, connections
from django.utils.translation import gettext as _

from huagang.backup import BackupError, backup_create, info_of


class Command(BaseCommand):
    help = (
        "Back up the PostgreSQL database (pg_dump, custom format) and the uploaded "
        "materials to a dated folder with a SHA-256 manifest (docs/operations.md)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--to",
            metavar="DIR",
            help="The folder to write the dated backup folder in "
            "(default: HUAGANG_BACKUP_DIR).",
        )
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS)

    def handle(self, *args, to: str | None = None, database: str, **options):
        target = to or settings.HUAGANG_BACKUP_DIR
        if not target:
            raise CommandError(
                _("Say where to write the backup: --to DIR or HUAGANG_BACKUP_DIR.")
            )
        try:
            folder = backup_create(
                settings_dict=connections[database].settings_dict,
                storage=default_storage,
                target=Path(target),
            )
        except (BackupError, OSError) as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            _("Backup written to %(folder)s (%(count)d material files).")
            % {"folder": folder, "count": info_of(folder).get("materials", 0)}
        )
