"""留言咨询 forms: the resident's question, the staff's answer, the public version,
and a complaint made into a request."""

import uuid

from django import forms
from django.utils.translation import gettext_lazy as _

from villages.forms import NAME_ERRORS, PHONE_ERRORS
from villages.models import Village
from villages.validators import ascii_digits, normalize_mobile

from ..actions.questions import NAME_MAX, TEXT_MAX, TITLE_MAX
from ..models import HandlingMode, Question, ServiceItem

REQUIRED = {"required": _("Fill this in.")}


def _text(label: str, limit: int, *, rows: int = 0, help_text: str = ""):
    widget = forms.Textarea(attrs={"rows": rows}) if rows else forms.TextInput()
    return forms.CharField(
        label=label,
        max_length=limit,
        help_text=help_text,
        widget=widget,
        error_messages={
            **REQUIRED,
            "max_length": _("Write at most %(limit_value)d characters."),
        },
    )


class QuestionForm(forms.Form):
    """A question; without a verified account also the name, number and its code."""

    kind = forms.ChoiceField(
        label=_("What is it?"),
        choices=Question.Kind.choices,
        initial=Question.Kind.CONSULT,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose a question, a suggestion or a complaint."),
            "invalid_choice": _("Choose a question, a suggestion or a complaint."),
        },
    )
    village = forms.ModelChoiceField(
        label=_("Your village or community"),
        queryset=Village.objects.order_by("order", "code"),
        to_field_name="code",
        required=False,
        empty_label=_("The town (no particular village)"),
        error_messages={"invalid_choice": _("Choose a village from the list.")},
    )
    item = forms.ModelChoiceField(
        label=_("About the service item"),
        queryset=ServiceItem.objects.filter(is_active=True).order_by("code"),
        to_field_name="code",
        required=False,
        empty_label=_("No particular item (a general question)"),
        error_messages={"invalid_choice": _("Choose an item from the list.")},
    )
    title = _text(_("Title"), TITLE_MAX)
    text = _text(
        _("Your question"),
        TEXT_MAX,
        rows=6,
        help_text=_(
            "Staff answer it; it is not shown to the public. If staff publish it, "
            "they first remove your name, number and other personal details."
        ),
    )
    form_key = forms.UUIDField(
        widget=forms.HiddenInput,
        initial=uuid.uuid4,
        error_messages={"invalid": _("This form is damaged; open it again.")},
    )

    def __init__(self, *args, with_phone: bool, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.with_phone = with_phone
        if with_phone:
            self.fields["asker_name"] = forms.CharField(
                label=_("Your name"), max_length=NAME_MAX, error_messages=NAME_ERRORS
            )
            self.fields["phone"] = forms.CharField(
                label=_("Mobile number"),
                max_length=20,
                error_messages=PHONE_ERRORS,
                help_text=_("The answer is sent to this number by text message."),
                widget=forms.TextInput(attrs={"inputmode": "tel"}),
            )
            self.fields["code"] = forms.CharField(
                label=_("Verification code"),
                max_length=12,
                required=False,
                help_text=_(
                    "Press “Send a code”, then type the six digits of the message."
                ),
                widget=forms.TextInput(
                    attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}
                ),
            )

    def clean_phone(self) -> str:
        return normalize_mobile(self.cleaned_data["phone"])

    def clean_code(self) -> str:
        typed = (self.cleaned_data.get("code") or "").strip()
        return ascii_digits(typed) or typed  # anything else is a wrong code


class AnswerForm(forms.Form):
    answer = _text(_("Answer"), TEXT_MAX, rows=6)


class PublishForm(forms.Form):
    public_title = _text(_("Public title"), TITLE_MAX)
    public_text = _text(
        _("Public question"),
        TEXT_MAX,
        rows=5,
        help_text=_("Remove names, numbers, addresses and anything else personal."),
    )
    public_answer = _text(_("Public answer"), TEXT_MAX, rows=5)

    @classmethod
    def for_question(cls, question: Question) -> "PublishForm":
        """The form filled with the public text, or the original to edit."""
        publication = getattr(question, "publication", None)
        if publication is not None:
            initial = {
                "public_title": publication.title,
                "public_text": publication.text,
                "public_answer": publication.answer,
            }
        else:
            initial = {
                "public_title": question.title,
                "public_text": question.text,
                "public_answer": question.answer,
            }
        return cls(initial=initial)


class MakeRequestForm(forms.Form):
    """A complaint made into a request: the item, village and mode, and the resident's
    consent asked on the phone."""

    item = forms.ModelChoiceField(
        label=_("Service item"),
        queryset=ServiceItem.objects.filter(is_active=True).order_by("code"),
        to_field_name="code",
        error_messages={
            "required": _("Choose the item of the request."),
            "invalid_choice": _("Choose an item from the list."),
        },
    )
    village = forms.ModelChoiceField(
        label=_("Village"),
        queryset=Village.objects.order_by("order", "code"),
        to_field_name="code",
        error_messages={
            "required": _("Choose the resident's village."),
            "invalid_choice": _("Choose a village from the list."),
        },
    )
    mode = forms.ChoiceField(
        label=_("Handling mode"),
        choices=HandlingMode.choices,
        error_messages={
            "required": _("Choose how it is handled."),
            "invalid_choice": _("Choose how it is handled."),
        },
    )
    applicant_id_number = forms.CharField(
        label=_("ID number"),
        max_length=18,
        required=False,
        help_text=_("Only if the item asks for the ID card."),
    )
    consent = forms.BooleanField(
        label=_(
            "I called the resident: they agree that their data is used to handle "
            "the request."
        ),
        required=False,
    )

    @classmethod
    def for_question(cls, question: Question) -> "MakeRequestForm":
        initial = {}
        if question.item is not None:
            initial["item"] = question.item.code
        if question.village is not None:
            initial["village"] = question.village.code
        return cls(initial=initial)
