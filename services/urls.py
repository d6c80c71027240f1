from django.urls import path

import huagang.converters  # noqa: F401  (registers item_code)

from .views import catalog

app_name = "services"

urlpatterns = [
    path("", catalog.catalog, name="catalog"),
    path("<item_code:code>/", catalog.service_detail, name="detail"),
    # placeholder: replaced by the apply view
    path("<item_code:code>/apply/", catalog.service_detail, name="apply"),
    path(
        "attachments/<int:pk>/",
        catalog.attachment_download,
        name="attachment",
    ),
]
