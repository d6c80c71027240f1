"""Bring the dashboard's daily figures up to yesterday, or rebuild them all."""

import datetime as dt
import time

from django.core.management.base import BaseCommand
from django.db import connection
from django.utils import timezone

from services.actions.statistics import daily_figures_rebuild, daily_figures_update
from services.models import (
    DailyFigures,
    DailyItemCounts,
    FiguresBuilt,
    ServiceRequest,
)


class Command(BaseCommand):
    help = (
        "Bring the dashboard's daily figures up to yesterday (what the nightly task "
        "does); --all rebuilds every day since the first request (after editing the "
        "holiday calendar or correcting old requests)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--all", action="store_true", help="rebuild every day")

    def handle(self, *args, **options):
        started = time.perf_counter()
        today = timezone.localdate()
        if options["all"]:
            FiguresBuilt.objects.all().delete()
            oldest = ServiceRequest.objects.order_by("submitted_at").first()
            first = timezone.localdate(oldest.submitted_at) if oldest else today
            rows = daily_figures_rebuild(first=first, last=today - dt.timedelta(days=1))
            _analyze()
        else:
            rows = daily_figures_update(today=today)
        until = FiguresBuilt.objects.values_list("until", flat=True).first()
        self.stdout.write(
            f"{rows} rows written; built until {until}; "
            f"{time.perf_counter() - started:.1f} s"
        )


def _analyze() -> None:
    """Fresh planner statistics for the rewritten tables (PostgreSQL): without them
    the dashboard's plans guess a few rows where there are tens of thousands (a
    sort spilled to disk at 1,000,000 requests), until autovacuum gets to them."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for model in (DailyFigures, DailyItemCounts):
            cursor.execute(f'ANALYZE "{model._meta.db_table}"')
