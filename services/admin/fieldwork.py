"""Admin for 定时代办 trips and 上门特办 home visits, scoped like the requests."""

from django.contrib import admin
from django.db.models import Prefetch

from .. import access
from ..access import agency_trips_scope, home_visits_scope, service_requests_scope
from ..models import AgencyTrip, HomeVisit
from ..workflow import Step
from .base import ActionFormAdmin
from .forms import TripStepForm, VisitOutcomeForm, VisitScheduleForm


@admin.register(AgencyTrip)
class AgencyTripAdmin(ActionFormAdmin):
    """Trips are planned from the request list (“put on the next trip”); here the
    hand-over and the return are recorded."""

    change_action_form = TripStepForm
    list_display = [
        "village",
        "trip_date",
        "handed_over_at",
        "documents_out",
        "returned_at",
        "documents_back",
    ]
    list_filter = ["village", "trip_date"]
    date_hierarchy = "trip_date"
    list_select_related = ["village"]
    readonly_fields = [
        "village",
        "trip_date",
        "cases_carried",
        "handed_over_at",
        "handed_over_by",
        "received_by",
        "documents_out",
        "returned_at",
        "returned_by",
        "return_received_by",
        "documents_back",
    ]

    @admin.display(description=AgencyTrip._meta.get_field("requests").verbose_name)
    def cases_carried(self, obj):
        return (
            "、".join(
                f"{r.tracking_number}（{r.get_status_display()}）"
                for r in obj.visible_requests
            )
            or "—"
        )

    def get_fields(self, request, obj=None):
        """Before the hand-over there are no results to record: hide those fields."""
        fields = super().get_fields(request, obj)
        if obj is not None and not obj.handed_over_at:
            fields = [f for f in fields if f not in ("cases", "result")]
        return fields

    def get_queryset(self, request):
        return (
            agency_trips_scope(user=request.user)
            .select_related(
                "village",
                "handed_over_by",
                "received_by",
                "returned_by",
                "return_received_by",
            )
            # Only the cases this user may see: a town-center clerk, its bodies'.
            .prefetch_related(
                Prefetch(
                    "requests",
                    queryset=service_requests_scope(user=request.user),
                    to_attr="visible_requests",
                )
            )
        )


@admin.register(HomeVisit)
class HomeVisitAdmin(ActionFormAdmin):
    add_action_form = VisitScheduleForm
    change_action_form = VisitOutcomeForm
    list_display = ["request", "starts_at", "ends_at", "staff", "reason", "outcome"]
    list_filter = ["outcome", "reason"]
    list_select_related = ["request", "staff"]
    readonly_fields = [
        "request",
        "starts_at",
        "ends_at",
        "staff",
        "reason",
        "outcome",
        "outcome_note",
        "recorded_at",
    ]

    def has_add_permission(self, request):
        """Only staff who can book visits see 增加 (a town-center clerk cannot)."""
        return super().has_add_permission(request) and access.could_ever(
            request.user, Step.BOOK_VISIT
        )

    def get_queryset(self, request):
        return home_visits_scope(user=request.user).select_related("request", "staff")
