"""One error body for every API response that is not a success:

    {"code": "invalid_input", "message": "请更正标出的字段。", "errors": {"phone": ["…"]}}

``code`` is stable (clients branch on it), ``message`` is for a person and follows the
caller's language, ``errors`` maps field names to messages (``__all__`` for the whole
input) and is present only for bad input. Domain errors keep their own code and status
(``huagang.exceptions``: 400, 403, 404, 409); DRF's and Django's are mapped here.
"""

from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import set_rollback

from huagang.exceptions import DomainError, InvalidInput

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
    return [str(detail)]


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
        return Response(error_body(exc.code, exc.message), status=exc.status_code)
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
        headers["Retry-After"] = str(int(exc.wait))
    code = next((c for kind, c in _CODES.items() if isinstance(exc, kind)), None)
    if code is None:
        code = exc.default_code if isinstance(exc.default_code, str) else "error"
    message = " ".join(_messages(exc.detail)) or _(
        "The request could not be processed."
    )
    return Response(error_body(code, message), status=exc.status_code, headers=headers)
