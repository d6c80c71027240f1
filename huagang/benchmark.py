"""The benchmark's yardstick: a bare Django view returning 20 service requests as JSON.

Mounted only when ``settings.HUAGANG_BENCHMARK`` is on (huagang/settings/benchmark.py),
never in the portal's own settings: it shows requests to anyone. benchmarks/http_pages.py
compares every public page's requests per second with this view's.
"""

from django.http import HttpRequest, JsonResponse

from services.models import ServiceRequest


def reference(request: HttpRequest) -> JsonResponse:
    rows = ServiceRequest.objects.order_by("-pk").values(
        "tracking_number", "item_id", "village_id", "status", "submitted_at"
    )[:20]
    return JsonResponse({"results": list(rows)})
