"""Work outside the office, for staff: 定时代办 trips (``trips``: their lists,
hand-over, return, the check-in of each case by its number where a trip arrives),
上门特办 home visits (``visits``: the list, what happened at one) and 差评 follow-ups
(``follow_ups``). The workbench's ``services/views/staff/trips.py``, ``visits.py``
and ``follow_ups.py`` call the same actions.

Who sees a trip is ``access.agency_trips_scope`` (a trip they may not see is a 404);
who fills and hands it over ``access.may_fill_trip``, who checks it in
``access.may_check_in``, who sends cases back ``access.trip_steps``, who records a
visit's outcome ``access.visit_outcomes``, who handles a follow-up
``access.may_handle_follow_up``: seeing but not allowed is a 403, a step the trip's
or visit's state no longer allows a 409. Residents get 403 on every address here;
anonymous callers 401.
"""

from . import follow_ups, trips, visits

urlpatterns = [*trips.urlpatterns, *visits.urlpatterns, *follow_ups.urlpatterns]
