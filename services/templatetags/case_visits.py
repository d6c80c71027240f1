"""{% case_visits case %}: the case page's part for 上门特办: the case's planned and
past visits, and the forms for booking a visit or recording one's outcome that the
signed-in user may use now (``access.may_book_visit``, ``access.visit_outcomes``).
Nothing for a case handled in another mode."""

from django import template
from django.template.loader import render_to_string
from django.utils import timezone

from huagang.dates import local_date

from .. import access
from ..forms.staff_visits import VisitBookForm, VisitOutcomeForm
from ..guide import trip_days_text
from ..models import HandlingMode, HomeVisit
from ..selectors.visits import home_visits_of_request

register = template.Library()


@register.simple_tag(takes_context=True)
def case_visits(context, case) -> str:
    if case.mode != HandlingMode.HOME:
        return ""
    request = context["request"]
    user = request.user
    visits = home_visits_of_request(service_request=case)
    planned = next((v for v in visits if v.outcome == HomeVisit.Outcome.PLANNED), None)
    outcomes = access.visit_outcomes(user, planned) if planned else []
    may_book = planned is None and access.may_book_visit(user, case)
    today = timezone.localdate()
    return render_to_string(
        "staff/_case_visits.html",
        {
            "case": case,
            "visits": visits,
            "planned": planned,
            "days": trip_days_text(case.visit_weekdays) if case.visit_weekdays else "",
            "book_form": (
                VisitBookForm(user=user, service_request=case, auto_id="visit_book_%s")
                if may_book
                else None
            ),
            "outcome_form": (
                VisitOutcomeForm(outcomes=outcomes, auto_id="visit_outcome_%s")
                if outcomes and today >= local_date(planned.starts_at)
                else None
            ),
            "outcomes": outcomes,
            "next": request.get_full_path(),
        },
        request=request,
    )
