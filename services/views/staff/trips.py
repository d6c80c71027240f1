"""/staff/trips/ and /staff/town/: 定时代办 — the village's next trip and its printed
lists, the check-in of each case by its number where a trip arrives (town, then back
at the village), and the town's cases (record the decision, send them back).

Views are thin: the rules are in ``services.actions.trips``, the reads in
``services.selectors.trips``, who may do what in ``services.access``."""

import functools

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from huagang.exceptions import DomainError, InvalidInput, NotPermitted
from huagang.forms import add_input_errors
from huagang.qr import qr_svg as huagang_qr_svg
from villages.choices import Role
from villages.models import Village

from ... import access, actions, workflow
from ...actions.trips import CheckIn, CheckOutcome
from ...forms.staff_trips import (
    CheckInForm,
    DecideForm,
    HandOverForm,
    SendBackForm,
    TripAddForm,
)
from ...models import AgencyTrip, TripCheck
from ...selectors import trips as selectors
from ._common import office_staff_required

PER_PAGE = 10
OUT, BACK = TripCheck.Leg.OUT, TripCheck.Leg.BACK


def _trip_or_404(request: HttpRequest, pk: int) -> AgencyTrip:
    trips = access.agency_trips_scope(user=request.user).select_related(
        "village", "handed_over_by", "received_by", "returned_by", "return_received_by"
    )
    return get_object_or_404(trips, pk=pk)


def _fillable(request: HttpRequest, pk: int) -> AgencyTrip:
    """A trip `request.user` may fill and hand over; 404 if they may not see it,
    403 if they see it (a town clerk of a body it carries) but may not fill it: its
    village's page, with the village's other cases, is not theirs."""
    trip = _trip_or_404(request, pk)
    if not access.may_fill_trip(request.user, trip):
        raise PermissionDenied
    return trip


def _village(request: HttpRequest) -> Village | None:
    """The village whose trips the page shows: a village clerk's own; an official
    chooses one (``?village=``)."""
    user = request.user
    if access.has_role(user, Role.VILLAGE_CLERK):
        return user.village
    chosen = request.GET.get("village", "")
    if access.is_official(user) and chosen.isdigit():
        return get_object_or_404(Village, pk=int(chosen))
    return None


def _index_url(village: Village, user) -> str:
    url = reverse("staff:trips")
    return (
        url
        if access.has_role(user, Role.VILLAGE_CLERK)
        else f"{url}?village={village.pk}"
    )


@functools.lru_cache(maxsize=1024)
def qr_svg(number: str) -> SafeString:
    """The tracking number itself as a QR code (a scanner types it back), inline SVG.

    A number's code never changes and making one costs about 2 ms (mostly choosing
    the best mask): kept per process for the last thousand numbers, so a list
    printed again, or the next list with the same cases, costs nothing."""
    return huagang_qr_svg(number, scale=2, title=number)


def _index(
    request: HttpRequest,
    village: Village,
    *,
    add_form: TripAddForm | None = None,
    hand_over_form: HandOverForm | None = None,
    status: int = 200,
) -> HttpResponse:
    user = request.user
    trip, problem = None, ""
    try:
        trip = actions.agency_trip_next(village=village)  # a GET creates no trip
    except DomainError as error:
        problem = error.message
    to_carry = selectors.agency_cases_to_carry(village=village)
    past = Paginator(selectors.trips_past(village=village), PER_PAGE)
    context = {
        "village": village,
        "trip": trip,
        "problem": problem,
        "on_trip": selectors.trip_cases(trip=trip) if trip and trip.pk else [],
        "add_form": add_form or TripAddForm(cases=to_carry),
        "hand_over_form": hand_over_form or HandOverForm(),
        "may_hand_over": trip is not None
        and workflow.Step.HAND_OVER in access.trip_steps(user, trip),
        "coming_back": selectors.trips_coming_back(user=user, village=village),
        "past": past.get_page(request.GET.get("page")),
        "index_url": _index_url(village, user),
        "village_param": ""
        if access.has_role(user, Role.VILLAGE_CLERK)
        else f"village={village.pk}",
    }
    return render(request, "staff/trip_index.html", context, status=status)


@office_staff_required
def trips(request: HttpRequest) -> HttpResponse:
    if access.has_role(request.user, Role.TOWN_CLERK):
        return redirect("staff:trip_arrivals")
    village = _village(request)
    if village is None:  # an official chooses a village
        villages = Village.objects.order_by("order", "code")
        return render(request, "staff/trip_choose.html", {"villages": villages})
    return _index(request, village)


@office_staff_required
@require_POST
def trip_add(request: HttpRequest, pk: int) -> HttpResponse:
    trip = _fillable(request, pk)
    form = TripAddForm(
        request.POST, cases=selectors.agency_cases_to_carry(village=trip.village)
    )
    if form.is_valid():
        try:
            actions.agency_trip_add(
                trip=trip,
                service_requests=list(form.cleaned_data["cases"]),
                by=request.user,
            )
        except DomainError as error:
            add_input_errors(form, error)
        else:
            messages.success(request, _("The cases are on the trip."))
            return redirect(_index_url(trip.village, request.user))
    return _index(request, trip.village, add_form=form, status=400)


@office_staff_required
@require_POST
def trip_add_next(request: HttpRequest) -> HttpResponse:
    """Cases put on the village's next trip, created now if the index only showed
    its date (``?village=`` for an official, as on the index)."""
    village = _village(request)
    if village is None:
        raise Http404 if access.is_official(request.user) else PermissionDenied
    form = TripAddForm(
        request.POST, cases=selectors.agency_cases_to_carry(village=village)
    )
    if form.is_valid():
        try:
            actions.agency_trips_put_on_next(
                service_requests=list(form.cleaned_data["cases"]), by=request.user
            )
        except DomainError as error:
            add_input_errors(form, error)
        else:
            messages.success(request, _("The cases are on the trip."))
            return redirect(_index_url(village, request.user))
    return _index(request, village, add_form=form, status=400)


@office_staff_required
@require_POST
def trip_remove(request: HttpRequest, pk: int) -> HttpResponse:
    """One case taken off a trip before its hand-over (the button beside it)."""
    trip = _fillable(request, pk)
    chosen = request.POST.get("case", "")
    case = trip.requests.filter(pk=int(chosen)).first() if chosen.isdigit() else None
    try:
        if case is None:
            raise InvalidInput(_("Choose a case on this trip."))
        actions.agency_trip_remove(trip=trip, service_request=case, by=request.user)
    except DomainError as error:
        messages.error(request, error.message)
        return _index(request, trip.village, status=error.status_code)
    messages.success(
        request,
        _("%(number)s was taken off the trip.") % {"number": case.tracking_number},
    )
    return redirect(_safe_next(request, _index_url(trip.village, request.user)))


@office_staff_required
@require_POST
def trip_hand_over(request: HttpRequest, pk: int) -> HttpResponse:
    trip = _fillable(request, pk)
    form = HandOverForm(request.POST)
    if form.is_valid():
        try:
            actions.agency_trip_hand_over(
                trip=trip, by=request.user, documents=form.cleaned_data["documents"]
            )
        except DomainError as error:
            add_input_errors(form, error)
            status = error.status_code
        else:
            messages.success(request, _("The trip was handed over to the town."))
            return redirect("staff:trip", pk=trip.pk)
    else:
        status = 400
    return _index(request, trip.village, hand_over_form=form, status=status)


@office_staff_required
def trip_detail(request: HttpRequest, pk: int) -> HttpResponse:
    trip = _trip_or_404(request, pk)
    user = request.user
    context = {
        "trip": trip,
        "out": selectors.off_list_seen(
            sheet=selectors.trip_check_sheet(trip=trip, leg=OUT), user=user
        ),
        "back": selectors.off_list_seen(
            sheet=selectors.trip_check_sheet(trip=trip, leg=BACK), user=user
        ),
        "planned": [] if trip.handed_over_at else selectors.trip_cases(trip=trip),
        "may_check_out": access.may_check_in(user, trip, OUT),
        "may_check_back": access.may_check_in(user, trip, BACK),
        "may_send_back": workflow.Step.RETURN in access.trip_steps(user, trip),
        "may_remove": not trip.handed_over_at and access.may_fill_trip(user, trip),
        "town_links": access.serves_town(user),
        "index_url": _index_url(trip.village, user)
        if access.serves_village(user, trip.village_id)
        else "",
    }
    return render(request, "staff/trip_detail.html", context)


def _print_list(request: HttpRequest, pk: int, leg: str) -> HttpResponse:
    trip = _trip_or_404(request, pk)
    if leg == OUT:
        cases = selectors.trip_cases(trip=trip)
    else:
        cases = selectors.trip_back_cases(trip=trip)
    rows = [(case, qr_svg(case.tracking_number)) for case in cases]
    context = {"trip": trip, "leg": leg, "rows": rows, "blank_rows": range(2)}
    return render(request, "staff/trip_print.html", context)


@office_staff_required
def trip_list(request: HttpRequest, pk: int) -> HttpResponse:
    return _print_list(request, pk, OUT)


@office_staff_required
def trip_return_list(request: HttpRequest, pk: int) -> HttpResponse:
    return _print_list(request, pk, BACK)


def _checkable(request: HttpRequest, pk: int, leg: str) -> AgencyTrip:
    if leg not in TripCheck.Leg.values:
        raise Http404
    trip = _trip_or_404(request, pk)
    if not access.may_check_in(request.user, trip, leg):
        raise PermissionDenied
    return trip


FLAGS = {
    CheckOutcome.RECEIVED: (messages.SUCCESS, gettext_lazy("✓ %(number)s received.")),
    CheckOutcome.LATE: (
        messages.SUCCESS,
        gettext_lazy(
            "✓ %(number)s received late: it was missing when the check-in was finished."
        ),
    ),
    CheckOutcome.AGAIN: (
        messages.INFO,
        gettext_lazy("%(number)s was checked in already."),
    ),
    CheckOutcome.NOT_ON_LIST: (
        messages.WARNING,
        gettext_lazy("⚠ %(number)s is not on this trip's list: recorded, and flagged."),
    ),
    CheckOutcome.UNKNOWN: (messages.ERROR, gettext_lazy("⚠ No such case: %(number)s.")),
}


def _flag(result: CheckIn) -> tuple[int, str]:
    level, text = FLAGS[result.outcome]
    return level, str(text) % {"number": result.number}


def _check_page(request, trip, leg, form, flag=None, status=200) -> HttpResponse:
    context = {
        "trip": trip,
        "leg": leg,
        "form": form,
        "flag": flag,
        "sheet": selectors.off_list_seen(
            sheet=selectors.trip_check_sheet(trip=trip, leg=leg), user=request.user
        ),
    }
    partial = request.headers.get("X-Requested-With") == "fetch"
    name = "staff/trip_check_panel.html" if partial else "staff/trip_check.html"
    return render(request, name, context, status=status)


@office_staff_required
def trip_check(request: HttpRequest, pk: int, leg: str) -> HttpResponse:
    trip = _checkable(request, pk, leg)
    if request.method != "POST":
        return _check_page(request, trip, leg, CheckInForm())
    form = CheckInForm(request.POST)
    if not form.is_valid():
        return _check_page(request, trip, leg, form, status=400)
    try:
        result = actions.agency_trip_check_in(
            trip=trip, leg=leg, number=form.cleaned_data["number"], by=request.user
        )
    except DomainError as error:
        add_input_errors(form, error)
        return _check_page(request, trip, leg, form, status=error.status_code)
    level, text = _flag(result)
    if request.headers.get("X-Requested-With") == "fetch":
        trip.refresh_from_db()
        flag = {"level": messages.DEFAULT_TAGS[level], "text": text}
        return _check_page(request, trip, leg, CheckInForm(), flag=flag)
    messages.add_message(request, level, text)
    return redirect("staff:trip_check", pk=trip.pk, leg=leg)


@office_staff_required
@require_POST
def trip_check_finish(request: HttpRequest, pk: int, leg: str) -> HttpResponse:
    trip = _checkable(request, pk, leg)
    try:
        missing = actions.agency_trip_check_finish(trip=trip, leg=leg, by=request.user)
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("staff:trip_check", pk=trip.pk, leg=leg)
    if missing:
        numbers = "、".join(case.tracking_number for case in missing)
        messages.warning(
            request,
            _("Check-in finished. Missing: %(numbers)s.") % {"numbers": numbers},
        )
    else:
        messages.success(request, _("Check-in finished: every listed case arrived."))
    return redirect("staff:trip", pk=trip.pk)


@office_staff_required
def trip_send_back(request: HttpRequest, pk: int) -> HttpResponse:
    trip = _trip_or_404(request, pk)
    if workflow.Step.RETURN not in access.trip_steps(request.user, trip):
        raise PermissionDenied
    cases = selectors.trip_decided_cases(trip=trip, user=request.user)
    form = SendBackForm(request.POST or None, cases=cases)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                actions.agency_trip_send_back(
                    trip=trip,
                    by=request.user,
                    service_requests=list(form.cleaned_data["cases"]),
                    documents=form.cleaned_data["documents"],
                )
            except DomainError as error:
                add_input_errors(form, error)
                status = error.status_code
            else:
                messages.success(
                    request, _("The decided cases go back to the village.")
                )
                return redirect("staff:trip", pk=trip.pk)
    context = {"trip": trip, "form": form, "cases": cases}
    return render(request, "staff/trip_send_back.html", context, status=status)


@office_staff_required
def arrivals(request: HttpRequest) -> HttpResponse:
    if not access.serves_town(request.user):
        raise PermissionDenied
    arriving = selectors.trips_arriving(user=request.user)
    return render(request, "staff/trip_arrivals.html", {"arriving": arriving})


@office_staff_required
def town(request: HttpRequest) -> HttpResponse:
    if not access.serves_town(request.user):
        raise PermissionDenied
    cases = selectors.town_cases(user=request.user)
    context = {
        "to_decide": Paginator(cases.to_decide, 20).get_page(request.GET.get("page")),
        "ready": Paginator(cases.ready, 20).get_page(request.GET.get("ready")),
    }
    return render(request, "staff/trip_town.html", context)


def _safe_next(request: HttpRequest, fallback: str) -> str:
    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return fallback


@office_staff_required
def town_decide(request: HttpRequest, number: str) -> HttpResponse:
    cases = access.service_requests_scope(user=request.user).select_related(
        "item__body", "village"
    )
    case = get_object_or_404(cases, tracking_number=number)
    try:
        access.check(request.user, case, workflow.Activity.DECIDE)
        access.check_papers_arrived(case)
    except NotPermitted:
        raise PermissionDenied from None
    except DomainError as error:  # not at the town (any more), papers missing: 409
        messages.error(request, error.message)
        return render(request, "staff/trip_decide.html", {"case": case}, status=409)
    form = DecideForm(request.POST or None, initial={"result": case.result_note})
    if request.method == "POST":
        status = 400
        if form.is_valid() and form.cleaned_data["version"] not in (None, case.version):
            messages.error(
                request,
                _(
                    "This case was changed by someone else since you opened it (see "
                    "below): nothing was done. Check it, then take the step again if "
                    "it is still needed."
                ),
            )
            return render(request, "staff/trip_decide.html", {"case": case}, status=409)
        if form.is_valid():
            try:
                actions.service_request_town_decide(
                    service_request=case,
                    by=request.user,
                    result=form.cleaned_data["result"],
                )
            except DomainError as error:
                add_input_errors(form, error)
                status = error.status_code
            else:
                messages.success(
                    request,
                    format_html(
                        _(
                            "The decision on {} is recorded; it goes back on the village's next trip."
                        ),
                        case.tracking_number,
                    ),
                )
                return redirect(_safe_next(request, reverse("staff:town")))
        context = {"case": case, "decide_form": form}
        return render(request, "staff/trip_decide.html", context, status=status)
    return render(request, "staff/trip_decide.html", {"case": case})


urlpatterns = [
    path("trips/", trips, name="trips"),
    path("trips/arrivals/", arrivals, name="trip_arrivals"),
    path("trips/<int:pk>/", trip_detail, name="trip"),
    path("trips/next/add/", trip_add_next, name="trip_add_next"),
    path("trips/<int:pk>/add/", trip_add, name="trip_add"),
    path("trips/<int:pk>/remove/", trip_remove, name="trip_remove"),
    path("trips/<int:pk>/hand-over/", trip_hand_over, name="trip_hand_over"),
    path("trips/<int:pk>/list/", trip_list, name="trip_list"),
    path("trips/<int:pk>/return-list/", trip_return_list, name="trip_return_list"),
    path("trips/<int:pk>/return/", trip_send_back, name="trip_send_back"),
    path("trips/<int:pk>/check/<str:leg>/", trip_check, name="trip_check"),
    path(
        "trips/<int:pk>/check/<str:leg>/finish/",
        trip_check_finish,
        name="trip_check_finish",
    ),
    path("town/", town, name="town"),
    path("town/cases/<str:number>/decide/", town_decide, name="town_decide"),
]
