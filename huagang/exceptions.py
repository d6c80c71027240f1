"""Domain errors, each with a stable code and the HTTP status it maps to.

Actions raise these; views, the admin and (later) the API map them once: 400 for bad
input, 403 for a missing permission, 404 for an unknown object, 409 for a conflict.
"""

from django.utils.translation import gettext_lazy as _


class DomainError(Exception):
    status_code = 400
    code = "invalid"
    default_message = _("The request could not be processed.")

    def __init__(self, message: str | None = None, *, code: str | None = None):
        self.message = str(message or self.default_message)
        if code:
            self.code = code
        super().__init__(self.message)


class InvalidInput(DomainError):
    """Input that breaks a rule of the domain; `errors` maps field names to messages."""

    status_code = 400
    code = "invalid_input"
    default_message = _("Please correct the highlighted fields.")

    def __init__(self, errors: dict[str, list[str]] | str, *, code: str | None = None):
        if isinstance(errors, str):
            errors = {"__all__": [errors]}
        self.errors = {k: [str(m) for m in v] for k, v in errors.items()}
        first = next(iter(self.errors.values()))[0]
        super().__init__(first, code=code)


class NotPermitted(DomainError):
    status_code = 403
    code = "not_permitted"
    default_message = _("You are not allowed to do this.")


class NotFound(DomainError):
    status_code = 404
    code = "not_found"
    default_message = _("Not found.")


class Conflict(DomainError):
    """Someone else changed the object first; reload and try again."""

    status_code = 409
    code = "conflict"
    default_message = _(
        "This request was changed by someone else a moment ago. Reload and try again."
    )


class StaleVersion(Conflict):
    """The request changed since the caller read it: the version they sent is not its
    `version` any more. The code stays ``conflict``; the default message is the
    pages' ("reload"), the API words its own (``services.api.errors``)."""

    def __init__(self, *, version: int):
        self.version = version
        super().__init__()


class InvalidTransition(Conflict):
    code = "invalid_transition"
    default_message = _("This step is not possible in the request's current status.")
