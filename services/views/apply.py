"""The resident's application: the form, the confirmation and the printable receipt.

No JavaScript is needed. The confirmation and the receipt are shown only to the browser
session that submitted the request (or to whoever has a role towards it, see
``access.may_see_confirmation``): the tracking number alone in a URL shows nothing.
"""

from urllib.parse import urlencode

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from huagang.qr import qr_svg

from .. import access, selectors
from ..forms import MODE_EXPLANATIONS, WEEKDAYS, ApplyForm
from ..guide import accepts_online_application
from ..models import ServiceRequest


def apply(request: HttpRequest, code: str) -> HttpResponse:
    item = get_object_or_404(selectors.service_item_guide(code=code))
    if not accepts_online_application(item):
        # Handled only on the spot at a window: the guide says where to go.
        messages.info(
            request,
            _(
                "This item is handled only at a service window, with you there in "
                "person: it cannot be applied for online."
            ),
        )
        return redirect(item)
    account = request.user if request.user.is_authenticated else None
    if request.method != "POST":
        # The village picked on the guide comes along (an unknown code is ignored).
        form = ApplyForm(
            item=item, account=account, village=request.GET.get("village", "")
        )
        return render(request, "services/apply.html", {"item": item, "form": form})
    form = ApplyForm(
        request.POST,
        request.FILES,
        item=item,
        account=account,
        sent_from=access.session_submissions(request.session),
    )
    created = form.submit() if form.is_valid() else None
    if created is None:
        context = {"item": item, "form": form}
        return render(request, "services/apply.html", context, status=form.status_code)
    access.submission_remember(request.session, created)
    return redirect("services:request_done", number=created.tracking_number)


def request_done(request: HttpRequest, number: str) -> HttpResponse:
    return render(request, "services/request_done.html", _confirmation(request, number))


def request_receipt(request: HttpRequest, number: str) -> HttpResponse:
    context = _confirmation(request, number)
    context["qr"] = tracking_qr_svg(context["track_url"])
    return render(request, "services/request_receipt.html", context)


def _confirmation(request: HttpRequest, number: str) -> dict:
    found = (
        ServiceRequest.objects.select_related("item", "village__sub_center")
        .filter(tracking_number=number)
        .first()
    )
    if found is None or not access.may_see_confirmation(
        request.user, request.session, found
    ):
        raise Http404  # the same answer as for a number that does not exist
    return {
        "service_request": found,
        "expected": selectors.service_request_expected_completion(
            service_request=found
        ),
        "mode_explanation": MODE_EXPLANATIONS[found.mode],
        "track_url": track_url(request, found.tracking_number),
        "sub_center": getattr(found.village, "sub_center", None),
        "visit_days": _weekday_names(found.visit_weekdays),
    }


def _weekday_names(days: list[int]) -> str:
    names = dict(WEEKDAYS)
    return " / ".join(str(names[day]) for day in days if day in names)


def track_url(request: HttpRequest, number: str) -> str:
    """The tracking page's absolute address with the number filled in (and nothing
    personal: no phone digits)."""
    path = f"{reverse('track')}?{urlencode({'number': number})}"
    return request.build_absolute_uri(path)


def tracking_qr_svg(url: str) -> SafeString:
    """`url` as a QR code, an inline SVG made here by segno (nothing fetched)."""
    return qr_svg(url, scale=4, title=_("QR code: track this request"))
