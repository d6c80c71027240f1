"""(stub: to be written)"""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path

from ._common import staff_required


@staff_required
def follow_ups(request: HttpRequest) -> HttpResponse:
    return render(
        request, "staff/placeholder.html", {"title": "Poor-rating follow-ups"}
    )


urlpatterns = [path("follow-ups/", follow_ups, name="follow_ups")]
