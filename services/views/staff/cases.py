"""The queue (/staff/) and the case page (/staff/cases/<number>/).

The queue is ``selectors.staff.service_requests_queue`` (scoped by ``access``). Its
filters are in the address; its search is not: a name or a phone number must not end
up in an address, a server log or the browser's history, so the search box is posted,
the term kept in the session (until cleared or replaced) and the browser redirected
back to the queue. A search by name or phone is recorded, masked, in the record of
reads; a tracking number that opens exactly one case goes straight to its page; a
life event's number (HGE…) lists the event's open cases on the clerk's queue.

The case page offers exactly ``access.next_steps(user, case, only=FORM_STEPS)``; each
step posts the version the clerk saw (a changed case: 409, nothing done); bad input is
400 with the message at its field. A case the user may not see is a 404.
"""

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

import huagang.converters  # noqa: F401  (registers tracking_number)
from huagang.exceptions import Conflict, DomainError, InvalidInput, InvalidTransition
from huagang.forms import add_input_errors
from villages.actions import access_record
from villages.models import AccessRecord

from ... import access, actions, workflow
from ...forms.staff_cases import (
    CompleteForm,
    QueueFilterForm,
    QueueSearchForm,
    RevealForm,
    VersionForm,
    note_form,
    step_form,
)
from ...models import ServiceRequest
from ...selectors import staff as selectors
from ...selectors.staff import QueueSearch
from ._case_page import case_context
from ._common import staff_required

SEARCH_KEY = "huagang.staff_queue_search"
MAX_PAGE = 10_000


def _page_number(request: HttpRequest) -> int:
    raw = request.GET.get("page", "1")
    return min(int(raw), MAX_PAGE) if raw.isdigit() and int(raw) > 0 else 1


def _queue_url(request: HttpRequest) -> str:
    """The queue with the filters of this address (no search term is ever in it)."""
    query = request.GET.copy()
    query.pop("page", None)
    encoded = query.urlencode()
    return reverse("staff:queue") + (f"?{encoded}" if encoded else "")


def _render_queue(
    request: HttpRequest, search_form: QueueSearchForm, status: int = 200
) -> HttpResponse:
    form = QueueFilterForm(request.GET or None)
    search = QueueSearch.from_session(request.session.get(SEARCH_KEY))
    page = None
    if form.is_valid() or not form.is_bound:
        found = selectors.service_requests_queue(
            user=request.user, search=search, **form.filters()
        )
        page = selectors.queue_page(found, number=_page_number(request))
    else:
        status = 400
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "search_form": search_form,
        "search": search,
        "page": page,
        "query": query.urlencode(),
        "queue_url": _queue_url(request),
    }
    return render(request, "staff/queue.html", context, status=status)


@never_cache
@staff_required
@require_http_methods(["GET", "POST"])
def queue(request: HttpRequest) -> HttpResponse:
    """GET: the queue; POST: search it (or clear the search)."""
    if request.method == "POST":
        return _search(request)
    return _render_queue(request, QueueSearchForm())


def _search(request: HttpRequest) -> HttpResponse:
    if "clear" in request.POST:
        request.session.pop(SEARCH_KEY, None)
        return redirect(_queue_url(request))
    form = QueueSearchForm(request.POST)
    search = QueueSearch.parse(form.cleaned_data["q"]) if form.is_valid() else None
    if search is None:
        if form.is_valid():
            form.add_error("q", _("Type a tracking number, a name or a phone number."))
        return _render_queue(request, form, status=400)
    if search.is_personal:
        access_record(
            by=request.user,
            kind=AccessRecord.Kind.SEARCH,
            subject="staff:queue",
            detail=f"{search.kind}: {search.masked}",
        )
    elif search.kind == "number" and (
        found := selectors.service_request_for_staff(
            user=request.user, tracking_number=search.term
        )
    ):
        return redirect("staff:case", found.tracking_number)
    request.session[SEARCH_KEY] = search.as_session()
    return redirect(_queue_url(request))


# --- the case page ----------------------------------------------------------------------


def _case_or_404(request: HttpRequest, tracking_number: str) -> ServiceRequest:
    found = selectors.service_request_for_staff(
        user=request.user, tracking_number=tracking_number
    )
    if found is None:
        raise Http404  # the same answer whether it exists or not
    return found


def _render_case(request, case, *, status: int = 200, **parts) -> HttpResponse:
    context = case_context(request.user, case, **parts)
    return render(request, "staff/case.html", context, status=status)


def _back_to(case: ServiceRequest) -> HttpResponse:
    return redirect("staff:case", case.tracking_number)


@never_cache
@staff_required
@require_GET
def case_page(request: HttpRequest, tracking_number: str) -> HttpResponse:
    case = _case_or_404(request, tracking_number)
    return _render_case(request, case, revealed=_take_revealed(request, case))


def _target(user, case: ServiceRequest, step: workflow.Step, version: int):
    """The status `step` leads to now; on a page older than the case, the status it
    led to if the case is already there (a double-click: the action then says whether
    it was this user's own step just taken). Raises a conflict when there is none;
    on a current page, NotPermitted (403) for a step this user may not take, and
    InvalidTransition (409) for one impossible in the case's status."""
    try:
        return access.step_target(user, case, step, only=workflow.FORM_STEPS)
    except DomainError:
        if version == case.version:
            raise
    for (_source, target), found in workflow.TRANSITIONS[case.mode].items():
        if found.step == step and target == case.status:
            return target
    raise Conflict()


def _step_note(step: workflow.Step, form: VersionForm) -> str:
    data = form.cleaned_data
    if step == workflow.Step.SUPPLEMENT:
        return form.what()  # type: ignore[attr-defined]
    return data.get("reason") or data.get("result") or data.get("note") or ""


def _refused(request, case, error: DomainError, **parts) -> HttpResponse:
    """The page again with why the step was refused: the message beside its field
    (400), or at the top for a conflict (409) or a refusal (403); the case as it is
    now."""
    fresh = selectors.service_request_for_staff(
        user=request.user, tracking_number=case.tracking_number
    )
    if fresh is None:
        raise Http404
    if isinstance(error, Conflict) and not isinstance(error, InvalidTransition):
        message = _(
            "This case was changed by someone else since you opened it (see below): "
            "nothing was done. Check it, then take the step again if it is still "
            "needed."
        )
        return _render_case(request, fresh, status=409, error=message)
    if not isinstance(error, InvalidInput):
        return _render_case(
            request, fresh, status=error.status_code, error=error.message
        )
    return _render_case(request, fresh, status=400, **parts)


@never_cache
@staff_required
@require_POST
def case_step(request: HttpRequest, tracking_number: str, step: str) -> HttpResponse:
    case = _case_or_404(request, tracking_number)
    try:
        step = workflow.Step(step)
    except ValueError:
        raise Http404 from None
    if step not in workflow.FORM_STEPS:
        raise Http404
    form = step_form(step, case, request.POST)
    if not form.is_valid():
        stale = form.cleaned_data.get("version") not in (None, case.version)
        error = Conflict() if stale else InvalidInput(form.errors)
        return _refused(request, case, error, bound=(step, form))
    try:
        version = form.cleaned_data["version"]
        actions.service_request_transition(
            service_request=case,
            to=_target(request.user, case, step, version),
            by=request.user,
            note=_step_note(step, form),
            expected_version=version,
            delivered_how=form.delivery() if isinstance(form, CompleteForm) else None,
        )
    except DomainError as error:
        add_input_errors(form, error)
        return _refused(request, case, error, bound=(step, form))
    messages.success(request, _("Done: %(step)s.") % {"step": step.label})
    return _back_to(case)


@never_cache
@staff_required
@require_POST
def case_note(request: HttpRequest, tracking_number: str) -> HttpResponse:
    case = _case_or_404(request, tracking_number)
    form = note_form(case, request.POST)
    try:
        if not form.is_valid():
            stale = form.cleaned_data.get("version") not in (None, case.version)
            raise Conflict() if stale else InvalidInput(form.errors)
        actions.service_request_add_note(
            service_request=case,
            by=request.user,
            note=form.cleaned_data["note"],
            expected_version=form.cleaned_data["version"],
        )
    except DomainError as error:
        if form.is_bound and form.is_valid():
            add_input_errors(form, error)
        return _refused(request, case, error, note_form=form)
    messages.success(request, _("The note was added to the timeline."))
    return _back_to(case)


REVEALS = {
    "id": ("applicant_id_number", AccessRecord.Kind.REVEAL_ID),
    "phone": ("applicant_phone", AccessRecord.Kind.REVEAL_PHONE),
}
REVEALED_KEY = "huagang.staff_revealed"


def _take_revealed(request: HttpRequest, case: ServiceRequest) -> dict[str, str]:
    """What the user chose to show in full on this case, shown on this view only
    (taken out of the session): {"id": …, "phone": …}. The session holds which
    fields, never the values; they are read from the case."""
    pending = request.session.get(REVEALED_KEY) or {}
    whats = pending.pop(case.tracking_number, None)
    if whats is None:
        return {}
    request.session[REVEALED_KEY] = pending
    return {what: getattr(case, REVEALS[what][0]) for what in whats if what in REVEALS}


@never_cache
@staff_required
@require_POST
def reveal(request: HttpRequest, tracking_number: str) -> HttpResponse:
    """Record the reveal of the full ID number or phone, then back to the case page
    (POST-redirect-GET: a reload does not post again), which shows it once."""
    case = _case_or_404(request, tracking_number)
    form = RevealForm(request.POST)
    if not form.is_valid():
        return _render_case(
            request, case, status=400, error=_("Choose what to show in full.")
        )
    what = form.cleaned_data["what"]
    field, kind = REVEALS[what]
    if getattr(case, field):
        access_record(by=request.user, kind=kind, subject=case.tracking_number)
        pending = request.session.get(REVEALED_KEY) or {}
        shown = pending.setdefault(case.tracking_number, [])
        if what not in shown:
            shown.append(what)
        request.session[REVEALED_KEY] = pending
    return _back_to(case)


urlpatterns = [
    path("", queue, name="queue"),
    path("cases/<tracking_number:tracking_number>/", case_page, name="case"),
    path(
        "cases/<tracking_number:tracking_number>/reveal/",
        reveal,
        name="reveal",
    ),
    path("cases/<tracking_number:tracking_number>/note/", case_note, name="note"),
    path(
        "cases/<tracking_number:tracking_number>/<slug:step>/",
        case_step,
        name="step",
    ),
]
