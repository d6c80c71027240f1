"""Form helpers both apps share."""

from django import forms

from .exceptions import DomainError, InvalidInput


def add_input_errors(form: forms.Form, error: DomainError) -> None:
    """An action's refusal on the form: each error of an InvalidInput next to its
    field (above the form when the form has no such field), any other refusal's
    message above the form."""
    errors = (
        error.errors if isinstance(error, InvalidInput) else {None: [error.message]}
    )
    for field, messages in errors.items():
        target = field if field in form.fields else None
        for message in messages:
            form.add_error(target, message)
