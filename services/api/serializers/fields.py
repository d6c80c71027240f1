"""Input fields that take JSON's types as they are: a string field refuses a number,
a boolean field refuses "yes" (Django REST framework's own fields coerce both, so a
client's mistake would be stored as if meant). Every input serializer of the API
derives from ``StrictInput``: a NUL character anywhere in a JSON body (a key too,
even one the serializer ignores) is refused, as the middleware refuses it in a query
or a form.
"""

from typing import Any

from django.core.validators import RegexValidator
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers
from rest_framework.settings import api_settings

from villages.validators import ControlCharacterValidator

NUL = "\x00"
NUL_MESSAGE = _("Null characters are not allowed.")


class StrictCharField(serializers.CharField):
    """A string, never a number, a boolean, a list or an object; without control
    characters (`multiline` text may hold tabs and line breaks)."""

    def __init__(self, *, multiline: bool = False, **kwargs):
        super().__init__(**kwargs)
        self.validators.append(ControlCharacterValidator(multiline=multiline))

    def to_internal_value(self, data: Any) -> str:
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class StrictRegexField(StrictCharField):
    """A strict string matching `regex` (its pattern shows in the schema); the
    `invalid` message answers both a non-string and a mismatch."""

    def __init__(self, regex: str, **kwargs):
        super().__init__(**kwargs)
        self.validators.append(
            RegexValidator(regex, message=self.error_messages["invalid"])
        )


class StrictBooleanField(serializers.BooleanField):
    """true or false; in a form (multipart or urlencoded) also "true"/"false" and
    "1"/"0", the only spellings a form can send."""

    default_error_messages = {"invalid": _("Send true or false.")}
    FORM_VALUES = {"true": True, "false": False, "1": True, "0": False}

    def to_internal_value(self, data: Any) -> bool:
        if isinstance(data, bool):
            return data
        if isinstance(data, str) and self._in_form():
            value = self.FORM_VALUES.get(data.strip().lower())
            if value is not None:
                return value
        self.fail("invalid")

    def _in_form(self) -> bool:
        return isinstance(getattr(self.root, "initial_data", None), QueryDict)


def _holds_nul(value: Any) -> bool:
    if isinstance(value, str):
        return NUL in value
    if isinstance(value, dict):
        return any(_holds_nul(k) or _holds_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_holds_nul(v) for v in value)
    return False


class StrictInput(serializers.Serializer):
    """An input body: a NUL character in any key or string value is a 400 (under the
    key that holds it; a key holding one is not echoed)."""

    def to_internal_value(self, data: Any) -> dict:
        if isinstance(data, dict) and not isinstance(data, QueryDict):
            found = {}
            for key, value in data.items():
                if _holds_nul(key):
                    found[api_settings.NON_FIELD_ERRORS_KEY] = [NUL_MESSAGE]
                elif _holds_nul(value):
                    found[key] = [NUL_MESSAGE]
            if found:
                raise serializers.ValidationError(found)
        return super().to_internal_value(data)
