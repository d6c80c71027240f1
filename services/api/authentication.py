"""Who calls the API: a signed-in browser (the session, with its CSRF check) or another
system with a key, sent as ``Authorization: Token hg_…`` (``Bearer`` is accepted too).

A key acts as its account (``villages.models.ApiToken.account``) under the one access
rule; a revoked or expired key is refused as if it never existed.
"""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions

from villages.actions import api_token_for_key


class ApiKeyAuthentication(authentication.BaseAuthentication):
    keywords = ("token", "bearer")

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if (
            not header
            or header[0].decode(errors="replace").lower() not in self.keywords
        ):
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(
                _("Send the key as: Authorization: Token <key>.")
            )
        try:
            key = header[1].decode()
        except UnicodeDecodeError:
            key = ""
        token = api_token_for_key(key)
        if token is None:
            raise exceptions.AuthenticationFailed(_("This API key is not valid."))
        return token.account, token

    def authenticate_header(self, request) -> str:
        return 'Token realm="api"'


class ApiKeyScheme(OpenApiAuthenticationExtension):
    target_class = "services.api.authentication.ApiKeyAuthentication"
    name = "apiKey"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "Token hg_… (an API key made by an official in the admin)",
        }
