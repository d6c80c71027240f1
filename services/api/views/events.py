"""Life events (一件事一次办), read-only: the events (public) and the applications the
caller may see, through the same access rule as the requests: an application is
visible when one of its linked requests is (``access.life_event_applications_scope``),
and of its requests only those the caller may see are listed. A linked request is
still one request on ``requests/``."""

from django.urls import path
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.exceptions import NotFound
from rest_framework.generics import ListAPIView
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from huagang.converters import LifeEventNumberConverter

from ... import access, workflow
from ...models import LifeEventApplication, ServiceRequest, Status
from ...selectors import events as selectors
from ..pagination import ApiCursorPagination
from ..schema import errors
from ..serializers.events import ApplicationOut, LifeEventOut

TAGS = ["life events"]


def _event(event) -> dict:
    return {
        "code": event.code,
        "name": event.name,
        "for_whom": event.for_whom,
        "key_matter": event.key_matter,
        "policy_basis": event.policy_basis,
        "questions": [
            {
                "key": q.key,
                "text": q.text,
                "kind": q.kind,
                "options": [o["value"] for o in q.options],
            }
            for q in event.questions.all()
        ],
        "items": [
            {"item": entry.item.code, "when": entry.when} for entry in event.items.all()
        ],
    }


class EventPagination(ApiCursorPagination):
    """The few life events in one page, in their own order."""

    page_size = 100
    ordering = ("order", "pk")


class EventList(ListAPIView):
    pagination_class = EventPagination

    def get_queryset(self):
        return selectors.life_events_published().prefetch_related(
            "questions", "items__item"
        )

    @extend_schema(
        tags=TAGS,
        summary="The life events, their questions and the items each covers",
        responses={200: LifeEventOut(many=True), **errors(400)},
    )
    def get(self, request: Request, *args, **kwargs) -> Response:
        return super().get(request, *args, **kwargs)

    def list(self, request: Request, *args, **kwargs) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response([_event(event) for event in page])


def _application(application: LifeEventApplication, visible: set[int]) -> dict:
    requests: list[ServiceRequest] = [
        link.service_request for link in application.links.all()
    ]
    return {
        "number": application.number,
        "event": application.event.code,
        "submitted_at": application.submitted_at,
        "total": len(requests),
        "done": sum(r.status == Status.COMPLETED for r in requests),
        "closed": sum(r.status in workflow.TERMINAL for r in requests),
        "requests": [
            {
                "tracking_number": r.tracking_number,
                "item": r.item.code,
                "mode": r.mode,
                "status": r.status,
                "due_date": r.due_date,
            }
            for r in requests
            if r.pk in visible
        ],
    }


def _visible(user, applications: list[LifeEventApplication]) -> set[int]:
    ids = [link.service_request_id for a in applications for link in a.links.all()]
    scope = access.service_requests_scope(user=user).filter(pk__in=ids)
    return set(scope.values_list("pk", flat=True))


def _scope(request: Request):
    rows = access.life_event_applications_scope(user=request.user)
    return selectors.with_links(rows.order_by("-submitted_at", "-pk"))


class ApplicationList(ListAPIView):
    """Newest first, in cursor pages like every other list."""

    permission_classes = [IsAuthenticated]
    serializer_class = ApplicationOut

    def get_queryset(self):
        return _scope(self.request)

    @extend_schema(
        tags=TAGS,
        summary="The life event applications the caller may see, newest first",
        responses={200: ApplicationOut(many=True), **errors(400)},
    )
    def get(self, request: Request, *args, **kwargs) -> Response:
        return super().get(request, *args, **kwargs)

    def list(self, request: Request, *args, **kwargs) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        visible = _visible(request.user, page)
        return self.get_paginated_response([_application(a, visible) for a in page])


class ApplicationView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        tags=TAGS,
        summary="One life event application, as the caller may see it",
        parameters=[
            OpenApiParameter(
                "number",
                OpenApiTypes.STR,
                OpenApiParameter.PATH,
                description="The event number (HGE…) on the receipt.",
                pattern=f"^{LifeEventNumberConverter.regex}$",
            )
        ],
        responses={200: ApplicationOut, **errors(404)},
    )
    def get(self, request: Request, number: str) -> Response:
        found = _scope(request).filter(number=number).first()
        if found is None:
            raise NotFound()
        return Response(_application(found, _visible(request.user, [found])))


urlpatterns = [
    path("life-events/", EventList.as_view(), name="life-events"),
    path(
        "life-event-applications/",
        ApplicationList.as_view(),
        name="life-event-applications",
    ),
    path(
        "life-event-applications/<life_event_number:number>/",
        ApplicationView.as_view(),
        name="life-event-application",
    ),
]
