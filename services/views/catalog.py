"""Public catalog pages: home, catalog search, service guide, village sub-center."""

from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.functional import SimpleLazyObject

from villages.models import Village
from villages.selectors import town_get

from .. import selectors
from ..access import applicant_proof_from_session, can_view_request
from ..caching import catalog_cached, catalog_page
from ..forms import CatalogFilterForm
from ..models import Attachment, HandlingMode

PAGE_SIZE = 20


# The public pages cache their content in fragments (services/caching.py): what the
# content shows is passed lazily, so that nothing is queried when the fragment is
# cached.


@catalog_page
def home(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "services/home.html",
        {
            "town": SimpleLazyObject(town_get),
            "figures": SimpleLazyObject(selectors.catalog_figures),
            "categories": SimpleLazyObject(selectors.categories_with_items),
            "modes": HandlingMode,
        },
    )


@catalog_page
def catalog(request: HttpRequest) -> HttpResponse:
    # Whether the query is valid is cached with the page: building the form costs
    # more than serving the cached page.
    form = SimpleLazyObject(lambda: _filter_form(request))
    valid = not request.GET or catalog_cached(
        request, "catalog-query-valid", lambda: form.is_valid(), request.GET.urlencode()
    )
    if not valid:
        return render(request, "services/catalog.html", {"form": form}, status=400)
    page = SimpleLazyObject(
        lambda: Paginator(
            selectors.service_items_search(**form.filters()), PAGE_SIZE
        ).get_page(request.GET.get("page"))
    )
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "services/catalog.html",
        {"form": form, "page": page, "query": query.urlencode()},
    )


def _filter_form(request: HttpRequest) -> CatalogFilterForm:
    form = CatalogFilterForm(request.GET or None)
    form.is_valid()  # an unbound form is not valid, and has no errors either
    return form


@catalog_page
def service_detail(request: HttpRequest, code: str) -> HttpResponse:
    names = catalog_cached(request, "item-names", selectors.service_item_names)
    if code not in names:
        raise Http404
    item = SimpleLazyObject(
        lambda: get_object_or_404(selectors.service_item_guide(code=code))
    )
    return render(
        request,
        "services/detail.html",
        {"code": code, "item_name": names[code], "item": item},
    )


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
