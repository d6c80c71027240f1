from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from .selectors import villages_directory


def village_list(request: HttpRequest) -> HttpResponse:
    return render(request, "villages/list.html", {"villages": villages_directory()})
