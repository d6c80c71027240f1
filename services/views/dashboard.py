"""/dashboard/: the statistics of the town (officials), of a village (its clerk) or of
the bodies a town-center clerk serves, for any period, with every figure as CSV and .xlsx.
"""

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import NoReverseMatch, path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from huagang.replica import use_replica
from villages.models import Village

from .. import access, dashboard_files
from ..forms.dashboard import PeriodForm
from ..models import Body
from ..selectors import events as event_selectors
from ..selectors import statistics as selectors
from ..statistics import columns_chart
from ..working_days import WorkCalendar
from .staff._common import staff_required

FIGURES = (
    "by-village",
    "by-body",
    "by-item",
    "by-mode",
    "agency",
    "on-time-by-village",
    "on-time-by-body",
    "satisfaction",
    "follow-ups",
    "questions",
    "by-grid",
    "overdue",
)


def _allowed(request: HttpRequest) -> None:
    if not access.may_see_statistics(request.user):
        raise PermissionDenied


@staff_required
@use_replica
def index(request: HttpRequest) -> HttpResponse:
    _allowed(request)
    today = timezone.localdate()
    form = PeriodForm(request.GET, today=today)
    if not form.is_valid():
        context = {"form": form, "error": form.error_text()}
        return render(request, "dashboard/index.html", context, status=400)
    calendar = WorkCalendar.load()
    figures = selectors.dashboard_get(
        user=request.user, period=form.period, today=today, calendar=calendar
    )
    overdue = Paginator(
        selectors.overdue_cases(user=request.user, today=today, calendar=calendar),
        selectors.OVERDUE_PER_PAGE,
    ).get_page(request.GET.get("page"))
    context = {
        "form": form,
        "figures": figures,
        "agency_chart": _agency_chart(figures.agency),
        "overdue": overdue,
        "overdue_rows": _overdue_rows(overdue, today=today, calendar=calendar),
        "query": _query(form),
        "scope_label": _scope_label(request.user),
        "life_events": event_selectors.life_event_figures(
            user=request.user, period=form.period
        ),
    }
    return render(request, "dashboard/index.html", context)


@staff_required
@use_replica
def export(request: HttpRequest, figure: str, extension: str) -> HttpResponse:
    _allowed(request)
    if figure not in FIGURES or extension not in dashboard_files.FORMATS:
        raise Http404
    today = timezone.localdate()
    form = PeriodForm(request.GET, today=today)
    if not form.is_valid():
        return HttpResponse(
            form.error_text(), status=400, content_type="text/plain; charset=utf-8"
        )
    found = selectors.figure_get(
        figure,
        user=request.user,
        period=form.period,
        today=today,
        calendar=WorkCalendar.load(),
    )
    if extension == "csv":
        content = dashboard_files.figure_csv(found)
    else:
        content = dashboard_files.figure_xlsx(found, form.period)
    response = HttpResponse(content, content_type=dashboard_files.FORMATS[extension])
    name = dashboard_files.file_name(found, form.period, extension)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _query(form: PeriodForm) -> str:
    period = form.period
    return f"from={period.first.isoformat()}&to={period.last.isoformat()}"


def _scope_label(user) -> str:
    villages, bodies = access.statistics_limits(user)
    if villages is None and bodies is None:
        return _("The whole town.")
    if villages is not None:
        names = Village.objects.filter(pk__in=villages).values_list("name", flat=True)
        return _("The requests of %(villages)s.") % {"villages": "、".join(names)}
    names = Body.objects.filter(pk__in=bodies).values_list("name", flat=True)
    return _("The requests handled by %(bodies)s.") % {"bodies": "、".join(names)}


def _agency_chart(agency: selectors.AgencySummary) -> dict:
    rows = agency.figure.rows
    return columns_chart(
        [row[0] for row in rows], [[row[4] for row in rows], [row[2] for row in rows]]
    )


def _case_url(number: str) -> str:
    """The workbench's case page (``staff:case``), built by the cases' own module."""
    try:
        return reverse("staff:case", args=[number])
    except NoReverseMatch:
        return f"/staff/cases/{number}/"


def _overdue_rows(page, *, today, calendar) -> list[tuple[list, str]]:
    figure = selectors.overdue_figure(list(page), today=today, calendar=calendar)
    return [(row, _case_url(row[0])) for row in figure.rows]


urlpatterns = [
    path("", index, name="index"),
    path("export/<slug:figure>.<slug:extension>", export, name="export"),
]
