"""The public catalog: services (list and guide), categories, bodies, villages with
their sub-centers. No login; throttled like every endpoint.

Every list has the API's one shape (``{"next", "previous", "results"}``, cursor
pagination). The small fixed lists (categories, bodies, villages) come in one page of
up to 100, so a caller reads them in one request; the services list pages by 20 like
the site's catalog. Everything here is cached like the catalog pages
(``services.caching``): until the catalog changes, apart for each address and
language; a cached answer costs one query (the catalog version).
"""

from collections.abc import Callable

from django.db.models import CharField, Expression, QuerySet, Value
from django.db.models.functions import Cast, Concat, LPad
from django.http import HttpResponse
from django.urls import path
from django.utils import translation
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import generics
from rest_framework.exceptions import NotFound
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.views import APIView

from huagang.converters import DivisionCodeConverter, ItemCodeConverter
from huagang.exceptions import InvalidInput
from villages.selectors import villages_directory

from ... import selectors
from ...caching import catalog_cached
from ..filters_catalog import ServiceItemFilter
from ..pagination import ApiCursorPagination
from ..schema import errors
from ..serializers.catalog import (
    BodySerializer,
    CategorySerializer,
    ServiceDetailSerializer,
    ServiceItemSerializer,
    VillageSerializer,
)

TAGS = ["catalog"]


def _as_text(number: str | Expression) -> LPad:
    """A small positive integer (an order, a rank) as text that sorts like it."""
    return LPad(Cast(number, CharField()), 5, Value("0"))


class KeyedCursorPagination(ApiCursorPagination):
    """Cursor pages over a catalog list in its own order (its numbers, then the
    unique code), read as one text `position` per row: the cursor holds the last
    row's, so pages are exact both ways however many rows share an order number (a
    cursor on the order number alone cannot go back across such a tie)."""

    ordering = "position"

    def paginate_queryset(self, queryset, request, view=None):
        parts = [*map(_as_text, self.numbers(queryset)), "code"]
        positioned = queryset.annotate(
            position=Concat(*parts, output_field=CharField())
        )
        return super().paginate_queryset(positioned, request, view)

    def numbers(self, queryset: QuerySet) -> list[str]:
        return ["order"]


class WholeListPagination(KeyedCursorPagination):
    """The small fixed lists (categories, bodies, villages) in one page (the cursor is
    there should one grow past 100, or a caller ask for smaller pages)."""

    page_size = 100


class ServiceItemPagination(KeyedCursorPagination):
    """The catalog page's order: by category, then code; with a search, the best
    matches first (``selectors.service_items_search``'s ``name_rank``)."""

    def numbers(self, queryset: QuerySet) -> list[str]:
        if "name_rank" in queryset.query.annotations:
            return ["name_rank", "category__order"]
        return ["category__order"]


def _cached_json(
    request: Request, name: str, compute: Callable[[], dict], *vary_on: object
) -> HttpResponse:
    """`compute()` as the JSON sent, cached until the catalog changes, apart for
    each `vary_on` and the language: a cached answer costs the catalog version's
    query and no serializing or rendering at all."""
    content = catalog_cached(
        request._request,
        name,
        lambda: JSONRenderer().render(compute()),
        *vary_on,
        translation.get_language(),
    )
    return HttpResponse(content, content_type="application/json")


def _code_parameter(converter: type, description: str) -> OpenApiParameter:
    return OpenApiParameter(
        "code",
        OpenApiTypes.STR,
        OpenApiParameter.PATH,
        description=description,
        pattern=f"^{converter.regex}$",
    )


LIST_ERRORS = errors(400)  # 400: a bad filter, cursor or page size


# A list cached like the catalog page: until the catalog changes, apart for each
# address (filters, cursor, page size: the links in it are absolute) and language.
# Bad input is never cached (it raises). (A comment: the schema would show a
# docstring as each list's description.)
class CatalogList(generics.ListAPIView):
    def list(self, request: Request, *args, **kwargs) -> HttpResponse:
        def page() -> dict:
            return super(CatalogList, self).list(request, *args, **kwargs).data

        return _cached_json(request, "api-list", page, request.build_absolute_uri())


@extend_schema_view(
    get=extend_schema(
        tags=TAGS,
        summary="Services (the catalog), searched and filtered",
        responses={200: ServiceItemSerializer(many=True), **LIST_ERRORS},
    )
)
class ServiceList(CatalogList):
    serializer_class = ServiceItemSerializer
    filterset_class = ServiceItemFilter
    pagination_class = ServiceItemPagination

    def get_queryset(self) -> QuerySet:
        return selectors.service_items_published()

    def filter_queryset(self, queryset: QuerySet) -> QuerySet:
        # What a row shows, not the guide's texts and lists.
        return super().filter_queryset(queryset).only(*LIST_FIELDS)


LIST_FIELDS = [
    *("code", "name", "item_type", "accept_level", "promised_days", "online"),
    *("allows_instant", "allows_agency", "allows_home", "source"),
    *("category__code", "category__name", "category__order"),
    *("body__code", "body__name", "body__is_demo"),
]


class ServiceDetail(APIView):
    @extend_schema(
        tags=TAGS,
        summary="A service's full guide",
        parameters=[
            _code_parameter(ItemCodeConverter, "The item code, e.g. HG-SB-001."),
            OpenApiParameter(
                "village",
                OpenApiTypes.STR,
                description="A village's division code: the handling modes are "
                "explained for that village's sub-center (trip days, phone).",
                pattern=f"^{DivisionCodeConverter.regex}$",
            ),
        ],
        responses={200: ServiceDetailSerializer, **errors(400, 404)},
    )
    def get(self, request: Request, code: str) -> HttpResponse:
        page = request._request  # the catalog version is read once per request
        names = catalog_cached(page, "item-names", selectors.service_item_names)
        if code not in names:
            raise NotFound
        picked = request.query_params.get("village", "")
        if picked and picked not in catalog_cached(
            page, "village-codes", selectors.village_codes_in_order
        ):
            raise InvalidInput({"village": [_("There is no such village.")]})
        return _cached_json(
            request,
            "api-service-guide",
            lambda: _guide_data(code, picked),
            code,
            picked,
        )


def _guide_data(code: str, village_code: str) -> dict:
    guide = selectors.service_guide_get(code=code)
    if guide is None:  # unpublished since the names were cached
        raise NotFound
    village = next((v for v in guide.villages if v.code == village_code), None)
    context = {"town": guide.town, "village": village}
    return ServiceDetailSerializer(guide.item, context=context).data


def _whole_list(
    name: str, serializer: type, read: Callable[[], QuerySet], summary: str
) -> type[generics.ListAPIView]:
    """The view of one of the small fixed lists: `read()`'s rows in one page."""
    view = type(
        name,
        (CatalogList,),
        {
            "serializer_class": serializer,
            "pagination_class": WholeListPagination,
            "filter_backends": [],
            "get_queryset": lambda self: read(),
        },
    )
    schema = extend_schema(
        tags=TAGS,
        summary=summary,
        responses={200: serializer(many=True), **LIST_ERRORS},
    )
    return extend_schema_view(get=schema)(view)


CategoryList = _whole_list(
    "CategoryList",
    CategorySerializer,
    selectors.categories_counted,
    "Categories, each with its number of published services",
)
BodyList = _whole_list(
    "BodyList",
    BodySerializer,
    selectors.bodies_counted,
    "The town's bodies (一中心、两办、七局)",
)
VillageList = _whole_list(
    "VillageList",
    VillageSerializer,
    villages_directory,
    "The 30 villages and communities with their sub-centers",
)


class VillageDetail(APIView):
    @extend_schema(
        tags=TAGS,
        summary="A village or community with its sub-center",
        parameters=[
            _code_parameter(DivisionCodeConverter, "The 12-digit division code.")
        ],
        responses={200: VillageSerializer, **errors(400, 404)},
    )
    def get(self, request: Request, code: str) -> HttpResponse:
        codes = catalog_cached(
            request._request, "village-codes", selectors.village_codes_in_order
        )
        if code not in codes:
            raise NotFound
        return _cached_json(
            request,
            "api-village",
            lambda: VillageSerializer(villages_directory().get(code=code)).data,
            code,
        )


urlpatterns = [
    path("services/", ServiceList.as_view(), name="services"),
    path("services/<item_code:code>/", ServiceDetail.as_view(), name="service"),
    path("categories/", CategoryList.as_view(), name="categories"),
    path("bodies/", BodyList.as_view(), name="bodies"),
    path("villages/", VillageList.as_view(), name="villages"),
    path("villages/<division_code:code>/", VillageDetail.as_view(), name="village"),
]
