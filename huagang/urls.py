from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path

import huagang.converters  # noqa: F401  (registers item_code, division_code, …)
from huagang.elder_mode import elder_mode_set
from services.views import affairs as affairs_views
from services.views import catalog as service_views
from services.views import dashboard as dashboard_views
from services.views import mine as my_views
from services.views import questions as question_views
from services.views import track as track_views
from villages import views as village_views

from . import views

# The village pages combine both apps: the list is the villages app's own, the detail
# page also lists catalog items, which only the services app may know about.
village_patterns = (
    [
        path("", village_views.village_list, name="list"),
        path("affairs/late/", affairs_views.affairs_late, name="affairs_late"),
        path(
            "affairs/files/<int:pk>/",
            affairs_views.disclosure_file,
            name="disclosure_file",
        ),
        path("<division_code:code>/", service_views.village_detail, name="detail"),
        path(
            "<division_code:code>/affairs/",
            affairs_views.village_affairs,
            name="affairs",
        ),
    ],
    "villages",
)

# 我的办件: the signed-in resident's own requests.
my_patterns = (
    [
        path("requests/", my_views.my_requests, name="requests"),
        path(
            "requests/<tracking_number:tracking_number>/",
            my_views.my_request,
            name="request",
        ),
        path(
            "requests/<tracking_number:tracking_number>/withdraw/",
            my_views.my_request_withdraw,
            name="withdraw",
        ),
        path(
            "requests/<tracking_number:tracking_number>/rate/",
            my_views.my_request_rate,
            name="rate",
        ),
        # 我的留言: the resident's own questions (留言咨询)
        *question_views.mine_urlpatterns,
    ],
    "mine",
)

urlpatterns = [
    path("", service_views.home, name="home"),
    path("services/", include("services.urls")),
    path("events/", include("services.urls_events")),
    path("villages/", include(village_patterns)),
    path("questions/", include((question_views.urlpatterns, "questions"))),
    path("track/", track_views.track, name="track"),
    path("track/leave/", track_views.track_leave, name="track_leave"),
    re_path(
        r"^track/(?P<number>[0-9A-Za-z]{1,30})/$",
        track_views.track_result,
        name="track_result",
    ),
    path("privacy/", views.privacy_notice, name="privacy"),
    path("account/", include("villages.urls")),
    path("my/", include(my_patterns)),
    path("staff/", include("services.urls_staff")),
    path("dashboard/", include((dashboard_views.urlpatterns, "dashboard"))),
    path("api/v1/", include("services.api.urls")),
    path("open311/v2/", include("services.open311.urls")),
    # Browsers ask for /favicon.ico whatever the page says.
    path("favicon.ico", views.favicon),
    path("i18n/", include("django.conf.urls.i18n")),
    path("elder-mode/", elder_mode_set, name="elder_mode"),
    path("admin/", admin.site.urls),
]

handler400 = views.bad_request
handler404 = views.page_not_found

# Uploaded materials are never served from MEDIA_URL (see services.views.catalog
# .attachment_download): they hold ID cards and the like.

if settings.HUAGANG_BENCHMARK:  # only huagang/settings/benchmark.py turns this on
    from huagang import benchmark

    urlpatterns += benchmark.urlpatterns
