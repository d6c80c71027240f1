"""``/api/v1/``: the endpoints of each area, the OpenAPI schema generated from the code
(``schema/``) and its documentation (``docs/``, ``redoc/``), served from the vendored
Swagger UI and Redoc (drf-spectacular-sidecar): nothing is fetched from a CDN (Redoc's
script through ``views.docs``, without its logo's address)."""

from csp.constants import SELF, UNSAFE_INLINE
from csp.decorators import csp_update
from django.urls import path
from drf_spectacular.views import (
    SpectacularAPIView,
    SpectacularRedocView,
    SpectacularSwaggerSplitView,
)

from .views import catalog, docs, events, fieldwork, requests, statistics, steps

app_name = "api"

urlpatterns = [
    *catalog.urlpatterns,
    *requests.urlpatterns,
    *steps.urlpatterns,
    *fieldwork.urlpatterns,
    *statistics.urlpatterns,
    *events.urlpatterns,
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path(
        "docs/",
        SpectacularSwaggerSplitView.as_view(
            url_name="api:schema", template_name="api/swagger_ui.html"
        ),
        name="docs",
    ),
    path(
        "redoc/",
        # Redoc's bundle (styled-components) writes its styles into <style> elements
        # as it renders, and runs its search in a worker made from a blob: this one
        # page allows both. Its scripts still come only from 'self'.
        csp_update({"style-src": [UNSAFE_INLINE], "worker-src": [SELF, "blob:"]})(
            SpectacularRedocView.as_view(
                url_name="api:schema", template_name="api/redoc.html"
            )
        ),
        name="redoc",
    ),
    path("redoc/redoc.js", docs.redoc_script, name="redoc-script"),
]
