from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from ..models import (
    Body,
    Category,
    HandlingMode,
    Material,
    SearchSynonym,
    ServiceItem,
)

admin.site.site_header = _("Huagang public-service portal — administration")
admin.site.site_title = _("Huagang portal admin")
admin.site.index_title = _("Administration")


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "prefix", "order"]
    search_fields = ["name", "code"]


@admin.register(Body)
class BodyAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "kind", "is_demo", "order"]
    list_filter = ["kind", "is_demo"]
    search_fields = ["name", "code"]
    filter_horizontal = ["clerks"]


class MaterialInline(admin.TabularInline):
    model = Material
    extra = 0
    fields = [
        "order",
        "name",
        "required",
        "copies",
        "original",
        "source",
        "check_points",
    ]


class ModeFilter(admin.SimpleListFilter):
    title = _("handling mode")
    parameter_name = "mode"

    def lookups(self, request, model_admin):
        return HandlingMode.choices

    def queryset(self, request, queryset):
        if self.value() in {"instant", "agency", "home"}:
            return queryset.filter(**{f"allows_{self.value()}": True})
        return queryset


@admin.register(ServiceItem)
class ServiceItemAdmin(admin.ModelAdmin):
    list_display = [
        "code",
        "name",
        "category",
        "body",
        "promised_days",
        "source",
        "is_active",
    ]
    list_filter = [
        ModeFilter,
        "category",
        "body",
        "source",
        "item_type",
        "accept_level",
        "decide_level",
        "online",
        "is_active",
    ]
    search_fields = ["code", "name", "keywords"]
    list_select_related = ["category", "body"]
    inlines = [MaterialInline]
    readonly_fields = ["updated_at"]
    raw_id_fields = ["retired_into"]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "code",
                    "name",
                    "category",
                    "body",
                    "item_type",
                    "keywords",
                    "is_active",
                    "retired_into",
                ]
            },
        ),
        (
            _("Where and how"),
            {
                "fields": [
                    "accept_level",
                    "decide_level",
                    "decided_by",
                    "level_note",
                    "for_persons",
                    "for_organizations",
                    "allows_instant",
                    "allows_agency",
                    "allows_home",
                    "in_person",
                    "place",
                    "hours",
                    "inquiry_phone",
                    "complaint_phone",
                    "contact_is_demo",
                    "visits",
                    "online",
                    "delivery",
                ]
            },
        ),
        (
            _("Guide"),
            {
                "fields": [
                    "conditions",
                    "legal_basis",
                    "steps",
                    "promised_days",
                    "statutory_days",
                    "statutory_note",
                    "fee",
                    "no_materials_note",
                    "faq",
                ]
            },
        ),
        (
            _("Source"),
            {
                "fields": [
                    "source",
                    "source_title",
                    "source_url",
                    "source_note",
                    "corrections",
                    "updated_at",
                ]
            },
        ),
    ]


@admin.register(Material)
class MaterialAdmin(admin.ModelAdmin):
    list_display = ["name", "item", "required", "copies", "original"]
    list_filter = ["required", "original"]
    search_fields = ["name", "item__name", "item__code"]
    list_select_related = ["item"]


@admin.register(SearchSynonym)
class SearchSynonymAdmin(admin.ModelAdmin):
    """Officials teach the catalog search the words residents use (低保 → 最低生活保障)."""

    list_display = ["word", "term", "updated_at"]
    search_fields = ["word", "term"]
    fields = ["word", "term"]
