"""The workbench's walk-in and phone entry: picking the item, then the request form."""

import uuid
from typing import Any

from django import forms
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _

from huagang.exceptions import DomainError
from huagang.forms import add_input_errors
from huagang.privacy import NOTICE_VERSION
from villages.models import User

from .. import access
from ..actions import service_request_enter, service_request_enter_problems
from ..actions.entry import ENTRY_CHANNELS, entry_channels
from ..actions.submission import id_number_required
from ..models import (
    Channel,
    HandlingMode,
    Material,
    ServiceItem,
    ServiceRequest,
    VisitTime,
)
from ..wording import Reader, applicant_field_errors
from . import WEEKDAYS, FilesChosenAgain

# What a file picker offers: on a phone, the camera (a scan) or a stored file.
ENTRY_FILES = "image/*,application/pdf"
# A clerk reads this form's errors: they speak of the applicant, not to them.
_STAFF_READS = applicant_field_errors(Reader.STAFF)


class ItemPickForm(forms.Form):
    """Step 1: what the clerk types to find the item (read from the query string)."""

    q = forms.CharField(
        label=_("Find the service item"),
        required=False,
        max_length=50,
        error_messages={
            "max_length": _(
                "The search cannot be longer than %(limit_value)d characters."
            )
        },
        help_text=_(
            "Characters of the name, the item code, or pinyin: initials (zdsh) or "
            "syllables (zuidi)."
        ),
        widget=forms.TextInput(
            attrs={
                "type": "search",
                "autocomplete": "off",
                "autocapitalize": "off",
                "spellcheck": "false",
                "aria-describedby": "id_q_helptext",
            }
        ),
    )


class StaffEntryForm(FilesChosenAgain, forms.Form):
    """Step 2: a clerk enters the resident's request for one item.

    Only the item's own modes and the villages the clerk may enter for are offered
    (a village clerk's own village, preset and fixed); the channel is a window or
    the phone. ``submit`` hands everything to ``actions.service_request_enter``,
    which checks every rule and reports each problem at its field. The ``done``
    button (即时即办, for a clerk who may complete it: ``access.may_complete_on_entry``)
    completes the request on the spot in the same step.
    """

    applicant_name = forms.CharField(
        label=_("Applicant's name"),
        max_length=50,
        error_messages=_STAFF_READS["applicant_name"],
    )
    applicant_phone = forms.CharField(
        label=_("Applicant's mobile number"),
        max_length=20,
        error_messages=_STAFF_READS["applicant_phone"],
        help_text=_("Updates on the request go to this number by SMS."),
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
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
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    village = forms.ModelChoiceField(
        label=_("Village or community"),
        queryset=None,
        to_field_name="code",
        empty_label=_("Choose the village or community"),
        error_messages={
            "invalid_choice": _(
                "You can enter requests only for the village you serve."
            ),
            "required": _("Choose the village or community."),
        },
    )
    grid = forms.ModelChoiceField(
        label=_("Grid (网格)"),
        queryset=None,
        required=False,
        empty_label=_("Choose the grid of the household"),
        error_messages={
            "invalid_choice": _("You can enter requests only for the grids you serve.")
        },
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
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    channel = forms.ChoiceField(
        label=_("How the request came in"),
        # the channels' own labels, as the receipt, the lists and the exports say them
        choices=[(channel.value, channel.label) for channel in ENTRY_CHANNELS],
        initial=Channel.WINDOW.value,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Say whether the resident came to a window or called."),
            "invalid_choice": _("Say whether the resident came to a window or called."),
        },
    )
    mode = forms.ChoiceField(
        label=_("How it is handled"),
        widget=forms.RadioSelect,
        error_messages={
            "invalid_choice": _("This item cannot be handled in the chosen way."),
            "required": _("Choose how the request is handled."),
        },
    )
    visit_weekdays = forms.TypedMultipleChoiceField(
        label=_("Days the resident is at home"),
        choices=WEEKDAYS,
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": _("Choose days from Monday to Sunday.")},
    )
    visit_time = forms.ChoiceField(
        label=_("Time of day"),
        choices=VisitTime.choices,
        required=False,
        widget=forms.RadioSelect,
        error_messages={
            "invalid_choice": _("Choose mornings, afternoons or any time.")
        },
    )
    description = forms.CharField(
        label=_("What the resident needs"),
        max_length=1000,
        required=False,
        error_messages={
            "max_length": _(
                "The description cannot be longer than %(limit_value)d characters."
            )
        },
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    consent = forms.BooleanField(
        label=_(
            "The resident agrees to the use of their data for this request, as the "
            "privacy notice describes."
        ),
        required=False,
    )
    result = forms.CharField(
        label=_("Result for the resident"),
        max_length=1000,
        required=False,
        error_messages={
            "max_length": _(
                "The result cannot be longer than %(limit_value)d characters."
            )
        },
        help_text=_("Only when done on the spot: the resident reads it."),
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    # The notice version the page showed, and a one-time key per empty form (a double
    # post finds the first request; see service_request_submit).
    privacy_notice = forms.CharField(widget=forms.HiddenInput, required=False)
    form_key = forms.UUIDField(
        widget=forms.HiddenInput,
        initial=uuid.uuid4,
        error_messages={"invalid": _("This form is damaged; open it again.")},
    )

    # The fields the action takes as they are (it normalizes and checks them).
    PASSED_AS_TYPED = (
        "village",
        "mode",
        "channel",
        "applicant_name",
        "applicant_phone",
        "applicant_id_number",
        "visit_weekdays",
        "visit_time",
    )
    DONE = "done"  # the name of the "done on the spot" button

    def __init__(self, *args, item: ServiceItem, user: User, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.item, self.user = item, user
        self.done = bool(self.data.get(self.DONE))
        villages = access.villages_for_entry(user).order_by("order", "code")
        village = self.fields["village"]
        village.queryset = villages
        self.own_village = None
        several = access.is_grid_worker(user) and villages.count() > 1
        if not access.serves_town(user) and not several:
            # A village clerk enters for their own village only: preset, not a
            # choice (a post naming another is refused like any unknown choice).
            self.own_village = villages.first()
            village.initial = getattr(self.own_village, "code", None)
            village.widget = forms.HiddenInput()
        self._grid_and_channel(user)
        self.fields["mode"].choices = [(m.value, m.label) for m in item.modes]
        if len(item.modes) == 1:
            self.fields["mode"].initial = item.modes[0].value
        self.offers_home_visit = HandlingMode.HOME in item.modes
        # 即时即办 done on the spot, by whoever may complete it (a posted "done"
        # from anyone else is refused by the action, nothing saved)
        self.offers_done = access.may_complete_on_entry(user, item)
        self.saved_for_others = (
            HandlingMode.INSTANT in item.modes and not self.offers_done
        )
        if HandlingMode.INSTANT not in item.modes:
            del self.fields["result"]
        self.fields["privacy_notice"].initial = NOTICE_VERSION
        self.id_required = id_number_required(item)
        if self.id_required:
            self.fields["applicant_id_number"].help_text = _(
                "Required for this item: it asks for the ID card."
            )
        self.max_upload_mb = settings.HUAGANG_MAX_UPLOAD_BYTES // (1024 * 1024)
        self.materials = list(item.materials.all())
        for material in self.materials:
            self.fields[self.material_field(material)] = forms.FileField(
                label=material.name,
                required=False,
                widget=forms.ClearableFileInput(attrs={"accept": ENTRY_FILES}),
            )

    def _grid_and_channel(self, user: User) -> None:
        """A grid worker enters for one of their grids (preset when they serve one),
        always as 网格员代办; other staff choose a window or the phone, and no grid."""
        channels = entry_channels(user)
        channel = self.fields["channel"]
        channel.choices = [(c.value, c.label) for c in channels]
        grids = access.grids_for_entry(user).select_related("village")
        if len(channels) == 1:
            channel.initial = channels[0].value
            channel.widget = forms.HiddenInput()
        if not access.is_grid_worker(user):
            del self.fields["grid"]
            return
        grid = self.fields["grid"]
        grid.queryset = grids
        grid.label_from_instance = str  # 村名 + 网格名
        served = list(grids)
        if len(served) == 1:
            grid.initial = served[0].pk

    @staticmethod
    def material_field(material: Material) -> str:
        return f"material_{material.pk}"

    def material_rows(self) -> list[tuple[Material, forms.BoundField, Any]]:
        """(material, its file field, the file chosen for it or None): a page shown
        again names each file to choose again (a browser cannot keep one)."""
        return [
            (m, self[self.material_field(m)], self.files.get(self.material_field(m)))
            for m in self.materials
        ]

    def _uploads(self) -> list[tuple[UploadedFile, int | None]]:
        data = self.cleaned_data
        return [
            (data[self.material_field(m)], m.pk)
            for m in self.materials
            if data.get(self.material_field(m))
        ]

    def _extras(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "item": self.item,
            "entered_by": self.user,
            "uploads": self._uploads(),
            "consent_version": (
                data.get("privacy_notice") or "" if data.get("consent") else ""
            ),
            "done_on_the_spot": self.done,
            "result": data.get("result", ""),
            **({"grid": data.get("grid")} if "grid" in self.fields else {}),
        }

    def clean(self) -> dict[str, Any]:
        """With a field of the form itself wrong, the action's rules are still
        checked with what could be read: every error shows on the first submit."""
        cleaned = super().clean()
        if self._errors:
            unread = set(self._errors)
            empty = {"visit_weekdays": [], "village": ""}
            values = {
                name: empty.get(name, "") if name in unread else cleaned[name]
                for name in self.PASSED_AS_TYPED
            }
            problems = service_request_enter_problems(**values, **self._extras())
            for field, messages in problems.items():
                if field in unread:
                    continue  # the field's own error says it already
                for message in messages:
                    self.add_error(field if field in self.fields else None, message)
        return cleaned

    def submit(self) -> ServiceRequest | None:
        """Enter a valid form; the request, or None with the errors at the fields."""
        data = self.cleaned_data
        try:
            return service_request_enter(
                **{name: data[name] for name in self.PASSED_AS_TYPED},
                **self._extras(),
                applicant_address=data["applicant_address"],
                description=data["description"],
                submission_key=data["form_key"],
            )
        except DomainError as exc:
            add_input_errors(self, exc)
            self.status_code = exc.status_code
        return None

    status_code = 400  # the answer when the form is shown again with errors
