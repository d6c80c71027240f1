"""留言咨询 in the admin, for officials: read-only. Questions are answered, published
and withdrawn on the workbench (``/staff/questions/``), through the actions that
record each step; the asker's mobile number is shown masked."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from ..models import Question, QuestionEvent, QuestionPublication
from .requests import ReadOnlyAdmin


class QuestionEventInline(admin.TabularInline):
    model = QuestionEvent
    fields = ["created_at", "kind", "actor", "note"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Question)
class QuestionAdmin(ReadOnlyAdmin):
    list_display = [
        "asked_at",
        "title",
        "kind",
        "village",
        "item",
        "due_date",
        "answered_at",
    ]
    list_filter = ["kind", ("answered_at", admin.EmptyFieldListFilter), "village"]
    list_select_related = ["village", "item"]
    search_fields = ["title"]
    date_hierarchy = "asked_at"
    fields = [
        "kind",
        "item",
        "village",
        "asker_name",
        "masked_phone",
        "account",
        "title",
        "text",
        "asked_at",
        "due_date",
        "answer",
        "answered_at",
        "answered_by",
        "service_request",
    ]
    readonly_fields = fields
    inlines = [QuestionEventInline]

    @admin.display(description=_("mobile number"))
    def masked_phone(self, obj: Question) -> str:
        return obj.masked_phone


@admin.register(QuestionPublication)
class QuestionPublicationAdmin(ReadOnlyAdmin):
    list_display = ["published_at", "title", "kind", "item", "published_by"]
    list_filter = ["kind"]
    list_select_related = ["item", "published_by"]
    search_fields = ["title", "text", "answer"]
    fields = [
        "question",
        "item",
        "kind",
        "title",
        "text",
        "answer",
        "answered_on",
        "published_at",
        "published_by",
    ]
    readonly_fields = fields
