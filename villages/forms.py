"""The resident's account forms: a mobile number, a code with a new password, sign-in."""

import contextlib

from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .models import User
from .validators import ascii_digits, nfkc, normalize_mobile

# Residents read these instead of Django's stock messages ("this field is required",
# "ensure this value has at most 50 characters (it has 500)").
PHONE_ERRORS = {
    "required": _("Enter your mobile number."),
    "max_length": _(
        "Enter a valid mainland China mobile number (11 digits, starting with 1)."
    ),
}
NAME_ERRORS = {
    "required": _("Enter your name."),
    "max_length": _("The name cannot be longer than %(limit_value)d characters."),
}


class PhoneForm(forms.Form):
    phone = forms.CharField(
        label=_("Mobile number"),
        max_length=20,
        error_messages=PHONE_ERRORS,
        widget=forms.TextInput(
            attrs={"inputmode": "tel", "autocomplete": "tel", "autofocus": True}
        ),
    )

    def clean_phone(self) -> str:
        return normalize_mobile(self.cleaned_data["phone"])


class _CodeAndPasswordForm(forms.Form):
    """A code from a text message and a new password, typed twice; `phone` is the
    number the code was sent to (kept in the session, not in the form)."""

    code = forms.CharField(
        label=_("Verification code"),
        max_length=12,
        help_text=_("The six digits in the text message."),
        error_messages={
            "required": _("Enter the code from the text message."),
            "max_length": _("Enter the six digits of the code."),
        },
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}
        ),
    )
    password1 = forms.CharField(
        label=_("Password"),
        strip=False,
        error_messages={"required": _("Choose a password.")},
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validation.password_validators_help_text_html(),
    )
    password2 = forms.CharField(
        label=_("Password again"),
        strip=False,
        error_messages={"required": _("Enter the password again.")},
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args, phone: str, **kwargs):
        self.phone = phone
        super().__init__(*args, **kwargs)

    def clean_code(self) -> str:
        code = ascii_digits(self.cleaned_data["code"].replace(" ", ""))
        if code is None or len(code) != 6:
            raise ValidationError(_("Enter the six digits of the code."))
        return code

    def clean(self) -> dict:
        data = super().clean()
        first, second = data.get("password1"), data.get("password2")
        if first and second and first != second:
            self.add_error("password2", _("The two passwords differ."))
        elif first:
            try:
                password_validation.validate_password(first, self._person())
            except ValidationError as error:
                self.add_error("password1", error)
        return data

    def _person(self) -> User:
        return User(phone=self.phone, name=self.cleaned_data.get("name", ""))


class RegistrationForm(_CodeAndPasswordForm):
    name = forms.CharField(
        label=_("Your name"),
        max_length=50,
        error_messages=NAME_ERRORS,
        widget=forms.TextInput(),
    )
    field_order = ["code", "name", "password1", "password2"]


class PasswordResetForm(_CodeAndPasswordForm):
    pass


class SignInForm(AuthenticationForm):
    """Django's sign-in form, the number normalised as everywhere (full-width digits,
    spaces, +86), with the portal's words (a number has no letter case)."""

    error_messages = {
        "invalid_login": _(
            "The mobile number or password is incorrect. Please enter them again."
        ),
        "inactive": _("This account has been closed."),
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].error_messages.update(PHONE_ERRORS)
        self.fields["password"].error_messages["required"] = _("Enter your password.")

    def clean(self) -> dict:
        # Not a number at all: Django's answer, the number or password is wrong.
        with contextlib.suppress(ValidationError):
            self.cleaned_data["username"] = normalize_mobile(
                self.cleaned_data.get("username", "")
            )
        return super().clean()


class SecondFactorCodeForm(forms.Form):
    """A code from the authenticator app (six digits) or a backup code (eight
    letters and digits); spaces are ignored."""

    code = forms.CharField(
        label=_("Code"),
        max_length=20,
        help_text=_(
            "The six digits your authenticator app shows now, or one of your backup "
            "codes."
        ),
        error_messages={
            "required": _("Enter the code."),
            "max_length": _(
                "Enter the six digits, or a backup code of eight characters."
            ),
        },
        widget=forms.TextInput(
            attrs={
                "inputmode": "text",
                "autocomplete": "one-time-code",
                "autofocus": True,
                "spellcheck": "false",
            }
        ),
    )

    def clean_code(self) -> str:
        code = "".join(nfkc(self.cleaned_data["code"]).split()).lower()
        if not code.isascii() or not code.isalnum():
            raise ValidationError(
                _("Enter the six digits, or a backup code of eight characters.")
            )
        return code


class EnrolmentCodeForm(SecondFactorCodeForm):
    """The first code the new authenticator shows: six digits only."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["code"].help_text = _("The six digits the app shows now.")
        self.fields["code"].widget.attrs["inputmode"] = "numeric"

    def clean_code(self) -> str:
        code = super().clean_code()
        if not (code.isdigit() and len(code) == 6):
            raise ValidationError(
                _("Enter the six digits your authenticator app shows.")
            )
        return code
