"""A request's progress in the words a resident understands: the one place they live.

What is happening now and what the resident must do (per status and handling mode,
and whether the paper documents have been handed in yet), where they are (定时代办:
applied for but not handed in, at the village, on the way to the town, at the town,
back at the village), and the time limit (the due date, paused, or done on the spot). The resident's pages (tracking by number, "my requests") render ``describe``'s
answer with ``templates/services/_request_progress.html``; nothing here decides who may
see it (``services.access`` does).
"""

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from django.db import models
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from villages.choices import Role

from . import time_limits, workflow
from .models import (
    AgencyTrip,
    Channel,
    DueState,
    EventKind,
    HandlingMode,
    HomeVisit,
    RequestEvent,
    ServiceRequest,
    Status,
)
from .working_days import WorkCalendar

S, M = Status, HandlingMode

# The channels on which the resident hands the paper documents in as they apply: at
# the sub-center's window, or to the clerk who enters the request for them. Online
# and by phone, nothing is handed in until the clerk says how.
PAPERS_HANDED_IN = frozenset({Channel.WINDOW, Channel.CLERK})


class Place(models.TextChoices):
    """Where a 定时代办 case's documents are, in the order they travel."""

    APPLIED = "applied", gettext_lazy("Application received")
    VILLAGE = "village", gettext_lazy("At the village or community sub-center")
    ON_THE_WAY = "on_the_way", gettext_lazy("On the way to the town")
    TOWN = "town", gettext_lazy("At the town service center")
    BACK = "back", gettext_lazy("Back at the village or community sub-center")


# The places shown as a track, in order (the case's own place is marked on it).
JOURNEY = (Place.APPLIED, Place.VILLAGE, Place.ON_THE_WAY, Place.TOWN, Place.BACK)

# What is happening, per (mode, status); a status alone where every mode says the same.
# ``describe`` says otherwise where the channel or the documents' place matter.
NOW: dict[tuple[str | None, str], str] = {
    (None, S.SUBMITTED): gettext_lazy(
        "Your application has been received and is waiting for a clerk to check and "
        "accept it."
    ),
    (M.INSTANT, S.ACCEPTED): gettext_lazy(
        "Your application has been accepted and is being handled at the service window."
    ),
    (M.AGENCY, S.ACCEPTED): gettext_lazy(
        "Your application has been accepted. The village agent will take your "
        "documents to the town service center on the village's next trip."
    ),
    (M.HOME, S.ACCEPTED): gettext_lazy(
        "Your application has been accepted. Your village or community sub-center "
        "will agree a time with you to handle it at your home."
    ),
    (None, S.SUPPLEMENT): gettext_lazy(
        "Some documents are missing or need correcting. The time limit is paused until "
        "they arrive."
    ),
    (None, S.SENT_TO_TOWN): gettext_lazy(
        "The village agent has taken your documents to the town service center, where "
        "your matter is being handled."
    ),
    (None, S.RETURNED_TO_VILLAGE): gettext_lazy(
        "The town has finished and the result is back at your village or community "
        "sub-center."
    ),
    (None, S.VISIT_SCHEDULED): gettext_lazy(
        "A home visit is booked: staff will come to your home to handle your matter."
    ),
    (None, S.COMPLETED): gettext_lazy("Your matter has been completed."),
    (None, S.REJECTED): gettext_lazy(
        "Your application was not accepted. The reason is given below."
    ),
    (None, S.WITHDRAWN): gettext_lazy("This application was withdrawn."),
}

# What the resident must do now; no entry: nothing, we will send a text message.
TO_DO: dict[tuple[str | None, str], str] = {
    (None, S.SUPPLEMENT): gettext_lazy(
        "Upload what is asked for below, or bring it to your village or community "
        "sub-center. Staff continue as soon as they have it."
    ),
    (None, S.RETURNED_TO_VILLAGE): gettext_lazy(
        "Collect the result at your village or community sub-center; bring your ID "
        "card."
    ),
    (None, S.VISIT_SCHEDULED): gettext_lazy(
        "Please be at home at that time and keep your ID card and documents ready."
    ),
    (None, S.REJECTED): gettext_lazy(
        "If you have questions, call or visit your village or community sub-center."
    ),
}
NOTHING_TO_DO = gettext_lazy(
    "Nothing for now: you will get a text message when something changes."
)
NOTHING_MORE = gettext_lazy("Nothing more is needed.")

# An application made online (or by phone) that no clerk has accepted yet: nothing has
# been handed in, whatever the mode.
RECEIVED_ONLINE = gettext_lazy(
    "Your application has been received online and is waiting for a clerk to check "
    "and accept it."
)
PAPERS_TO_COME = gettext_lazy(
    "Keep your paper documents ready: the clerk who checks your application will "
    "tell you whether to bring them to your village or community sub-center or have "
    "them collected."
)
# The documents are at the town (an accepted case the town had asked to complete).
AT_THE_TOWN = gettext_lazy(
    "Your documents are at the town service center, where your matter is being handled."
)
# Files the applicant sent after the latest request for a supplement.
SUPPLEMENT_RECEIVED = gettext_lazy(
    "We received the files you sent on %(date)s. Staff will check them and continue; "
    "if anything is still missing, they will tell you."
)

PLACE_WORDS: dict[Place, str] = {
    Place.APPLIED: gettext_lazy(
        "No paper documents have been handed in yet. The clerk who checks your "
        "application will tell you whether to bring them to your village or community "
        "sub-center or have them collected; the village agent then takes them to the "
        "town."
    ),
    Place.VILLAGE: gettext_lazy(
        "Your documents are at your village or community sub-center; the village "
        "agent will take them to the town."
    ),
    Place.ON_THE_WAY: gettext_lazy(
        "The village agent is taking your documents to the town service center today."
    ),
    Place.TOWN: gettext_lazy(
        "Your documents have been taken by the village agent to the town service "
        "center."
    ),
    Place.BACK: gettext_lazy(
        "Your documents and the result are back at your village or community "
        "sub-center."
    ),
}


@dataclass(frozen=True)
class Progress:
    """Everything a resident's page says about where their request stands."""

    now: str  # what is happening
    to_do: str  # what the resident must do
    place: Place | None  # 定时代办 only: where the documents are
    place_words: str
    next_trip: dt.date | None  # the trip the documents will leave on, if planned
    due: str  # the time limit in words
    late: bool  # past the promised day
    supplement_asked: str  # the clerk's words when a supplement is asked
    supplement_sent: dt.datetime | None  # the applicant's files since it was asked
    visit: HomeVisit | None  # the booked home visit
    result: str  # the result or the reason not accepted

    @property
    def journey(self) -> list[tuple[Place, str]]:
        """Each place of ``JOURNEY`` with "done", "here" or "later" (定时代办 only)."""
        if self.place is None:
            return []
        here = JOURNEY.index(self.place)
        return [
            (place, "done" if i < here else "here" if i == here else "later")
            for i, place in enumerate(JOURNEY)
        ]


def _words(table: dict[tuple[str | None, str], str], mode: str, status: str) -> str:
    found = table.get((mode, status)) or table.get((None, status))
    return str(found) if found else ""


def place_of(
    service_request: ServiceRequest, trips: Sequence[AgencyTrip], today: dt.date
) -> tuple[Place | None, dt.date | None]:
    """Where a 定时代办 case's documents are (None for other modes or once the case
    is closed), and the day of the trip they are waiting for, if one is planned.

    The status says the journey's stage; the last trip tells an open case that the
    town sent back for a supplement (its papers stay at the town) from one waiting at
    the village, and a trip leaving today from one leaving later.
    """
    status = service_request.status
    if service_request.mode != M.AGENCY or status in workflow.TERMINAL:
        return None, None
    if not papers_handed_in(service_request):
        return Place.APPLIED, None
    if status == S.SENT_TO_TOWN:
        return Place.TOWN, None
    if status == S.RETURNED_TO_VILLAGE:
        return Place.BACK, None
    last = trips[-1] if trips else None
    if last is not None and last.handed_over_at and not last.returned_at:
        return Place.TOWN, None
    if last is not None and not last.handed_over_at and last.trip_date >= today:
        if last.trip_date == today:
            return Place.ON_THE_WAY, last.trip_date
        return Place.VILLAGE, last.trip_date
    return Place.VILLAGE, None


def papers_handed_in(service_request: ServiceRequest) -> bool:
    """Whether the resident has handed the paper documents in, as far as the portal
    knows: on applying at a window or to a clerk, or once a clerk accepted the
    request (acceptance checks that the documents are complete)."""
    return (
        service_request.status != S.SUBMITTED
        or service_request.channel in PAPERS_HANDED_IN
    )


def due_words(
    service_request: ServiceRequest, *, today: dt.date, calendar: WorkCalendar
) -> tuple[str, bool]:
    """The time limit in words, and whether the promised day has passed."""
    status, item = service_request.status, service_request.item
    if status == S.COMPLETED and service_request.completed_at:
        day = timezone.localdate(service_request.completed_at)
        return _("Completed on %(date)s.") % {"date": _date(day)}, False
    if status in workflow.TERMINAL:
        return "", False
    if item.is_instant and service_request.mode == M.INSTANT:
        if status == S.SUPPLEMENT:
            return _("Done on the spot once the documents are complete."), False
        return _("Done on the spot (即办)."), False
    if status == S.SUBMITTED:
        days = item.promised_days
        if not days:
            return _("Done on the day it is accepted."), False
        return ngettext(
            "%(days)d working day, counted from the day it is accepted.",
            "%(days)d working days, counted from the day it is accepted.",
            days,
        ) % {"days": days}, False
    if status == S.SUPPLEMENT:
        left = service_request.paused_days_left
        if left is None:
            return _("Paused until the documents arrive."), False
        return ngettext(
            "Paused: %(days)d working day left once the documents arrive.",
            "Paused: %(days)d working days left once the documents arrive.",
            left,
        ) % {"days": left}, False
    if service_request.due_date is None:
        return _("The due date will be set shortly."), False
    state = time_limits.state_of(
        status=status, due=service_request.due_date, today=today, calendar=calendar
    )
    if state == DueState.OVERDUE:
        return _(
            "Promised by %(date)s; that day has passed and the staff have been reminded."
        ) % {"date": _date(service_request.due_date)}, True
    return _("Promised by %(date)s.") % {"date": _date(service_request.due_date)}, False


def _date(day: dt.date) -> str:
    return formats.date_format(day, "DATE_FORMAT")


def _asks_supplement(event: RequestEvent) -> bool:
    return event.to_status == S.SUPPLEMENT and event.from_status != S.SUPPLEMENT


def supplement_asked(timeline: Sequence[RequestEvent]) -> str:
    """The clerk's note on the latest request for a supplement."""
    for event in reversed(timeline):
        if _asks_supplement(event):
            return event.note
    return ""


def supplement_sent(timeline: Sequence[RequestEvent]) -> dt.datetime | None:
    """When the applicant last uploaded files since the latest request for a
    supplement (None: not since then). Their uploads are on the public timeline as
    attachment events recorded under the resident's role (``attachments_add``)."""
    for event in reversed(timeline):
        if _asks_supplement(event):
            return None
        if event.kind == EventKind.ATTACHMENT and event.actor_role == Role.RESIDENT:
            return event.created_at
    return None


def describe(
    service_request: ServiceRequest,
    timeline: Sequence[RequestEvent],
    *,
    today: dt.date | None = None,
    calendar: WorkCalendar | None = None,
) -> Progress:
    """Where `service_request` stands, for the resident. Reads its trips and visits
    (prefetch them: ``selectors.service_request_for_applicant``) and the calendar."""
    today = today or timezone.localdate()
    mode, status = service_request.mode, service_request.status
    place, next_trip = place_of(
        service_request, list(service_request.agency_trips.all()), today
    )
    due, late = due_words(
        service_request, today=today, calendar=calendar or WorkCalendar.load()
    )
    visits = [
        visit
        for visit in service_request.home_visits.all()
        if visit.outcome == HomeVisit.Outcome.PLANNED
    ]
    default = NOTHING_MORE if status in workflow.TERMINAL else NOTHING_TO_DO
    now = _words(NOW, mode, status)
    to_do = _words(TO_DO, mode, status) or str(default)
    sent = supplement_sent(timeline) if status == S.SUPPLEMENT else None
    if not papers_handed_in(service_request):
        if service_request.channel == Channel.ONLINE:
            now = str(RECEIVED_ONLINE)
        to_do = str(PAPERS_TO_COME)
    elif status == S.ACCEPTED and place == Place.TOWN:
        now = str(AT_THE_TOWN)  # resumed after the town's request for a supplement
    if sent is not None:
        to_do = str(SUPPLEMENT_RECEIVED) % {
            "date": formats.date_format(timezone.localtime(sent), "DATE_FORMAT")
        }
    return Progress(
        now=now,
        to_do=to_do,
        place=place,
        place_words=str(PLACE_WORDS[place]) if place else "",
        next_trip=next_trip,
        due=due,
        late=late,
        supplement_asked=supplement_asked(timeline) if status == S.SUPPLEMENT else "",
        supplement_sent=sent,
        visit=visits[-1] if status == S.VISIT_SCHEDULED and visits else None,
        result=service_request.result_note
        if status in {S.RETURNED_TO_VILLAGE, S.COMPLETED, S.REJECTED}
        else "",
    )
