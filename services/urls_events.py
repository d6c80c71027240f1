from django.urls import path

from .views import events

app_name = "events"

urlpatterns = [
    path("", events.event_list, name="list"),
    path("track/", events.event_track, name="track"),
    path("track/leave/", events.event_track_leave, name="track_leave"),
    path("track/<str:number>/", events.event_track_result, name="track_result"),
    path("applications/<str:number>/", events.application_done, name="done"),
    path(
        "applications/<str:number>/receipt/",
        events.application_receipt,
        name="receipt",
    ),
    path("<slug:code>/", events.event_detail, name="detail"),
    path("<slug:code>/apply/", events.event_apply, name="apply"),
]
