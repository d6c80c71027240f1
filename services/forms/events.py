"""The life event's forms: the questions (a GET form, no JavaScript) and the one
application for every applicable item (``actions.events.life_event_submit``)."""

from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from huagang.exceptions import Conflict, InvalidInput
from huagang.forms import add_input_errors
from huagang.privacy import NOTICE_VERSION
from villages.models import User

from .. import life_events
from ..access import SessionSubmissions
from ..actions.events import life_event_problems, life_event_submit
from ..actions.submission import id_number_required
from ..models import HandlingMode, LifeEventApplication
from ..selectors.events import EventPlan
from . import ACCEPTED_FILES, ApplyForm, FilesChosenAgain

_SAME_AS_APPLY = ApplyForm.base_fields


class LifeEventQuestionsForm(forms.Form):
    """One radio group per question of the event (``?<key>=<answer>``)."""

    def __init__(self, *args, questions: list[Any], **kwargs):
        super().__init__(*args, **kwargs)
        for question in questions:
            self.fields[question.key] = forms.ChoiceField(
                label=question.text,
                choices=[
                    (option["value"], life_events.option_label(option))
                    for option in question.options
                ],
                widget=forms.RadioSelect,
                error_messages={"required": _("Answer this question.")},
            )


class LifeEventApplyForm(FilesChosenAgain, forms.Form):
    """The applicant's details once, and one file field per merged material
    (``kind_<code>`` or ``material_<id>``); the rules are the linked requests' own
    (``life_event_problems``), reported at these fields."""

    applicant_name = _SAME_AS_APPLY["applicant_name"]
    applicant_phone = _SAME_AS_APPLY["applicant_phone"]
    applicant_id_number = _SAME_AS_APPLY["applicant_id_number"]
    village = _SAME_AS_APPLY["village"]
    applicant_address = _SAME_AS_APPLY["applicant_address"]
    visit_weekdays = _SAME_AS_APPLY["visit_weekdays"]
    visit_time = _SAME_AS_APPLY["visit_time"]
    description = _SAME_AS_APPLY["description"]
    consent = _SAME_AS_APPLY["consent"]
    privacy_notice = _SAME_AS_APPLY["privacy_notice"]
    form_key = _SAME_AS_APPLY["form_key"]

    PASSED = (
        "village",
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
        plan: EventPlan,
        account: User | None,
        sent_from: SessionSubmissions | None = None,
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        self.plan, self.account, self.sent_from = plan, account, sent_from
        self.fields["privacy_notice"].initial = NOTICE_VERSION
        self.fields["description"].help_text = _("Anything the clerks should know.")
        self.id_required = any(id_number_required(item) for item in plan.items)
        self.home_visit = any(
            life_events.preferred_mode(item.modes) == HandlingMode.HOME
            for item in plan.items
        )
        if account is not None:
            self.fields["applicant_name"].initial = account.name
            self.fields["applicant_phone"].initial = account.phone
        self.max_upload_mb = settings.HUAGANG_MAX_UPLOAD_BYTES // (1024 * 1024)
        for entry in plan.materials:
            self.fields[entry.field] = forms.FileField(
                label=entry.name,
                required=False,
                widget=forms.ClearableFileInput(attrs={"accept": ACCEPTED_FILES}),
            )

    def material_rows(self) -> list[tuple[Any, forms.BoundField, Any]]:
        """(merged material, its file field, the file chosen for it or None)."""
        return [
            (entry, self[entry.field], self.files.get(entry.field))
            for entry in self.plan.materials
        ]

    def _uploads(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            e.field: data[e.field] for e in self.plan.materials if data.get(e.field)
        }

    def _consent_version(self) -> str:
        data = self.cleaned_data
        return data.get("privacy_notice", "") if data.get("consent") else ""

    def clean(self) -> dict[str, Any]:
        """As ``ApplyForm.clean``: every rule checked on the first submit."""
        cleaned = super().clean()
        if self._errors:
            unread = set(self._errors)
            values = {
                name: ([] if name == "visit_weekdays" else "")
                if name in unread
                else self.cleaned_data[name]
                for name in self.PASSED
                if name not in ("applicant_address", "description")
            }
            problems = life_event_problems(
                plan=self.plan,
                uploads=self._uploads(),
                consent_version=self._consent_version(),
                **values,
            )
            for field, messages in problems.items():
                if field not in unread:
                    for message in messages:
                        self.add_error(field if field in self.fields else None, message)
        return cleaned

    def submit(self) -> LifeEventApplication | None:
        data = self.cleaned_data
        try:
            return life_event_submit(
                **{name: data[name] for name in self.PASSED},
                plan=self.plan,
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
