"""Public catalog pages: home, catalog search, service guide, village sub-center."""

from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from huagang import elder_mode
from villages.models import Village
from villages.selectors import town_get

from .. import guide as guide_rules
from .. import selectors
from ..access import applicant_proof_from_session, can_view_request
from ..forms import CatalogFilterForm, GuideVillageForm
from ..models import Attachment, HandlingMode

PAGE_SIZE = 20


def home(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "services/home.html",
        {
            "town": town_get(),
            "figures": selectors.catalog_figures(),
            "categories": selectors.categories_with_items(),
            "modes": HandlingMode,
            # 长辈版 puts the most used items first (one query, only in that mode).
            "most_used": (
                selectors.service_items_most_used() if elder_mode.is_on(request) else ()
            ),
        },
    )


def catalog(request: HttpRequest) -> HttpResponse:
    form = CatalogFilterForm(request.GET or None)
    if form.is_bound and not form.is_valid():
        return render(request, "services/catalog.html", {"form": form}, status=400)
    filters = form.cleaned_data if form.is_bound else {}
    items = selectors.service_items_search(**{k: v for k, v in filters.items() if v})
    page = Paginator(items, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "services/catalog.html",
        {
            "form": form,
            "page": page,
            "query": query.urlencode(),
        },
    )


def service_detail(request: HttpRequest, code: str) -> HttpResponse:
    """The full guide, with the modes explained for the village the resident picks."""
    guide = selectors.service_guide_get(code=code)
    if guide is None:
        raise Http404
    form = GuideVillageForm(request.GET or None, villages=guide.villages)
    village = form.picked() if form.is_valid() else None
    context = {
        "item": guide.item,
        "form": form,
        "village": village,
        "who_handles": guide_rules.who_handles(guide.item, guide.town),
        "mode_sentences": guide_rules.mode_sentences(guide.item, village=village),
        "apply_online": guide_rules.accepts_online_application(guide.item),
        "village_matters": guide_rules.depends_on_village(guide.item),
    }
    status = 400 if form.errors else 200
    return render(request, "services/detail.html", context, status=status)


def village_detail(request: HttpRequest, code: str) -> HttpResponse:
    village = get_object_or_404(
        Village.objects.select_related("sub_center").prefetch_related(
            "sub_center__windows"
        ),
        code=code,
    )
    items = selectors.service_items_for_village(village=village)
    page = Paginator(items, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "villages/detail.html", {"village": village, "page": page})


def attachment_download(request: HttpRequest, pk: int) -> FileResponse:
    """A request's material, only for the people who act on that request (the
    applicant also by the proof a tracking lookup left in this session).

    Uploaded files are never served from MEDIA_URL: they hold ID cards and the like.
    """
    attachment = get_object_or_404(
        Attachment.objects.select_related("request__item"), pk=pk
    )
    proof = applicant_proof_from_session(request.session, attachment.request)
    if not can_view_request(request.user, attachment.request, proof=proof):
        raise Http404  # the same answer as for a file that does not exist
    try:
        stored = attachment.file.open("rb")
    except FileNotFoundError:  # a write that failed after the commit (logged then)
        raise Http404 from None
    return FileResponse(
        stored,
        content_type=attachment.content_type,
        as_attachment=True,
        filename=attachment.file.name.rsplit("/", 1)[-1],
    )
