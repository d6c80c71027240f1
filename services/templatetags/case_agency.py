"""{% case_agency case %}: the case page's part for 定时代办 — the case's journey (on
which trip out, checked in at the town, the town's decision, back on which trip,
checked in at the village), its flags, and the town's decision form for whoever may
record it. ``masked_name``: an applicant's name on lists that leave the office."""

from django import template
from django.template.loader import render_to_string

from villages.validators import mask_name

from .. import access
from ..forms.staff_trips import DecideForm
from ..models import HandlingMode
from ..selectors.trips import case_journey

register = template.Library()


@register.simple_tag(takes_context=True)
def case_agency(context, case) -> str:
    """Empty for other modes and for anyone but staff (the case page checked that
    the user may see the case)."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if case.mode != HandlingMode.AGENCY or not access.is_staff_member(user):
        return ""
    may_decide = access.may_decide(user, case)
    missing = may_decide and access.papers_missing(case)
    may_decide = may_decide and not missing
    form = None
    if may_decide:
        form = context.get("decide_form") or DecideForm(
            initial={"result": case.result_note, "version": case.version}
        )
    return render_to_string(
        "staff/_case_agency.html",
        {
            "case": case,
            "journey": case_journey(case=case),
            "may_decide": may_decide,
            "papers_missing": missing,
            "decide_form": form,
            "next": request.get_full_path(),
        },
        request=request,
    )


@register.filter
def masked_name(name: str) -> str:
    return mask_name(name)
