"""The public catalog: services (list and guide), categories, bodies, villages with
their sub-centers. No login; throttled like every endpoint.

Every list has the API's one shape (``{"next", "previous", "results"}``, cursor
pagination). The small fixed lists (categories, bodies, villages) come in one page of
up to 100, so a caller reads them in one request; the services list pages by 20 like
the site's catalog. A service's guide is cached like the guide page
(``services.caching``): until the catalog changes, per item, village and language.
"""

from django.db.models import CharField, Expression, QuerySet, Value
from django.db.models.functions import Cast, Concat, LPad
from django.urls import path
from django.utils import translation
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import generics
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response
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


def _code_parameter(converter: type, description: str) -> OpenApiParameter:
    return OpenApiParameter(
        "code",
        OpenApiTypes.STR,
        OpenApiParameter.PATH,
        description=description,
        pattern=f"^{converter.regex}$",
    )


LIST_ERRORS = errors(400, 404)  # 404: a cursor that is not one of ours


@extend_schema_view(
    get=extend_schema(
        tags=TAGS,
        summary="Services (the catalog), searched and filtered",
        responses={200: ServiceItemSerializer(many=True), **LIST_ERRORS},
    )
)
class ServiceList(generics.ListAPIView):
    serializer_class = ServiceItemSerializer
    filterset_class = ServiceItemFilter
    pagination_class = ServiceItemPagination

    def get_queryset(self) -> QuerySet:
        return selectors.service_items_published()


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
    def get(self, request: Request, code: str) -> Response:
        page = request._request  # the catalog version is read once per request
        names = catalog_cached(page, "item-names", selectors.service_item_names)
        if code not in names:
            raise NotFound
        picked = request.query_params.get("village", "")
        if picked and picked not in catalog_cached(
            page, "village-codes", selectors.village_codes_in_order
        ):
            raise InvalidInput({"village": [_("There is no such village.")]})
        language = translation.get_language()
        data = catalog_cached(
            page,
            "api-service-guide",
            lambda: _guide_data(code, picked),
            code,
            picked,
            language,
        )
        return Response(data)


def _guide_data(code: str, village_code: str) -> dict:
    guide = selectors.service_guide_get(code=code)
    if guide is None:  # unpublished since the names were cached
        raise NotFound
    village = next((v for v in guide.villages if v.code == village_code), None)
    context = {"town": guide.town, "village": village}
    return ServiceDetailSerializer(guide.item, context=context).data


@extend_schema_view(
    get=extend_schema(
        tags=TAGS,
        summary="Categories, each with its number of published services",
        responses={200: CategorySerializer(many=True), **LIST_ERRORS},
    )
)
class CategoryList(generics.ListAPIView):
    serializer_class = CategorySerializer
    pagination_class = WholeListPagination
    filter_backends: list = []

    def get_queryset(self) -> QuerySet:
        return selectors.categories_counted()


@extend_schema_view(
    get=extend_schema(
        tags=TAGS,
        summary="The town's bodies (一中心、两办、七局)",
        responses={200: BodySerializer(many=True), **LIST_ERRORS},
    )
)
class BodyList(generics.ListAPIView):
    serializer_class = BodySerializer
    pagination_class = WholeListPagination
    filter_backends: list = []

    def get_queryset(self) -> QuerySet:
        return selectors.bodies_counted()


@extend_schema_view(
    get=extend_schema(
        tags=TAGS,
        summary="The 30 villages and communities with their sub-centers",
        responses={200: VillageSerializer(many=True), **LIST_ERRORS},
    )
)
class VillageList(generics.ListAPIView):
    serializer_class = VillageSerializer
    pagination_class = WholeListPagination
    filter_backends: list = []

    def get_queryset(self) -> QuerySet:
        return villages_directory()


class VillageDetail(APIView):
    @extend_schema(
        tags=TAGS,
        summary="A village or community with its sub-center",
        parameters=[
            _code_parameter(DivisionCodeConverter, "The 12-digit division code.")
        ],
        responses={200: VillageSerializer, **errors(400, 404)},
    )
    def get(self, request: Request, code: str) -> Response:
        village = villages_directory().filter(code=code).first()
        if village is None:
            raise NotFound
        return Response(VillageSerializer(village).data)


urlpatterns = [
    path("services/", ServiceList.as_view(), name="services"),
    path("services/<item_code:code>/", ServiceDetail.as_view(), name="service"),
    path("categories/", CategoryList.as_view(), name="categories"),
    path("bodies/", BodyList.as_view(), name="bodies"),
    path("villages/", VillageList.as_view(), name="villages"),
    path("villages/<division_code:code>/", VillageDetail.as_view(), name="village"),
]
