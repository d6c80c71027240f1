"""The one signature every text message of the portal begins with (【花岗镇为民服务】).

Chinese SMS gateways require a fixed signature in brackets; a message whose signature
differs from the registered one is refused or shown to the resident as another
sender. So the signature is one msgid, here, and every composer of a message (the
services app's notifications, the villages app's codes and account messages) wraps
its text with ``signed``; no other msgid carries it (tests/test_sms_signature.py).
"""

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext


def signed(message: str) -> str:
    """`message` (already composed in the portal's language) after the signature,
    in the portal's language: a text message never follows a visitor's choice."""
    with translation.override(settings.LANGUAGE_CODE):
        # Translators: the SMS signature registered with the gateway, then the
        # message (in Chinese 【…】 and no space before the message).
        return gettext("[Huagang services] %(message)s") % {"message": message}


def sentences(*parts: str) -> str:
    """Sentences of one message, joined as the portal's language writes them: with
    nothing between them in Chinese (。 ends a sentence), with a space in English.
    Empty parts are left out."""
    with translation.override(settings.LANGUAGE_CODE):
        gap = "" if translation.get_language().startswith("zh") else " "
    return gap.join(part.strip() for part in parts if part and part.strip())
