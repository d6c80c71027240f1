from django import forms
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _

from villages.validators import ascii_digits

from .models import Body, Category, HandlingMode, Level, ServiceRequest


class CatalogFilterForm(forms.Form):
    """The catalog's search box and filters (all optional, read from the query string)."""

    q = forms.CharField(label=_("Search"), required=False, max_length=50)
    category = forms.ModelChoiceField(
        label=_("Category"),
        queryset=Category.objects.order_by("order"),
        to_field_name="code",
        required=False,
        empty_label=_("All categories"),
        error_messages={"invalid_choice": _("There is no such category.")},
    )
    body = forms.ModelChoiceField(
        label=_("Responsible body"),
        queryset=Body.objects.order_by("order"),
        to_field_name="code",
        required=False,
        empty_label=_("All bodies"),
        error_messages={"invalid_choice": _("There is no such body.")},
    )
    mode = forms.ChoiceField(
        label=_("Handling mode"),
        choices=[("", _("All modes")), *HandlingMode.choices],
        required=False,
    )
    level = forms.ChoiceField(
        label=_("Accepted at"),
        choices=[("", _("All levels")), *Level.choices],
        required=False,
    )


class UnechoedTextInput(forms.TextInput):
    """A text box that never puts a submitted value back into the page (like a
    password box, but the resident sees the digits they type)."""

    def get_context(self, name, value, attrs):
        return super().get_context(name, None, attrs)


class TrackLookupForm(forms.Form):
    """A tracking number and the last four digits of the applicant's mobile."""

    number = forms.CharField(
        label=_("Tracking number"),
        max_length=30,
        help_text=_("On your receipt or in the text message, e.g. HG260310000123."),
        widget=forms.TextInput(
            attrs={
                "autocomplete": "off",
                "autocapitalize": "characters",
                "aria-describedby": "id_number-help",
            }
        ),
    )
    phone_last4 = forms.CharField(
        label=_("Last four digits of your mobile number"),
        max_length=8,
        help_text=_("The mobile number given when you applied."),
        # Never sent back into the page: the digits are the secret half of the lookup.
        widget=UnechoedTextInput(
            attrs={
                "inputmode": "numeric",
                "autocomplete": "off",
                "size": 6,
                "aria-describedby": "id_phone_last4-help",
            }
        ),
    )

    def clean_phone_last4(self) -> str:
        digits = ascii_digits(self.cleaned_data["phone_last4"].strip())
        if digits is None or len(digits) != 4:
            raise forms.ValidationError(_("Enter exactly four digits."))
        return digits


class SupplementUploadForm(forms.Form):
    """One file field per material of the request's item, and one for anything else.

    ``uploads()`` is what ``actions.attachments_add`` takes; `action` is the address
    the form posts to (the page that shows it decides).
    """

    OTHER = "other"

    def __init__(self, *args, service_request: ServiceRequest, action: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.action = action
        self.max_mb = settings.HUAGANG_MAX_UPLOAD_BYTES // (1024 * 1024)
        self.materials = {}
        for material in service_request.item.materials.all():
            name = f"material_{material.pk}"
            self.materials[name] = material.pk
            self.fields[name] = forms.FileField(
                label=material.name, required=False, widget=_FILE_WIDGET
            )
        self.fields[self.OTHER] = forms.FileField(
            label=_("Other document"), required=False, widget=_FILE_WIDGET
        )

    def clean(self):
        cleaned = super().clean()
        if not any(cleaned.get(name) for name in self.fields):
            raise forms.ValidationError(_("Choose at least one file to upload."))
        return cleaned

    def uploads(self) -> dict[str, tuple[int | None, UploadedFile]]:
        return {
            name: (self.materials.get(name), upload)
            for name in self.fields
            if (upload := self.cleaned_data.get(name))
        }


_FILE_WIDGET = forms.FileInput(
    attrs={"accept": "application/pdf,image/jpeg,image/png,image/gif,image/webp"}
)
