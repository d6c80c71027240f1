"""Filters of the workbench's case pages: personal data shown masked, and whether a
case's steps are taken at another window."""

from django import template

from villages.validators import mask_name as _mask_name

from .. import access

register = template.Library()


@register.filter
def mask_name(value: str) -> str:
    """张**: the first character of a name."""
    return _mask_name(value or "")


@register.filter
def steps_elsewhere(case, user) -> bool:
    """`user` sees the case, but its steps are taken at a stationed body's own
    window (``access.steps_at_its_own_window``)."""
    return access.steps_at_its_own_window(user, case)
