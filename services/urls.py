from django.urls import path

import huagang.converters  # noqa: F401  (registers item_code)

from .views import catalog

app_name = "services"

urlpatterns = [
    path("", catalog.catalog, name="catalog"),
    path("<item_code:code>/", catalog.service_detail, name="detail"),
    path(
        "attachments/<int:pk>/",
        catalog.attachment_download,
        name="attachment",
    ),
]
