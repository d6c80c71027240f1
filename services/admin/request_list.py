"""The officials' request list at a million rows: its date filter, its paginator.

- ``SubmittedBetweenFilter`` replaces ``date_hierarchy`` (which ran ``DISTINCT
  date_trunc`` over the whole table on every page): two dates, read with the
  ``request_newest_first`` index.
- ``CappedCountPaginator`` counts at most ``EXACT_UP_TO`` rows; past that, PostgreSQL's
  own estimate of the filtered query is shown as "about N", and only the pages of the
  first ``EXACT_UP_TO`` rows are offered. An exact ``COUNT(*)`` of a million rows, or a
  page at OFFSET 900000, costs far more than the page itself.
"""

import datetime as dt
import json

from django.contrib import admin
from django.contrib.admin.options import IncorrectLookupParameters
from django.core.paginator import Page, Paginator
from django.db import connections
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from huagang.middleware import LOOKUP_YEARS


class SubmittedBetweenFilter(admin.ListFilter):
    """Requests submitted from one day to another (both included, local days)."""

    title = _("submitted between")
    template = "admin/services/date_range_filter.html"
    field = "submitted_at"
    since, until = "submitted_from", "submitted_to"

    def __init__(self, request, params, model, model_admin):
        super().__init__(request, params, model, model_admin)
        self.dates: dict[str, dt.date] = {}
        for name in (self.since, self.until):
            if name not in params:
                continue
            value = params.pop(name)
            text = (value[-1] if isinstance(value, list) else value).strip()
            if not text:
                continue
            day = self._parse(text)
            self.used_parameters[name] = text
            self.dates[name] = day

    @staticmethod
    def _parse(text: str) -> dt.date:
        try:
            day = parse_date(text)
        except ValueError:
            day = None
        if day is None or not LOOKUP_YEARS[0] <= day.year <= LOOKUP_YEARS[1]:
            raise IncorrectLookupParameters(_("Enter a date as 2026-03-10."))
        return day

    def has_output(self) -> bool:
        return True

    def expected_parameters(self) -> list[str]:
        return [self.since, self.until]

    def _start(self, day: dt.date) -> dt.datetime:
        return timezone.make_aware(dt.datetime.combine(day, dt.time.min))

    def queryset(self, request, queryset):
        if self.since in self.dates:
            queryset = queryset.filter(
                **{f"{self.field}__gte": self._start(self.dates[self.since])}
            )
        if self.until in self.dates:
            end = self._start(self.dates[self.until] + dt.timedelta(days=1))
            queryset = queryset.filter(**{f"{self.field}__lt": end})
        return queryset

    def choices(self, changelist):
        """One "choice": the form, with the other filters kept as hidden fields and
        a link that clears the dates."""
        kept = changelist.get_filters_params()
        for name in (self.since, self.until):
            kept.pop(name, None)
        hidden = [
            (key, value)
            for key, values in kept.items()
            for value in (values if isinstance(values, list) else [values])
        ]
        if changelist.query:
            hidden.append(("q", changelist.query))
        yield {
            "hidden": hidden,
            "since": self.used_parameters.get(self.since, ""),
            "until": self.used_parameters.get(self.until, ""),
            "since_name": self.since,
            "until_name": self.until,
            "clear_url": changelist.get_query_string(remove=[self.since, self.until]),
            "selected": bool(self.used_parameters),
        }


EXACT_UP_TO = 10_000


class CappedCountPaginator(Paginator):
    """Counts exactly up to ``EXACT_UP_TO`` rows (a ``COUNT`` over a ``LIMIT``, which
    stops early); past that, PostgreSQL's planner estimate of the same query, never
    below the exact part, and ``estimated`` is true (the page says "about")."""

    estimated = False

    @cached_property
    def count(self) -> int:
        queryset: QuerySet = self.object_list
        exact = queryset.order_by().values("pk")[: EXACT_UP_TO + 1].count()
        if exact <= EXACT_UP_TO:
            return exact
        self.estimated = True
        return max(EXACT_UP_TO + 1, self._planner_estimate(queryset) or 0)

    @staticmethod
    def _planner_estimate(queryset: QuerySet) -> int | None:
        connection = connections[queryset.db]
        if connection.vendor != "postgresql":
            return queryset.count()
        sql, params = queryset.order_by().values("pk").query.sql_with_params()
        with connection.cursor() as cursor:
            cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
            plan = cursor.fetchone()[0]
        if isinstance(plan, str):
            plan = json.loads(plan)
        return int(plan[0]["Plan"]["Plan Rows"])

    @cached_property
    def num_pages(self) -> int:
        """With an estimated count, only the pages of the first ``EXACT_UP_TO`` rows
        are offered: a page deep in a million rows costs an OFFSET that reads every
        row before it. Past that, narrow the filters (or export)."""
        if self.count and self.estimated:
            return -(-EXACT_UP_TO // self.per_page)
        return super().num_pages

    def page(self, number) -> Page:
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if not self.estimated and top + self.orphans >= self.count:
            top = self.count  # Django's own rule; an estimate has no known end
        return self._get_page(self.object_list[bottom:top], number, self)
