"""The workbench's forms for 上门特办 visits and 差评 follow-ups.

They check the shape of what was typed; the actions (``home_visit_schedule``,
``home_visit_record``, ``follow_up_advance``) check the rules and their refusals are
put beside the fields (``put_action_errors``).
"""

import datetime as dt

from django import forms
from django.db.models import Case, IntegerField, Q, Value, When
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from huagang.dates import date_window_errors
from huagang.exceptions import DomainError, InvalidInput
from huagang.forms import add_input_errors
from villages.choices import Role
from villages.models import User

from .. import access
from ..actions.visits import visit_time_errors
from ..models import FollowUp, HomeVisit, ServiceRequest, VisitTime

# A first suggestion for the window from the resident's preferred time of day.
DEFAULT_WINDOWS = {
    VisitTime.MORNING: (dt.time(9), dt.time(11)),
    VisitTime.AFTERNOON: (dt.time(14), dt.time(16)),
    VisitTime.ANY: (dt.time(9), dt.time(11)),
    "": (dt.time(9), dt.time(11)),
}


# The part of the day each preference stands for (start from, end by); "any" and no
# preference accept the whole visiting hours.
PREFERRED_HOURS = {
    VisitTime.MORNING: (dt.time(0), dt.time(12)),
    VisitTime.AFTERNOON: (dt.time(12), dt.time(23, 59, 59)),
}


def is_preferred_time(
    service_request: ServiceRequest, day: dt.date, starts: dt.time, ends: dt.time
) -> bool:
    """Whether the window lies on one of the resident's stated days and in their
    part of the day (``visit_weekdays``, ``visit_time``); any window when none."""
    weekdays = service_request.visit_weekdays or []
    if weekdays and day.isoweekday() not in weekdays:
        return False
    first, last = PREFERRED_HOURS.get(service_request.visit_time, (None, None))
    return first is None or (first <= starts and ends <= last)


def next_preferred_day(weekdays: list[int], today: dt.date) -> dt.date:
    """The first day from `today` on that is one of the resident's ISO `weekdays`."""
    for ahead in range(7):
        day = today + dt.timedelta(days=ahead)
        if not weekdays or day.isoweekday() in weekdays:
            return day
    return today


def put_action_errors(
    form: forms.Form, exc: DomainError, renamed: dict[str, str] | None = None
) -> None:
    """An action's refusal on `form`, its field names mapped to the form's
    (`renamed`); a message already shown at an earlier field is not repeated (a day
    outside the window is said once, at the day, not again at the end time)."""
    if isinstance(exc, InvalidInput) and renamed:
        errors: dict[str, list[str]] = {}
        seen: set[str] = set()
        for name, messages in exc.errors.items():
            fresh = [m for m in messages if m not in seen]
            seen.update(fresh)
            if fresh:
                errors.setdefault(renamed.get(name, name), []).extend(fresh)
        exc = InvalidInput(errors)
    add_input_errors(form, exc)


class VisitorChoiceField(forms.ModelChoiceField):
    """A visitor by name; an official is labelled as such (they serve every village,
    so they are offered after the village's own clerks)."""

    def label_from_instance(self, obj: User) -> str:
        if access.is_official(obj):
            return _("%(name)s (official)") % {"name": obj.name}
        return obj.name


class VisitBookForm(forms.Form):
    """Book a visit for one case: the day, the time window, who goes and why."""

    day = forms.DateField(
        label=_("Day of the visit"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={
            "required": _("Choose the day of the visit."),
            "invalid": _("Enter the day as year-month-day, e.g. 2026-03-12."),
        },
    )
    starts = forms.TimeField(
        label=_("From"),
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        error_messages={
            "required": _("Enter when the visit starts."),
            "invalid": _("Enter a time as hours:minutes, e.g. 09:30."),
        },
    )
    ends = forms.TimeField(
        label=_("Until"),
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        error_messages={
            "required": _("Enter when the visit ends."),
            "invalid": _("Enter a time as hours:minutes, e.g. 09:30."),
        },
    )
    staff = VisitorChoiceField(
        label=_("Who visits"),
        queryset=User.objects.none(),
        empty_label=_("Choose who goes"),
        error_messages={
            "required": _("Choose who goes to the resident's home."),
            "invalid_choice": _("Choose who goes from the list."),
        },
    )
    other_time = forms.BooleanField(
        label=_("The resident agreed to this other day or time"),
        required=False,
    )
    reason = forms.ChoiceField(
        label=_("Why at home"),
        choices=HomeVisit.Reason.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose why the visit is at home."),
            "invalid_choice": _("Choose why the visit is at home."),
        },
    )

    # The action's field names and this form's: a day outside the appointment window
    # is said at the day, a time outside the visiting hours at the time.
    RENAMED = {"starts_at": "day", "ends_at": "ends"}
    RENAMED_TIMES = {"starts_at": "starts", "ends_at": "ends"}

    def __init__(
        self, *args, user: User, service_request: ServiceRequest, **kwargs
    ) -> None:
        super().__init__(*args, **kwargs)
        self.service_request = service_request
        # Set by clean(): the chosen window is not when the resident said they are
        # at home, so booking it needs the other_time box ticked.
        self.outside_preference = False
        # Who may be sent: staff this user may send (access.visitors_q) who serve the
        # case's own village (access.may_visit, checked again by the action).
        # The village's own clerks first, then the officials.
        own_clerk = Q(role=Role.VILLAGE_CLERK, village_id=service_request.village_id)
        self.fields["staff"].queryset = (
            User.objects.filter(
                access.visitors_q(user=user),
                access.serving_village_q(service_request.village_id),
            )
            .annotate(
                elsewhere=Case(
                    When(own_clerk, then=Value(0)),
                    default=Value(1),
                    output_field=IntegerField(),
                )
            )
            .order_by("elsewhere", "name", "pk")
        )
        if not self.is_bound:
            starts, ends = DEFAULT_WINDOWS.get(
                service_request.visit_time, DEFAULT_WINDOWS[""]
            )
            self.initial.setdefault(
                "day",
                next_preferred_day(
                    service_request.visit_weekdays or [], timezone.localdate()
                ),
            )
            self.initial.setdefault("starts", starts)
            self.initial.setdefault("ends", ends)
            if access.may_visit(user, service_request.village_id):
                self.initial.setdefault("staff", user.pk)

    def clean(self):
        """Every error at once: the day and times are checked as the action checks
        them (``date_window_errors``, ``visit_time_errors``) whatever else is
        missing, so a clerk never fixes one error to be shown the next."""
        data = super().clean()
        if all(data.get(name) is not None for name in ("day", "starts", "ends")):
            starts_at, ends_at = self.window()
            outside = date_window_errors(starts_at=starts_at, ends_at=ends_at)
            if outside:
                put_action_errors(self, InvalidInput(outside), self.RENAMED)
            elif errors := visit_time_errors(starts_at=starts_at, ends_at=ends_at):
                put_action_errors(self, InvalidInput(errors), self.RENAMED_TIMES)
            else:
                self._check_preference(data)
        return data

    def _check_preference(self, data: dict) -> None:
        """A window outside the resident's days or time of day is allowed, once the
        clerk confirms the resident agreed to it (the warning shown beside the box)."""
        self.outside_preference = not is_preferred_time(
            self.service_request, data["day"], data["starts"], data["ends"]
        )
        if self.outside_preference and not data.get("other_time"):
            self.add_error(
                "other_time",
                _(
                    "Tick this box once the resident has agreed to this day and "
                    "time, or choose one of the days and times they gave."
                ),
            )

    def window(self) -> tuple[dt.datetime, dt.datetime]:
        """The chosen window as local moments (after ``is_valid``, or in ``clean``
        once the day and times are clean)."""
        day = self.cleaned_data["day"]
        return (
            timezone.make_aware(dt.datetime.combine(day, self.cleaned_data["starts"])),
            timezone.make_aware(dt.datetime.combine(day, self.cleaned_data["ends"])),
        )

    def put_action_errors(self, exc: DomainError) -> None:
        put_action_errors(self, exc, self.RENAMED)


class OutcomeChoiceField(forms.ChoiceField):
    """Shows the outcomes offered now but takes any recordable one back: a page left
    open while someone else recorded the visit gets the action's answer ("already
    recorded"), not "not a valid choice"."""

    def valid_value(self, value):
        return value in HomeVisit.Outcome.values and value != HomeVisit.Outcome.PLANNED


class VisitOutcomeForm(forms.Form):
    """What happened at a visit. Done needs the result the resident is told; not
    possible needs the reason."""

    outcome = OutcomeChoiceField(
        label=_("What happened"),
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose what happened at the visit."),
            "invalid_choice": _("Choose what happened at the visit."),
        },
    )
    note = forms.CharField(
        label=_("Result or reason"),
        required=False,
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "Done: the result, which the resident reads. Not possible: why "
            "(required). Nobody at home: optional."
        ),
        error_messages={"max_length": _("Write at most %(limit_value)d characters.")},
    )

    LABELS = {
        HomeVisit.Outcome.DONE: _("Done"),
        HomeVisit.Outcome.ABSENT: _("Nobody at home — book a new date"),
        HomeVisit.Outcome.IMPOSSIBLE: _("Not possible"),
    }

    def __init__(self, *args, outcomes: list[str], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["outcome"].choices = [
            (outcome, self.LABELS[HomeVisit.Outcome(outcome)]) for outcome in outcomes
        ]

    def clean(self):
        data = super().clean()
        outcome, note = data.get("outcome"), (data.get("note") or "").strip()
        if outcome == HomeVisit.Outcome.DONE and not note:
            self.add_error("note", _("Write the result for the resident."))
        if outcome == HomeVisit.Outcome.IMPOSSIBLE and not note:
            self.add_error("note", _("Say why the visit was not possible."))
        return data


class VisitDayForm(forms.Form):
    """The day list's date picker (``?day=``; today when absent)."""

    day = forms.DateField(
        label=_("Visits on"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={
            "invalid": _("Enter the day as year-month-day, e.g. 2026-03-12."),
        },
    )

    def chosen_day(self) -> dt.date:
        """The day asked for (after ``is_valid``), today by default."""
        return self.cleaned_data.get("day") or timezone.localdate()


class FollowUpStepForm(forms.Form):
    """The next stage of a 差评 follow-up: what was found, what was fixed, the answer."""

    LABELS = {
        FollowUp.Stage.OPEN: (
            _("What was found"),
            _("Verify the complaint: what happened, and was the resident right?"),
        ),
        FollowUp.Stage.VERIFIED: (
            _("What was fixed"),
            _("What was done so that it does not happen again."),
        ),
        FollowUp.Stage.FIXED: (
            _("Answer to the resident"),
            _("The resident reads this and is sent it by text message."),
        ),
    }

    text = forms.CharField(
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={
            "required": _("Write what was found, done or answered."),
            "max_length": _("Write at most %(limit_value)d characters."),
        },
    )
    # The stage the page showed: a second click, or a page left open while someone
    # else moved the follow-up on, is refused instead of recording a stage twice.
    stage = forms.CharField(widget=forms.HiddenInput)

    def __init__(self, *args, follow_up: FollowUp, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        label, help_text = self.LABELS.get(
            FollowUp.Stage(follow_up.stage), self.LABELS[FollowUp.Stage.OPEN]
        )
        self.fields["text"].label, self.fields["text"].help_text = label, help_text
        self.fields["stage"].initial = follow_up.stage
