"""Generate a realistic history of service requests (demo data, for benchmarks)."""

import datetime as dt

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.utils import timezone

from huagang.dates import CALENDAR_FIRST_YEAR, CALENDAR_LAST_YEAR
from services import history


class Command(BaseCommand):
    help = (
        "Add N made-up service requests with their timelines, trips, visits and "
        "ratings over the last years (run load_town_data first). Same seed, same data."
    )

    def add_arguments(self, parser):
        parser.add_argument("--requests", type=int, required=True)
        parser.add_argument("--seed", type=int, default=8)
        parser.add_argument("--years", type=int, default=5)
        parser.add_argument(
            "--end-date",
            type=dt.date.fromisoformat,
            help="The history's last day (default: today).",
        )
        parser.add_argument("--batch-size", type=int, default=20_000)
        parser.add_argument(
            "--clear",
            action="store_true",
            help="First delete the requests an earlier run generated (only those).",
        )

    def handle(
        self, *args, requests, seed, years, end_date, batch_size, clear, **options
    ):
        if requests < 0 or years < 1 or batch_size < 1:
            raise CommandError("--requests ≥ 0, --years ≥ 1 and --batch-size ≥ 1.")
        if clear:
            self.stdout.write(f"Deleted {history.clear()} generated requests.")
        end = end_date or timezone.localdate()
        if end.year - years < CALENDAR_FIRST_YEAR or end.year > CALENDAR_LAST_YEAR - 2:
            raise CommandError(
                f"The history must lie between {CALENDAR_FIRST_YEAR} and "
                f"{CALENDAR_LAST_YEAR - 2} (the database refuses other dates)."
            )
        try:
            report = history.generate(
                requests=requests,
                seed=seed,
                years=years,
                end=end,
                batch_size=batch_size,
                progress=self._progress if options["verbosity"] > 1 else None,
            )
        except RuntimeError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"{requests} requests over {years} years up to {end} "
            f"({connection.vendor}, seed {seed}):"
        )
        for table, count in report.rows.items():
            self.stdout.write(f"  {table:<13} {count:>10,}")
        for phase, seconds in report.seconds.items():
            self.stdout.write(f"  {phase:<20} {seconds:8.1f} s")
        # the dashboard reads daily figures: days it had built are stale now
        self.stdout.write("Dashboard figures: ", ending="")
        call_command("rebuild_daily_figures", all=True, stdout=self.stdout)

    def _progress(self, last_id: int) -> None:
        self.stdout.write(f"  … up to request id {last_id}")
