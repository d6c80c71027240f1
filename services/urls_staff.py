"""/staff/: the workbench; each part keeps its own URLs beside its views."""

from .views.staff import cases, entry, follow_ups, trips, visits

app_name = "staff"

urlpatterns = [
    *cases.urlpatterns,
    *entry.urlpatterns,
    *trips.urlpatterns,
    *visits.urlpatterns,
    *follow_ups.urlpatterns,
]
