"""Template tags of the resident's pages."""

from collections.abc import Sequence

from django import template

from .. import progress
from ..models import RequestEvent, ServiceRequest

register = template.Library()


@register.simple_tag
def request_progress(
    service_request: ServiceRequest, timeline: Sequence[RequestEvent]
) -> progress.Progress:
    """``{% request_progress service_request timeline as progress %}``: where the
    request stands, in the resident's words (``services.progress.describe``)."""
    return progress.describe(service_request, list(timeline))
