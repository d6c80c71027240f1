"""Walk-in and phone entry: a clerk finds the item by typing, enters the resident's
request (accepting it if they may; 即时即办 may be done on the spot in the same step)
and prints the 受理回执 (a 收件回执 for a request the clerk could not accept).

Step 1 (``staff:entry``) lists the items matching what was typed, as links; with
JavaScript (``static/js/item_picker.js``) the list follows the typing, fetched from
the same view (``?fragment=1`` answers the list alone). Step 2 (``staff:entry_item``)
is the form for one item; after saving, the receipt page (``staff:receipt``) says the
tracking number and prints.
"""

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _

from ... import access, selectors, workflow
from ...forms.staff_entry import ItemPickForm, StaffEntryForm
from ...models import ServiceRequest, Status
from ...selectors.entry import service_item_for_entry, service_items_for_picker
from ..apply import track_url, tracking_qr_svg
from ._common import staff_required


@staff_required
def entry(request: HttpRequest) -> HttpResponse:
    form = ItemPickForm(request.GET)
    query = form.cleaned_data["q"] if form.is_valid() else ""
    found, total = service_items_for_picker(q=query, request=request)
    context = {"form": form, "query": query, "found": found, "total": total}
    template = "staff/entry_pick.html"
    if request.GET.get("fragment"):
        template = "staff/entry_results.html"
    return render(request, template, context, status=200 if form.is_valid() else 400)


@staff_required
def entry_item(request: HttpRequest, code: str) -> HttpResponse:
    item = service_item_for_entry(code=code)
    if item is None:
        raise Http404
    if request.method != "POST":
        form = StaffEntryForm(item=item, user=request.user)
        return render(request, "staff/entry_form.html", {"item": item, "form": form})
    form = StaffEntryForm(request.POST, request.FILES, item=item, user=request.user)
    created = form.submit() if form.is_valid() else None
    if created is None:
        context = {"item": item, "form": form}
        return render(
            request, "staff/entry_form.html", context, status=form.status_code
        )
    if created.status == Status.SUBMITTED:  # the clerk could not accept it
        messages.success(
            request,
            _(
                "Saved; the office that handles it will accept it. Give the "
                "resident the printed receipt of the application."
            ),
        )
    else:
        messages.success(request, _("Saved. Give the resident the printed receipt."))
    return redirect("staff:receipt", number=created.tracking_number)


@staff_required
def receipt(request: HttpRequest, number: str) -> HttpResponse:
    found = (
        access.receipts_scope(user=request.user)
        .select_related("item", "village__sub_center", "entered_by")
        .filter(tracking_number=number)
        .first()
    )
    if found is None:
        raise Http404  # the same answer as for a number that does not exist
    url = track_url(request, found.tracking_number)
    context = {
        "service_request": found,
        "expected": _expected(found),
        "track_url": url,
        "qr": tracking_qr_svg(url),
        "sub_center": getattr(found.village, "sub_center", None),
        # a town window may enter a request for a body it does not serve
        "may_open_case": access.can_view_request(request.user, found),
    }
    return render(request, "staff/entry_receipt.html", context)


def _expected(service_request: ServiceRequest):
    """The due date once accepted; before, the date the receipt can promise."""
    if service_request.due_date or service_request.status in workflow.TERMINAL:
        return service_request.due_date
    return selectors.service_request_expected_completion(
        service_request=service_request
    )


urlpatterns = [
    path("new/", entry, name="entry"),
    path("new/<str:code>/", entry_item, name="entry_item"),
    path("cases/<tracking_number:number>/receipt/", receipt, name="receipt"),
]
