from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from .actions import user_set_role
from .models import ServiceWindow, SubCenter, Town, User, Village


@admin.register(Town)
class TownAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "code",
        "county",
        "area_km2",
        "population",
        "village_group_count",
    ]


class SubCenterForm(forms.ModelForm):
    class Meta:
        model = SubCenter
        fields = [
            "village",
            "name",
            "address",
            "phone",
            "hours",
            "windows",
            "trip_weekdays",
            "is_demo",
        ]

    def clean_trip_weekdays(self):
        """JSON ``null`` means no trip days (the column holds a list, never NULL)."""
        value = self.cleaned_data.get("trip_weekdays")
        return [] if value is None else value


class SubCenterInline(admin.StackedInline):
    model = SubCenter
    form = SubCenterForm
    filter_horizontal = ["windows"]
    extra = 0


@admin.register(Village)
class VillageAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "kind", "committee_name", "group_count", "order"]
    list_filter = ["kind"]
    search_fields = ["name", "code", "committee_name"]
    ordering = ["order", "code"]
    inlines = [SubCenterInline]


@admin.register(SubCenter)
class SubCenterAdmin(admin.ModelAdmin):
    form = SubCenterForm
    list_display = ["name", "village", "phone", "hours", "is_demo"]
    list_filter = ["is_demo", "windows", "village__kind"]
    search_fields = ["name", "village__name", "address"]
    filter_horizontal = ["windows"]
    list_select_related = ["village"]


@admin.register(ServiceWindow)
class ServiceWindowAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "order"]
    search_fields = ["name", "code"]


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ["masked_phone", "name", "role", "village", "is_active", "is_staff"]
    list_filter = ["role", "is_active", "is_staff", "village"]
    search_fields = ["phone", "name"]
    ordering = ["role", "phone"]
    list_select_related = ["village"]
    fieldsets = [
        (None, {"fields": ["phone", "password"]}),
        (_("Person"), {"fields": ["name", "role", "village"]}),
        (
            _("Permissions"),
            {
                "fields": [
                    "is_active",
                    "is_staff",
                    "is_superuser",
                    "groups",
                    "user_permissions",
                ]
            },
        ),
        (
            _("Important dates"),
            {"fields": ["last_login", "date_joined", "phone_verified_at"]},
        ),
    ]
    add_fieldsets = [
        (
            None,
            {
                "classes": ["wide"],
                "fields": [
                    "phone",
                    "name",
                    "role",
                    "village",
                    "password1",
                    "password2",
                ],
            },
        ),
    ]

    @admin.display(description=_("mobile number"), ordering="phone")
    def masked_phone(self, obj: User) -> str:
        return obj.masked_phone

    # Officials manage people's roles; only superusers touch permissions directly.
    PRIVILEGED = ["is_superuser", "is_staff", "groups", "user_permissions"]

    def get_queryset(self, request):
        users = super().get_queryset(request)
        return users if request.user.is_superuser else users.filter(is_superuser=False)

    def get_readonly_fields(self, request, obj=None):
        # set only by the person, with a code sent to the number
        fields = [*super().get_readonly_fields(request, obj), "phone_verified_at"]
        if not request.user.is_superuser:
            fields += [*self.PRIVILEGED, "last_login", "date_joined"]
        return fields

    def save_model(self, request, obj, form, change):
        """Save, then let the role decide the group and admin access."""
        super().save_model(request, obj, form, change)
        user_set_role(user=obj, role=obj.role, village=obj.village)
