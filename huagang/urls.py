from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path

import huagang.converters  # noqa: F401  (registers item_code and division_code)
from services.views import catalog as service_views
from services.views import track as track_views
from villages import views as village_views

from . import views

# The village pages combine both apps: the list is the villages app's own, the detail
# page also lists catalog items, which only the services app may know about.
village_patterns = (
    [
        path("", village_views.village_list, name="list"),
        path("<division_code:code>/", service_views.village_detail, name="detail"),
    ],
    "villages",
)

urlpatterns = [
    path("", service_views.home, name="home"),
    path("services/", include("services.urls")),
    path("villages/", include(village_patterns)),
    path("track/", track_views.track, name="track"),
    path("track/leave/", track_views.track_leave, name="track_leave"),
    re_path(
        r"^track/(?P<number>[0-9A-Za-z]{1,30})/$",
        track_views.track_result,
        name="track_result",
    ),
    path("privacy/", views.privacy_notice, name="privacy"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]

# Uploaded materials are never served from MEDIA_URL (see services.views.catalog
# .attachment_download): they hold ID cards and the like.

if settings.HUAGANG_BENCHMARK:  # only huagang/settings/benchmark.py turns this on
    from huagang.benchmark import reference

    urlpatterns.append(path("benchmark/reference/", reference))
