"""The dashboard's numbers as the page shows them."""

from django import template
from django.contrib.humanize.templatetags.humanize import intcomma
from django.template.defaultfilters import floatformat

from ..statistics import COUNT, DAYS, PERCENT

register = template.Library()


@register.filter
def cell(value, kind: str) -> str:
    """A figure's value: counts with thousands separators, shares as "92.5%",
    working days with one decimal; "—" where there is nothing to show."""
    if value is None or value == "":
        return "—"
    if kind == COUNT:
        return intcomma(value)
    if kind == PERCENT:
        return f"{floatformat(value, 1)}%"
    if kind == DAYS:
        return floatformat(value, 1)
    return value


@register.filter
def numeric(kind: str) -> bool:
    return kind in (COUNT, PERCENT, DAYS)
