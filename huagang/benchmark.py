"""The benchmarks' yardsticks: bare Django views returning the same rows as JSON.

Mounted only when ``settings.HUAGANG_BENCHMARK`` is on (huagang/settings/benchmark.py),
never in the portal's own settings: they show requests to anyone.

- ``reference``: 20 service requests, newest first; benchmarks/http_pages.py compares
  every public page's requests per second with it.
- one per API case of benchmarks/api.py, each reading what its endpoint reads with
  ``.values()`` and answering ``JsonResponse``, no serializer, no authentication, no
  throttle: a village's requests in a status, the newest requests, a tracking lookup,
  a catalog item with its materials.
"""

import json

from django.http import HttpRequest, JsonResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from services.models import Material, ServiceItem, ServiceRequest

# The API's lists page newest first along the request_newest_first index.
ORDERING = ("-submitted_at", "-id")
PAGE = 20
REQUEST_FIELDS = (
    "tracking_number",
    "item_id",
    "village_id",
    "mode",
    "status",
    "submitted_at",
    "due_date",
)


def reference(request: HttpRequest) -> JsonResponse:
    rows = ServiceRequest.objects.order_by("-pk").values(
        "tracking_number", "item_id", "village_id", "status", "submitted_at"
    )[:20]
    return JsonResponse({"results": list(rows)})


def requests_page(request: HttpRequest) -> JsonResponse:
    """20 requests newest first, of a village (``?village=<id>``) and in a status
    (``?status=``) when given."""
    rows = ServiceRequest.objects.order_by(*ORDERING)
    if village := request.GET.get("village"):
        rows = rows.filter(village_id=village)
    if status := request.GET.get("status"):
        rows = rows.filter(status=status)
    return JsonResponse({"results": list(rows.values(*REQUEST_FIELDS)[:PAGE])})


@csrf_exempt
@require_POST
def request_lookup(request: HttpRequest) -> JsonResponse:
    """The request whose number and applicant's last four phone digits match."""
    data = json.loads(request.body)
    row = (
        ServiceRequest.objects.filter(
            tracking_number=data["tracking_number"],
            applicant_phone__endswith=data["phone_last4"],
        )
        .values(*REQUEST_FIELDS, "item__name", "village__name")
        .first()
    )
    return JsonResponse(row or {}, status=200 if row else 404)


def service(request: HttpRequest, code: str) -> JsonResponse:
    """A catalog item with its body's and category's names and its materials."""
    item = (
        ServiceItem.objects.filter(code=code)
        .values(
            "id",
            "code",
            "name",
            "item_type",
            "accept_level",
            "decide_level",
            "promised_days",
            "conditions",
            "steps",
            "body__name",
            "category__name",
        )
        .first()
    )
    if item is None:
        return JsonResponse({}, status=404)
    item["materials"] = list(
        Material.objects.filter(item_id=item["id"])
        .order_by("order", "id")
        .values("name", "required", "copies", "original", "source")
    )
    return JsonResponse(item)


urlpatterns = [
    path("benchmark/reference/", reference),
    path("benchmark/api/requests/", requests_page),
    path("benchmark/api/lookup/", request_lookup),
    path("benchmark/api/services/<item_code:code>/", service),
]
