import uuid
from typing import Any

from django import forms
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _

from huagang.exceptions import Conflict, InvalidInput
from huagang.forms import add_input_errors
from huagang.privacy import NOTICE_VERSION
from villages.models import User, Village
from villages.validators import ascii_digits

from ..access import SessionSubmissions
from ..actions import service_request_problems, service_request_submit
from ..actions.submission import id_number_required
from ..models import (
    Body,
    Category,
    Channel,
    HandlingMode,
    Level,
    Material,
    Rating,
    ServiceItem,
    ServiceRequest,
    VisitTime,
)
from ..wording import Reader, applicant_field_errors


class CatalogFilterForm(forms.Form):
    """The catalog's search box and filters (all optional, read from the query string)."""

    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=50,
        error_messages={
            "max_length": _(
                "The search cannot be longer than %(limit_value)d characters."
            )
        },
    )
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
        error_messages={"invalid_choice": _("There is no such handling mode.")},
    )
    level = forms.ChoiceField(
        label=_("Accepted at"),
        choices=[("", _("All levels")), *Level.choices],
        required=False,
        error_messages={"invalid_choice": _("There is no such level.")},
    )

    def filters(self) -> dict:
        """The filters given, for ``selectors.service_items_search`` (none when the
        form is unbound). Call after ``is_valid()``."""
        if not self.is_bound:
            return {}
        return {name: value for name, value in self.cleaned_data.items() if value}


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
        error_messages={
            "required": _("Enter the tracking number."),
            "max_length": _(
                "The tracking number cannot be longer than %(limit_value)d characters."
            ),
        },
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
        error_messages={
            "required": _("Enter the last four digits of your mobile number."),
            "max_length": _("Enter exactly four digits."),
        },
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


MODE_EXPLANATIONS = {
    HandlingMode.INSTANT: _(
        "Come to the sub-center with your materials: done at the window, the same day."
    ),
    HandlingMode.AGENCY: _(
        "Your village's clerk takes your papers to the town on the village's trip days; "
        "you collect the result in your village."
    ),
    HandlingMode.HOME: _(
        "For elderly, ill or disabled residents: staff come to your home on a day you "
        "choose."
    ),
}
WEEKDAYS = [
    (1, _("Monday")),
    (2, _("Tuesday")),
    (3, _("Wednesday")),
    (4, _("Thursday")),
    (5, _("Friday")),
    (6, _("Saturday")),
    (7, _("Sunday")),
]
# What the file pickers offer; the server checks the content whatever the name says.
ACCEPTED_FILES = ".pdf,.jpg,.jpeg,.png,.gif,.webp,application/pdf,image/*"
# The resident applying reads the form's errors: they speak to them (您).
_APPLICANT_READS = applicant_field_errors(Reader.APPLICANT)


class FilesChosenAgain:
    """For a form with one file field per material (``material_rows()``: the
    material, its field, the file chosen for it or None) shown again with errors."""

    def files_to_choose_again(self) -> list[Any]:
        """The materials whose file was fine but must be chosen again (a browser
        cannot keep a chosen file). A refused file is not among them: its own error,
        at its field, already says to choose another."""
        return [
            m
            for m, field, chosen in self.material_rows()
            if chosen and not field.errors
        ]


class ApplyForm(FilesChosenAgain, forms.Form):
    """A resident's online application for one item (``services:apply``).

    The fields carry what the page sends; ``submit`` hands it to
    ``service_request_submit``, which checks every rule and reports each problem at
    its field. One file field per material of the item, named ``material_<id>``.
    """

    applicant_name = forms.CharField(
        label=_("Name"),
        max_length=50,
        error_messages=_APPLICANT_READS["applicant_name"],
    )
    applicant_phone = forms.CharField(
        label=_("Mobile number"),
        max_length=20,
        error_messages=_APPLICANT_READS["applicant_phone"],
        help_text=_("We send updates on your request to this number by SMS."),
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )
    applicant_id_number = forms.CharField(
        label=_("ID number"),
        max_length=30,
        required=False,
        error_messages={
            "max_length": _(
                "An ID number has 18 characters: 17 digits and a final digit or X."
            )
        },
    )
    village = forms.ModelChoiceField(
        label=_("Village or community"),
        queryset=Village.objects.order_by("code"),
        to_field_name="code",
        empty_label=_("Choose your village or community"),
        error_messages={
            "required": _("Choose the village or community where you live."),
            "invalid_choice": _("This is not a village or community of Huagang town."),
        },
        help_text=_("Its service sub-center handles your request."),
    )
    applicant_address = forms.CharField(
        label=_("Address or village group"),
        max_length=200,
        required=False,
        error_messages={
            "max_length": _(
                "The address cannot be longer than %(limit_value)d characters."
            )
        },
        widget=forms.TextInput(attrs={"autocomplete": "street-address"}),
    )
    mode = forms.ChoiceField(
        label=_("How it is handled"),
        widget=forms.RadioSelect,
        error_messages={
            "invalid_choice": _("This item cannot be handled in the chosen way."),
            "required": _("Choose how your request is handled."),
        },
    )
    visit_weekdays = forms.TypedMultipleChoiceField(
        label=_("Days you are at home"),
        choices=WEEKDAYS,
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    visit_time = forms.ChoiceField(
        label=_("Time of day"),
        choices=VisitTime.choices,
        required=False,
        widget=forms.RadioSelect,
    )
    description = forms.CharField(
        label=_("What do you need?"),
        max_length=1000,
        required=False,
        error_messages={
            "max_length": _(
                "The description cannot be longer than %(limit_value)d characters."
            )
        },
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "Anything the clerk should know, e.g. why the old card is replaced."
        ),
    )
    consent = forms.BooleanField(
        label=_("Consent to the use of your data"), required=False
    )
    # The notice version this page showed (the action records and checks it), and a
    # new one-time key each time the empty form is shown (a double post finds the
    # first request; see service_request_submit).
    privacy_notice = forms.CharField(widget=forms.HiddenInput, required=False)
    form_key = forms.UUIDField(
        widget=forms.HiddenInput,
        initial=uuid.uuid4,
        error_messages={"invalid": _("This form is damaged; open it again.")},
    )

    # The fields service_request_submit takes as they are (it normalizes and checks).
    PASSED_AS_TYPED = (
        "village",
        "mode",
        "applicant_name",
        "applicant_phone",
        "applicant_id_number",
        "applicant_address",
        "description",
        "visit_weekdays",
        "visit_time",
    )

    def __init__(
        self,
        *args,
        item: ServiceItem,
        account: User | None,
        village: str = "",
        sent_from: SessionSubmissions | None = None,
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        self.item, self.account, self.sent_from = item, account, sent_from
        # A village picked on the guide (``?village=<code>``): preselected if it is one.
        villages = self.fields["village"].queryset
        if village and not self.is_bound and villages.filter(code=village).exists():
            self.fields["village"].initial = village
        self.fields["mode"].choices = [(mode.value, mode.label) for mode in item.modes]
        self.offers_home_visit = HandlingMode.HOME in item.modes
        if len(item.modes) == 1:
            self.fields["mode"].initial = item.modes[0].value
        self.fields["privacy_notice"].initial = NOTICE_VERSION
        self.id_required = id_number_required(item)
        if self.id_required:
            self.fields["applicant_id_number"].help_text = _(
                "Required for this item: it asks for your ID card."
            )
        if account is not None:
            self.fields["applicant_name"].initial = account.name
            self.fields["applicant_phone"].initial = account.phone
        self.max_upload_mb = settings.HUAGANG_MAX_UPLOAD_BYTES // (1024 * 1024)
        self.materials = list(item.materials.all())
        for material in self.materials:
            self.fields[self.material_field(material)] = forms.FileField(
                label=material.name,
                required=False,
                widget=forms.ClearableFileInput(attrs={"accept": ACCEPTED_FILES}),
            )

    @staticmethod
    def material_field(material: Material) -> str:
        return f"material_{material.pk}"

    def mode_options(self) -> list[tuple[forms.BoundField, str]]:
        """Each mode's radio button with its one-line explanation."""
        return [
            (radio, MODE_EXPLANATIONS[HandlingMode(radio.data["value"])])
            for radio in self["mode"]
        ]

    def material_rows(self) -> list[tuple[Material, forms.BoundField, Any]]:
        """(material, its file field, the file chosen for it or None): a page shown
        again with errors names each file to choose again, as a browser cannot keep
        one."""
        return [
            (m, self[self.material_field(m)], self.files.get(self.material_field(m)))
            for m in self.materials
        ]

    def _uploads(self) -> list[tuple[UploadedFile, int]]:
        data = self.cleaned_data
        return [
            (data[self.material_field(m)], m.pk)
            for m in self.materials
            if data.get(self.material_field(m))
        ]

    def _consent_version(self) -> str:
        data = self.cleaned_data
        return data.get("privacy_notice", "") if data.get("consent") else ""

    def clean(self) -> dict[str, Any]:
        """When a field of the form itself is wrong (no village chosen, say), the
        action's rules are still checked, with what could be read: every error is
        shown on the first submit, and every chosen file is checked."""
        cleaned = super().clean()
        if self._errors:
            self._add_the_actions_problems()
        return cleaned

    def _add_the_actions_problems(self) -> None:
        unread = set(self._errors)
        empty = {"visit_weekdays": []}
        values = {
            name: empty.get(name, "") if name in unread else self.cleaned_data[name]
            for name in self.PASSED_AS_TYPED
            if name not in ("applicant_address", "description")
        }
        problems = service_request_problems(
            **values,
            item=self.item,
            channel=Channel.ONLINE,
            uploads=self._uploads(),
            consent_version=self._consent_version(),
        )
        for field, messages in problems.items():
            if field in unread:
                continue  # the field's own error says it already
            target = field if field in self.fields else None
            for message in messages:
                self.add_error(target, message)

    def submit(self) -> ServiceRequest | None:
        """Submit a valid form; the request, or None with the errors at the fields."""
        data = self.cleaned_data
        try:
            return service_request_submit(
                **{name: data[name] for name in self.PASSED_AS_TYPED},
                item=self.item,
                channel=Channel.ONLINE,
                account=self.account,
                uploads=self._uploads(),
                submission_key=data["form_key"],
                consent_version=self._consent_version(),
                sent_from=self.sent_from,
            )
        except InvalidInput as exc:
            add_input_errors(self, exc)
        except Conflict as exc:
            self.add_error(None, exc.message)
            self.status_code = exc.status_code
        return None

    status_code = 400  # the answer when the form is shown again with errors


class WithdrawForm(forms.Form):
    """The confirmation step of a withdrawal; `version` is the request as the resident
    saw it (a change since then is a conflict, not a silent withdrawal)."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    reason = forms.CharField(
        label=_("Reason (optional)"),
        required=False,
        max_length=200,
        error_messages={
            "max_length": _(
                "The reason cannot be longer than %(limit_value)d characters."
            )
        },
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class RatingForm(forms.Form):
    """好差评: five levels and an optional comment."""

    level = forms.TypedChoiceField(
        label=_("How satisfied are you with the service?"),
        choices=Rating.Level.choices,
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose one of the five ratings."),
            "invalid_choice": _("Choose one of the five ratings."),
        },
    )
    comment = forms.CharField(
        label=_("Comment (optional)"),
        required=False,
        max_length=500,
        error_messages={
            "max_length": _(
                "The comment cannot be longer than %(limit_value)d characters."
            )
        },
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class GuideVillageForm(forms.Form):
    """The guide page's village picker (``?village=<division code>``, no JavaScript).

    Its choices are the villages the page has already loaded, so checking a code costs
    no query.
    """

    village = forms.ChoiceField(
        label=_("Your village or community"),
        required=False,
        error_messages={
            "invalid_choice": _("Pick your village or community from the list.")
        },
    )

    def __init__(self, *args, villages: list[Village], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._villages = {village.code: village for village in villages}
        self.fields["village"].choices = [
            ("", _("Choose…")),
            *((village.code, village.name) for village in villages),
        ]

    def picked(self) -> Village | None:
        """The village picked, once the form is valid; None when none is."""
        return self._villages.get(self.cleaned_data.get("village") or "")


class EventTrackLookupForm(TrackLookupForm):
    """A life event's number (HGE…, on its receipt) and the phone's last four digits."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["number"].label = _("Life event number")
        self.fields["number"].help_text = _(
            "On the life event's receipt or in the text message, e.g. HGE260310000123 "
            "(a single request's number, starting with HG, is taken to its own "
            "tracker)."
        )
