"""One request: ``requests/<n>/``, its lookup, timeline, rating and supplement."""

from django.middleware.csrf import get_token
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.exceptions import (
    APIException,
    NotFound,
    Throttled,
    ValidationError,
)
from rest_framework.generics import GenericAPIView
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from huagang.exceptions import InvalidTransition
from villages.choices import Role
from villages.models import User

from .... import access, actions, workflow
from ....access import ApplicantProof
from ....models import Rating, ServiceRequest
from ....selectors import api as api_selectors
from ....views.track import lookup_minutes_to_wait, lookup_usages
from ...keyset import KeysetPagination, Ordering
from ...schema import errors
from ...serializers import requests as out
from ...serializers.requests import (
    AttachmentOut,
    LookupIn,
    RatingIn,
    RatingStateOut,
    RequestDetailOut,
    TimelineEventOut,
)
from ._common import (
    NUMBER,
    PROOF_NOTE,
    TAGS,
    caller,
    detail_of,
    material_of,
    one_file_per_field,
    visible_request,
)

# --- one request -------------------------------------------------------------------


class RequestView(APIView):
    anonymous_scope = "lookup"

    @extend_schema(
        parameters=[NUMBER],
        tags=TAGS,
        operation_id="requests_retrieve",
        summary="One request, as the caller may see it",
        description="With the steps the caller may take now." + PROOF_NOTE,
        responses={200: RequestDetailOut, **errors(404)},
    )
    def get(self, request: Request, number: str) -> Response:
        found, proof = visible_request(request, number)
        return Response(detail_of(request, found, proof))


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
            tracking_number=number, phone_last4=data["phone_last4"], with_names=False
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
        return Response(detail_of(request, service_request, proof))

    def throttled(self, request: Request, wait: float | None) -> None:
        """Refused by the per-minute limit (``anonymous_scope``): when the failed
        tries' limit refuses too, the wait is the longer of the two, the time after
        which a retry could succeed (after the shorter it would only be refused
        again); Retry-After and the message both name it."""
        minutes = lookup_minutes_to_wait(request._request, _typed_number(request))
        if minutes is not None:
            wait = max(wait or 0, minutes * 60)
        super().throttled(request, wait)


def _typed_number(request: Request) -> str:
    """The tracking number in a lookup's body, normalized; "" when there is none to
    read (the body is checked in ``post``, if the call gets that far)."""
    try:
        value = request.data.get("tracking_number")
    except (APIException, AttributeError):  # not parsed, or not an object
        return ""
    return access.tracking_number_normalize(value) if isinstance(value, str) else ""


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
        parameters=[NUMBER],
        tags=TAGS,
        operation_id="requests_timeline",
        summary="What has happened to a request",
        description="Staff serving the request read every event, internal notes "
        "included; its applicant the public ones." + PROOF_NOTE,
        responses={200: TimelineEventOut(many=True), **errors(400, 404)},
    )
    def get(self, request: Request, number: str) -> Response:
        found, _proof = visible_request(request, number)
        staff = bool(access.staff_roles_towards(caller(request), found))
        events = api_selectors.service_request_api_events(
            service_request=found, staff=staff
        )
        page = self.paginate_queryset(events)
        return self.get_paginated_response(out.timeline_events(page, staff=staff))


# --- the rating ----------------------------------------------------------------------


class RatingView(APIView):
    anonymous_scope = "lookup"

    @extend_schema(
        parameters=[NUMBER],
        tags=TAGS,
        operation_id="requests_rating_retrieve",
        summary="The request's rating (好差评), and whether the caller may rate it",
        description=PROOF_NOTE.strip(),
        responses={200: RatingStateOut, **errors(404)},
    )
    def get(self, request: Request, number: str) -> Response:
        found, proof = visible_request(request, number)
        return self._state(request, found, proof, status_code=200)

    @extend_schema(
        parameters=[NUMBER],
        tags=TAGS,
        operation_id="requests_rating_create",
        summary="Rate a completed request (once, by its applicant)",
        description="A poor rating (1 or 2) opens a follow-up by the village's "
        "staff." + PROOF_NOTE,
        request=RatingIn,
        responses={201: RatingStateOut, **errors(400, 403, 404, 409)},
    )
    def post(self, request: Request, number: str) -> Response:
        found, proof = visible_request(request, number)
        given = RatingIn(data=request.data)
        given.is_valid(raise_exception=True)
        actions.rating_submit(
            service_request=found,
            by=caller(request),
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
        user = caller(request)
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
        parameters=[NUMBER],
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
        found, proof = visible_request(request, number)
        user = caller(request)
        if not access.may_upload_supplement(user, found, proof=proof):
            raise InvalidTransition(_("No supplement is asked for this request now."))
        uploads = {}
        for name, upload in one_file_per_field(request).items():
            if name != "other" and material_of(name) is None:
                raise ValidationError(
                    {name: [_("Send each file as material_<id> or other.")]}
                )
            uploads[name] = (material_of(name), upload)
        saved = actions.attachments_add(
            service_request=found, uploads=uploads, by=user, proof=proof
        )
        return Response(out.attachments(saved), status=status.HTTP_201_CREATED)
