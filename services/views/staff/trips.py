"""(stub: to be written)"""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path

from ._common import staff_required


@staff_required
def trips(request: HttpRequest) -> HttpResponse:
    return render(request, "staff/placeholder.html", {"title": "Agency trips"})


urlpatterns = [path("trips/", trips, name="trips")]
