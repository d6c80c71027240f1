"""Tracking a request without an account: the number plus the last four digits of the
applicant's mobile (``access.applicant_proof_by_lookup``), then the progress page.

The digits travel only in a POST body, never in an address (logs, history). A
successful lookup is kept in the session for that one request (``access``), so the
page can be reloaded and a supplement uploaded; any other visitor or request gets the
lookup form. A wrong number and wrong digits get the same answer. Failed lookups are
counted per client and per number in the shared cache (django-ratelimit); past the
limit the answer is 429 with the minutes to wait. A life event's number (HGE…)
typed here is sent on to the event tracker with the digits, and a request's number
typed there comes here (``lookup_elsewhere``): neither counts as a failed try.
"""

import logging
import math
import time

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.functional import SimpleLazyObject
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST
from django_ratelimit import core as ratelimit_core
from django_ratelimit.core import get_usage

from huagang.caching import counts_get

from .. import access, selectors
from ..forms import TrackLookupForm
from .supplement import supplement_upload

logger = logging.getLogger("huagang.track")


# Failed lookups are counted under these groups, keyed by the client's address and by
# the tracking number typed (the cache keys are hashes: neither is stored as such).
# The API's lookup (services/api/views/requests.py) counts in the same groups: neither
# door gives more tries than the other.
LIMITS = (
    ("track-client", "ip", "HUAGANG_TRACK_FAILURES_PER_CLIENT"),
    ("track-number", "number", "HUAGANG_TRACK_FAILURES_PER_NUMBER"),
)


# What a count the cache could not give means: closed (as django-ratelimit answers
# when the cache returns nothing), for the first minute.
UNCOUNTED = {"count": 0, "limit": 0, "time_left": 60}


def lookup_usages(request: HttpRequest, number: str, *, increment: bool) -> list[dict]:
    """The counts of failed lookups from this client and of `number` (normalized);
    `increment`: count one more failure. `request` is the POST that looks up."""
    usages = []
    for group, key, setting in LIMITS:
        try:
            usage = get_usage(
                request,
                group=group,
                key=(lambda _group, _request: number) if key == "number" else key,
                rate=getattr(settings, setting),
                method="POST",
                increment=increment,
            )
        except Exception:  # the cache is down (redis.ConnectionError, …)
            logger.exception("The tracking lookups' counts are unavailable.")
            usage = UNCOUNTED
        if usage is not None:
            usages.append(usage)
    return usages


def lookup_minutes_to_wait(request: HttpRequest, number: str) -> int | None:
    """None if the client and the number may still try; else whole minutes to wait.

    Both counts in one read of the cache (a lookup is answered on every try, the
    API's within a few milliseconds): under the keys django-ratelimit counts them
    (``lookup_usages``), which tests/api/test_requests_lookup.py checks agree."""
    windows = {}
    now = int(time.time())
    try:
        for group, key, setting in LIMITS:
            rate = getattr(settings, setting)
            value = number if key == "number" else ratelimit_core._get_ip(request)
            limit, period = ratelimit_core._split_rate(rate)
            window = ratelimit_core._get_window(value, period)
            cache_key = ratelimit_core._make_cache_key(
                group, window, rate, value, "POST"
            )
            windows[cache_key] = (limit, window)
        counts = counts_get(
            list(windows), getattr(settings, "RATELIMIT_USE_CACHE", "default")
        )
    except Exception:  # the cache is down (redis.ConnectionError, …): closed
        logger.exception("The tracking lookups' counts are unavailable.")
        return max(1, UNCOUNTED["time_left"] // 60)
    waits = [
        window - now
        for cache_key, (limit, window) in windows.items()
        if counts.get(cache_key, 0) >= limit
    ]
    if not waits:
        return None
    return max(1, math.ceil(max(waits) / 60))


def _number(request: HttpRequest) -> str:
    return access.tracking_number_normalize(request.POST.get("number", ""))


def _limited(request: HttpRequest, minutes: int) -> HttpResponse:
    response = render(
        request, "services/track_limited.html", {"minutes": minutes}, status=429
    )
    response["Retry-After"] = str(minutes * 60)
    return response


def lookup_elsewhere(request: HttpRequest, tracker: str) -> HttpResponse:
    """The answer of a tracker to a number of the other one's form (an event's HGE…
    on the request tracker, a request's HG… on the event tracker): a GET goes to
    `tracker`'s form with the number prefilled; a POST is posted there as it is (307:
    the browser sends the same number and digits), where the digits are checked and
    a failure counted as on any lookup. This tracker counts nothing: the resident
    only chose the wrong page, and types nothing again."""
    if request.method == "POST":
        return redirect(tracker, preserve_request=True)
    number = request.GET.get("number", "")[:30]
    return redirect(f"{reverse(tracker)}?{urlencode({'number': number})}")


def number_typed(request: HttpRequest) -> str:
    """The number of this lookup: posted, or prefilled by the address."""
    return (request.POST if request.method == "POST" else request.GET).get("number", "")


@require_http_methods(["GET", "POST"])
def track(request: HttpRequest) -> HttpResponse:
    """GET: the form (``?number=`` prefills it: a receipt's QR code). POST: look up.
    A life event's number is the event tracker's (``lookup_elsewhere``)."""
    if access.tracking_number_kind(number_typed(request)) == "life_event":
        return lookup_elsewhere(request, "events:track")
    if request.method == "GET":
        number = request.GET.get("number", "")[:30]
        # The blank form's markup is the same for everyone (the template renders it
        # once per process): built only when a number is prefilled.
        form = SimpleLazyObject(lambda: TrackLookupForm(initial={"number": number}))
        return render(
            request, "services/track.html", {"form": form, "blank": not number}
        )
    if (minutes := lookup_minutes_to_wait(request, _number(request))) is not None:
        return _limited(request, minutes)
    form = TrackLookupForm(request.POST)
    if not form.is_valid():
        return render(request, "services/track.html", {"form": form}, status=400)
    found = access.applicant_proof_by_lookup(
        tracking_number=form.cleaned_data["number"],
        phone_last4=form.cleaned_data["phone_last4"],
    )
    if found is None:
        lookup_usages(request, _number(request), increment=True)
        return render(
            request,
            "services/track.html",
            {"form": form, "not_found": True},
            status=404,
        )
    service_request, proof = found
    access.applicant_proof_remember(request.session, proof)
    return redirect("track_result", number=service_request.tracking_number)


def _lookup_page(number: str) -> HttpResponse:
    """Where a visitor without this session's proof is sent: the same for a number
    that exists and one that does not."""
    return redirect(f"{reverse('track')}?{urlencode({'number': number})}")


@require_http_methods(["GET", "POST"])
def track_result(request: HttpRequest, number: str) -> HttpResponse:
    """The progress page of the request this session proved; POST: a supplement."""
    service_request = selectors.service_request_for_applicant(tracking_number=number)
    proof = (
        access.applicant_proof_from_session(request.session, service_request)
        if service_request is not None
        else None
    )
    if service_request is None or proof is None:
        return _lookup_page(number)
    upload_form, status = supplement_upload(
        request, service_request, by=None, proof=proof
    )
    if status == 302:
        messages.success(
            request,
            _("Your files were received; staff will continue with your request."),
        )
        return redirect("track_result", number=number)
    timeline = selectors.service_request_timeline(
        service_request=service_request, public_only=True
    )
    context = {
        "service_request": service_request,
        "timeline": list(timeline),
        "upload_form": upload_form,
    }
    return render(request, "services/track_result.html", context, status=status)


@require_POST
def track_leave(request: HttpRequest) -> HttpResponse:
    """Forget this session's proof (a shared computer at a village station)."""
    access.applicant_proof_forget(request.session)
    return redirect("track")
