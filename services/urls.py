from django.urls import path

import huagang.converters  # noqa: F401  (registers item_code)

from .views import apply, catalog, structure

app_name = "services"

urlpatterns = [
    path("", catalog.catalog, name="catalog"),
    # before <item_code>: neither is an item code, but read them first all the same
    path("bodies/", structure.town_structure, name="structure"),
    path("delegated-powers/", structure.delegated_powers, name="delegated_powers"),
    path("<item_code:code>/", catalog.service_detail, name="detail"),
    path("<item_code:code>/apply/", apply.apply, name="apply"),
    path(
        "requests/<tracking_number:number>/done/",
        apply.request_done,
        name="request_done",
    ),
    path(
        "requests/<tracking_number:number>/receipt/",
        apply.request_receipt,
        name="request_receipt",
    ),
    path(
        "attachments/<int:pk>/",
        catalog.attachment_download,
        name="attachment",
    ),
]
