"""{% case_visits case %}: the case page's part for 上门特办 (visits) (stub)."""

from django import template

register = template.Library()


@register.simple_tag(takes_context=True)
def case_visits(context, case) -> str:
    return ""
