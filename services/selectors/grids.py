"""The dashboard's figure per grid (网格): requests received in the period, open and
overdue now, ratings and the share satisfied. Three queries, however many grids and
requests (the grids, the requests grouped by grid, the ratings grouped by grid).

Whose requests count is ``access.statistics_q``, as for every figure: an official's
table has every grid of the town, a village clerk's the grids of their village.
Requests without a grid (not entered by a grid worker) are in no row.
"""

import datetime as dt

from django.db.models import Count, Q
from django.utils.translation import gettext as _

from villages.models import Grid, User

from .. import access, time_limits, workflow
from ..models import DueState, Rating, ServiceRequest
from ..statistics import PERCENT, TEXT, Column, Figure, Period, share

# The ratings counted as satisfied (满意 and above, 基本满意 included).
SATISFIED_LEVELS = (
    Rating.Level.VERY_SATISFIED,
    Rating.Level.SATISFIED,
    Rating.Level.FAIRLY_SATISFIED,
)


def _grids(user: User) -> list[Grid]:
    villages, _bodies = access.statistics_limits(user)
    grids = Grid.objects.select_related("village").order_by(
        "village__order", "village__code", "number"
    )
    if villages is not None:
        grids = grids.filter(village_id__in=sorted(villages))
    return list(grids)


def requests_by_grid(*, user: User, period: Period, today: dt.date) -> Figure:
    """Per grid: requests submitted in `period`, open now, overdue now (the one
    definition, ``time_limits.flag_q``), ratings given in `period` and the share of
    them satisfied (3 queries)."""
    counts = {
        row["grid_id"]: row
        for row in ServiceRequest.objects.filter(
            access.statistics_q(user), grid__isnull=False
        )
        .values("grid_id")
        .annotate(
            received=Count(
                "pk",
                filter=Q(submitted_at__gte=period.start, submitted_at__lt=period.end),
            ),
            open=Count("pk", filter=Q(status__in=workflow.OPEN)),
            overdue=Count(
                "pk", filter=time_limits.flag_q(DueState.OVERDUE, today=today)
            ),
        )
        .order_by()
    }
    ratings = {
        row["request__grid_id"]: row
        for row in Rating.objects.filter(
            access.statistics_q(user, via="request__"),
            request__grid__isnull=False,
            created_at__gte=period.start,
            created_at__lt=period.end,
        )
        .values("request__grid_id")
        .annotate(
            n=Count("pk"), satisfied=Count("pk", filter=Q(level__in=SATISFIED_LEVELS))
        )
        .order_by()
    }
    figure = Figure(
        "by-grid",
        _("Requests by grid (网格)"),
        [
            Column(_("Grid"), TEXT),
            Column(_("Received")),
            Column(_("Open now")),
            Column(_("Overdue now")),
            Column(_("Ratings")),
            Column(_("Satisfied"), PERCENT),
        ],
        note=_(
            "Requests a grid worker entered for the grid's households (网格员代办); "
            "satisfied: 基本满意 or better."
        ),
    )
    for grid in _grids(user):
        found = counts.get(grid.pk, {})
        rated = ratings.get(grid.pk, {})
        figure.rows.append(
            [
                f"{grid.village.name} {grid.name}",
                found.get("received", 0),
                found.get("open", 0),
                found.get("overdue", 0),
                rated.get("n", 0),
                share(rated.get("satisfied", 0), rated.get("n", 0)),
            ]
        )
    n = sum(row[4] for row in figure.rows)
    satisfied = sum(r.get("satisfied", 0) for r in ratings.values())
    figure.total = [
        _("Total"),
        *(sum(row[i] for row in figure.rows) for i in (1, 2, 3, 4)),
        share(satisfied, n),
    ]
    return figure
