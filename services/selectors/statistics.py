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
from django.utils.translation import pgettext

from villages.models import User, Village
from villages.validators import mask_name

from .. import access, time_limits, workflow
from ..models import (
    Body,
    DailyFigures,
    DailyItemCounts,
    DueState,
    FiguresBuilt,
    FollowUp,
    HandlingMode,
    Question,
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
    split,
)
from ..working_days import MAX_SPAN_DAYS, UnknownCalendarYear, WorkCalendar
from ..working_days_sql import exceptions, workday_number, workday_number_py
from . import service_requests_with_due_flag
from .grids import requests_by_grid

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


def figures_built_until() -> dt.date | None:
    """The daily figures hold every day up to this one (None: none yet)."""
    return FiguresBuilt.objects.values_list("until", flat=True).first()


def _days(period: Period) -> Q:
    return Q(day__gte=period.first, day__lte=period.last)


def _daily(user: User) -> QuerySet[DailyFigures]:
    return DailyFigures.objects.filter(access.statistics_q(user, body="body_id"))


def requests_received(
    *, user: User, period: Period, names: Names, until: dt.date | None
) -> list[Figure]:
    """Requests submitted in `period` by village, body, item (the 20 most asked for
    and the rest) and mode: the daily figures up to `until`, the requests after it
    (at most three queries)."""
    daily, raw = split(period, until)
    town_items = access.statistics_limits(user)[0] is None
    counts: dict[tuple[int, int, str], int] = defaultdict(int)
    by_item: dict[int, int] = defaultdict(int)
    if daily:
        for village_id, body_id, mode, n in (
            _daily(user)
            .filter(_days(daily))
            .values_list("village_id", "body_id", "mode")
            .annotate(n=Sum("received"))
            .order_by()
        ):
            counts[(village_id, body_id, mode)] += n
        # Item counts are kept for the whole town only: a village's come from its
        # requests (a thirtieth of them).
        items = (
            DailyItemCounts.objects.filter(
                access.statistics_q(user), _days(daily)
            ).values_list("item_id")
            if town_items
            else _requests(user).filter(_in(period)).values_list("item_id")
        )
        for item_id, n in items.annotate(n=_sum_or_count(town_items)).order_by():
            by_item[item_id] += n
    if raw:
        for village_id, item_id, mode, n in (
            _requests(user)
            .filter(_in(raw))
            .values_list("village_id", "item_id", "mode")
            .annotate(n=Count("pk"))
            .order_by()
        ):
            counts[(village_id, names.items[item_id][1], mode)] += n
            if town_items or not daily:
                by_item[item_id] += n
    return _received_figures(counts, by_item, names)


def _sum_or_count(summed: bool):
    return Sum("received") if summed else Count("pk")


def _received_figures(counts: dict, by_item: dict, names: Names) -> list[Figure]:
    by_village: dict[int, int] = dict.fromkeys(names.villages, 0)
    by_body: dict[int, int] = dict.fromkeys(names.bodies, 0)
    by_mode: dict[str, int] = dict.fromkeys(HandlingMode.values, 0)
    for (village_id, body_id, mode), count in counts.items():
        by_village[village_id] = by_village.get(village_id, 0) + count
        by_body[body_id] = by_body.get(body_id, 0) + count
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


def _either(first: Q | None, second: Q | None) -> Q | None:
    found = [q for q in (first, second) if q is not None]
    if not found:
        return None
    return found[0] if len(found) == 1 else found[0] | found[1]


def agency_cases(*, user: User, period: Period, until: dt.date | None) -> AgencySummary:
    """定时代办 cases submitted in `period`, month by month and added up, beside the
    same months a year before (a query over the daily figures and one over the
    requests, each for both periods)."""
    before = period.year_before()
    now_daily, now_raw = split(period, until)
    before_daily, before_raw = split(before, until)
    counts: dict[dt.date, list[int]] = defaultdict(lambda: [0, 0])
    daily_now = _days(now_daily) if now_daily else None
    daily_before = _days(before_daily) if before_daily else None
    if (daily := _either(daily_now, daily_before)) is not None:
        none = Q(pk__in=[])
        rows = (
            _daily(user)
            .filter(Q(mode=HandlingMode.AGENCY) & daily)
            .annotate(month=TruncMonth("day"))
            .values_list("month")
            .annotate(
                now=Sum("received", filter=daily_now or none, default=0),
                before=Sum("received", filter=daily_before or none, default=0),
            )
            .order_by()
        )
        _add_months(counts, rows)
    raw_now = _in(now_raw) if now_raw else None
    raw_before = _in(before_raw) if before_raw else None
    if (raw := _either(raw_now, raw_before)) is not None:
        none = Q(pk__in=[])
        rows = (
            _requests(user)
            .filter(Q(mode=HandlingMode.AGENCY) & raw)
            .annotate(month=TruncMonth("submitted_at"))
            .values_list("month")
            .annotate(
                now=Count("pk", filter=raw_now or none),
                before=Count("pk", filter=raw_before or none),
            )
            .order_by()
        )
        _add_months(counts, rows)
    return _agency_summary(period, counts)


def _add_months(counts: dict, rows) -> None:
    for month, now, earlier in rows:
        if isinstance(month, dt.datetime):
            month = (
                timezone.localtime(month).date()
                if timezone.is_aware(month)
                else month.date()
            )
        counts[month][0] += now
        counts[month][1] += earlier


def _agency_summary(period: Period, counts: dict) -> AgencySummary:
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
        now = counts[month][0] if month in counts else 0
        earlier_month = month.replace(year=month.year - 1)
        earlier = counts[earlier_month][1] if earlier_month in counts else 0
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
    *,
    user: User,
    period: Period,
    names: Names,
    calendar: WorkCalendar,
    until: dt.date | None,
) -> tuple[Figure, Figure, bool]:
    """Requests completed in `period`, per village and per body: how many, how many of
    those with a due date were completed on or before it, and the average working
    days from acceptance to completion (the daily figures up to `until`, then one
    query over the requests). The flag: some year of the period is unknown to the
    holiday calendar (its days counted Monday to Friday)."""
    daily, raw = split(period, until)
    rows: list[tuple[int, int, list[int]]] = []
    if daily:
        rows += [
            (village_id, body_id, values)
            for village_id, body_id, *values in _daily(user)
            .filter(_days(daily))
            .values_list("village_id", "body_id")
            .annotate(
                Sum("completed"),
                Sum("completed_with_due"),
                Sum("completed_on_time"),
                Sum("working_days"),
            )
            .order_by()
        ]
    if raw:
        rows += [
            (village_id, names.items[item_id][1], values)
            for village_id, item_id, *values in completions_of_requests(
                _requests(user), raw, calendar
            ).values_list(
                "village_id", "item_id", "done", "with_due", "on_time", "days"
            )
        ]
    return (*_completion_figures(rows, names), _years_unknown(calendar, period))


def completions_of_requests(
    requests: QuerySet[ServiceRequest], period: Period, calendar: WorkCalendar
) -> QuerySet[ServiceRequest]:
    """`requests` completed in `period`, ready to group (``values_list`` the fields
    to group by first): `done`, `with_due`, `on_time` and `days`, the working days
    from acceptance (or submission) to completion, all counted in SQL."""
    corrections, _unknown = exceptions(
        calendar, period.first - dt.timedelta(days=MAX_SPAN_DAYS), period.last
    )
    done = TruncDate("completed_at")
    started = TruncDate(Coalesce("accepted_at", "submitted_at"))
    return (
        requests.filter(_in(period, "completed_at"), status=Status.COMPLETED)
        .alias(done_day=done)
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


def _years_unknown(calendar: WorkCalendar, period: Period) -> bool:
    for year in range(period.first.year, period.last.year + 1):
        try:
            calendar.is_workday(dt.date(year, 6, 30))
        except UnknownCalendarYear:
            return True
    return False


def _completion_figures(rows: list, names: Names) -> tuple[Figure, Figure]:
    villages = {pk: [0, 0, 0, 0] for pk in names.villages}
    bodies = {pk: [0, 0, 0, 0] for pk in names.bodies}
    for village_id, body_id, values in rows:
        for sums in (
            villages.setdefault(village_id, [0, 0, 0, 0]),
            bodies.setdefault(body_id, [0, 0, 0, 0]),
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
    )


def _completion_figure(key: str, title: str, label: str, groups: list) -> Figure:
    columns = [
        Column(label, TEXT),
        Column(pgettext("figure column", "Completed")),
        Column(_("With a due date")),
        Column(pgettext("figure column", "On time")),
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
        [
            Column(_("Village"), TEXT),
            Column(pgettext("figure column", "Open")),
            Column(_("Past deadline")),
        ],
    )
    for pk, name in names.villages.items():
        figure.rows.append([name, *counts.get(pk, (0, 0))])
    figure.total = [
        _("Total"),
        sum(row[1] for row in figure.rows),
        sum(row[2] for row in figure.rows),
    ]
    return figure


# --- 留言咨询: questions answered on time ---------------------------------------------


def questions_answered(*, user: User, period: Period, names: Names, today: dt.date):
    """Questions asked in `period` by village (the town's own last): asked, answered,
    answered on time (by the due date), open past the due date as they are today, and
    the on-time share of the answered (one query)."""
    counts = {
        village_id: rest
        for village_id, *rest in Question.objects.filter(
            access.statistics_q(user), _in(period, "asked_at")
        )
        .values_list("village_id")
        .annotate(
            asked=Count("pk"),
            answered=Count("pk", filter=Q(answered_at__isnull=False)),
            on_time=Count("pk", filter=time_limits.answered_on_time_q()),
            overdue=Count("pk", filter=Q(answered_at__isnull=True, due_date__lt=today)),
        )
        .order_by()
    }
    figure = Figure(
        "questions",
        _("Residents' questions answered on time"),
        [
            Column(_("Village"), TEXT),
            Column(_("Asked")),
            Column(_("Answered")),
            Column(_("Answered on time")),
            Column(_("Overdue")),
            Column(_("On-time share"), PERCENT),
        ],
        note=_(
            "Questions asked in the period; overdue: not answered and past the due "
            "date today."
        ),
    )
    places = list(names.villages.items())
    if access.statistics_limits(user)[0] is None:
        places.append((None, _("The town (no particular village)")))
    for pk, name in places:
        asked, answered, on_time, overdue = counts.get(pk, (0, 0, 0, 0))
        figure.rows.append(
            [name, asked, answered, on_time, overdue, share(on_time, answered)]
        )
    totals = [sum(row[n] for row in figure.rows) for n in range(1, 5)]
    figure.total = [_("Total"), *totals, share(totals[2], totals[1])]
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
    questions: Figure
    by_grid: Figure


def dashboard_get(
    *, user: User, period: Period, today: dt.date, calendar: WorkCalendar
) -> Dashboard:
    """Every figure of the dashboard but the overdue list: ten queries."""
    names = Names.load(user)
    until = figures_built_until()
    by_village, by_body, unknown = completion(
        user=user, period=period, names=names, calendar=calendar, until=until
    )
    return Dashboard(
        period=period,
        year_before=period.year_before(),
        received=requests_received(user=user, period=period, names=names, until=until),
        agency=agency_cases(user=user, period=period, until=until),
        on_time=[by_village, by_body],
        calendar_unknown=unknown,
        satisfaction=satisfaction(user=user, period=period),
        follow_ups=follow_ups_open(user=user, names=names, today=today),
        questions=questions_answered(
            user=user, period=period, names=names, today=today
        ),
        by_grid=requests_by_grid(user=user, period=period, today=today),
    )


def figure_get(
    key: str, *, user: User, period: Period, today: dt.date, calendar: WorkCalendar
) -> Figure | None:
    """One figure by its key (None for an unknown key), computed alone."""
    received = {"by-village", "by-body", "by-item", "by-mode"}
    if key in received:
        figures = requests_received(
            user=user,
            period=period,
            names=Names.load(user),
            until=figures_built_until(),
        )
        return next(figure for figure in figures if figure.key == key)
    if key == "agency":
        return agency_cases(
            user=user, period=period, until=figures_built_until()
        ).figure
    if key in {"on-time-by-village", "on-time-by-body"}:
        found = completion(
            user=user,
            period=period,
            names=Names.load(user),
            calendar=calendar,
            until=figures_built_until(),
        )
        return found[0] if key == "on-time-by-village" else found[1]
    if key == "satisfaction":
        return satisfaction(user=user, period=period)
    if key == "follow-ups":
        return follow_ups_open(user=user, names=Names.load(user), today=today)
    if key == "questions":
        return questions_answered(
            user=user, period=period, names=Names.load(user), today=today
        )
    if key == "by-grid":
        return requests_by_grid(user=user, period=period, today=today)
    if key == "overdue":
        cases = overdue_cases(user=user, today=today, calendar=calendar)
        return overdue_figure(
            list(cases[:OVERDUE_EXPORT_LIMIT]), today=today, calendar=calendar
        )
    return None


def statistics_scope_codes(user: User) -> tuple[list[str] | None, list[str] | None]:
    """(village codes, body codes) whose requests the figures of `user` count, as
    ``access.statistics_limits`` says; None is "every" (at most two queries)."""
    village_ids, body_ids = access.statistics_limits(user)
    return _codes(Village, village_ids), _codes(Body, body_ids)


def _codes(
    model: type[Village] | type[Body], ids: frozenset[int] | None
) -> list[str] | None:
    if ids is None:
        return None
    rows = model.objects.filter(pk__in=ids).order_by("order", "code")
    return list(rows.values_list("code", flat=True))
