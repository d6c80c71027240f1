"""差评 follow-ups for staff: the list, one follow-up, its next stage (verified →
fixed → answered), handled by whoever serves the rated request's village
(``access.may_handle_follow_up``; ``services/views/staff/follow_ups.py`` calls the
same action)."""

import django_filters
from django.urls import path
from drf_spectacular.utils import extend_schema
from rest_framework.generics import ListAPIView
from rest_framework.request import Request
from rest_framework.response import Response

from huagang.exceptions import NotFound

from .... import access, actions
from ....models import FollowUp
from ....selectors.visits import follow_up_get
from ...schema import errors
from ...serializers.fieldwork import FollowUpAdvanceInput, FollowUpSerializer
from ._common import ChoiceFilter, StaffOnly, StaffView, check_id, id_parameter

FOLLOW_UP_ID = id_parameter("follow_up_id")


class FollowUpFilter(django_filters.FilterSet):
    stage = ChoiceFilter(choices=FollowUp.Stage.choices)
    request = django_filters.CharFilter(
        field_name="rating__request__tracking_number",
        max_length=20,
        help_text="A request's tracking number.",
    )

    class Meta:
        model = FollowUp
        fields: list[str] = []


class FollowUpListView(ListAPIView):
    permission_classes = [StaffOnly]
    serializer_class = FollowUpSerializer
    filterset_class = FollowUpFilter

    @extend_schema(
        summary="差评 follow-ups the caller handles, newest first",
        responses={200: FollowUpSerializer(many=True), **errors(400, 403)},
        tags=["follow-ups"],
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        return access.follow_ups_scope(user=self.request.user).select_related(
            "rating__request__item", "rating__request__village", "supervisor"
        )


def follow_up_or_404(user, follow_up_id: int) -> FollowUp:
    found = follow_up_get(user=user, pk=check_id(follow_up_id))
    if found is None:
        raise NotFound()
    return found


class FollowUpDetailView(StaffView):
    @extend_schema(
        summary="One follow-up",
        parameters=[FOLLOW_UP_ID],
        responses={200: FollowUpSerializer, **errors(403, 404)},
        tags=["follow-ups"],
    )
    def get(self, request: Request, follow_up_id: int) -> Response:
        follow_up = follow_up_or_404(request.user, follow_up_id)
        return Response(FollowUpSerializer(follow_up).data)


class FollowUpAdvanceView(StaffView):
    @extend_schema(
        summary="Record a follow-up's next stage",
        description="open → verified (what was found) → fixed (what was done) → "
        "answered (the answer, which the resident reads and is sent). 409 if it "
        "is no longer at the `stage` sent.",
        parameters=[FOLLOW_UP_ID],
        request=FollowUpAdvanceInput,
        responses={200: FollowUpSerializer, **errors(400, 403, 404, 409)},
        tags=["follow-ups"],
    )
    def post(self, request: Request, follow_up_id: int) -> Response:
        follow_up = follow_up_or_404(request.user, follow_up_id)
        body = FollowUpAdvanceInput(data=request.data)
        body.is_valid(raise_exception=True)
        actions.follow_up_advance(
            follow_up=follow_up,
            by=request.user,
            text=body.validated_data["text"],
            expected_stage=body.validated_data["stage"],
        )
        follow_up = follow_up_or_404(request.user, follow_up_id)
        return Response(FollowUpSerializer(follow_up).data)


urlpatterns = [
    path("follow-ups/", FollowUpListView.as_view(), name="follow_ups"),
    path(
        "follow-ups/<int:follow_up_id>/",
        FollowUpDetailView.as_view(),
        name="follow_up",
    ),
    path(
        "follow-ups/<int:follow_up_id>/advance/",
        FollowUpAdvanceView.as_view(),
        name="follow_up_advance",
    ),
]
