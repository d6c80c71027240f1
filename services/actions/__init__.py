"""Every write in the services app. Views, admin, API and tasks call these; nothing else
assigns a request's status."""

from .attachments import attachment_add, attachments_add
from .entry import service_request_enter, service_request_enter_problems
from .questions import (
    question_answer,
    question_ask,
    question_make_request,
    question_publish,
    question_withdraw,
    questions_sweep,
)
from .ratings import follow_up_advance, rating_submit
from .requests import (
    service_request_accept,
    service_request_add_note,
    service_request_ask_supplement,
    service_request_complete,
    service_request_reject,
    service_request_resume,
    service_request_transition,
    service_request_withdraw,
)
from .submission import (
    service_request_problems,
    service_request_submit,
    tracking_number_new,
)
from .sweeps import follow_ups_remind, time_limits_sweep
from .trips import (
    agency_trip_add,
    agency_trip_check_finish,
    agency_trip_check_in,
    agency_trip_hand_over,
    agency_trip_next,
    agency_trip_plan,
    agency_trip_remove,
    agency_trip_return,
    agency_trip_send_back,
    agency_trips_put_on_next,
    service_request_town_decide,
)
from .visits import home_visit_record, home_visit_schedule

__all__ = [
    "agency_trip_add",
    "agency_trip_check_finish",
    "agency_trip_check_in",
    "agency_trip_hand_over",
    "agency_trip_next",
    "agency_trip_plan",
    "agency_trip_remove",
    "agency_trip_return",
    "agency_trip_send_back",
    "agency_trips_put_on_next",
    "attachment_add",
    "attachments_add",
    "follow_up_advance",
    "follow_ups_remind",
    "home_visit_record",
    "home_visit_schedule",
    "question_answer",
    "question_ask",
    "question_make_request",
    "question_publish",
    "question_withdraw",
    "questions_sweep",
    "rating_submit",
    "service_request_accept",
    "service_request_add_note",
    "service_request_ask_supplement",
    "service_request_complete",
    "service_request_enter",
    "service_request_enter_problems",
    "service_request_problems",
    "service_request_reject",
    "service_request_resume",
    "service_request_submit",
    "service_request_town_decide",
    "service_request_transition",
    "service_request_withdraw",
    "time_limits_sweep",
    "tracking_number_new",
]
