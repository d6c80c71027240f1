"""/staff/: the workbench; each part keeps its own URLs beside its views."""

from .views.staff import affairs, cases, entry, follow_ups, questions, trips, visits

app_name = "staff"

urlpatterns = [
    # entry's cases/<number>/receipt/ before the case page's cases/<number>/<step>/
    *entry.urlpatterns,
    *cases.urlpatterns,
    *trips.urlpatterns,
    *visits.urlpatterns,
    *follow_ups.urlpatterns,
    *questions.urlpatterns,
    *affairs.urlpatterns,
]
