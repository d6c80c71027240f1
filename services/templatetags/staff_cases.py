"""Filters of the workbench's case pages: personal data shown masked."""

from django import template

from villages.validators import mask_name as _mask_name

register = template.Library()


@register.filter
def mask_name(value: str) -> str:
    """张**: the first character of a name."""
    return _mask_name(value or "")
