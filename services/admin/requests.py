"""Admin for service requests and everything around them; writes go through actions."""

import datetime as dt

from django.contrib import admin, messages
from django.db import transaction
from django.db.models.constants import LOOKUP_SEP
from django.urls import reverse
from django.utils.html import format_html
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from huagang.exceptions import DomainError

from .. import access
from ..access import service_requests_scope
from ..actions import agency_trips_put_on_next, service_request_accept
from ..models import (
    Attachment,
    CalendarDay,
    CalendarYear,
    FollowUp,
    HomeVisit,
    Notification,
    Rating,
    RequestEvent,
    ServiceRequest,
)
from ..workflow import Activity, Step
from .base import ActionFormAdmin
from .forms import FollowUpStepForm, RequestEntryForm, RequestStepForm
from .request_export import RequestExportMixin
from .request_list import (
    CappedCountPaginator,
    OverdueFilter,
    RequestListMixin,
    SubmittedBetweenFilter,
)
from .request_search import RequestSearchMixin


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False
    related = ()  # foreign keys shown in the rows, fetched with them

    def get_queryset(self, request):
        return super().get_queryset(request).select_related(*self.related)

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class EventInline(ReadOnlyInline):
    model = RequestEvent
    related = ("actor",)
    fields = [
        "created_at",
        "kind",
        "from_status",
        "to_status",
        "actor",
        "actor_role",
        "note",
        "is_public",
    ]
    readonly_fields = fields
    ordering = ["created_at", "pk"]
    verbose_name_plural = _("timeline (append-only)")


class AttachmentInline(ReadOnlyInline):
    model = Attachment
    related = ("material",)
    fields = [
        "original_name",
        "material",
        "content_type",
        "size",
        "uploaded_at",
        "download",
    ]
    readonly_fields = fields

    @admin.display(description=_("file"))
    def download(self, obj):
        url = reverse("services:attachment", args=[obj.pk])
        return format_html('<a href="{}">{}</a>', url, _("download"))


class HomeVisitInline(ReadOnlyInline):
    model = HomeVisit
    related = ("staff",)
    fields = ["starts_at", "ends_at", "staff", "reason", "outcome", "outcome_note"]
    readonly_fields = fields


@admin.register(ServiceRequest)
class ServiceRequestAdmin(
    RequestListMixin, RequestSearchMixin, RequestExportMixin, ActionFormAdmin
):
    """Lists and a request's own page show the applicant's mobile and ID number
    masked, as the workbench's case page does until a reveal, which is recorded
    (``AccessRecord.Kind.REVEAL_*``): the admin is no way around that record. The
    page links to the case page for it. The queryset is scoped.

    Built for a million rows (see ``request_list``): pages follow the
    ``request_newest_first`` index, counts stop at ``EXACT_UP_TO``, the date filter
    replaces ``date_hierarchy``, sorting is offered only on indexed columns, and
    searches are indexed lookups (``selectors.request_search``), posted and kept out
    of the address when they are by name or phone (``admin.request_search``)."""

    list_display = [
        "tracking_number",
        "item_short",
        "village",
        "mode",
        "status_and_due",
        "due",
        "applicant",
        "submitted",
    ]
    list_filter = [
        "status",
        "mode",
        OverdueFilter,
        "channel",
        "village",
        ("item__body", admin.RelatedFieldListFilter),
        SubmittedBetweenFilter,
    ]
    # The search itself is get_search_results; a field here makes the admin show the box.
    search_fields = ["tracking_number"]
    search_help_text = _(
        "A tracking number, the applicant's mobile number, whole ID number or name, "
        "or an item."
    )
    sortable_by = ["tracking_number", "submitted"]
    list_select_related = ["item", "village"]
    list_per_page = 50
    show_full_result_count = False
    show_facets = admin.ShowFacets.NEVER
    paginator = CappedCountPaginator
    actions = ["accept_selected", "put_on_next_trip"]
    add_action_form = RequestEntryForm
    change_action_form = RequestStepForm
    inlines = [EventInline, AttachmentInline, HomeVisitInline]
    readonly_fields = [
        "tracking_number",
        "item",
        "village",
        "grid",
        "mode",
        "channel",
        "status",
        "applicant_name",
        "applicant_phone_masked",
        "applicant_id_number_masked",
        "applicant_address",
        "account",
        "entered_by",
        "description",
        "assigned_to",
        "submitted_at",
        "accepted_at",
        "due_date",
        "due_state",
        "due_note",
        "paused_days_left",
        "completed_at",
        "result_note",
    ]

    def get_queryset(self, request):
        return service_requests_scope(user=request.user).select_related(
            "item", "village"
        )

    @admin.display(description=_("applicant's mobile"))
    def applicant_phone_masked(self, obj: ServiceRequest) -> str:
        return self._masked_with_reveal_link(obj, obj.masked_phone)

    @admin.display(description=_("ID number"))
    def applicant_id_number_masked(self, obj: ServiceRequest) -> str:
        return self._masked_with_reveal_link(obj, obj.masked_id_number)

    @staticmethod
    def _masked_with_reveal_link(obj: ServiceRequest, masked: str) -> str:
        if not masked:
            return "—"
        return format_html(
            '{} <a href="{}">{}</a>',
            masked,
            reverse("staff:case", args=[obj.tracking_number]),
            _("show in full on the case page (recorded)"),
        )

    def get_actions(self, request):
        """Only the list actions this user's role can ever take."""
        actions = super().get_actions(request)
        if not access.could_ever(request.user, Activity.PUT_ON_TRIP):
            actions.pop("put_on_next_trip", None)
        if not access.could_ever(request.user, Step.ACCEPT):
            actions.pop("accept_selected", None)
        return actions

    @admin.action(description=_("Accept the selected requests"))
    def accept_selected(self, request, queryset):
        if not self._any_selected(request, queryset):
            return
        done = self._each(
            request,
            queryset,
            lambda r: service_request_accept(service_request=r, by=request.user),
        )
        self._report(
            request,
            ngettext("%(n)d request accepted.", "%(n)d requests accepted.", done)
            % {"n": done},
            done,
        )

    @admin.action(description=_("Put the selected cases on their village's next trip"))
    def put_on_next_trip(self, request, queryset):
        """All the selected cases go on their trips, or none does (the message says
        which case stopped them)."""
        if not self._any_selected(request, queryset):
            return
        cases = list(queryset.select_related("item", "village__sub_center"))
        try:
            trips = agency_trips_put_on_next(service_requests=cases, by=request.user)
        except DomainError as exc:
            self.message_user(
                request,
                _("No case was put on a trip: %(reason)s") % {"reason": exc.message},
                messages.ERROR,
            )
            return
        dates = "、".join(f"{trip.village.name} {trip.trip_date}" for trip in trips)
        self.message_user(
            request,
            ngettext(
                "%(n)d case put on the trip of %(trips)s.",
                "%(n)d cases put on the trips of %(trips)s.",
                len(cases),
            )
            % {"n": len(cases), "trips": dates},
            messages.SUCCESS,
        )

    def _any_selected(self, request, queryset) -> bool:
        """The selection is scoped to what the user may see: say so if that left none."""
        if queryset.exists():
            return True
        self.message_user(
            request,
            _("None of the selected requests is one you work on; nothing was changed."),
            messages.WARNING,
        )
        return False

    def _each(self, request, queryset, action) -> int:
        """Run `action` on each selected request; report each refusal, count successes."""
        done = 0
        for service_request in queryset.select_related("item", "village__sub_center"):
            try:
                action(service_request)
                done += 1
            except DomainError as exc:
                self.message_user(
                    request, f"{service_request}: {exc.message}", messages.ERROR
                )
        return done

    def _report(self, request, message: str, done: int) -> None:
        if done:
            self.message_user(request, message, messages.SUCCESS)


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Rating)
class RatingAdmin(ReadOnlyAdmin):
    list_display = ["request", "level", "created_at"]
    list_filter = ["level"]
    list_select_related = ["request"]


@admin.register(FollowUp)
class FollowUpAdmin(ActionFormAdmin):
    change_action_form = FollowUpStepForm
    list_display = ["rating", "stage", "deadline", "supervisor", "answered_at"]
    list_filter = ["stage"]
    list_select_related = ["rating__request", "supervisor"]
    readonly_fields = [
        "rating",
        "stage",
        "deadline",
        "supervisor",
        "verification_note",
        "fix_note",
        "answer",
        "answered_at",
    ]


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    """The outbox, read-only. A message carrying a verification code never shows the
    code (list, page, filters): an official who read it could open the resident's
    account. The row keeps it: the backend sends the body and a retry re-reads it."""

    list_display = [
        "created_at",
        "channel",
        "masked_recipient",
        "message",
        "state",
        "request",
    ]
    list_filter = ["channel", "state"]
    search_fields = ["request__tracking_number"]
    fields = [
        "idempotency_key",
        "request",
        "channel",
        "masked_recipient",
        "shown_body",
        "state",
        "backend",
        "shown_error",
        "created_at",
        "sent_at",
    ]
    readonly_fields = fields
    list_select_related = ["request"]
    # Filtering on these through the address (?body__contains=…) would reveal a code
    # digit by digit, or a full number from its masked form.
    hidden_lookups = frozenset({"body", "error", "recipient"})

    @admin.display(description=_("recipient"))
    def masked_recipient(self, obj):
        return obj.masked_recipient

    @admin.display(description=_("message"))
    def message(self, obj):
        return Truncator(obj.shown_to_staff(obj.body)).chars(40)

    @admin.display(description=_("message"))
    def shown_body(self, obj):
        return obj.shown_to_staff(obj.body)

    @admin.display(description=_("error"))
    def shown_error(self, obj):
        return obj.shown_to_staff(obj.error)

    def lookup_allowed(self, lookup, value, request=None):
        if lookup.split(LOOKUP_SEP, 1)[0] in self.hidden_lookups:
            return False
        return super().lookup_allowed(lookup, value, request)


class CalendarRebuildsFigures(admin.ModelAdmin):
    """A change to the holiday calendar changes working days already counted: the
    dashboard's daily figures are rebuilt from the first day it touches, after the
    change commits (a Celery task; ``rebuild_daily_figures --all`` does it all)."""

    def first_day(self, obj) -> dt.date:
        raise NotImplementedError

    def _rebuild_from(self, obj) -> None:
        from .. import tasks

        first = self.first_day(obj).isoformat()
        transaction.on_commit(
            lambda: tasks.rebuild_daily_figures_from.delay(first), robust=True
        )

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        self._rebuild_from(obj)

    def delete_model(self, request, obj):
        self._rebuild_from(obj)
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self._rebuild_from(obj)
        super().delete_queryset(request, queryset)


@admin.register(CalendarYear)
class CalendarYearAdmin(CalendarRebuildsFigures):
    list_display = ["year", "note"]

    def first_day(self, obj) -> dt.date:
        return dt.date(obj.year, 1, 1)


@admin.register(CalendarDay)
class CalendarDayAdmin(CalendarRebuildsFigures):
    list_display = ["date", "name", "is_workday"]
    list_filter = ["is_workday"]
    date_hierarchy = "date"
    search_fields = ["name"]

    def first_day(self, obj) -> dt.date:
        return obj.date
