"""上门特办 home visits: the cases waiting for a visit, the day's visits in order (and
their printable sheet), booking a visit, recording what happened.

Who sees what is ``services.access`` (through the selectors); the writes are
``home_visit_schedule`` and ``home_visit_record``, whose refusals come back beside the
fields (400) or above the form with their own status (403, 409).
"""

import datetime as dt

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _

from huagang.dates import local_date
from huagang.exceptions import DomainError

from ... import access
from ...actions import home_visit_record, home_visit_schedule
from ...actions.visits import check_home_visit_booking
from ...forms.staff_visits import (
    VisitBookForm,
    VisitDayForm,
    VisitOutcomeForm,
    put_action_errors,
)
from ...guide import trip_days_text
from ...models import HomeVisit
from ...selectors import visits as selectors
from ._common import office_staff_required


def _day_url(day: dt.date) -> str:
    return f"{reverse('staff:visits')}?{urlencode({'day': day.isoformat()})}"


def next_url(request: HttpRequest, default: str) -> str:
    """Where to go back after a form: the page it was posted from (``next``, when it
    is on this site), else `default`."""
    wanted = request.POST.get("next") or request.GET.get("next") or ""
    if wanted and url_has_allowed_host_and_scheme(
        wanted, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return wanted
    return default


def _chosen_day(request: HttpRequest) -> tuple[VisitDayForm, dt.date, int]:
    """The day form, the day shown and the status; with no ``?day=`` the day shown
    is today and the box says so."""
    if "day" not in request.GET:
        today = timezone.localdate()
        return VisitDayForm(initial={"day": today}), today, 200
    form = VisitDayForm(request.GET)
    if not form.is_valid():
        return form, timezone.localdate(), 400
    return form, form.chosen_day(), 200


def _day_rows(request: HttpRequest, day: dt.date) -> list[dict]:
    return [
        {"visit": visit, "outcomes": access.visit_outcomes(request.user, visit)}
        for visit in selectors.home_visits_on_day(user=request.user, day=day)
    ]


@office_staff_required
def visits(request: HttpRequest) -> HttpResponse:
    form, day, status = _chosen_day(request)
    waiting = [
        {
            "case": case,
            "days": trip_days_text(case.visit_weekdays) if case.visit_weekdays else "",
            "may_book": access.may_book_visit(request.user, case),
        }
        for case in selectors.home_cases_awaiting_visit(user=request.user)
    ]
    context = {
        "day_form": form,
        "day": day,
        "today": timezone.localdate(),
        "waiting": waiting,
        "rows": _day_rows(request, day),
        "previous_day": _day_url(day - dt.timedelta(days=1)),
        "next_day": _day_url(day + dt.timedelta(days=1)),
    }
    return render(request, "staff/visit_list.html", context, status=status)


@office_staff_required
def visit_sheet(request: HttpRequest) -> HttpResponse:
    """The day's visits on paper for the staff going out: in order, with address
    and phone, and room to write what happened."""
    form, day, status = _chosen_day(request)
    context = {"day_form": form, "day": day, "rows": _day_rows(request, day)}
    return render(request, "staff/visit_sheet.html", context, status=status)


@office_staff_required
def visit_book(request: HttpRequest, pk: int) -> HttpResponse:
    case = selectors.home_case_get(user=request.user, pk=pk)
    if case is None:
        raise Http404
    form = VisitBookForm(request.POST or None, user=request.user, service_request=case)
    status = 200
    if request.method == "POST":
        status = _post_booking(request, case, form)
        if isinstance(status, HttpResponse):
            return status
    planned = [
        v
        for v in selectors.home_visits_of_request(service_request=case)
        if v.outcome == HomeVisit.Outcome.PLANNED
    ]
    context = {
        "case": case,
        "form": form,
        "may_book": access.may_book_visit(request.user, case) and not planned,
        "planned": planned[0] if planned else None,
        "days": trip_days_text(case.visit_weekdays) if case.visit_weekdays else "",
        "next": next_url(request, ""),
    }
    return render(request, "staff/visit_book.html", context, status=status)


def _post_booking(request: HttpRequest, case, form: VisitBookForm):
    """Book the posted visit: the redirect when booked, else the status of the
    form shown again (a refusal of the user first, then every input error at once)."""
    try:
        check_home_visit_booking(service_request=case, by=request.user)
        if not form.is_valid():
            return 400
        visit = _book(request, case, form)
    except DomainError as exc:
        form.is_valid()
        form.put_action_errors(exc)
        return exc.status_code
    return redirect(next_url(request, _day_url(local_date(visit.starts_at))))


def _book(request: HttpRequest, case, form: VisitBookForm) -> HomeVisit:
    starts_at, ends_at = form.window()
    visit = home_visit_schedule(
        service_request=case,
        by=request.user,
        staff=form.cleaned_data["staff"],
        starts_at=starts_at,
        ends_at=ends_at,
        reason=form.cleaned_data["reason"],
    )
    window = (
        f"{timezone.localtime(starts_at):%Y-%m-%d %H:%M}"
        f"–{timezone.localtime(ends_at):%H:%M}"
    )
    messages.success(
        request,
        _("Visit for %(number)s booked on %(window)s.")
        % {"number": case.tracking_number, "window": window},
    )
    return visit


@office_staff_required
def visit_detail(request: HttpRequest, pk: int) -> HttpResponse:
    visit = selectors.home_visit_get(user=request.user, pk=pk)
    if visit is None:
        raise Http404
    outcomes = access.visit_outcomes(request.user, visit)
    form = VisitOutcomeForm(request.POST or None, outcomes=outcomes)
    status = 200
    if request.method == "POST":
        if visit.outcome == HomeVisit.Outcome.PLANNED and not outcomes:
            raise PermissionDenied
        status = _record(request, visit, form)
        if status == 302:
            return _after_outcome(request, visit)
    day = local_date(visit.starts_at)
    context = {
        "visit": visit,
        "case": visit.request,
        "form": form,
        "outcomes": outcomes,
        "day": day,
        "too_early": timezone.localdate() < day,
        "next": next_url(request, ""),
    }
    return render(request, "staff/visit_detail.html", context, status=status)


def _record(request: HttpRequest, visit: HomeVisit, form: VisitOutcomeForm) -> int:
    """Record the posted outcome; the response status (302 when recorded)."""
    if visit.outcome != HomeVisit.Outcome.PLANNED:
        form.is_valid()
        form.add_error(None, _("This visit's outcome has already been recorded."))
        return 409
    if not form.is_valid():
        return 400
    try:
        recorded = home_visit_record(
            visit=visit,
            by=request.user,
            outcome=form.cleaned_data["outcome"],
            note=form.cleaned_data["note"],
        )
    except DomainError as exc:
        put_action_errors(form, exc)
        return exc.status_code
    visit.outcome = recorded.outcome
    return 302


def _after_outcome(request: HttpRequest, visit: HomeVisit) -> HttpResponse:
    case = visit.request
    if visit.outcome == HomeVisit.Outcome.ABSENT:
        messages.success(
            request,
            _("Recorded: nobody was at home. Book a new date for %(number)s now.")
            % {"number": case.tracking_number},
        )
        book = reverse("staff:visit_book", args=[case.pk])
        back = next_url(request, "")
        return redirect(f"{book}?{urlencode({'next': back})}" if back else book)
    if visit.outcome == HomeVisit.Outcome.DONE:
        text = _("Recorded: the visit was done and %(number)s is completed.")
    else:
        text = _(
            "Recorded: the visit was not possible; %(number)s is back to accepted."
        )
    messages.success(request, text % {"number": case.tracking_number})
    return redirect(next_url(request, _day_url(local_date(visit.starts_at))))


urlpatterns = [
    path("visits/", visits, name="visits"),
    path("visits/sheet/", visit_sheet, name="visit_sheet"),
    path("visits/book/<int:pk>/", visit_book, name="visit_book"),
    path("visits/<int:pk>/", visit_detail, name="visit"),
]
