"""The admin's one way of writing: a form whose clean() calls an action.

A ModelAdmin using ``ActionFormAdmin`` never saves a model itself. Its add and change
forms are ``services.admin.forms.ActionForm`` subclasses: they run the action in
``clean()`` (so a domain error becomes a form error and nothing is saved) and set
``form.instance`` to what the action returned.
"""

from django import forms
from django.contrib import admin


class ActionFormAdmin(admin.ModelAdmin):
    add_action_form: type[forms.ModelForm] | None = None
    change_action_form: type[forms.ModelForm] | None = None

    def _action_form(self, obj) -> type[forms.ModelForm]:
        form = self.change_action_form if obj else self.add_action_form
        assert form is not None, "this admin has no form for that view"
        return form

    def get_form(self, request, obj=None, change=False, **kwargs):
        base = self._action_form(obj)
        kwargs["form"] = type(base.__name__, (base,), {"user": request.user})
        kwargs["fields"] = list(base.base_fields)
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fields(self, request, obj=None):
        fields = list(self._action_form(obj).base_fields)
        return fields + list(self.get_readonly_fields(request, obj))

    def get_readonly_fields(self, request, obj=None):
        return self.readonly_fields if obj else []

    def has_add_permission(self, request):
        return self.add_action_form is not None and super().has_add_permission(request)

    def has_delete_permission(self, request, obj=None):
        return False

    def save_form(self, request, form, change):
        return form.instance

    def save_model(self, request, obj, form, change):
        """Saved by the action in the form's clean()."""

    def save_related(self, request, form, formsets, change):
        """Inlines are read-only: saving them changes nothing but fills in what the
        change message reads. Action forms carry no many-to-many data."""
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)
