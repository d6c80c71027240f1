"""Open311 GeoReport v2 at /open311/v2/: each method with a .json or .xml suffix (any
other suffix, or any other address here, is Open311's 404)."""

from django.urls import URLPattern, re_path

from . import views

app_name = "open311"

# The suffix is what follows the last dot (a service code has none).
FORMAT = r"\.(?P<fmt>[^./]*)"

urlpatterns: list[URLPattern] = [
    re_path(rf"^discovery{FORMAT}$", views.DiscoveryView.as_view(), name="discovery"),
    re_path(rf"^services{FORMAT}$", views.ServicesView.as_view(), name="services"),
    re_path(
        rf"^services/(?P<code>[^/]+?){FORMAT}$",
        views.ServiceDefinitionView.as_view(),
        name="service",
    ),
    re_path(rf"^requests{FORMAT}$", views.RequestsView.as_view(), name="requests"),
    re_path(
        rf"^requests/(?P<pk>[0-9]+){FORMAT}$",
        views.RequestView.as_view(),
        name="request",
    ),
    re_path(r"^.*$", views.not_found, name="not_found"),
]
