"""(stub: to be written) /dashboard/: the officials' statistics."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path

from .staff._common import staff_required


@staff_required
def index(request: HttpRequest) -> HttpResponse:
    return render(request, "staff/placeholder.html", {"title": "Dashboard"})


urlpatterns = [path("", index, name="index")]
