from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils.translation import gettext as _

from huagang.dataload import DataFileError, LoadReport
from services.loading import load_catalog, load_synonyms
from services.loading_delegation import load_delegated_powers
from services.loading_events import load_life_events, load_material_kinds
from villages.loading import load_grids, load_villages


class Command(BaseCommand):
    help = (
        "Load the town, villages, grids, bodies, service catalog, search synonyms, the "
        "delegated powers, material kinds and life events from the data files."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--data-dir",
            type=Path,
            default=None,
            help="Folder with the YAML files (default: settings.TOWN_DATA_DIR).",
        )

    def handle(self, *args, data_dir: Path | None = None, **options):
        data_dir = Path(data_dir or settings.TOWN_DATA_DIR)
        report = LoadReport()
        try:
            with transaction.atomic():
                load_villages(data_dir=data_dir, report=report)
                load_grids(data_dir=data_dir, report=report)
                load_catalog(data_dir=data_dir, report=report)
                load_synonyms(data_dir=data_dir, report=report)
                load_delegated_powers(data_dir=data_dir, report=report)
                load_material_kinds(data_dir=data_dir, report=report)
                load_life_events(data_dir=data_dir, report=report)
        except DataFileError as exc:
            raise CommandError(
                _("Nothing was loaded. %(error)s") % {"error": exc}
            ) from None
        for name, counts in report.counts.items():
            self.stdout.write(
                _(
                    "%(name)s: %(created)d created, %(updated)d updated, "
                    "%(unchanged)d unchanged"
                )
                % {
                    "name": name,
                    **{k: counts[k] for k in ("created", "updated", "unchanged")},
                }
            )
        if report.changes:
            self.stdout.write(
                self.style.SUCCESS(_("Loaded: %(n)d changes.") % {"n": report.changes})
            )
        else:
            self.stdout.write(self.style.SUCCESS(_("Already up to date: 0 changes.")))
