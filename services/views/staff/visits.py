"""(stub: to be written)"""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path

from ._common import staff_required


@staff_required
def visits(request: HttpRequest) -> HttpResponse:
    return render(request, "staff/placeholder.html", {"title": "Home visits"})


urlpatterns = [path("visits/", visits, name="visits")]
