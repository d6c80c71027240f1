"""What the requests endpoints share: who the caller is, which request they may
see, and how it is answered."""

import re

from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from rest_framework import permissions
from rest_framework.authentication import SessionAuthentication
from rest_framework.exceptions import (
    NotAuthenticated,
    NotFound,
    ValidationError,
)
from rest_framework.request import Request

from huagang.converters import TrackingNumberConverter
from villages.models import User

from .... import access
from ....access import ApplicantProof
from ....models import ServiceRequest
from ....selectors import api as api_selectors
from ...serializers import requests as out

TAGS = ["requests"]
PROOF_NOTE = (
    " Anonymous callers are answered only for the request their session proved "
    "(requests/lookup/ with remember), else 401."
)


# The path parameter ``number``: a tracking number (huagang.converters).
NUMBER = OpenApiParameter(
    "number",
    OpenApiTypes.STR,
    OpenApiParameter.PATH,
    pattern=f"^{TrackingNumberConverter.regex}$",
    description="The tracking number, e.g. HG260310000123.",
)
_NUMBER = re.compile(TrackingNumberConverter.regex)


def caller(request: Request) -> User | None:
    return request.user if request.user.is_authenticated else None


def visible_request(
    request: Request, number: str
) -> tuple[ServiceRequest, ApplicantProof | None]:
    """The request as this caller may see it, and the session's applicant proof for
    it (when that is what makes it visible). 404 for a signed-in caller who may not
    see it; 401 for an anonymous one without the proof (whether it exists or not);
    404 for anyone, before any query, when `number` is not a tracking number."""
    if not _NUMBER.fullmatch(number):
        raise NotFound()
    user = caller(request)
    if user is not None:
        found = api_selectors.service_request_api_get(user=user, tracking_number=number)
        if found is not None:
            return found, None
    found = api_selectors.service_request_by_number(tracking_number=number)
    proof = (
        access.applicant_proof_from_session(request.session, found)
        if found is not None
        else None
    )
    if proof is None:
        raise NotFound() if user is not None else NotAuthenticated()
    if request.method not in permissions.SAFE_METHODS:
        # The proof rides on the session cookie: a write needs the CSRF token too.
        SessionAuthentication().enforce_csrf(request)
    return found, proof


def detail_of(
    request: Request, found: ServiceRequest, proof: ApplicantProof | None = None
) -> dict:
    return out.request_detail(
        found,
        user=caller(request),
        proof=proof,
        due_flag=api_selectors.service_request_due_flag(found),
    )


def one_file_per_field(request: Request) -> dict[str, UploadedFile]:
    """The uploaded files by field; 400 for a field with several, or for a value
    that is not a file under a material's name (``material_<id>``), which would be
    lost."""
    files, problems = {}, {}
    for name in request.data:
        if name.startswith("material_") and name not in request.FILES:
            problems[name] = [_("Send a file here (PDF or image), not text.")]
    for name, found in request.FILES.lists():
        if len(found) > 1:
            problems[name] = [_("Send one file per field.")]
        files[name] = found[0]
    if problems:
        raise ValidationError(problems)
    return files


def material_of(name: str) -> int | None:
    """The material id in a file field's name ``material_<id>``; None otherwise."""
    prefix, _sep, digits = name.partition("_")
    if (
        prefix == "material"
        and digits.isascii()
        and digits.isdigit()
        and len(digits) < 10
    ):
        return int(digits)
    return None
