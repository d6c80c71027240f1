from pathlib import Path

from django.core.files.storage import default_storage
from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, connections
from django.utils.translation import gettext as _

from huagang.backup import (
    DUMP,
    BackupError,
    check_postgresql,
    database_restore,
    database_tables,
    restore_materials,
    restore_materials_plan,
    verify_sums,
)


class Command(BaseCommand):
    help = (
        "Restore a backup folder made by `backup`: check its SHA-256 manifest, load "
        "the database dump into an empty database and write the materials back."
    )

    def add_arguments(self, parser):
        parser.add_argument("folder", metavar="DIR", help="A folder made by backup.")
        parser.add_argument(
            "--replace",
            action="store_true",
            help="Restore into a database that is not empty (dropping the objects "
            "the dump holds first), and overwrite stored files with other content.",
        )
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS)

    def handle(self, *args, folder: str, replace: bool, database: str, **options):
        connection = connections[database]
        path = Path(folder)
        try:
            check_postgresql(connection.settings_dict)
            names = verify_sums(path)
            tables = database_tables(connection)
            if tables and not replace:
                raise BackupError(
                    _(
                        "The database %(name)s is not empty (%(tables)d tables). "
                        "Restore into an empty database, or pass --replace to "
                        "drop what it holds and load the backup over it."
                    )
                    % {"name": connection.settings_dict["NAME"], "tables": tables}
                )
            files = restore_materials_plan(
                folder=path, names=names, storage=default_storage, replace=replace
            )
            connection.close()  # pg_restore may need to drop what this session uses
            database_restore(connection.settings_dict, path / DUMP, clean=replace)
            restore_materials(folder=path, names=files, storage=default_storage)
        except (BackupError, OSError) as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            _("Restored %(folder)s: the database and %(count)d material files.")
            % {"folder": path, "count": len(files)}
        )
