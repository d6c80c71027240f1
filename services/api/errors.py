"""One error body for every API response that is not a success:

    {"code": "invalid_input", "message": "请更正标出的字段。", "errors": {"phone": ["…"]}}

``code`` is stable (clients branch on it), ``message`` is for a person and follows the
caller's language, ``errors`` maps field names to messages (``__all__`` for the whole
input) and is present only for bad input. Domain errors keep their own code and status
(``huagang.exceptions``: 400, 403, 404, 409); DRF's and Django's are mapped here.
"""

import math
from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import set_rollback

from huagang.exceptions import DomainError, InvalidInput, StaleVersion

_CODES = {
    exceptions.NotAuthenticated: "not_authenticated",
    exceptions.AuthenticationFailed: "authentication_failed",
    exceptions.PermissionDenied: "not_permitted",
    exceptions.NotFound: "not_found",
    exceptions.MethodNotAllowed: "method_not_allowed",
    exceptions.NotAcceptable: "not_acceptable",
    exceptions.UnsupportedMediaType: "unsupported_media_type",
    exceptions.Throttled: "throttled",
    exceptions.ParseError: "parse_error",
}


def _messages(detail: Any) -> list[str]:
    if isinstance(detail, dict):
        return [m for value in detail.values() for m in _messages(value)]
    if isinstance(detail, list):
        return [m for value in detail for m in _messages(value)]
    if getattr(detail, "code", None) == "null" and str(detail) == _NO_DATA:
        # DRF's serializer says this in English only (a body of `null`).
        return [_("The request body is empty: send the fields as a JSON object.")]
    return [str(detail)]


_NO_DATA = "No data provided"  # rest_framework.serializers, untranslated


def field_errors(detail: Any) -> dict[str, list[str]]:
    """DRF's nested validation detail as field → messages; nested fields are joined
    with dots (``uploads.0.file``), errors about the whole input go under ``__all__``."""
    if not isinstance(detail, dict):
        return {"__all__": _messages(detail)}
    errors: dict[str, list[str]] = {}
    for key, value in detail.items():
        name = "__all__" if key == "non_field_errors" else str(key)
        if isinstance(value, dict):
            for sub, messages in field_errors(value).items():
                errors[name if sub == "__all__" else f"{name}.{sub}"] = messages
        elif isinstance(value, list) and any(isinstance(v, dict) for v in value):
            for index, item in enumerate(value):
                for sub, messages in field_errors(item).items():
                    errors[
                        f"{name}.{index}"
                        if sub == "__all__"
                        else f"{name}.{index}.{sub}"
                    ] = messages
        else:
            errors[name] = _messages(value)
    return errors


def error_body(
    code: str, message: str, errors: dict[str, list[str]] | None = None
) -> dict[str, Any]:
    body: dict[str, Any] = {"code": code, "message": message}
    if errors:
        body["errors"] = errors
    return body


def exception_handler(exc: Exception, context: dict) -> Response | None:
    """DRF's EXCEPTION_HANDLER: every known error as ``error_body``; anything else is
    left to Django (a 500, logged)."""
    headers: dict[str, str] = {}
    if isinstance(exc, InvalidInput):
        set_rollback()
        body = error_body(exc.code, exc.message, exc.errors)
        return Response(body, status=exc.status_code)
    if isinstance(exc, DomainError):
        set_rollback()
        body = error_body(exc.code, _domain_message(exc))
        return Response(body, status=exc.status_code)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    if not isinstance(exc, exceptions.APIException):
        return None
    set_rollback()
    if isinstance(exc, exceptions.ValidationError):
        body = error_body(
            InvalidInput.code,
            str(InvalidInput.default_message),
            field_errors(exc.detail),
        )
        return Response(body, status=status.HTTP_400_BAD_REQUEST)
    if getattr(exc, "auth_header", None):
        headers["WWW-Authenticate"] = exc.auth_header
    if getattr(exc, "wait", None):
        # Whole seconds, rounded up as the message rounds them: never before the wait
        # is over.
        headers["Retry-After"] = str(max(1, math.ceil(exc.wait)))
    code = next((c for kind, c in _CODES.items() if isinstance(exc, kind)), None)
    if code is None:
        code = exc.default_code if isinstance(exc.default_code, str) else "error"
    message = _message(exc, context) or _("The request could not be processed.")
    return Response(error_body(code, message), status=exc.status_code, headers=headers)


def _domain_message(exc: DomainError) -> str:
    """The domain error's message; a stale version's is the API's own: the pages'
    says to reload the page, an API caller reads the request again."""
    if not isinstance(exc, StaleVersion):
        return exc.message
    return _(
        "The request changed since you read it (it is now at version %(version)d); "
        "read it again and retry with its current version."
    ) % {"version": exc.version}


def _message(exc: exceptions.APIException, context: dict) -> str:
    """The message for a person. Where DRF's is English whatever the language (a
    parser's, the CSRF check's) or awkward (the throttle's seconds), our own; a
    parser's detail is never echoed."""
    if isinstance(exc, exceptions.ParseError):
        request = context.get("request")
        if "json" in (getattr(request, "content_type", "") or ""):
            return _("The request body is not valid JSON.")
        return _("The request body could not be read.")
    if isinstance(exc, exceptions.PermissionDenied) and str(exc.detail).startswith(
        "CSRF Failed"  # rest_framework.authentication.SessionAuthentication
    ):
        return _(
            "The CSRF token is missing or not valid: signed in through the portal, "
            "send the csrftoken cookie's value in the X-CSRFToken header (or use an "
            "API key)."
        )
    if isinstance(exc, exceptions.Throttled):
        return _throttled_message(exc.wait)
    return " ".join(_messages(exc.detail))


def _throttled_message(wait: float | None) -> str:
    if wait is None:
        return _("Too many requests. Try again later.")
    seconds = max(1, math.ceil(wait))
    if seconds >= 120:
        minutes = math.ceil(seconds / 60)
        return ngettext(
            "Too many requests. Try again in %(count)d minute.",
            "Too many requests. Try again in %(count)d minutes.",
            minutes,
        ) % {"count": minutes}
    return ngettext(
        "Too many requests. Try again in %(count)d second.",
        "Too many requests. Try again in %(count)d seconds.",
        seconds,
    ) % {"count": seconds}
