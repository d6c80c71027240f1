"""{% case_agency case %}: the case page's part for 定时代办 (trips, the town's decision, the return) (stub)."""

from django import template

register = template.Library()


@register.simple_tag(takes_context=True)
def case_agency(context, case) -> str:
    return ""
