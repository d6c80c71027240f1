"""The register of delegated powers (县级下放事项) in the admin: officials replace the
demo rows with the real letters of delegation and clear "demo data" on each."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from ..models import CountyDepartment, DelegatedPower


class DelegatedPowerInline(admin.TabularInline):
    model = DelegatedPower
    extra = 0
    fields = ["code", "name", "kind", "delegated_on", "is_demo"]
    show_change_link = True


@admin.register(CountyDepartment)
class CountyDepartmentAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "is_demo", "order"]
    list_filter = ["is_demo"]
    search_fields = ["name", "code"]
    inlines = [DelegatedPowerInline]


@admin.register(DelegatedPower)
class DelegatedPowerAdmin(admin.ModelAdmin):
    list_display = ["name", "department", "kind", "delegated_on", "is_demo"]
    list_filter = ["is_demo", "kind", "department"]
    search_fields = ["name", "code", "legal_basis", "items__code", "items__name"]
    list_select_related = ["department"]
    autocomplete_fields = ["items"]
    fieldsets = [
        (None, {"fields": ["code", "department", "name", "kind"]}),
        (
            _("Delegation"),
            {"fields": ["legal_basis", "delegated_on", "town_role", "items"]},
        ),
        (_("Source"), {"fields": ["is_demo", "source_note"]}),
    ]
