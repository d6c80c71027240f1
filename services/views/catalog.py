"""Public catalog pages: home, catalog search, service guide, village sub-center."""

import functools

from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.functional import SimpleLazyObject

from huagang import elder_mode
from villages.actions import access_record
from villages.models import AccessRecord, Village
from villages.selectors import town_get, village_grids_get

from .. import access, selectors, town_facts
from .. import guide as guide_rules
from ..access import applicant_proof_from_session, can_view_request
from ..caching import catalog_cached, catalog_page
from ..forms import CatalogFilterForm, GuideVillageForm
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
            "facts": town_facts,
            "figures": SimpleLazyObject(selectors.catalog_figures),
            "categories": SimpleLazyObject(selectors.categories_with_items),
            "modes": HandlingMode,
            # 长辈版 puts the most used items first (one query, only in that mode).
            "most_used": (_most_used(request) if elder_mode.is_on(request) else ()),
        },
    )


def _most_used(request: HttpRequest) -> list:
    """长辈版's most used items: counted over a year of requests, so recounted at most
    once an hour (and at once when the catalog changes, so names are never stale)."""
    hour = timezone.now().strftime("%Y%m%d%H")
    return catalog_cached(
        request,
        "most-used",
        lambda: list(selectors.service_items_most_used()),
        hour,
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
    """The full guide, with the modes explained for the village the resident picks.

    The content is a cached fragment keyed by the item and the village picked (an
    unknown code is one key: the page says to pick from the list, with a 400), so
    the guide is loaded only when that fragment is not cached.
    """
    names = catalog_cached(request, "item-names", selectors.service_item_names)
    if code not in names:
        # A retired item's guide is the guide of the item it was merged into.
        merged = catalog_cached(
            request, "retired-items", selectors.retired_item_targets
        )
        if code in merged:
            return redirect("services:detail", code=merged[code], permanent=True)
        raise Http404
    village_codes = catalog_cached(
        request, "village-codes", selectors.village_codes_in_order
    )
    picked = request.GET.get("village", "")
    bad_pick = bool(picked) and picked not in village_codes

    @functools.cache
    def page() -> dict:
        guide = selectors.service_guide_get(code=code)
        if guide is None:  # unpublished since the names were cached: impossible
            raise Http404
        form = GuideVillageForm(request.GET or None, villages=guide.villages)
        village = form.picked() if form.is_valid() else None
        return {
            "item": guide.item,
            "form": form,
            "village": village,
            "who_handles": guide_rules.who_handles(guide.item, guide.town),
            "mode_sentences": guide_rules.mode_sentences(guide.item, village=village),
            "apply_online": guide_rules.accepts_online_application(guide.item),
            "village_matters": guide_rules.depends_on_village(guide.item),
            "in_person": guide_rules.in_person_sentence(guide.item),
            "trip_days": guide_rules.villages_trip_days(guide.item, guide.villages),
        }

    context = {
        name: SimpleLazyObject(lambda name=name: page()[name])
        for name in (
            "item",
            "form",
            "village",
            "who_handles",
            "mode_sentences",
            "apply_online",
            "village_matters",
            "in_person",
            "trip_days",
        )
    }
    context.update(
        code=code,
        item_name=names[code],
        village_key="?" if bad_pick else picked,
    )
    return render(
        request, "services/detail.html", context, status=400 if bad_pick else 200
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
    context = {
        "village": village,
        "page": page,
        "trip_days": guide_rules.village_trip_days(village),
        "grids": village_grids_get(village=village),
        "town": town_get(),
    }
    return render(request, "villages/detail.html", context)


def attachment_download(request: HttpRequest, pk: int) -> FileResponse:
    """A request's material, only for the people who act on that request (the
    applicant also by the proof a tracking lookup left in this session).

    Uploaded files are never served from MEDIA_URL: they hold ID cards and the like.
    The file is named as the resident named it (``Attachment.download_name``).
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
    if access.staff_roles_towards(request.user, attachment.request):
        # Staff opening a resident's file is a read of personal data; the applicant
        # opening their own is not recorded.
        access_record(
            by=request.user,
            kind=AccessRecord.Kind.DOWNLOAD,
            subject=attachment.request.tracking_number,
            detail=f"attachment {attachment.pk}",
        )
    return FileResponse(
        stored,
        content_type=attachment.content_type,
        as_attachment=True,
        filename=attachment.download_name,
    )
