"""``requests/``: the caller's list, and a new request."""

import uuid

from django.core.files.uploadedfile import UploadedFile
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import permissions, status
from rest_framework.exceptions import (
    ValidationError,
)
from rest_framework.generics import GenericAPIView
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from villages.models import ApiToken

from .... import access, actions, selectors
from ....guide import accepts_online_application
from ....models import Channel, ServiceRequest
from ....models.requests import NO_DUE_DATE
from ....selectors import api as api_selectors
from ...filters import ServiceRequestFilter
from ...keyset import KeysetPagination, Ordering
from ...parsers import JSONParser
from ...schema import ErrorSerializer, errors
from ...serializers import requests as out
from ...serializers.requests import (
    RequestCreateIn,
    RequestDetailOut,
    RequestRowOut,
)
from ._common import TAGS, caller, detail_of, material_of, one_file_per_field

# --- the list and a new request ------------------------------------------------------

REQUEST_ORDERINGS = {
    "-submitted_at": Ordering("submitted_at", "datetime", True),
    "submitted_at": Ordering("submitted_at", "datetime", False),
    "-updated_at": Ordering("updated_at", "datetime", True),
    "updated_at": Ordering("updated_at", "datetime", False),
    # Without a due date last (first, descending): request_due_key's expression.
    "due_date": Ordering("due_date", "date", False, null_as=NO_DUE_DATE),
    "-due_date": Ordering("due_date", "date", True, null_as=NO_DUE_DATE),
}
NOT_ONLINE = gettext_lazy(
    "This item is handled only at a service window, with you there in person: it "
    "cannot be applied for online."
)
# The codes the list filters on, with their patterns (django-filter's schema has none).
CODE_PARAMETERS = [
    OpenApiParameter(
        "village",
        OpenApiTypes.STR,
        pattern="^[0-9]{12}$",
        description="A village's or community's 12-digit division code.",
    ),
    OpenApiParameter(
        "item",
        OpenApiTypes.STR,
        pattern="^[A-Za-z0-9][A-Za-z0-9-]*$",
        description="A service item's code.",
    ),
    OpenApiParameter(
        "body",
        OpenApiTypes.STR,
        pattern="^[A-Za-z0-9_-]+$",
        description="The code of the body handling the request's item.",
    ),
]
IDEMPOTENCY = uuid.UUID("5b0e7a52-3f0c-4d8e-9a57-2f1f4d6c9e10")
UNPROCESSABLE = OpenApiResponse(
    ErrorSerializer,
    description="The Idempotency-Key was used before with a different request "
    "(code idempotency_key_reused).",
)


def _submission_key(request: Request) -> uuid.UUID | None:
    """The create's one-time key: the caller's ``Idempotency-Key`` made theirs (the
    same key from another caller is another key)."""
    key = request.headers.get("Idempotency-Key")
    if key is None:
        return None
    if not 1 <= len(key) <= 200 or not key.isascii() or not key.isprintable():
        raise ValidationError(
            {"Idempotency-Key": [_("Send 1 to 200 printable ASCII characters.")]}
        )
    if isinstance(request.auth, ApiToken):
        who = f"key:{request.auth.pk}"
    elif request.user.is_authenticated:
        who = f"user:{request.user.pk}"
    else:
        who = "anonymous"
    return uuid.uuid5(IDEMPOTENCY, f"{who}\n{key}")


def _submitter(request: Request) -> dict:
    """Who applies, and through which channel: a signed-in resident (or anyone
    signed in) as themselves online; a key as its account through the API, entering
    for the applicant when that account is staff; an anonymous applicant online."""
    user = caller(request)
    if not isinstance(request.auth, ApiToken):
        return {"channel": Channel.ONLINE, "account": user, "entered_by": None}
    if access.is_staff_member(user):
        return {"channel": Channel.API, "account": None, "entered_by": user}
    return {"channel": Channel.API, "account": user, "entered_by": None}


def _create_uploads(request: Request) -> list[tuple[UploadedFile, int | None]]:
    uploads, problems = [], {}
    for name, upload in one_file_per_field(request).items():
        material_id = material_of(name)
        if material_id is None:
            problems[name] = [_("Send each file as material_<id> (the material's id).")]
        uploads.append((upload, material_id))
    if problems:
        raise ValidationError(problems)
    return uploads


class RequestsView(GenericAPIView):
    queryset = ServiceRequest.objects.none()  # for the schema; see get()
    serializer_class = RequestCreateIn  # what OPTIONS describes for POST
    filterset_class = ServiceRequestFilter
    filter_backends = [DjangoFilterBackend]
    pagination_class = KeysetPagination
    parser_classes = [JSONParser, MultiPartParser]
    orderings = REQUEST_ORDERINGS
    default_ordering = "-submitted_at"
    anonymous_scope = "anonymous_create"

    def get_permissions(self):
        if self.request.method == "GET":
            return [permissions.IsAuthenticated()]
        return []

    @extend_schema(
        tags=TAGS,
        operation_id="requests_list",
        summary="The requests the caller may see",
        description="A resident's own (as applicant); a village clerk's village; a "
        "town-center clerk's bodies; every one for an official. Names and phones "
        "masked. Cursor-paginated, newest first by default; never counted.",
        parameters=CODE_PARAMETERS,
        responses={200: RequestRowOut(many=True), **errors(400)},
    )
    def get(self, request: Request) -> Response:
        rows = api_selectors.service_requests_api_list(user=request.user)
        page = self.paginate_queryset(self.filter_queryset(rows))
        flags = api_selectors.due_flags(page)
        return self.get_paginated_response(out.request_rows(page, flags))

    @extend_schema(
        tags=TAGS,
        operation_id="requests_create",
        summary="Apply for a service",
        description="By a signed-in resident, a system's key (as its account; a "
        "staff account enters for the applicant) or anonymously (throttled). As "
        "JSON, or multipart/form-data with a file per material as material_<id> "
        "(PDF or image, checked by content). An Idempotency-Key header makes a "
        "retry return the first request (200) instead of a second one; the same key "
        "with a different request is a 422. Without a key, the same request sent "
        "again within minutes is the first one (200) for the same account; "
        "anonymously, it is a 409 (code already_submitted) that names nothing. All "
        "or nothing: bad input creates nothing.",
        request={
            "application/json": RequestCreateIn,
            "multipart/form-data": RequestCreateIn,
        },
        parameters=[
            OpenApiParameter(
                "Idempotency-Key",
                OpenApiTypes.STR,
                OpenApiParameter.HEADER,
                pattern="^[ -~]{1,200}$",
                description="Any unique string of yours (a UUID), up to 200 "
                "printable ASCII characters.",
            ),
            OpenApiParameter(
                "Location",
                OpenApiTypes.URI,
                OpenApiParameter.HEADER,
                response=[201],
                description="The new request's address.",
            ),
        ],
        responses={
            201: RequestDetailOut,
            200: OpenApiResponse(
                RequestDetailOut,
                description="A retry (same Idempotency-Key), or the same request "
                "sent again within minutes by the same account: the first request.",
            ),
            **errors(400, 403, 409),
            422: UNPROCESSABLE,
        },
    )
    def post(self, request: Request) -> Response:
        given = RequestCreateIn(data=request.data)
        given.is_valid(raise_exception=True)
        uploads = _create_uploads(request)
        key = _submission_key(request)
        values = {**given.validated_data}
        del values["consent"], values["privacy_notice_version"]
        if key is not None and (replay := self._replay(key, values, uploads)):
            return replay
        item = selectors.service_item_guide(code=values["item"]).first()
        if item is not None and not accepts_online_application(item):
            raise ValidationError({"item": [NOT_ONLINE]})
        submitter = _submitter(request)
        started = timezone.now()
        created = actions.service_request_submit(
            **{**values, "item": item or values["item"]},
            **submitter,
            uploads=uploads,
            submission_key=key,
            consent_version=given.consent_version(),
            as_online=submitter["channel"] == Channel.API,
        )
        if created.submitted_at < started:  # the same request, sent again
            return Response(detail_of(request, created))
        url = reverse("api:request", args=[created.tracking_number])
        return Response(
            detail_of(request, created),
            status=status.HTTP_201_CREATED,
            headers={"Location": request.build_absolute_uri(url)},
        )

    def _replay(self, key: uuid.UUID, values: dict, uploads: list) -> Response | None:
        """The answer to a retried create (its key was used): the first request
        again, or 422 if this create is another one."""
        found = (
            ServiceRequest.objects.select_related("item", "village")
            .filter(submission_key=key)
            .first()
        )
        if found is None:
            return None
        if not api_selectors.service_request_same_submission(
            found, **values, uploads=uploads
        ):
            body = {
                "code": "idempotency_key_reused",
                "message": _(
                    "This Idempotency-Key was used for another request; use a new "
                    "key for a new request."
                ),
            }
            return Response(body, status=422)
        return Response(detail_of(self.request, found))
