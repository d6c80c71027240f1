"""Django's password validators with the portal's words.

Django's Chinese says 你 where the portal says 您, and its too-short message has no
Chinese at all (its msgid changed and the translation did not follow). The rules are
Django's; only the messages are ours (settings.AUTH_PASSWORD_VALIDATORS).
"""

from django.contrib.auth import password_validation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext


class MinimumLengthValidator(password_validation.MinimumLengthValidator):
    def get_error_message(self) -> str:
        return ngettext(
            "This password is too short: it needs at least %(min_length)d character.",
            "This password is too short: it needs at least %(min_length)d characters.",
            self.min_length,
        ) % {"min_length": self.min_length}

    def get_help_text(self) -> str:
        return ngettext(
            "Your password needs at least %(min_length)d character.",
            "Your password needs at least %(min_length)d characters.",
            self.min_length,
        ) % {"min_length": self.min_length}


class CommonPasswordValidator(password_validation.CommonPasswordValidator):
    def get_error_message(self) -> str:
        return _("This password is too common: others could guess it.")

    def get_help_text(self) -> str:
        return _("Your password cannot be a commonly used one.")


class NumericPasswordValidator(password_validation.NumericPasswordValidator):
    def get_error_message(self) -> str:
        return _("This password is only digits.")

    def get_help_text(self) -> str:
        return _("Your password cannot be only digits.")
