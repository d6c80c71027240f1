from django.urls import path

from . import views

app_name = "services"

urlpatterns = [
    path("", views.catalog, name="catalog"),
    path("<str:code>/", views.service_detail, name="detail"),
]
