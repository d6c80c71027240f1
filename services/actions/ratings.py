"""好差评: one rating per completed request; a 差评 opens a supervised follow-up."""

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from huagang.exceptions import Conflict, InvalidInput, InvalidTransition, NotPermitted
from villages.models import User

from .. import time_limits, workflow
from ..access import ApplicantProof, may_handle_follow_up, roles_towards
from ..models import EventKind, FollowUp, Rating, ServiceRequest, Status
from ..workflow import Activity
from ..working_days import WorkCalendar
from ._core import lock_request, record_event


@transaction.atomic
def rating_submit(
    *,
    service_request: ServiceRequest,
    by: User | None,
    level: int,
    comment: str = "",
    proof: ApplicantProof | None = None,
    calendar: WorkCalendar | None = None,
) -> Rating:
    """The applicant rates a completed request once (一事一评).

    A rating of 不满意 or 非常不满意 opens a follow-up due in
    ``HUAGANG_FOLLOW_UP_DAYS`` working days, and the supervisors are told.
    """
    locked = lock_request(service_request)
    roles = roles_towards(by, locked, proof=proof)
    if not workflow.activity_allowed(Activity.RATE, Status.COMPLETED, roles):
        raise NotPermitted(_("Only the applicant can rate a request."))
    if locked.status != Status.COMPLETED:
        raise InvalidTransition(_("A request can be rated once it is completed."))
    if level not in Rating.Level.values:
        raise InvalidInput({"level": [_("Choose one of the five ratings.")]})
    try:
        with transaction.atomic():
            rating = Rating.objects.create(
                request=locked, level=level, comment=(comment or "").strip()
            )
    except IntegrityError:
        raise Conflict(_("This request has already been rated.")) from None
    record_event(
        locked,
        kind=EventKind.RATING,
        by=by,
        roles=roles,
        public=False,
        note=Rating.Level(level).label,
    )
    if rating.is_poor:
        _open_follow_up(locked, rating, calendar or WorkCalendar.load())
    return rating


def _open_follow_up(
    locked: ServiceRequest, rating: Rating, calendar: WorkCalendar
) -> None:
    deadline = time_limits.follow_up_deadline(
        opened_on=timezone.localdate(rating.created_at), calendar=calendar
    )
    follow_up = FollowUp.objects.create(rating=rating, deadline=deadline)
    record_event(
        locked,
        kind=EventKind.FOLLOW_UP,
        by=None,
        public=False,
        note=_("Poor rating: follow-up due by %(date)s.") % {"date": deadline or "?"},
    )
    from .. import tasks

    transaction.on_commit(
        lambda: tasks.notify_follow_up.delay(follow_up.pk), robust=True
    )


_NEXT = {
    FollowUp.Stage.OPEN: (FollowUp.Stage.VERIFIED, "verification_note"),
    FollowUp.Stage.VERIFIED: (FollowUp.Stage.FIXED, "fix_note"),
    FollowUp.Stage.FIXED: (FollowUp.Stage.ANSWERED, "answer"),
}


@transaction.atomic
def follow_up_advance(
    *,
    follow_up: FollowUp,
    by: User,
    text: str,
    expected_stage: str | None = None,
) -> FollowUp:
    """Record the next step of a 差评 follow-up: verified → fixed → answered.

    Whoever serves the request's village handles it (``access.may_handle_follow_up``:
    its village clerk, or an official). Each step is an event on the request; the
    answer is a public one, so the resident reads it and is sent it. Raises Conflict
    if the follow-up is answered already or is no longer at `expected_stage` (the
    stage the page showed: a second click records nothing twice).
    """
    follow_up = (
        FollowUp.objects.select_for_update()
        .select_related("rating__request")
        .get(pk=follow_up.pk)
    )
    if not may_handle_follow_up(by, follow_up):
        raise NotPermitted(
            _("Only staff serving the request's village can handle its follow-up.")
        )
    if follow_up.stage not in _NEXT:
        raise Conflict(_("This follow-up has already been answered."))
    if expected_stage is not None and follow_up.stage != expected_stage:
        raise Conflict(
            _("This follow-up was moved on by someone else a moment ago. Reload it.")
        )
    if not (text or "").strip():
        raise InvalidInput({"text": [_("Write what was found, done or answered.")]})
    stage, field = _NEXT[FollowUp.Stage(follow_up.stage)]
    follow_up.stage, follow_up.supervisor = stage, by
    setattr(follow_up, field, text.strip())
    fields = ["stage", "supervisor", field]
    if stage == FollowUp.Stage.ANSWERED:
        follow_up.answered_at = timezone.now()
        fields.append("answered_at")
    follow_up.save(update_fields=fields)
    locked = lock_request(follow_up.rating.request)
    record_event(
        locked,
        kind=EventKind.FOLLOW_UP,
        by=by,
        roles=roles_towards(by, locked),
        note=text.strip(),
        public=stage == FollowUp.Stage.ANSWERED,
    )
    return follow_up
