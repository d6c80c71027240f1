"""The supplement a resident uploads from their request's page: the tracking page (with
the session's proof) and 我的办件 (signed in) share it."""

from django.http import HttpRequest

from huagang.exceptions import DomainError
from huagang.forms import add_input_errors
from villages.models import User

from .. import access, actions
from ..access import ApplicantProof
from ..forms import SupplementUploadForm
from ..models import ServiceRequest


def supplement_upload(
    request: HttpRequest,
    service_request: ServiceRequest,
    *,
    by: User | None,
    proof: ApplicantProof | None = None,
) -> tuple[SupplementUploadForm | None, int]:
    """The upload form when a supplement is asked, and the page's status: 302 once
    the posted files are stored, 400 (errors on the form), 409 for a post when no
    supplement is asked (the page shows why), else 200."""
    posted = request.method == "POST"
    if not access.may_upload_supplement(by, service_request, proof=proof):
        return None, 409 if posted else 200
    form = SupplementUploadForm(
        request.POST if posted else None,
        request.FILES if posted else None,
        service_request=service_request,
        action=request.path,
    )
    if not posted:
        return form, 200
    if not form.is_valid():
        return form, 400
    try:
        actions.attachments_add(
            service_request=service_request,
            uploads=form.uploads(),
            by=by,
            proof=proof,
        )
    except DomainError as exc:  # InvalidInput (400) at its fields, or a refusal
        add_input_errors(form, exc)
        return form, exc.status_code
    return form, 302
