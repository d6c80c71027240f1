"""Life events and material kinds in the admin (officials edit them).

An event is saved only if the loader would take it: its questions' options fit their
kind, and its items' conditions pass ``life_events.event_problems`` against the
questions as posted beside them (each problem at its item's row, a question no item
uses above the items); otherwise nothing is saved.
"""

from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.forms.models import BaseInlineFormSet
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from .. import life_events
from ..models import LifeEvent, LifeEventItem, LifeEventQuestion, MaterialKind
from ..selectors.events import questions_of


class NamedUniqueFormSet(BaseInlineFormSet):
    """Two rows with the same value name the field as the reader calls it ("服务事项"),
    not by its name in the code ("item")."""

    def get_unique_error_message(self, unique_check) -> str:
        named = [
            str(capfirst(self.model._meta.get_field(name).verbose_name))
            for name in unique_check
            if name != self.fk.name
        ]
        return super().get_unique_error_message(named)


class LifeEventQuestionForm(forms.ModelForm):
    class Meta:
        model = LifeEventQuestion
        fields = ["order", "key", "text", "kind", "options"]

    def clean(self) -> dict[str, Any]:
        """A yes/no question left without options gets yes and no; otherwise the
        options must fit the kind (``life_events.options_problem``)."""
        cleaned = super().clean()
        kind, options = cleaned.get("kind"), cleaned.get("options")
        if kind == LifeEventQuestion.Kind.YES_NO and not options:
            cleaned["options"] = [{"value": v} for v in life_events.YES_NO]
        elif (
            kind
            and "options" not in self.errors
            and (problem := life_events.options_problem(kind, options))
        ):
            self.add_error("options", problem)
        return cleaned


class LifeEventItemForm(forms.ModelForm):
    class Meta:
        model = LifeEventItem
        fields = ["order", "item", "when"]

    def clean_when(self) -> Any:
        when = self.cleaned_data.get("when") or {}
        if not life_events.is_condition(when):
            raise ValidationError(_("must map question keys to lists of answers"))
        return when


class LifeEventItemFormSet(NamedUniqueFormSet):
    """The event's items, checked against the questions posted in the same form
    (`questions`, the sibling formset, set by ``LifeEventAdmin``; without it, the
    event's saved questions): the loader's rules, ``life_events.event_problems``."""

    questions: BaseInlineFormSet | None = None

    def clean(self) -> None:
        super().clean()
        asked = self._asked()
        if asked is None or any(self.errors):
            return  # the rows' own errors, or the questions', are shown first
        rows = [
            form
            for form in self.forms
            if form.cleaned_data and form not in self.deleted_forms
        ]
        problems = life_events.event_problems(
            asked, [(str(n), form.cleaned_data["when"]) for n, form in enumerate(rows)]
        )
        unused = []
        for where, code in problems:
            if code == "unused-question":
                unused.append(
                    _("Question “%(key)s”: %(problem)s.")
                    % {"key": where, "problem": life_events.PROBLEMS[code]}
                )
            else:
                rows[int(where)].add_error("when", str(life_events.PROBLEMS[code]))
        if unused:
            raise ValidationError(unused)

    def _asked(self) -> list[tuple[str, list[str]]] | None:
        """The questions as posted (None while they have errors of their own)."""
        if self.questions is None:
            return questions_of(self.instance) if self.instance.pk else []
        if not self.questions.is_valid():
            return None
        return [
            (
                form.cleaned_data["key"],
                life_events.option_values(form.cleaned_data["options"]),
            )
            for form in self.questions.forms
            if form.cleaned_data and form not in self.questions.deleted_forms
        ]


class LifeEventQuestionInline(admin.TabularInline):
    model = LifeEventQuestion
    form = LifeEventQuestionForm
    formset = NamedUniqueFormSet
    extra = 0
    fields = ["order", "key", "text", "kind", "options"]


class LifeEventItemInline(admin.TabularInline):
    model = LifeEventItem
    form = LifeEventItemForm
    formset = LifeEventItemFormSet
    extra = 0
    fields = ["order", "item", "when"]
    autocomplete_fields = ["item"]


@admin.register(LifeEvent)
class LifeEventAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "key_matter", "is_active", "order"]
    list_filter = ["key_matter", "is_active"]
    search_fields = ["name", "code"]
    inlines = [LifeEventQuestionInline, LifeEventItemInline]

    def _create_formsets(self, request, obj, change):
        # The items are checked against the questions posted beside them, in the
        # items' formset; Django has no hook for a check across two inlines (ticket
        # #12780), so the items' formset is handed its sibling here, before either
        # is validated (the admin validates them all, then saves all or nothing).
        formsets, inlines = super()._create_formsets(request, obj, change)
        questions = next((f for f in formsets if f.model is LifeEventQuestion), None)
        for formset in formsets:
            if isinstance(formset, LifeEventItemFormSet):
                formset.questions = questions
        return formsets, inlines


@admin.register(MaterialKind)
class MaterialKindAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "order"]
    search_fields = ["name", "code"]
