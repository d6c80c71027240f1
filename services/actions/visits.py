"""上门特办: appointments at a resident's home and what came of them."""

import datetime as dt

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from huagang.dates import date_window_errors, local_date
from huagang.exceptions import Conflict, InvalidInput
from villages.models import User

from ..access import check_step, may_visit, roles_towards
from ..models import DueState, EventKind, HomeVisit, ServiceRequest, Status
from ..workflow import Activity, Step, check_activity
from ._core import change_status, lock_request, record_event


def _window_text(starts_at: dt.datetime, ends_at: dt.datetime) -> str:
    start, end = timezone.localtime(starts_at), timezone.localtime(ends_at)
    return f"{start:%Y-%m-%d %H:%M}–{end:%H:%M}"


def visit_hours() -> tuple[dt.time, dt.time]:
    """The local hours a home visit must lie within (``HUAGANG_VISIT_HOURS``,
    "08:00-18:00")."""
    text = settings.HUAGANG_VISIT_HOURS
    try:
        opens, closes = (
            dt.time.fromisoformat(part.strip()) for part in text.split("-")
        )
    except ValueError:
        opens = closes = None
    if opens is None or closes is None or closes <= opens:
        raise ImproperlyConfigured(
            f"HUAGANG_VISIT_HOURS must be like 08:00-18:00, not {text!r}."
        )
    return opens, closes


def visit_time_errors(
    *, starts_at: dt.datetime, ends_at: dt.datetime
) -> dict[str, list[str]]:
    """Field errors (``starts_at``, ``ends_at``) for a window that does not end after
    it starts or does not lie within the visiting hours of one local day.

    Precondition: both inside the appointment window (``date_window_errors``).
    """
    opens, closes = visit_hours()
    start, end = timezone.localtime(starts_at), timezone.localtime(ends_at)
    hours = _("Home visits are between %(opens)s and %(closes)s.") % {
        "opens": f"{opens:%H:%M}",
        "closes": f"{closes:%H:%M}",
    }
    errors: dict[str, list[str]] = {}
    if not opens <= start.time() < closes:
        errors["starts_at"] = [hours]
    if ends_at <= starts_at:
        errors["ends_at"] = [_("The visit must end after it starts.")]
    elif end.date() != start.date() or not opens < end.time() <= closes:
        errors["ends_at"] = [hours]
    return errors


def check_home_visit_booking(*, service_request: ServiceRequest, by: User) -> set:
    """Raise NotPermitted or InvalidTransition unless `by` may book a visit for the
    request in its status (a first visit, or a new date after nobody was at home);
    the roles `by` holds towards it otherwise. Refused before any input check;
    ``home_visit_schedule`` checks again under its lock."""
    roles = roles_towards(by, service_request)
    if service_request.status == Status.VISIT_SCHEDULED:
        check_activity(Activity.REBOOK_VISIT, service_request.status, roles)
    else:  # checked again when the status changes
        check_step(service_request, to=Status.VISIT_SCHEDULED, roles=roles)
    return roles


@transaction.atomic
def home_visit_schedule(
    *,
    service_request: ServiceRequest,
    by: User,
    staff: User,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    reason: str,
    expected_version: int | None = None,
) -> HomeVisit:
    """Book a visit: 已受理 → 已预约上门, or a new date after the resident was absent.
    Conflict when the case is no longer at `expected_version`.

    Its start and end must lie in the appointment window (``huagang.dates``) and
    within the visiting hours of one day (``visit_time_errors``): InvalidInput on
    ``starts_at`` / ``ends_at`` otherwise.
    """
    locked = lock_request(service_request, expected_version)
    roles = check_home_visit_booking(service_request=locked, by=by)
    errors = date_window_errors(
        starts_at=starts_at, ends_at=ends_at
    ) or visit_time_errors(starts_at=starts_at, ends_at=ends_at)
    if reason not in HomeVisit.Reason.values:
        errors["reason"] = [_("Choose why the visit is at home.")]
    if not may_visit(staff, locked.village_id):
        errors["staff"] = [_("The visitor must be staff of this village.")]
    if errors:
        raise InvalidInput(errors)
    if locked.home_visits.filter(outcome=HomeVisit.Outcome.PLANNED).exists():
        raise Conflict(_("A visit is already planned; record its outcome first."))
    visit = HomeVisit.objects.create(
        request=locked, staff=staff, starts_at=starts_at, ends_at=ends_at, reason=reason
    )
    note = _("Home visit on %(window)s.") % {"window": _window_text(starts_at, ends_at)}
    if locked.status == Status.VISIT_SCHEDULED:
        record_event(locked, kind=EventKind.VISIT, by=by, roles=roles, note=note)
    else:
        change_status(
            locked,
            to=Status.VISIT_SCHEDULED,
            step=Step.BOOK_VISIT,
            by=by,
            roles=roles,
            note=note,
        )
    return visit


@transaction.atomic
def home_visit_record(
    *, visit: HomeVisit, by: User, outcome: str, note: str = ""
) -> HomeVisit:
    """Record a planned visit's outcome: done completes the request; absent waits for
    a new date; not possible returns the request to 已受理.

    Raises InvalidInput before the visit's (local) day: nothing can have happened yet.
    """
    visit = HomeVisit.objects.select_for_update().get(pk=visit.pk)
    if visit.outcome != HomeVisit.Outcome.PLANNED:
        raise Conflict(_("This visit's outcome has already been recorded."))
    if outcome not in (
        HomeVisit.Outcome.DONE,
        HomeVisit.Outcome.ABSENT,
        HomeVisit.Outcome.IMPOSSIBLE,
    ):
        raise InvalidInput({"outcome": [_("Choose what happened at the visit.")]})
    visit_day = local_date(visit.starts_at)
    if timezone.localdate() < visit_day:
        raise InvalidInput(
            {
                "outcome": [
                    _(
                        "The visit is on %(date)s; its outcome can be recorded from "
                        "that day."
                    )
                    % {"date": visit_day}
                ]
            }
        )
    locked = lock_request(visit.request)
    roles = roles_towards(by, locked)
    note = (note or "").strip()
    if outcome == HomeVisit.Outcome.DONE:
        now = timezone.now()
        change_status(
            locked,
            to=Status.COMPLETED,
            step=Step.VISIT_DONE,
            by=by,
            roles=roles,
            note=note,
            changes={
                "completed_at": now,
                "result_note": note,
                "due_state": DueState.NONE,
            },
        )
    elif outcome == HomeVisit.Outcome.IMPOSSIBLE:
        change_status(
            locked,
            to=Status.ACCEPTED,
            step=Step.VISIT_IMPOSSIBLE,
            by=by,
            roles=roles,
            note=note or _("The home visit was not possible."),
        )
    else:
        check_activity(Activity.VISIT_ABSENT, locked.status, roles)
        record_event(
            locked,
            kind=EventKind.VISIT,
            by=by,
            roles=roles,
            note=note or _("Nobody was at home; a new date will be agreed."),
        )
    visit.outcome, visit.outcome_note = outcome, note
    visit.recorded_at = timezone.now()
    visit.save(update_fields=["outcome", "outcome_note", "recorded_at"])
    return visit
