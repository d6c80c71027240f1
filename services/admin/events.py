"""Life events and material kinds in the admin (officials edit them; the same checks
as the loader are reported when an event is saved)."""

from django.contrib import admin, messages
from django.utils.translation import gettext as _

from .. import life_events
from ..models import LifeEvent, LifeEventItem, LifeEventQuestion, MaterialKind
from ..selectors.events import questions_of


class LifeEventQuestionInline(admin.TabularInline):
    model = LifeEventQuestion
    extra = 0
    fields = ["order", "key", "text", "kind", "options"]


class LifeEventItemInline(admin.TabularInline):
    model = LifeEventItem
    extra = 0
    fields = ["order", "item", "when"]
    autocomplete_fields = ["item"]


@admin.register(LifeEvent)
class LifeEventAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "key_matter", "is_active", "order"]
    list_filter = ["key_matter", "is_active"]
    search_fields = ["name", "code"]
    inlines = [LifeEventQuestionInline, LifeEventItemInline]

    def save_related(self, request, form, formsets, change) -> None:
        super().save_related(request, form, formsets, change)
        event = form.instance
        problems = life_events.event_problems(
            questions_of(event),
            [(entry.item.code, entry.when) for entry in event.items.all()],
        )
        for where, code in problems:
            messages.warning(
                request,
                _("%(where)s: %(problem)s — residents cannot be guided correctly.")
                % {"where": where, "problem": life_events.PROBLEMS[code]},
            )


@admin.register(MaterialKind)
class MaterialKindAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "order"]
    search_fields = ["name", "code"]
