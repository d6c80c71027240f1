"""The dashboard's figure per grid (网格): requests received in the period, open and
overdue now, ratings and the share satisfied. Two queries, however many grids and
requests (the grids with their requests counted, the ratings grouped by grid).

Whose requests count is ``access.statistics_q``, as for every figure: an official's
table has every grid of the town, a village clerk's the grids of their village.
Requests without a grid (not entered by a grid worker) are in no row.
"""

import datetime as dt

from django.db.models import Count, Q
from django.utils.translation import gettext as _

from villages.models import Grid, User

from .. import access, time_limits, workflow
from ..models import DueState, Rating
from ..statistics import PERCENT, TEXT, Column, Figure, Period, share

# The ratings counted as satisfied (满意 and above, 基本满意 included).
SATISFIED_LEVELS = (
    Rating.Level.VERY_SATISFIED,
    Rating.Level.SATISFIED,
    Rating.Level.FAIRLY_SATISFIED,
)


def _grids_counted(user: User, period: Period, today: dt.date) -> list[Grid]:
    """The grids `user`'s figures cover, each with its requests counted (one query:
    the grids LEFT JOIN their requests, grouped)."""
    villages, _bodies = access.statistics_limits(user)
    mine = access.statistics_q(user, via="service_requests__")

    def counted(condition: Q) -> Count:
        return Count("service_requests", filter=mine & condition)

    overdue = time_limits.flag_q(DueState.OVERDUE, today=today)
    grids = (
        Grid.objects.select_related("village")
        .annotate(
            received=counted(
                Q(
                    service_requests__submitted_at__gte=period.start,
                    service_requests__submitted_at__lt=period.end,
                )
            ),
            open=counted(Q(service_requests__status__in=workflow.OPEN)),
            overdue=counted(_via(overdue, "service_requests__")),
        )
        .order_by("village__order", "village__code", "number")
    )
    if villages is not None:
        grids = grids.filter(village_id__in=sorted(villages))
    return list(grids)


def _via(condition: Q, prefix: str) -> Q:
    """`condition` (on a request's fields) on the requests at `prefix`."""
    found = Q()
    found.connector, found.negated = condition.connector, condition.negated
    found.children = [
        _via(child, prefix)
        if isinstance(child, Q)
        else (f"{prefix}{child[0]}", child[1])
        for child in condition.children
    ]
    return found


def requests_by_grid(*, user: User, period: Period, today: dt.date) -> Figure:
    """Per grid: requests submitted in `period`, open now, overdue now (the one
    definition, ``time_limits.flag_q``), ratings given in `period` and the share of
    them satisfied (2 queries)."""
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
    for grid in _grids_counted(user, period, today):
        rated = ratings.get(grid.pk, {})
        figure.rows.append(
            [
                f"{grid.village.name} {grid.name}",
                grid.received,  # type: ignore[attr-defined]
                grid.open,  # type: ignore[attr-defined]
                grid.overdue,  # type: ignore[attr-defined]
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
