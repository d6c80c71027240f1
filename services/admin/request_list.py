"""The officials' request list at a million rows: its columns, filters, search,
paginator and calendar warning (``RequestListMixin`` for ``ServiceRequestAdmin``).

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

from django.contrib import admin, messages
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.views.main import ChangeList
from django.core.paginator import Page, Paginator
from django.db import connections
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.functional import cached_property
from django.utils.html import format_html
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from huagang.middleware import LOOKUP_YEARS

from .. import time_limits
from ..models import DueState
from ..selectors import service_requests_with_due_flag
from ..selectors.request_search import (
    search_term_is_personal,
    service_requests_search,
)
from ..working_days import WorkCalendar
from .request_search import (
    SEARCH_KEY_VAR,
    UnknownSearch,
    pairs,
    search_redirect,
    searched_term,
    unknown_search_redirect,
)


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
        hidden += changelist.search_params()
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


class OverdueFilter(admin.SimpleListFilter):
    title = _("time limit")
    parameter_name = "due"

    def lookups(self, request, model_admin):
        return [
            (state.value, state.label)
            for state in (DueState.OVERDUE, DueState.DUE_SOON, DueState.UNKNOWN)
        ]

    def queryset(self, request, queryset):
        if self.value() in (DueState.OVERDUE, DueState.DUE_SOON, DueState.UNKNOWN):
            return queryset.filter(
                time_limits.flag_q(
                    self.value(),
                    today=timezone.localdate(),
                    calendar=WorkCalendar.load(),
                )
            )
        return queryset


class RequestChangeList(ChangeList):
    """The list's rows carry their `due_flag` (the same rule as the clerks' queue).

    A search by name or phone arrives as ``?qs=<key>`` (``request_search``): the key
    stays in the list's parameters, so every link of the list (pages, sorting,
    filters, exports) carries the key and never the term; the term itself, resolved
    by the admin before the list is built (``request.huagang_search_term``), is the
    list's query."""

    def get_filters_params(self, params=None):
        lookup_params = super().get_filters_params(params)
        lookup_params.pop(SEARCH_KEY_VAR, None)
        return lookup_params

    def get_queryset(self, request, exclude_parameters=None):
        term = getattr(request, "huagang_search_term", None)
        if term is not None:
            self.query = term
        queryset = super().get_queryset(request, exclude_parameters)
        return service_requests_with_due_flag(queryset)

    def search_params(self) -> list[tuple[str, str]]:
        """The search as a form carries it: its key, or a tracking number."""
        if SEARCH_KEY_VAR in self.params:
            return [(SEARCH_KEY_VAR, self.params[SEARCH_KEY_VAR])]
        return [("q", self.query)] if self.query else []


# How many rows the "calendar year unknown" warning counts at most (the rest: "or more").
UNKNOWN_COUNTED = 100
_FLAGGED = {DueState.OVERDUE, DueState.DUE_SOON, DueState.UNKNOWN}


class RequestListMixin:
    """The request list's columns, search, export links and calendar warning."""

    @admin.display(description=_("applicant"))
    def applicant(self, obj):
        return format_html(
            '{} <span class="phone">{}</span>',
            f"{obj.applicant_name[:1]}**",
            obj.masked_phone,
        )

    @admin.display(description=_("service item"))
    def item_short(self, obj):
        name = obj.item.name
        return format_html(
            '<span title="{}">{}</span>', name, Truncator(name).chars(10)
        )

    @admin.display(description=_("due date"), ordering="due_date")
    def due(self, obj):
        return obj.due_date.isoformat() if obj.due_date else "-"

    @admin.display(description=_("status"))
    def status_and_due(self, obj):
        flag = getattr(obj, "due_flag", "")
        if flag not in _FLAGGED:
            return obj.get_status_display()
        return format_html(
            '{} <span class="due-flag due-{}">{}</span>',
            obj.get_status_display(),
            flag,
            DueState(flag).label,
        )

    @admin.display(description=_("submitted"), ordering="submitted_at")
    def submitted(self, obj):
        when = timezone.localtime(obj.submitted_at)
        return format_html(
            '{} <span class="time">{}</span>',
            when.strftime("%Y-%m-%d"),
            when.strftime("%H:%M"),
        )

    def get_changelist(self, request, **kwargs):
        return RequestChangeList

    def get_search_results(self, request, queryset, search_term):
        """Indexed lookups by number, phone or name. A search by phone or name was
        recorded (masked) once when it was made (``request_search``), not on every
        page of its results."""
        found, _kind = service_requests_search(queryset, term=search_term)
        return found, False

    def changelist_view(self, request, extra_context=None):
        """A personal ``?q=`` (an old bookmark, a hand-typed address) is moved into
        the session at once; a ``?qs=`` key is resolved, or refused with a message."""
        typed = request.GET.get("q", "")
        if request.method == "GET" and search_term_is_personal(typed):
            return search_redirect(request, typed, pairs(request.GET))
        try:
            request.huagang_search_term = searched_term(request)
        except UnknownSearch:
            return unknown_search_redirect(request)
        response = super().changelist_view(request, extra_context)
        changelist = getattr(response, "context_data", {}).get("cl")
        if changelist is None:  # a redirect, or an action's own response
            return response
        response.context_data["export_urls"] = self.export_urls(request, changelist)
        self._warn_unknown_due(request, changelist.queryset)
        return response

    def _warn_unknown_due(self, request, queryset) -> None:
        """Warn about running requests of the current list with no due date for want
        of a calendar year (read from the small partial index ``request_due_unknown``;
        counted up to ``UNKNOWN_COUNTED``). The page renders after this, messages
        included."""
        running_undated = time_limits.flag_q(
            DueState.UNKNOWN, today=timezone.localdate()
        )
        unknown = (
            queryset.filter(running_undated)
            .order_by()
            .values("pk")[: UNKNOWN_COUNTED + 1]
            .count()
        )
        if not unknown:
            return
        messages.warning(
            request,
            ngettext(
                "%(n)s request has no due date because the holiday calendar for its "
                "year is missing. Add the year under “holiday calendar”.",
                "%(n)s requests have no due date because the holiday calendar for their "
                "year is missing. Add the year under “holiday calendar”.",
                unknown,
            )
            % {"n": f"{UNKNOWN_COUNTED}+" if unknown > UNKNOWN_COUNTED else unknown},
        )

    def get_inlines(self, request, obj):
        # The step is taken in the form's clean(); with no inline formsets on POST, a
        # missing or tampered management form cannot show an error after it was taken.
        if obj is None or request.method == "POST":
            return []
        return self.inlines
