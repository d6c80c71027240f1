from django.urls import path

import huagang.converters  # noqa: F401  (registers item_code)

from . import views

app_name = "services"

urlpatterns = [
    path("", views.catalog, name="catalog"),
    path("<item_code:code>/", views.service_detail, name="detail"),
    path(
        "attachments/<int:pk>/",
        views.attachment_download,
        name="attachment",
    ),
]
