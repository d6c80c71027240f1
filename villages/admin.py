from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.utils import unquote
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.db import transaction
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from .actions import (
    api_token_create,
    api_token_revoke,
    user_password_set_record,
    user_role_change_record,
    user_set_role,
)
from .choices import Role
from .models import (
    AccessRecord,
    ApiToken,
    Disclosure,
    DisclosureEvent,
    DisclosureFile,
    Grid,
    ServiceWindow,
    SubCenter,
    Town,
    User,
    Village,
    VillageGroup,
    VillageLiaison,
)
from .validators import mask_mobile


def _official_or_superuser(user: User) -> bool:
    """Who reads the record of reads and manages other systems' API keys. (The
    villages app cannot ask ``services.access``, which imports it; this is its
    ``is_official``, with superusers.)"""
    return user.is_active and (
        user.is_superuser or (user.is_staff and user.role == Role.OFFICIAL)
    )


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


class VillageLiaisonInline(admin.TabularInline):
    """分片包联: the town officials assigned to the village."""

    model = VillageLiaison
    fields = ["account", "name", "title", "note", "is_demo"]
    extra = 0


class GridInline(admin.TabularInline):
    model = Grid
    fields = ["number", "name", "worker", "worker_name", "worker_phone", "is_demo"]
    extra = 0


class VillageGroupInline(admin.TabularInline):
    """The village groups, each assigned to one of this village's grids."""

    model = VillageGroup
    fields = ["order", "name", "households", "grid", "is_demo"]
    extra = 0

    def get_formset(self, request, obj=None, **kwargs):
        self._village = obj  # a fresh inline per request (get_inline_instances)
        return super().get_formset(request, obj, **kwargs)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "grid":
            village = getattr(self, "_village", None)
            kwargs["queryset"] = (
                Grid.objects.filter(village=village if village is not None else None)
                .select_related("village")
                .order_by("number")
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(Village)
class VillageAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "kind", "committee_name", "group_count", "order"]
    list_filter = ["kind"]
    search_fields = ["name", "code", "committee_name"]
    ordering = ["order", "code"]
    inlines = [SubCenterInline, VillageLiaisonInline, GridInline, VillageGroupInline]


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

    # Officials hold the most power in the portal: only a superuser makes one, unmakes
    # one, or changes another official's account or password (docs/permissions.md).
    # An official may still see them, and edit their own name.
    def has_change_permission(self, request, obj=None):
        if not super().has_change_permission(request, obj):
            return False
        return not (
            obj is not None
            and obj.role == Role.OFFICIAL
            and obj.pk != request.user.pk
            and not request.user.is_superuser
        )

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        role = form.base_fields.get("role")
        if role is not None and not request.user.is_superuser:
            role.choices = [c for c in role.choices if c[0] != Role.OFFICIAL]
        return form

    def get_readonly_fields(self, request, obj=None):
        fields = self._readonly_fields(request, obj)
        if (
            obj is not None
            and obj.role == Role.OFFICIAL
            and not request.user.is_superuser
        ):
            fields = [*fields, "role", "village", "is_active"]  # their own account
        return fields

    def _readonly_fields(self, request, obj=None):
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
        return _official_or_superuser(request.user)

    def has_module_permission(self, request):
        return self.has_view_permission(request)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class AccountChoiceField(forms.ModelChoiceField):
    """An account as an official tells it from another of the same name: its role,
    the village it serves and its masked mobile number."""

    def label_from_instance(self, obj: User) -> str:
        details = [str(obj.get_role_display())]
        if obj.village_id:
            details.append(obj.village.name)
        details.append(mask_mobile(obj.phone))
        return _("%(name)s (%(details)s)") % {
            "name": obj.name or _("(no name)"),
            "details": " · ".join(details),
        }


class ApiTokenForm(forms.ModelForm):
    class Meta:
        model = ApiToken
        fields = ["name", "account", "expires_at"]

    def clean_expires_at(self):
        expires_at = self.cleaned_data.get("expires_at")
        if expires_at is not None and expires_at <= timezone.now():
            raise forms.ValidationError(_("Choose a moment in the future."))
        return expires_at


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Other systems' API keys: officials (and superusers) make one for a named system
    acting as an account, see the key once, and revoke it; a key is never edited or
    deleted, so what it did stays attributable to it."""

    form = ApiTokenForm
    list_display = [
        "name",
        "account",
        "key_start",
        "created_by",
        "created_at",
        "last_used_at",
        "expires_at",
        "revoked_at",
    ]
    list_filter = [("revoked_at", admin.EmptyFieldListFilter), "created_at"]
    search_fields = ["name", "prefix"]
    list_select_related = ["account", "created_by"]
    readonly_fields = [
        "key_start",
        "created_by",
        "created_at",
        "last_used_at",
        "revoked_at",
    ]
    actions = ["revoke"]

    @admin.display(description=_("key starts with"), ordering="prefix")
    def key_start(self, obj: ApiToken) -> str:
        return f"{obj.prefix}…"

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["name", "account", "expires_at"]
        return ["name", "account", *self.readonly_fields, "expires_at"]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "account":
            # Whom the key acts as: an active account the official may see in the
            # users' admin (a superuser only for a superuser).
            accounts = User.objects.filter(is_active=True)
            if not request.user.is_superuser:
                accounts = accounts.filter(is_superuser=False)
            kwargs["queryset"] = accounts.select_related("village").order_by(
                "role", "village__name", "name", "pk"
            )
            kwargs["form_class"] = AccountChoiceField
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        """Create the key through the action and show it, this once."""
        token, key = api_token_create(
            name=obj.name,
            account=obj.account,
            by=request.user,
            expires_at=obj.expires_at,
        )
        # The form's unsaved instance becomes the created token, for the admin's
        # log entry and redirect.
        obj.pk, obj._state.adding, obj._state.db = token.pk, False, token._state.db
        for name in ("prefix", "key_hash", "created_by", "created_at"):
            setattr(obj, name, getattr(token, name))
        self.message_user(
            request,
            _(
                "The key for %(name)s is: %(key)s — copy it now and give it to "
                "the system's operator. It is shown only this once; the portal "
                "keeps only its first characters."
            )
            % {"name": obj.name, "key": key},
            messages.WARNING,
        )

    @admin.action(description=_("Revoke the selected API keys"), permissions=["change"])
    def revoke(self, request, queryset):
        """After a confirmation page: each selected key that is still live stops
        working at once (``api_token_revoke``)."""
        live = list(queryset.filter(revoked_at__isnull=True).select_related("account"))
        if request.POST.get("post") != "yes":
            context = {
                **self.admin_site.each_context(request),
                "opts": self.model._meta,
                "title": _("Revoke API keys?"),
                "tokens": live,
                "selected": queryset.values_list("pk", flat=True),
                "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            }
            return TemplateResponse(
                request, "admin/villages/apitoken/revoke_confirmation.html", context
            )
        for token in live:
            api_token_revoke(token=token, by=request.user)
        self.message_user(
            request,
            ngettext(
                "%(count)d API key revoked.", "%(count)d API keys revoked.", len(live)
            )
            % {"count": len(live)},
            messages.SUCCESS,
        )
        return None

    def has_module_permission(self, request):
        return _official_or_superuser(request.user)

    def has_view_permission(self, request, obj=None):
        return _official_or_superuser(request.user)

    def has_add_permission(self, request):
        return _official_or_superuser(request.user)

    def has_change_permission(self, request, obj=None):
        # A key is never edited: only the revoke action (on the list) changes one.
        return obj is None and _official_or_superuser(request.user)

    def has_delete_permission(self, request, obj=None):
        return False


# --- village affairs in public: read here, changed on the workbench ---------------------


class DisclosureFileInline(admin.TabularInline):
    model = DisclosureFile
    extra = 0
    fields = ["download_name", "size", "uploaded_at"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


class DisclosureEventInline(admin.TabularInline):
    model = DisclosureEvent
    extra = 0
    fields = ["created_at", "actor", "actor_role", "from_status", "to_status", "note"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Disclosure)
class DisclosureAdmin(admin.ModelAdmin):
    """Officials read every village's disclosures and their history here. Drafting,
    submitting, approving and returning happen on the workbench (/staff/affairs/),
    through the actions that check who may and record each change."""

    list_display = ["title", "village", "category", "year", "period", "status"]
    list_filter = ["status", "category", "period_kind", "year", "village"]
    search_fields = ["title", "village__name"]
    list_select_related = ["village"]
    inlines = [DisclosureFileInline, DisclosureEventInline]

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in Disclosure._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
