"""Life events (一件事一次办): the list, an event's page with its questions (a GET form:
the answers select the items, no JavaScript), the one application, its confirmation
and receipt, and the event's tracking page (its number plus the last four digits of
the applicant's phone, like a request's; the same rate limits).

Who may see an application is ``access.may_see_life_event``; each linked request is
still one request, with its own workflow, on the clerks' pages.
"""

import copy
from urllib.parse import urlencode

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from huagang.qr import qr_svg

from .. import access
from ..forms import EventTrackLookupForm, SupplementUploadForm
from ..forms.events import LifeEventApplyForm, LifeEventQuestionsForm
from ..models import LifeEvent, LifeEventApplication, ServiceRequest
from ..selectors import events as selectors
from .supplement import supplement_upload
from .track import (
    _limited,
    lookup_elsewhere,
    lookup_minutes_to_wait,
    lookup_usages,
    number_typed,
)

# The questions form's marker: the key of no question (a key is a slug: no dot).
ASKED = "q.asked"


def event_list(request: HttpRequest) -> HttpResponse:
    events = selectors.life_events_published()
    return render(request, "services/events/list.html", {"events": events})


def _event(code: str) -> LifeEvent:
    event = selectors.life_event_get(code=code)
    if event is None:
        raise Http404
    return event


def event_detail(request: HttpRequest, code: str) -> HttpResponse:
    """The event explained, its questions, and once answered the items that apply
    with their materials listed once."""
    event = _event(code)
    # The form's button sends ASKED: with nothing ticked, the page still says what
    # is missing (an address with some answers, from a link, counts as asked too).
    asked = ASKED in request.GET or any(
        question.key in request.GET for question in event.questions.all()
    )
    form = LifeEventQuestionsForm(
        request.GET if asked else None, questions=list(event.questions.all())
    )
    plan = selectors.life_event_plan(event=event, given=request.GET)
    if asked:
        form.is_valid()  # the unanswered questions say so
    context = {
        "event": event,
        "form": form,
        "plan": plan,
        "apply_url": _apply_url(event, plan.answers),
        "asked_name": ASKED,
    }
    return render(request, "services/events/detail.html", context)


def _apply_url(event: LifeEvent, answers: dict[str, str]) -> str:
    return _with_query(reverse("events:apply", args=[event.code]), answers)


def _with_query(url: str, params: dict[str, str]) -> str:
    """`url` with `params` as its query string; no "?" when there are none."""
    query = urlencode(params)
    return f"{url}?{query}" if query else url


@require_http_methods(["GET", "POST"])
def event_apply(request: HttpRequest, code: str) -> HttpResponse:
    """The one application; the answers travel in the address (``?<key>=<answer>``)."""
    event = _event(code)
    plan = selectors.life_event_plan(event=event, given=request.GET)
    if not plan.items:
        messages.info(request, _("Answer the questions first."))
        return redirect(
            _with_query(reverse("events:detail", args=[code]), plan.answers)
        )
    account = request.user if request.user.is_authenticated else None
    posted = request.method == "POST"
    form = LifeEventApplyForm(
        request.POST if posted else None,
        request.FILES if posted else None,
        plan=plan,
        account=account,
        sent_from=access.session_submissions(request.session),
    )
    created = form.submit() if posted and form.is_valid() else None
    if created is None:
        context = {"event": event, "plan": plan, "form": form}
        status = form.status_code if posted else 200
        return render(request, "services/events/apply.html", context, status=status)
    access.life_event_submission_remember(request.session, created)
    return redirect("events:done", number=created.number)


def _application(request: HttpRequest, number: str) -> LifeEventApplication:
    application = selectors.life_event_application_get(number=number)
    if application is None or not access.may_see_life_event(
        request.user, request.session, application
    ):
        raise Http404  # the same answer as for a number that does not exist
    return application


def _track_url(request: HttpRequest, number: str) -> str:
    path = f"{reverse('events:track')}?{urlencode({'number': number})}"
    return request.build_absolute_uri(path)


def application_done(request: HttpRequest, number: str) -> HttpResponse:
    application = _application(request, number)
    context = {
        "application": application,
        "progress": selectors.life_event_progress(application),
        "track_url": _track_url(request, number),
    }
    return render(request, "services/events/done.html", context)


def application_receipt(request: HttpRequest, number: str) -> HttpResponse:
    application = _application(request, number)
    track_url = _track_url(request, number)
    context = {
        "application": application,
        "progress": selectors.life_event_progress(application),
        "track_url": track_url,
        "qr": qr_svg(track_url, scale=4, title=_("QR code: track this life event")),
    }
    return render(request, "services/events/receipt.html", context)


@require_http_methods(["GET", "POST"])
def event_track(request: HttpRequest) -> HttpResponse:
    """The event's lookup: its number and the last four digits of the phone. A
    request's number is the request tracker's (``lookup_elsewhere``)."""
    if access.tracking_number_kind(number_typed(request)) == "request":
        return lookup_elsewhere(request, "track")
    if request.method == "GET":
        form = EventTrackLookupForm(
            initial={"number": request.GET.get("number", "")[:30]}
        )
        return render(request, "services/events/track.html", {"form": form})
    number = access.tracking_number_normalize(request.POST.get("number", ""))
    if (minutes := lookup_minutes_to_wait(request, number)) is not None:
        return _limited(request, minutes)
    form = EventTrackLookupForm(request.POST)
    found = (
        access.life_event_proof_by_lookup(
            number=form.cleaned_data["number"],
            phone_last4=form.cleaned_data["phone_last4"],
        )
        if form.is_valid()
        else None
    )
    if found is None:
        if form.is_valid():
            lookup_usages(request, number, increment=True)
        context = {"form": form, "not_found": form.is_valid()}
        status = 404 if form.is_valid() else 400
        return render(request, "services/events/track.html", context, status=status)
    access.life_event_proof_remember(request.session, found)
    return redirect("events:track_result", number=found.number)


@require_POST
def event_track_leave(request: HttpRequest) -> HttpResponse:
    """Forget this session's event lookup (a shared computer at a village station)."""
    access.life_event_proof_forget(request.session)
    return redirect("events:track")


@require_http_methods(["GET", "POST"])
def event_track_result(request: HttpRequest, number: str) -> HttpResponse:
    """The event's progress: each linked request's step, the expected completion,
    and one place to upload the supplement any of them asks for."""
    application = selectors.life_event_application_get(number=number)
    if application is None or not access.may_see_life_event(
        request.user, request.session, application
    ):
        return redirect(f"{reverse('events:track')}?{urlencode({'number': number})}")
    progress = selectors.life_event_progress(application)
    forms, status = [], 200
    for service_request in progress.supplement_asked:
        form, answered = _supplement(request, application, service_request)
        if answered == 302:
            messages.success(
                request,
                _("Your files were received; staff will continue with your request."),
            )
            return redirect("events:track_result", number=number)
        status = max(status, answered)  # the posted form's 400 or 409, else 200
        if form is not None:
            forms.append((service_request, form))
    states = selectors.supplement_states(progress.supplement_asked)
    forms = [(r, form, states.get(r.pk)) for r, form in forms]
    context = {"application": application, "progress": progress, "forms": forms}
    return render(request, "services/events/track_result.html", context, status=status)


def _supplement(
    request: HttpRequest,
    application: LifeEventApplication,
    service_request: ServiceRequest,
) -> tuple[SupplementUploadForm | None, int]:
    """The supplement form of one linked request; a post goes to the request it
    names (``?request=<tracking number>``), the others are only shown."""
    proof = access.life_event_request_proof(
        request.session, application, service_request
    )
    by = request.user if request.user.is_authenticated else None
    aimed = request.GET.get("request") == service_request.tracking_number
    if request.method == "POST" and not aimed:
        request = _as_get(request)
    form, status = supplement_upload(request, service_request, by=by, proof=proof)
    if form is not None:
        number = service_request.tracking_number
        # back at its own section after the post (an error is shown there)
        form.action = (
            f"{request.path}?{urlencode({'request': number})}#supplement-{number}"
        )
        form.auto_id = f"id_{number}_%s"  # several forms on one page: unique ids
    return form, status


def _as_get(request: HttpRequest) -> HttpRequest:
    """The same request read as a GET (a post meant for a sibling's form)."""
    shown = copy.copy(request)
    shown.method = "GET"
    return shown
