"""Open311's errors: a list of ``{code, description}`` (``<errors><error>…`` in XML),
the HTTP status 404 for what does not exist, 403 for a missing or wrong ``api_key``
(or a key whose account may not do this), 400 for anything else that cannot be done,
as the specification says; 405 and 429 where HTTP has a word for it. ``code`` is the
HTTP status; ``description`` is for a person, in the caller's language
(Accept-Language; Chinese by default).

Every error raised while answering, ours or the domain's (``huagang.exceptions``) or
Django REST framework's, is turned into this here, once.
"""

from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from rest_framework import exceptions

from huagang.exceptions import DomainError, InvalidInput, NotFound, NotPermitted

from .formats import respond

# The domain's field names as the Open311 parameters a client sent them in.
PARAMETERS = {
    "item": "service_code",
    "village": "attribute[village]",
    "mode": "attribute[mode]",
    "applicant_name": "first_name, last_name",
    "applicant_phone": "phone",
    "applicant_id_number": "attribute[id_number]",
    "applicant_address": "address_string",
    "visit_weekdays": "attribute[visit_days]",
    "visit_time": "attribute[visit_time]",
    "consent": "attribute[consent]",
    "entered_by": "api_key",
}


class Open311Error(Exception):
    """Answer with these descriptions under HTTP `status` (400, 403, 404 …)."""

    def __init__(self, status: int, *descriptions: str, headers=None):
        self.status = status
        self.descriptions = [str(d) for d in descriptions]
        self.headers = headers or {}
        super().__init__("; ".join(self.descriptions))


def described(parameter: str, message: str) -> str:
    """A message about `parameter`, named first as every description does (with the
    language's colon: "phone：…" in Chinese)."""
    return _("%(parameter)s: %(message)s") % {
        "parameter": parameter,
        "message": message,
    }


def field_descriptions(errors: dict[str, list[str]]) -> list[str]:
    """One description per message, naming the parameter it is about."""
    return [
        message
        if field == "__all__"
        else described(PARAMETERS.get(field, field), message)
        for field, messages in errors.items()
        for message in messages
    ]


def as_open311(exc: Exception) -> Open311Error | None:
    """`exc` as an Open311 error, or None for an unexpected one (a server error)."""
    if isinstance(exc, Open311Error):
        return exc
    if isinstance(exc, InvalidInput):
        return Open311Error(400, *field_descriptions(exc.errors))
    if isinstance(exc, NotPermitted):
        return Open311Error(403, exc.message)
    if isinstance(exc, NotFound | Http404 | exceptions.NotFound):
        return Open311Error(404, _("Not found."))
    if isinstance(exc, DomainError):
        return Open311Error(400, exc.message)
    if isinstance(exc, exceptions.APIException):
        return _from_framework(exc)
    return None


def _from_framework(exc: exceptions.APIException) -> Open311Error:
    if isinstance(exc, exceptions.AuthenticationFailed | exceptions.NotAuthenticated):
        return Open311Error(403, str(exc.detail))
    if isinstance(exc, exceptions.PermissionDenied):
        return Open311Error(403, str(exc.detail))
    if isinstance(exc, exceptions.MethodNotAllowed):
        return Open311Error(405, str(exc.detail))
    if isinstance(exc, exceptions.Throttled):
        headers = {"Retry-After": str(int(exc.wait))} if exc.wait else {}
        return Open311Error(429, str(exc.detail), headers=headers)
    return Open311Error(400, _("The request could not be processed."))


def error_response(error: Open311Error, *, fmt: str) -> HttpResponse:
    body = [{"code": error.status, "description": d} for d in error.descriptions]
    response = respond(body, fmt=fmt, root="errors", status=error.status)
    for name, value in error.headers.items():
        response[name] = value
    return response


def nul_refused(request: HttpRequest) -> HttpResponse:
    """The answer to a request carrying a NUL character (``RejectNulMiddleware``
    refuses those before any view): nothing was read or saved."""
    error = Open311Error(
        400,
        _(
            "The request contains a character that cannot be processed (a null "
            "character). Nothing was saved."
        ),
    )
    return error_response(error, fmt="xml" if ".xml" in request.path else "json")
