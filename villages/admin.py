from django import forms
from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from .actions import user_password_set_record, user_role_change_record, user_set_role
from .choices import Role
from .models import AccessRecord, ServiceWindow, SubCenter, Town, User, Village


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
        """Save, then let the role decide the group and admin access; a changed role
        or village is recorded and the person told (``user_role_change_record``)."""
        before = None
        if change:
            before = User.objects.filter(pk=obj.pk).values("role", "village_id").get()
        super().save_model(request, obj, form, change)
        user_set_role(user=obj, role=obj.role, village=obj.village)
        if before is not None:
            user_role_change_record(
                user=obj,
                by=request.user,
                before_role=before["role"],
                before_village_id=before["village_id"],
            )

    def user_change_password(self, request, id, form_url=""):
        """Django's page; a password it set is recorded and the person told."""
        with transaction.atomic():
            user = self.get_object(request, unquote(id))
            before = user.password if user is not None else None
            response = super().user_change_password(request, id, form_url)
            if request.method == "POST" and user is not None:
                user.refresh_from_db(fields=["password"])
                if user.password != before:
                    user_password_set_record(user=user, by=request.user)
        return response


@admin.register(AccessRecord)
class AccessRecordAdmin(admin.ModelAdmin):
    """The record of reads: officials read it; nobody adds, changes or deletes a
    record here, superusers included (the model refuses it too)."""

    list_display = ["created_at", "actor", "actor_role", "kind", "subject", "detail"]
    list_filter = ["kind", "actor_role", "created_at"]
    search_fields = ["subject", "actor__name"]
    list_select_related = ["actor"]
    fields = list_display
    readonly_fields = list_display
    list_per_page = 50
    show_full_result_count = False
    show_facets = admin.ShowFacets.NEVER  # counts over a table that only grows

    def has_view_permission(self, request, obj=None):
        user = request.user
        return user.is_active and (
            user.is_superuser or (user.is_staff and user.role == Role.OFFICIAL)
        )

    def has_module_permission(self, request):
        return self.has_view_permission(request)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
