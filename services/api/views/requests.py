"""``/api/v1/requests/``: list, create, read, look up, follow and rate requests.

Who sees what is ``services.access``: the list is ``service_requests_scope`` (a
resident's own, a clerk's village or bodies, all for an official); one request is
visible to whoever holds a role towards it, or to a session that proved it with the
number and phone digits (``requests/lookup/`` with ``remember``). An invisible request
is a 404 for a signed-in caller and a 401 for an anonymous one, whether it exists or
not. Writes are the actions the screens use. docs/api.md, "Requests", is the guide.
"""

import uuid

from django.core.files.uploadedfile import UploadedFile
from django.middleware.csrf import get_token
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import permissions, status
from rest_framework.authentication import SessionAuthentication
from rest_framework.exceptions import (
    NotAuthenticated,
    NotFound,
    Throttled,
    ValidationError,
)
from rest_framework.generics import GenericAPIView
from rest_framework.parsers import JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

import huagang.converters  # noqa: F401  (registers tracking_number)
from huagang.exceptions import InvalidTransition
from villages.choices import Role
from villages.models import ApiToken, User

from ... import access, actions, selectors, workflow
from ...access import ApplicantProof
from ...guide import accepts_online_application
from ...models import Channel, Rating, ServiceRequest
from ...models.requests import NO_DUE_DATE
from ...selectors import api as api_selectors
from ...views.track import lookup_minutes_to_wait, lookup_usages
from ..filters import ServiceRequestFilter
from ..keyset import KeysetPagination, Ordering
from ..schema import ErrorSerializer, errors
from ..serializers import requests as out
from ..serializers.requests import (
    AttachmentOut,
    LookupIn,
    RatingIn,
    RatingStateOut,
    RequestCreateIn,
    RequestDetailOut,
    RequestRowOut,
    TimelineEventOut,
)

TAGS = ["requests"]
PROOF_NOTE = (
    " Anonymous callers are answered only for the request their session proved "
    "(requests/lookup/ with remember), else 401."
)
NOT_ONLINE = gettext_lazy(
    "This item is handled only at a service window, with you there in person: it "
    "cannot be applied for online."
)


def _caller(request: Request) -> User | None:
    return request.user if request.user.is_authenticated else None


def _visible(
    request: Request, number: str
) -> tuple[ServiceRequest, ApplicantProof | None]:
    """The request as this caller may see it, and the session's applicant proof for
    it (when that is what makes it visible). 404 for a signed-in caller who may not
    see it; 401 for an anonymous one without the proof (whether it exists or not)."""
    user = _caller(request)
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


def _detail(
    request: Request, found: ServiceRequest, proof: ApplicantProof | None = None
) -> dict:
    return out.request_detail(
        found,
        user=_caller(request),
        proof=proof,
        due_flag=api_selectors.service_request_due_flag(found),
    )


def _one_file_per_field(request: Request) -> dict[str, UploadedFile]:
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


def _material_id(name: str) -> int | None:
    """The material id in a file field's name ``material_<id>``; None otherwise."""
    prefix, _sep, digits = name.partition("_")
    if prefix == "material" and digits.isdigit() and 0 < len(digits) < 10:
        return int(digits)
    return None


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
    user = _caller(request)
    if not isinstance(request.auth, ApiToken):
        return {"channel": Channel.ONLINE, "account": user, "entered_by": None}
    if access.is_staff_member(user):
        return {"channel": Channel.API, "account": None, "entered_by": user}
    return {"channel": Channel.API, "account": user, "entered_by": None}


def _create_uploads(request: Request) -> list[tuple[UploadedFile, int | None]]:
    uploads, problems = [], {}
    for name, upload in _one_file_per_field(request).items():
        material_id = _material_id(name)
        if material_id is None:
            problems[name] = [_("Send each file as material_<id> (the material's id).")]
        uploads.append((upload, material_id))
    if problems:
        raise ValidationError(problems)
    return uploads


class RequestsView(GenericAPIView):
    queryset = ServiceRequest.objects.none()  # for the schema; see get()
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
        "with a different request is a 422. All or nothing: bad input creates "
        "nothing.",
        request={
            "application/json": RequestCreateIn,
            "multipart/form-data": RequestCreateIn,
        },
        parameters=[
            OpenApiParameter(
                "Idempotency-Key",
                OpenApiTypes.STR,
                OpenApiParameter.HEADER,
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
                "sent again within minutes: the first request.",
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
            return Response(_detail(request, created))
        url = reverse("api:request", args=[created.tracking_number])
        return Response(
            _detail(request, created),
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
        return Response(_detail(self.request, found))


# --- one request -------------------------------------------------------------------


class RequestView(APIView):
    anonymous_scope = "lookup"

    @extend_schema(
        tags=TAGS,
        operation_id="requests_retrieve",
        summary="One request, as the caller may see it",
        description="With the steps the caller may take now." + PROOF_NOTE,
        responses={200: RequestDetailOut, **errors(404)},
    )
    def get(self, request: Request, number: str) -> Response:
        found, proof = _visible(request, number)
        return Response(_detail(request, found, proof))


class LookupView(APIView):
    anonymous_scope = "lookup"

    @extend_schema(
        tags=TAGS,
        operation_id="requests_lookup",
        summary="Look a request up by its number and the applicant's phone digits",
        description="For the applicant without an account: the tracking number and "
        "the last four digits of the applicant's mobile. Any mismatch is the same "
        "404; failed tries are limited per client and per number (429), shared with "
        "the tracking page.",
        request=LookupIn,
        responses={200: RequestDetailOut, **errors(400, 403, 404)},
    )
    def post(self, request: Request) -> Response:
        given = LookupIn(data=request.data)
        given.is_valid(raise_exception=True)
        data = given.validated_data
        number = access.tracking_number_normalize(data["tracking_number"])
        minutes = lookup_minutes_to_wait(request._request, number)
        if minutes is not None:
            raise Throttled(wait=minutes * 60)
        found = access.applicant_proof_by_lookup(
            tracking_number=number, phone_last4=data["phone_last4"]
        )
        if found is None:
            lookup_usages(request._request, number, increment=True)
            raise NotFound(
                _("No request has this number with these digits of the mobile.")
            )
        service_request, proof = found
        if data["remember"]:
            access.applicant_proof_remember(request.session, proof)
            get_token(request._request)  # the CSRF cookie for the proof's writes
        return Response(_detail(request, service_request, proof))


# --- the timeline ----------------------------------------------------------------------

EVENT_ORDERINGS = {
    "created_at": Ordering("created_at", "datetime", False),
    "-created_at": Ordering("created_at", "datetime", True),
}


class TimelineView(GenericAPIView):
    queryset = ServiceRequest.objects.none()  # for the schema
    pagination_class = KeysetPagination
    orderings = EVENT_ORDERINGS
    default_ordering = "created_at"
    anonymous_scope = "lookup"

    @extend_schema(
        tags=TAGS,
        operation_id="requests_timeline",
        summary="What has happened to a request",
        description="Staff serving the request read every event, internal notes "
        "included; its applicant the public ones." + PROOF_NOTE,
        responses={200: TimelineEventOut(many=True), **errors(400, 404)},
    )
    def get(self, request: Request, number: str) -> Response:
        found, _proof = _visible(request, number)
        staff = bool(access.staff_roles_towards(_caller(request), found))
        events = api_selectors.service_request_api_events(
            service_request=found, staff=staff
        )
        page = self.paginate_queryset(events)
        return self.get_paginated_response(out.timeline_events(page, staff=staff))


# --- the rating ----------------------------------------------------------------------


class RatingView(APIView):
    anonymous_scope = "lookup"

    @extend_schema(
        tags=TAGS,
        operation_id="requests_rating_retrieve",
        summary="The request's rating (好差评), and whether the caller may rate it",
        description=PROOF_NOTE.strip(),
        responses={200: RatingStateOut, **errors(404)},
    )
    def get(self, request: Request, number: str) -> Response:
        found, proof = _visible(request, number)
        return self._state(request, found, proof, status_code=200)

    @extend_schema(
        tags=TAGS,
        operation_id="requests_rating_create",
        summary="Rate a completed request (once, by its applicant)",
        description="A poor rating (1 or 2) opens a follow-up by the village's "
        "staff." + PROOF_NOTE,
        request=RatingIn,
        responses={201: RatingStateOut, **errors(400, 403, 404, 409)},
    )
    def post(self, request: Request, number: str) -> Response:
        found, proof = _visible(request, number)
        given = RatingIn(data=request.data)
        given.is_valid(raise_exception=True)
        actions.rating_submit(
            service_request=found,
            by=_caller(request),
            proof=proof,
            level=given.validated_data["level"],
            comment=given.validated_data["comment"],
        )
        return self._state(request, found, proof, status_code=201)

    def _state(
        self,
        request: Request,
        found: ServiceRequest,
        proof: ApplicantProof | None,
        *,
        status_code: int,
    ) -> Response:
        rating = api_selectors.service_request_rating(service_request=found)
        user = _caller(request)
        may_rate = rating is None and access.may(
            user, found, workflow.Activity.RATE, proof=proof
        )
        words = rating is not None and _may_read_words(user, found, rating, proof)
        return Response(
            out.rating_state(rating, may_rate=may_rate, words=words),
            status=status_code,
        )


def _may_read_words(
    user: User | None,
    found: ServiceRequest,
    rating: Rating,
    proof: ApplicantProof | None,
) -> bool:
    """The resident's words (the rating's comment) go to the applicant and to staff
    who handle the 差评 follow-up it opened, as on the workbench, which shows them
    only on the follow-up's page: other staff who see the request (a town-center
    clerk) read the level, as on its timeline."""
    if Role.RESIDENT in access.roles_towards(user, found, proof=proof):
        return True
    follow_up = getattr(rating, "follow_up", None)
    return follow_up is not None and access.may_handle_follow_up(user, follow_up)


# --- the supplement --------------------------------------------------------------------

SUPPLEMENT_BODY = {
    "type": "object",
    "properties": {
        "other": {
            "type": "string",
            "format": "binary",
            "description": "A document that is none of the item's materials.",
        }
    },
    "additionalProperties": {
        "type": "string",
        "format": "binary",
        "description": "material_<id>: the file for one of the item's materials.",
    },
}


class MaterialsView(APIView):
    parser_classes = [MultiPartParser]
    anonymous_scope = "lookup"

    @extend_schema(
        tags=TAGS,
        operation_id="requests_materials_create",
        summary="Upload the supplement the staff asked for",
        description="While the request awaits a supplement (待补正): a file per "
        "material as material_<id>, anything else as other; PDF or image, checked "
        "by content. All files or none are kept." + PROOF_NOTE,
        request={"multipart/form-data": SUPPLEMENT_BODY},
        responses={201: AttachmentOut(many=True), **errors(400, 403, 404, 409)},
    )
    def post(self, request: Request, number: str) -> Response:
        found, proof = _visible(request, number)
        user = _caller(request)
        if not access.may_upload_supplement(user, found, proof=proof):
            raise InvalidTransition(_("No supplement is asked for this request now."))
        uploads = {}
        for name, upload in _one_file_per_field(request).items():
            if name != "other" and _material_id(name) is None:
                raise ValidationError(
                    {name: [_("Send each file as material_<id> or other.")]}
                )
            uploads[name] = (_material_id(name), upload)
        saved = actions.attachments_add(
            service_request=found, uploads=uploads, by=user, proof=proof
        )
        return Response(out.attachments(saved), status=status.HTTP_201_CREATED)


urlpatterns = [
    path("requests/", RequestsView.as_view(), name="requests"),
    path("requests/lookup/", LookupView.as_view(), name="request_lookup"),
    path("requests/<tracking_number:number>/", RequestView.as_view(), name="request"),
    path(
        "requests/<tracking_number:number>/timeline/",
        TimelineView.as_view(),
        name="request_timeline",
    ),
    path(
        "requests/<tracking_number:number>/rating/",
        RatingView.as_view(),
        name="request_rating",
    ),
    path(
        "requests/<tracking_number:number>/materials/",
        MaterialsView.as_view(),
        name="request_materials",
    ),
]
