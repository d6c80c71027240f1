"""The workflow on a request: one POST endpoint per step, each calling the action the
workbench calls (``services/views/staff/cases.py``, ``trips.py``, ``visits.py``).

The answers follow the one rule of ``services.access``: a request the caller may not
see is a 404 (the same answer whether it exists or not); one they see but whose step
their role may not take, a 403 ``not_permitted``; a step impossible in the request's
status, a 409 ``invalid_transition``; a body ``version`` older than the request's, a
409 ``conflict``, and nothing is done. A step posted twice from the same version by the
same caller (a retried request) answers the request as it is, like the workbench's
double-clicked save. Bad input is a 400 with field errors. The answer to a step is the
request's state after it, with the steps the caller may take next.
"""

from django.urls import path
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

import huagang.converters  # noqa: F401  (registers tracking_number)
from huagang.exceptions import DomainError, NotFound, StaleVersion

from ... import access, actions, workflow
from ...actions.visits import check_home_visit_booking
from ...models import AgencyTrip, ServiceRequest
from ...selectors.trips import _with_counts
from ...selectors.visits import home_visit_get
from ..schema import errors
from ..serializers.fieldwork import PutOnTripResultSerializer, VisitResultSerializer
from ..serializers.steps import (
    AcceptInput,
    CompleteInput,
    DecideInput,
    NoteInput,
    PutOnTripInput,
    RejectInput,
    ResumeInput,
    StepResultSerializer,
    SupplementRequestInput,
    VersionInput,
    VisitBookInput,
    WithdrawInput,
)

Step = workflow.Step


def case_or_404(user, tracking_number: str) -> ServiceRequest:
    """The request with this number if `user` holds any role towards it."""
    found = (
        access.service_requests_scope(user=user)
        .select_related("item", "village")
        .filter(tracking_number=tracking_number)
        .first()
    )
    if found is None:
        raise NotFound()
    return found


def valid_body(
    input_class: type[VersionInput], request: Request, case: ServiceRequest
) -> VersionInput:
    """The posted body, checked. A body that is bad AND carries a stale version is a
    conflict (the caller's view of the request is out of date), not bad input."""
    body = input_class(data=request.data, context={"case": case, "user": request.user})
    if body.is_valid():
        return body
    seen = VersionInput(data=request.data)
    if seen.is_valid() and seen.validated_data.get("version") not in (
        None,
        case.version,
    ):
        raise StaleVersion(version=case.version)
    raise serializers.ValidationError(body.errors)


def step_result(request: Request, case: ServiceRequest, status: int = 200) -> Response:
    data = StepResultSerializer(case, context={"user": request.user}).data
    return Response(data, status=status)


def _target(user, case: ServiceRequest, step: Step, version: int | None):
    """The status `step` leads to now (403 / 409 as ``access.step_target`` says); on
    a stale version, the status it led to if the request is already there (a retry:
    the action then says whether it was this caller's own step just taken)."""
    try:
        return access.step_target(user, case, step, only=workflow.FORM_STEPS)
    except DomainError:
        if version is None or version == case.version:
            raise
    for (_source, target), found in workflow.TRANSITIONS[case.mode].items():
        if found.step == step and target == case.status:
            return target
    raise StaleVersion(version=case.version)


ERRORS = errors(400, 403, 404, 409)


class _FormStep(APIView):
    """A status change a form with a note can make (``workflow.FORM_STEPS``), through
    ``actions.service_request_transition`` as on the case page."""

    permission_classes = [IsAuthenticated]
    step: Step
    input_class: type[VersionInput]
    note_field = ""

    def note(self, body: VersionInput) -> str:
        return body.validated_data.get(self.note_field, "") if self.note_field else ""

    def post(self, request: Request, tracking_number: str) -> Response:
        case = case_or_404(request.user, tracking_number)
        body = valid_body(self.input_class, request, case)
        version = body.validated_data.get("version")
        done = actions.service_request_transition(
            service_request=case,
            to=_target(request.user, case, self.step, version),
            by=request.user,
            note=self.note(body),
            expected_version=version,
            delivered_how=body.validated_data.get("delivered_how"),
        )
        return step_result(request, done)


VERSION_RULE = (
    "With `version`, nothing is done if the request changed since (409 `conflict`); "
    "the same step posted twice from the same version by the same caller is done "
    "once (the second answer is the request as it is)."
)


def _step_schema(summary: str, input_class, description: str = ""):
    return extend_schema(
        summary=summary,
        description=f"{description} {VERSION_RULE}".strip(),
        request=input_class,
        responses={200: StepResultSerializer, **ERRORS},
        tags=["steps"],
    )


@_step_schema("Accept a submitted request (待受理 → 已受理)", AcceptInput)
class AcceptView(_FormStep):
    step, input_class = Step.ACCEPT, AcceptInput


@_step_schema(
    "Ask for a supplement (→ 待补正)",
    SupplementRequestInput,
    "The missing materials (ids of the item's materials) and/or what else is "
    "missing; the resident reads the note this makes. The time limit pauses.",
)
class SupplementRequestView(_FormStep):
    step, input_class = Step.SUPPLEMENT, SupplementRequestInput

    def note(self, body: SupplementRequestInput) -> str:
        return body.what()


@_step_schema("Do not accept (→ 不予受理), with the reason", RejectInput)
class RejectView(_FormStep):
    step, input_class, note_field = Step.REJECT, RejectInput, "reason"


@_step_schema(
    "The supplement is complete: resume (待补正 → 已受理)",
    ResumeInput,
    "The time limit runs on from where it paused.",
)
class ResumeView(_FormStep):
    step, input_class, note_field = Step.RESUME, ResumeInput, "note"


@_step_schema(
    "Complete (→ 已办结), with the result",
    CompleteInput,
    "即时即办 on the spot; 定时代办 once back at the village, saying how the result "
    "reached the resident (delivered_how). A 上门特办 case is completed by its "
    "visit's outcome (POST visits/<id>/done/).",
)
class CompleteView(_FormStep):
    step, input_class, note_field = Step.COMPLETE, CompleteInput, "result"


@_step_schema(
    "Withdraw (→ 已撤回)",
    WithdrawInput,
    "By the applicant (a signed-in resident whose request it is) or by staff for "
    "them (then with the reason).",
)
class WithdrawView(_FormStep):
    step, input_class, note_field = Step.WITHDRAW, WithdrawInput, "reason"


class NoteView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="Add an internal note to the timeline (staff only)",
        description="Changes no status and no version; a stale `version` is still "
        "refused (the note was written on an outdated view of the request).",
        request=NoteInput,
        responses={201: StepResultSerializer, **ERRORS},
        tags=["steps"],
    )
    def post(self, request: Request, tracking_number: str) -> Response:
        case = case_or_404(request.user, tracking_number)
        body = valid_body(NoteInput, request, case)
        done = actions.service_request_add_note(
            service_request=case,
            by=request.user,
            note=body.validated_data["note"],
            expected_version=body.validated_data.get("version"),
        )
        return step_result(request, done, status=201)


class DecideView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="Record the town's decision on a case at the town (已转递)",
        description="A town-center clerk of the item's body, or an official "
        "(access.may_decide). The case then goes back on its village's next trip "
        "(POST trips/<id>/return/). 409 `papers_missing` while its papers have not "
        "been checked in at the town.",
        request=DecideInput,
        responses={200: StepResultSerializer, **ERRORS},
        tags=["steps"],
    )
    def post(self, request: Request, tracking_number: str) -> Response:
        case = case_or_404(request.user, tracking_number)
        access.check(request.user, case, workflow.Activity.DECIDE)
        access.check_papers_arrived(case)
        body = valid_body(DecideInput, request, case)
        done = actions.service_request_town_decide(
            service_request=case,
            by=request.user,
            result=body.validated_data["result"],
            expected_version=body.validated_data.get("version"),
        )
        return step_result(request, done)


class PutOnTripView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="Put an accepted 定时代办 case on a trip of its village",
        description="The trip given, or the village's next trip (created if need "
        "be). Posting again changes nothing (the case stays on its trip).",
        request=PutOnTripInput,
        responses={200: PutOnTripResultSerializer, **ERRORS},
        tags=["steps"],
    )
    def post(self, request: Request, tracking_number: str) -> Response:
        case = case_or_404(request.user, tracking_number)
        access.check(request.user, case, workflow.Activity.PUT_ON_TRIP)
        body = valid_body(PutOnTripInput, request, case)
        trip = self._put(
            request,
            case,
            body.validated_data.get("trip"),
            body.validated_data.get("version"),
        )
        case.refresh_from_db()
        trip = _with_counts(AgencyTrip.objects.filter(pk=trip.pk)).get()
        result = {"request": case, "trip": trip}
        return Response(
            PutOnTripResultSerializer(result, context={"user": request.user}).data
        )

    def _put(
        self,
        request: Request,
        case: ServiceRequest,
        trip_id: int | None,
        version: int | None,
    ):
        versions = {case.pk: version} if version is not None else None
        if trip_id is None:
            return actions.agency_trips_put_on_next(
                service_requests=[case], by=request.user, expected_versions=versions
            )[0]
        trip = access.trips_to_fill(user=request.user).filter(pk=trip_id).first()
        if trip is None:
            raise serializers.ValidationError(
                {"trip": [_("Choose a trip of the case's village.")]}
            )
        return actions.agency_trip_add(
            trip=trip,
            service_requests=[case],
            by=request.user,
            expected_versions=versions,
        )


class VisitBookView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="Book a home visit for a 上门特办 case",
        description="已受理 → 已预约上门, or a new date after nobody was at home. The "
        "window lies on one day, within the visiting hours, from today to two years "
        "ahead; outside the days or time of day the resident gave it needs "
        "`other_time_agreed`. Every input error at once. 409 while a visit is "
        "planned (record its outcome first).",
        request=VisitBookInput,
        responses={201: VisitResultSerializer, **ERRORS},
        tags=["visits"],
    )
    def post(self, request: Request, tracking_number: str) -> Response:
        case = case_or_404(request.user, tracking_number)
        check_home_visit_booking(service_request=case, by=request.user)
        body = valid_body(VisitBookInput, request, case)
        data = body.validated_data
        visit = actions.home_visit_schedule(
            service_request=case,
            by=request.user,
            staff=data["staff"],
            starts_at=data["starts_at"],
            ends_at=data["ends_at"],
            reason=data["reason"],
            expected_version=data.get("version"),
        )
        visit = home_visit_get(user=request.user, pk=visit.pk)
        data = VisitResultSerializer(visit, context={"user": request.user}).data
        return Response(data, status=201)


def _on_request(route: str, view: type[APIView], name: str):
    return path(
        f"requests/<tracking_number:tracking_number>/{route}/",
        view.as_view(),
        name=name,
    )


urlpatterns = [
    _on_request("accept", AcceptView, "request_accept"),
    _on_request("supplement-request", SupplementRequestView, "request_supplement"),
    _on_request("reject", RejectView, "request_reject"),
    _on_request("resume", ResumeView, "request_resume"),
    _on_request("complete", CompleteView, "request_complete"),
    _on_request("withdraw", WithdrawView, "request_withdraw"),
    _on_request("notes", NoteView, "request_notes"),
    _on_request("decide", DecideView, "request_decide"),
    _on_request("put-on-trip", PutOnTripView, "request_put_on_trip"),
    _on_request("visits", VisitBookView, "request_visits"),
]
