"""我的办件: a signed-in resident's own requests; withdraw one, rate a finished one.

Which requests are theirs is ``access.requests_as_applicant``; which steps are offered
is ``access.next_steps`` / ``access.may``; the actions check again.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from huagang.exceptions import Conflict, DomainError, InvalidInput
from huagang.forms import add_input_errors

from .. import access, actions, selectors, workflow
from ..forms import RatingForm, SupplementUploadForm, WithdrawForm
from ..models import ServiceRequest
from ..selectors import events as event_selectors
from ..working_days import WorkCalendar
from .supplement import supplement_upload

PAGE_SIZE = 20
WITHDRAW_ONLY = frozenset({workflow.Step.WITHDRAW})


def _mine(request: HttpRequest, tracking_number: str) -> ServiceRequest:
    """The signed-in user's own request, or 404 (also for anyone else's)."""
    return get_object_or_404(
        selectors.service_request_of_applicant(
            user=request.user, tracking_number=tracking_number
        )
    )


def _may_withdraw(request: HttpRequest, service_request: ServiceRequest) -> bool:
    return bool(access.next_steps(request.user, service_request, only=WITHDRAW_ONLY))


def _detail_url(service_request: ServiceRequest) -> str:
    return reverse("mine:request", args=[service_request.tracking_number])


@login_required
def my_requests(request: HttpRequest) -> HttpResponse:
    found = selectors.service_requests_of_applicant(user=request.user)
    page = Paginator(found, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"page": page, "life_events": _life_events(request)}
    return render(request, "services/mine/list.html", context)


def _life_events(request: HttpRequest) -> list:
    """The resident's life events, each with its progress (on the first page)."""
    if request.GET.get("page") not in (None, "", "1"):
        return []
    applications = list(event_selectors.life_event_applications_of(user=request.user))
    calendar = WorkCalendar.load() if applications else None
    return [
        (
            application,
            event_selectors.life_event_progress(application, calendar=calendar),
        )
        for application in applications
    ]


def _render_detail(
    request: HttpRequest,
    service_request: ServiceRequest,
    *,
    rating_form: RatingForm | None = None,
    upload_form: SupplementUploadForm | None = None,
    error: str = "",
    status: int = 200,
) -> HttpResponse:
    rating = getattr(service_request, "rating", None)
    context = {
        "service_request": service_request,
        "timeline": list(
            selectors.service_request_timeline(
                service_request=service_request, public_only=True
            )
        ),
        "upload_form": upload_form,
        "may_withdraw": _may_withdraw(request, service_request),
        "may_rate": rating is None
        and access.may(request.user, service_request, workflow.Activity.RATE),
        "rating": rating,
        "follow_up": getattr(rating, "follow_up", None),
        "rating_form": rating_form or RatingForm(),
        "error": error,
    }
    return render(request, "services/mine/detail.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def my_request(request: HttpRequest, tracking_number: str) -> HttpResponse:
    """The request's progress; POST: the supplement the staff asked for."""
    service_request = _mine(request, tracking_number)
    upload_form, status = supplement_upload(request, service_request, by=request.user)
    if status == 302:
        messages.success(
            request,
            _("Your files were received; staff will continue with your request."),
        )
        return redirect(_detail_url(service_request))
    return _render_detail(
        request, service_request, upload_form=upload_form, status=status
    )


CHANGED_MEANWHILE = gettext_lazy(
    "This request changed while you were deciding (see its progress below). Check "
    "it, then withdraw again if you still want to."
)
NOT_WITHDRAWABLE = gettext_lazy("This request can no longer be withdrawn.")


def _confirmation(
    request: HttpRequest, service_request: ServiceRequest, form: WithdrawForm
) -> HttpResponse:
    context = {"service_request": service_request, "form": form}
    status = 400 if form.is_bound else 200
    return render(request, "services/mine/withdraw.html", context, status=status)


@login_required
def my_request_withdraw(request: HttpRequest, tracking_number: str) -> HttpResponse:
    """GET: the confirmation step; POST: withdraw, if nobody changed it meanwhile."""
    service_request = _mine(request, tracking_number)
    if not _may_withdraw(request, service_request):
        error = str(NOT_WITHDRAWABLE)
        return _render_detail(request, service_request, error=error, status=409)
    initial = {"version": service_request.version}
    form = WithdrawForm(request.POST or None, initial=initial)
    if request.method != "POST" or not form.is_valid():
        return _confirmation(request, service_request, form)
    try:
        actions.service_request_withdraw(
            service_request=service_request,
            by=request.user,
            reason=form.cleaned_data["reason"],
            expected_version=form.cleaned_data["version"],
        )
    except DomainError as error:  # changed meanwhile: the version or the status
        text = str(CHANGED_MEANWHILE) if isinstance(error, Conflict) else error.message
        fresh = _mine(request, tracking_number)
        return _render_detail(request, fresh, error=text, status=error.status_code)
    messages.success(request, _("Your request has been withdrawn."))
    return redirect(_detail_url(service_request))


@login_required
@require_POST
def my_request_rate(request: HttpRequest, tracking_number: str) -> HttpResponse:
    service_request = _mine(request, tracking_number)
    form = RatingForm(request.POST)
    if not form.is_valid():
        return _render_detail(request, service_request, rating_form=form, status=400)
    try:
        actions.rating_submit(
            service_request=service_request,
            by=request.user,
            level=form.cleaned_data["level"],
            comment=form.cleaned_data["comment"],
        )
    except InvalidInput as error:
        add_input_errors(form, error)
        return _render_detail(request, service_request, rating_form=form, status=400)
    except DomainError as error:  # rated already, not completed, not the applicant
        fresh = _mine(request, tracking_number)
        return _render_detail(
            request, fresh, error=error.message, status=error.status_code
        )
    messages.success(request, _("Thank you for your rating."))
    return redirect(_detail_url(service_request))
