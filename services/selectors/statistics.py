"""Reads for the officials' dashboard: every figure grouped in SQL, one query each,
whatever the number of requests (the names of villages, bodies and items in two more).

Whose requests count is ``access.statistics_q``: the whole town for officials, a
village clerk's village, a town-center clerk's bodies. Requests count in the period by
the day they were submitted, completions by the day they were completed, ratings by
the day they were given; open follow-ups and overdue cases are counted as they are now.
"""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import Coalesce, TruncDate, TruncMonth
from django.utils import timezone
from django.utils.translation import gettext as _

from villages.models import User, Village

from .. import access, workflow
from ..models import (
    DueState,
    FollowUp,
    HandlingMode,
    Rating,
    ServiceItem,
    ServiceRequest,
    Status,
)
from ..statistics import (
    DAYS,
    PERCENT,
    TEXT,
    Column,
    Figure,
    Period,
    change_label,
    change_percent,
    share,
)
from ..working_days import MAX_SPAN_DAYS, WorkCalendar
from ..working_days_sql import exceptions, workday_number, workday_number_py
from . import service_requests_with_due_flag

TOP_ITEMS = 20


def _requests(user: User) -> QuerySet[ServiceRequest]:
    return ServiceRequest.objects.filter(access.statistics_q(user))


def _in(period: Period, field: str = "submitted_at") -> Q:
    return Q(**{f"{field}__gte": period.start, f"{field}__lt": period.end})


@dataclass(frozen=True)
class Names:
    """The villages and bodies the user's figures cover, and every item's name and
    body (two queries)."""

    villages: dict[int, str]
    bodies: dict[int, str]
    items: dict[int, tuple[str, int]]  # id → (name, body id)

    @classmethod
    def load(cls, user: User) -> "Names":
        village_ids, body_ids = access.statistics_limits(user)
        villages = Village.objects.order_by("order", "code")
        if village_ids is not None:
            villages = villages.filter(pk__in=village_ids)
        items = ServiceItem.objects.select_related("body").order_by(
            "body__order", "body__code", "code"
        )
        bodies: dict[int, str] = {}
        item_names: dict[int, tuple[str, int]] = {}
        for item in items:
            if body_ids is None or item.body_id in body_ids:
                bodies.setdefault(item.body_id, item.body.name)
            item_names[item.pk] = (item.name, item.body_id)
        return cls(dict(villages.values_list("pk", "name")), bodies, item_names)


# --- requests received ---------------------------------------------------------------------


def requests_received(*, user: User, period: Period, names: Names) -> list[Figure]:
    """Requests submitted in `period` by village, body, item (the 20 most asked for
    and the rest) and mode: one query grouped by village, item and mode."""
    rows = (
        _requests(user)
        .filter(_in(period))
        .values_list("village_id", "item_id", "mode")
        .annotate(n=Count("pk"))
        .order_by()
    )
    by_village: dict[int, int] = dict.fromkeys(names.villages, 0)
    by_body: dict[int, int] = dict.fromkeys(names.bodies, 0)
    by_item: dict[int, int] = defaultdict(int)
    by_mode: dict[str, int] = dict.fromkeys(HandlingMode.values, 0)
    for village_id, item_id, mode, count in rows:
        by_village[village_id] = by_village.get(village_id, 0) + count
        body_id = names.items[item_id][1]
        by_body[body_id] = by_body.get(body_id, 0) + count
        by_item[item_id] += count
        by_mode[mode] = by_mode.get(mode, 0) + count
    total = sum(by_mode.values())
    return [
        _counted(
            "by-village",
            _("Requests by village"),
            _("Village"),
            [(names.villages.get(pk, "?"), n) for pk, n in by_village.items()],
            total,
        ),
        _counted(
            "by-body",
            _("Requests by body"),
            _("Body"),
            [(names.bodies.get(pk, "?"), n) for pk, n in by_body.items()],
            total,
        ),
        _items_figure(by_item, names, total),
        _counted(
            "by-mode",
            _("Requests by handling mode"),
            _("Handling mode"),
            [(HandlingMode(mode).label, n) for mode, n in by_mode.items()],
            total,
        ),
    ]


def _counted(key: str, title: str, label: str, rows: list, total: int) -> Figure:
    return Figure(
        key,
        title,
        [Column(label, TEXT), Column(_("Requests")), Column(_("Share"), PERCENT)],
        [[name, n, share(n, total)] for name, n in rows],
        total=[_("Total"), total, share(total, total)],
    )


def _items_figure(by_item: dict[int, int], names: Names, total: int) -> Figure:
    ranked = sorted(by_item.items(), key=lambda pair: (-pair[1], pair[0]))
    top, rest = ranked[:TOP_ITEMS], ranked[TOP_ITEMS:]
    rows = [(names.items[pk][0], n) for pk, n in top]
    if rest:
        rows.append(
            (
                _("%(count)d other items") % {"count": len(rest)},
                sum(n for _pk, n in rest),
            )
        )
    return _counted(
        "by-item", _("Requests by item (the 20 most asked for)"), _("Item"), rows, total
    )


# --- full agency (定时代办), against the same period a year before -----------------------


@dataclass
class AgencySummary:
    now: int
    before: int
    change: int | None
    figure: Figure

    @property
    def change_label(self) -> str:
        return change_label(self.change)


def agency_cases(*, user: User, period: Period) -> AgencySummary:
    """定时代办 cases submitted in `period`, month by month and added up, beside the
    same months a year before (one query over both periods)."""
    before = period.year_before()
    now_q, before_q = _in(period), _in(before)
    rows = (
        _requests(user)
        .filter(Q(mode=HandlingMode.AGENCY) & (now_q | before_q))
        .annotate(month=TruncMonth("submitted_at"))
        .values_list("month")
        .annotate(now=Count("pk", filter=now_q), before=Count("pk", filter=before_q))
        .order_by()
    )
    counts: dict[dt.date, tuple[int, int]] = {}
    for month, now, earlier in rows:
        day = timezone.localtime(month).date() if timezone.is_aware(month) else month
        counts[day if isinstance(day, dt.date) else day.date()] = (now, earlier)
    figure = Figure(
        "agency",
        _("Full-agency (定时代办) cases, month by month"),
        [
            Column(_("Month"), TEXT),
            Column(_("Cases")),
            Column(_("Cases so far")),
            Column(_("Cases a year before")),
            Column(_("So far a year before")),
        ],
        bar=2,
    )
    so_far = so_far_before = 0
    for month in period.months():
        now = counts.get(month, (0, 0))[0]
        earlier = counts.get(month.replace(year=month.year - 1), (0, 0))[1]
        so_far, so_far_before = so_far + now, so_far_before + earlier
        figure.rows.append(
            [month.strftime("%Y-%m"), now, so_far, earlier, so_far_before]
        )
    figure.total = [_("Total"), so_far, so_far, so_far_before, so_far_before]
    return AgencySummary(
        so_far, so_far_before, change_percent(so_far, so_far_before), figure
    )


# --- on time and working days to complete -----------------------------------------------


def completion(
    *, user: User, period: Period, names: Names, calendar: WorkCalendar
) -> tuple[Figure, Figure, bool]:
    """Requests completed in `period`, per village and per body: how many, how many of
    those with a due date were completed on or before it, and the average working
    days from acceptance to completion (one query). The flag: some year of the
    working-day count is unknown to the calendar (counted Monday to Friday)."""
    corrections, unknown = exceptions(
        calendar, period.first - dt.timedelta(days=MAX_SPAN_DAYS), period.last
    )
    done = TruncDate("completed_at")
    started = TruncDate(Coalesce("accepted_at", "submitted_at"))
    rows = (
        _requests(user)
        .filter(_in(period, "completed_at"), status=Status.COMPLETED)
        .values_list("village_id", "item_id")
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
    villages = {pk: [0, 0, 0, 0] for pk in names.villages}
    bodies = {pk: [0, 0, 0, 0] for pk in names.bodies}
    for village_id, item_id, *values in rows:
        for sums in (
            villages.setdefault(village_id, [0, 0, 0, 0]),
            bodies.setdefault(names.items[item_id][1], [0, 0, 0, 0]),
        ):
            for index, value in enumerate(values):
                sums[index] += value or 0
    return (
        _completion_figure(
            "on-time-by-village",
            _("On time and working days, by village"),
            _("Village"),
            [(names.villages.get(pk, "?"), sums) for pk, sums in villages.items()],
        ),
        _completion_figure(
            "on-time-by-body",
            _("On time and working days, by body"),
            _("Body"),
            [(names.bodies.get(pk, "?"), sums) for pk, sums in bodies.items()],
        ),
        unknown,
    )


def _completion_figure(key: str, title: str, label: str, groups: list) -> Figure:
    columns = [
        Column(label, TEXT),
        Column(_("Completed")),
        Column(_("With a due date")),
        Column(_("On time")),
        Column(_("On-time rate"), PERCENT),
        Column(_("Average working days"), DAYS),
    ]
    figure = Figure(key, title, columns, bar=4)
    totals = [0, 0, 0, 0]
    for name, (done, with_due, on_time, days) in groups:
        figure.rows.append(_completion_row(name, done, with_due, on_time, days))
        totals = [
            a + b for a, b in zip(totals, (done, with_due, on_time, days), strict=True)
        ]
    figure.total = _completion_row(_("Total"), *totals)
    return figure


def _completion_row(name: str, done: int, with_due: int, on_time: int, days: int):
    average = round(days / done, 1) if done else None
    return [name, done, with_due, on_time, share(on_time, with_due), average]


# --- satisfaction and 差评 follow-ups ----------------------------------------------------


def satisfaction(*, user: User, period: Period) -> Figure:
    """Ratings given in `period`, by level (one query)."""
    counts = dict(
        Rating.objects.filter(
            access.statistics_q(user, via="request__"), _in(period, "created_at")
        )
        .values_list("level")
        .annotate(n=Count("pk"))
        .order_by()
    )
    total = sum(counts.values())
    return Figure(
        "satisfaction",
        _("Satisfaction (好差评)"),
        [Column(_("Rating"), TEXT), Column(_("Ratings")), Column(_("Share"), PERCENT)],
        [
            [
                level.label,
                counts.get(level.value, 0),
                share(counts.get(level, 0), total),
            ]
            for level in Rating.Level
        ],
        total=[_("Total"), total, share(total, total)],
    )


def follow_ups_open(*, user: User, names: Names, today: dt.date) -> Figure:
    """差评 follow-ups not answered yet, and those past their deadline, by village
    (as they are today, whatever the period; one query)."""
    counts = {
        village_id: (open_, overdue)
        for village_id, open_, overdue in FollowUp.objects.filter(
            access.statistics_q(user, via="rating__request__")
        )
        .exclude(stage=FollowUp.Stage.ANSWERED)
        .values_list("rating__request__village_id")
        .annotate(n=Count("pk"), late=Count("pk", filter=Q(deadline__lt=today)))
        .order_by()
    }
    figure = Figure(
        "follow-ups",
        _("Open poor-rating follow-ups"),
        [Column(_("Village"), TEXT), Column(_("Open")), Column(_("Past deadline"))],
    )
    for pk, name in names.villages.items():
        figure.rows.append([name, *counts.get(pk, (0, 0))])
    figure.total = [
        _("Total"),
        sum(row[1] for row in figure.rows),
        sum(row[2] for row in figure.rows),
    ]
    return figure


# --- the overdue list ---------------------------------------------------------------------


def overdue_cases(
    *, user: User, today: dt.date, calendar: WorkCalendar
) -> QuerySet[ServiceRequest]:
    """Open cases past their due date (the one definition: ``time_limits.flag``), the
    longest overdue first."""
    candidates = _requests(user).filter(
        status__in=workflow.CLOCK_RUNNING, due_date__lt=today
    )
    return (
        service_requests_with_due_flag(candidates, today=today, calendar=calendar)
        .filter(due_flag=DueState.OVERDUE)
        .select_related("item", "village")
        .order_by("due_date", "pk")
    )


def mask_name(name: str) -> str:
    """张*英, 张*: a name as the overdue list and its download show it."""
    name = name.strip()
    if len(name) <= 1:
        return "*"
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]


def overdue_figure(
    cases: list[ServiceRequest], *, today: dt.date, calendar: WorkCalendar
) -> Figure:
    """The overdue cases as a table: numbers and masked names only."""
    first = min((case.due_date for case in cases), default=today)
    corrections, _unknown = exceptions(calendar, first, today)
    today_number = workday_number_py(today, corrections)
    figure = Figure(
        "overdue",
        _("Overdue cases"),
        [
            Column(_("Tracking number"), TEXT),
            Column(_("Item"), TEXT),
            Column(_("Village"), TEXT),
            Column(_("Applicant"), TEXT),
            Column(_("Due date"), TEXT),
            Column(_("Working days late")),
        ],
        bar=None,
    )
    for case in cases:
        late = today_number - workday_number_py(case.due_date, corrections)
        figure.rows.append(
            [
                case.tracking_number,
                case.item.name,
                case.village.name,
                mask_name(case.applicant_name),
                case.due_date.isoformat(),
                late,
            ]
        )
    return figure


# --- the whole dashboard, and each figure alone for a download -------------------------

OVERDUE_PER_PAGE = 20
OVERDUE_EXPORT_LIMIT = 10_000


@dataclass
class Dashboard:
    period: Period
    year_before: Period
    received: list[Figure]
    agency: AgencySummary
    on_time: list[Figure]
    calendar_unknown: bool
    satisfaction: Figure
    follow_ups: Figure


def dashboard_get(
    *, user: User, period: Period, today: dt.date, calendar: WorkCalendar
) -> Dashboard:
    """Every figure of the dashboard but the overdue list: seven queries."""
    names = Names.load(user)
    by_village, by_body, _unknown = completion(
        user=user, period=period, names=names, calendar=calendar
    )
    return Dashboard(
        period=period,
        year_before=period.year_before(),
        received=requests_received(user=user, period=period, names=names),
        agency=agency_cases(user=user, period=period),
        on_time=[by_village, by_body],
        calendar_unknown=_unknown,
        satisfaction=satisfaction(user=user, period=period),
        follow_ups=follow_ups_open(user=user, names=names, today=today),
    )


def figure_get(
    key: str, *, user: User, period: Period, today: dt.date, calendar: WorkCalendar
) -> Figure | None:
    """One figure by its key (None for an unknown key), computed alone."""
    received = {"by-village", "by-body", "by-item", "by-mode"}
    if key in received:
        figures = requests_received(user=user, period=period, names=Names.load(user))
        return next(figure for figure in figures if figure.key == key)
    if key == "agency":
        return agency_cases(user=user, period=period).figure
    if key in {"on-time-by-village", "on-time-by-body"}:
        found = completion(
            user=user, period=period, names=Names.load(user), calendar=calendar
        )
        return found[0] if key == "on-time-by-village" else found[1]
    if key == "satisfaction":
        return satisfaction(user=user, period=period)
    if key == "follow-ups":
        return follow_ups_open(user=user, names=Names.load(user), today=today)
    if key == "overdue":
        cases = overdue_cases(user=user, today=today, calendar=calendar)
        return overdue_figure(
            list(cases[:OVERDUE_EXPORT_LIMIT]), today=today, calendar=calendar
        )
    return None
