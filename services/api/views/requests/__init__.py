"""``/api/v1/requests/``: list, create, read, look up, follow and rate requests.

Who sees what is ``services.access``: a list holds what the caller serves as staff
(``staff_requests_q``: a village, bodies, everything) or applied for
(``requests_as_applicant``); one request is visible to whoever holds a role towards
it, or to a session that proved it with the number and phone digits
(``requests/lookup/`` with ``remember``). An invisible request is a 404 for a
signed-in caller and a 401 for an anonymous one, whether it exists or not. Writes are
the actions the screens use. docs/api.md, "Requests", is the guide.

A tracking number in an address is any path segment, checked by the view (a JSON 404
before any query for one that is not a tracking number; the converter's 404 would be
the HTML page). ``collection``: the list and a new request; ``single``: one request, its lookup,
timeline, rating and supplement; ``_common``: what they share.
"""

from django.urls import path

from .collection import RequestsView
from .single import LookupView, MaterialsView, RatingView, RequestView, TimelineView

urlpatterns = [
    path("requests/", RequestsView.as_view(), name="requests"),
    path("requests/lookup/", LookupView.as_view(), name="request_lookup"),
    path("requests/<str:number>/", RequestView.as_view(), name="request"),
    path(
        "requests/<str:number>/timeline/",
        TimelineView.as_view(),
        name="request_timeline",
    ),
    path(
        "requests/<str:number>/rating/",
        RatingView.as_view(),
        name="request_rating",
    ),
    path(
        "requests/<str:number>/materials/",
        MaterialsView.as_view(),
        name="request_materials",
    ),
]
