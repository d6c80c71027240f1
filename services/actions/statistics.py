"""The dashboard's daily figures, rebuilt from the requests (never incremented: a
rebuilt day is exact whatever happened before). A day is final once it is over: a
request counts on the day it was submitted and, completed, on the day it was completed,
both in the past. The last ``REDO_DAYS`` are rebuilt each time anyway, for a late
correction in the admin; after editing the holiday calendar, rebuild everything
(``manage.py rebuild_daily_figures --all``)."""

import datetime as dt
from collections import defaultdict

from django.db import transaction
from django.db.models import Count, Min, Q, Sum
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone

from ..models import (
    DailyFigures,
    DailyItemCounts,
    FiguresBuilt,
    ServiceRequest,
    Status,
)
from ..statistics import Period
from ..working_days import MAX_SPAN_DAYS, WorkCalendar
from ..working_days_sql import exceptions, workday_number

REDO_DAYS = 7
CHUNK_DAYS = 31
BATCH = 5000


def daily_figures_update(
    *, today: dt.date, calendar: WorkCalendar | None = None
) -> int:
    """Bring the daily figures up to yesterday: the days after ``FiguresBuilt.until``
    (and the ``REDO_DAYS`` before it), or every day since the first request. Returns
    the number of rows written."""
    built = FiguresBuilt.objects.first()
    last = today - dt.timedelta(days=1)
    if built is not None and built.until is not None:
        first = built.until - dt.timedelta(days=REDO_DAYS - 1)
    else:
        oldest = ServiceRequest.objects.aggregate(first=Min("submitted_at"))["first"]
        first = last if oldest is None else timezone.localdate(oldest)
    return daily_figures_rebuild(first=first, last=last, calendar=calendar)


def daily_figures_rebuild(
    *, first: dt.date, last: dt.date, calendar: WorkCalendar | None = None
) -> int:
    """Rebuild the days first…last, a month at a time, each month in one transaction;
    then the figures count as built up to `last` if they were up to `first`'s eve (or
    nothing was built yet and `first` is the first day with a request)."""
    calendar = calendar or WorkCalendar.load()
    written = 0
    start = first
    while start <= last:
        end = min(last, start + dt.timedelta(days=CHUNK_DAYS - 1))
        written += _rebuild_days(Period(start, end), calendar)
        start = end + dt.timedelta(days=1)
    _mark_built(first, last)
    return written


@transaction.atomic
def _mark_built(first: dt.date, last: dt.date) -> None:
    built, _created = FiguresBuilt.objects.select_for_update().get_or_create(pk=1)
    eve = first - dt.timedelta(days=1)
    if built.until is None:
        older = ServiceRequest.objects.filter(
            submitted_at__lt=Period(first, first).start
        )
        contiguous = not older.exists()
    else:
        contiguous = built.until >= eve
    if contiguous and (built.until is None or built.until < last):
        built.until = last
        built.save(update_fields=["until"])


@transaction.atomic
def _rebuild_days(period: Period, calendar: WorkCalendar) -> int:
    DailyFigures.objects.filter(day__gte=period.first, day__lte=period.last).delete()
    DailyItemCounts.objects.filter(day__gte=period.first, day__lte=period.last).delete()
    rows: dict[tuple, list[int]] = defaultdict(lambda: [0, 0, 0, 0, 0])
    received = (
        ServiceRequest.objects.filter(
            submitted_at__gte=period.start, submitted_at__lt=period.end
        )
        .annotate(day=TruncDate("submitted_at"))
        .values_list("day", "village_id", "item__body_id", "mode")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for day, village, body, mode, count in received:
        rows[(day, village, body, mode)][0] += count
    for key, values in _completions(period, calendar):
        for index, value in enumerate(values, start=1):
            rows[key][index] += value or 0
    DailyFigures.objects.bulk_create(
        (
            DailyFigures(
                day=day,
                village_id=village,
                body_id=body,
                mode=mode,
                received=values[0],
                completed=values[1],
                completed_with_due=values[2],
                completed_on_time=values[3],
                working_days=values[4],
            )
            for (day, village, body, mode), values in rows.items()
        ),
        batch_size=BATCH,
    )
    items = (
        ServiceRequest.objects.filter(
            submitted_at__gte=period.start, submitted_at__lt=period.end
        )
        .annotate(day=TruncDate("submitted_at"))
        .values_list("day", "item_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    DailyItemCounts.objects.bulk_create(
        (DailyItemCounts(day=day, item_id=item, received=n) for day, item, n in items),
        batch_size=BATCH,
    )
    return len(rows)


def _completions(period: Period, calendar: WorkCalendar):
    corrections, _unknown = exceptions(
        calendar, period.first - dt.timedelta(days=MAX_SPAN_DAYS), period.last
    )
    done = TruncDate("completed_at")
    started = TruncDate(Coalesce("accepted_at", "submitted_at"))
    found = (
        ServiceRequest.objects.filter(
            completed_at__gte=period.start,
            completed_at__lt=period.end,
            status=Status.COMPLETED,
        )
        .annotate(day=done)
        .values_list("day", "village_id", "item__body_id", "mode")
        .annotate(
            done=Count("pk"),
            with_due=Count("pk", filter=Q(due_date__isnull=False)),
            on_time=Count("pk", filter=Q(due_date__gte=done)),
            days=Sum(
                workday_number(done, corrections) - workday_number(started, corrections)
            ),
        )
        .order_by()
    )
    for day, village, body, mode, *values in found:
        yield (day, village, body, mode), values
