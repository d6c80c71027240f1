"""Village affairs in public, the public side: a village's archive by year and
category, the villages late for the quarter due, and a published PDF. Nothing here
is cached: a disclosure appears the moment an official approves it."""

from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from villages.models import Village

from .. import access
from ..forms.disclosures import ArchiveFilterForm
from ..selectors import disclosures as selectors


def village_affairs(request: HttpRequest, code: str) -> HttpResponse:
    village = get_object_or_404(Village, code=code)
    form = ArchiveFilterForm(request.GET or None)
    if request.GET and not form.is_valid():
        context = {"village": village, "form": form, "archive": None}
        return render(request, "villages/affairs.html", context, status=400)
    data = form.cleaned_data if request.GET else {}
    archive = selectors.disclosure_archive(
        village=village, year=data.get("year"), category=data.get("category") or ""
    )
    return render(
        request,
        "villages/affairs.html",
        {"village": village, "form": form, "archive": archive},
    )


def affairs_late(request: HttpRequest) -> HttpResponse:
    late = selectors.villages_late(today=timezone.localdate())
    return render(request, "villages/affairs_late.html", {"late": late})


def disclosure_file(request: HttpRequest, pk: int) -> FileResponse:
    """A disclosure's PDF: anyone's once the disclosure is published; before that only
    its village's clerk and officials (others get 404, as for no file at all)."""
    found = selectors.disclosure_file_get(pk=pk)
    if found is None or not access.may_see_disclosure(request.user, found.disclosure):
        raise Http404
    try:
        stored = found.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    return FileResponse(
        stored,
        content_type="application/pdf",
        as_attachment=False,
        filename=found.download_name,
    )
