"""差评 follow-ups: the list (open first by deadline, overdue flagged) and one
follow-up's page with the rating, the resident's words, the case and the next stage.

Who sees them is ``access.follow_ups_scope`` / ``may_handle_follow_up``; each stage is
``follow_up_advance``, which records it on the request's timeline (the answer as a
public event: the resident reads it and is sent it).
"""

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from huagang.exceptions import DomainError

from ...actions import follow_up_advance
from ...forms.staff_visits import FollowUpStepForm, put_action_errors
from ...models import EventKind, FollowUp
from ...selectors import visits as selectors
from ...selectors.paging import countless_page
from ._common import office_staff_required

PER_PAGE = 50


@office_staff_required
def follow_ups(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    found = selectors.follow_ups_for_staff(user=request.user, today=today)
    page = countless_page(found, request.GET.get("page"), PER_PAGE)
    return render(request, "staff/follow_up_list.html", {"page": page, "today": today})


STAGE_DONE = {
    FollowUp.Stage.VERIFIED: _("Verification recorded."),
    FollowUp.Stage.FIXED: _("The fix is recorded."),
    FollowUp.Stage.ANSWERED: _("The answer is recorded and sent to the resident."),
}


@office_staff_required
def follow_up_detail(request: HttpRequest, pk: int) -> HttpResponse:
    follow_up = selectors.follow_up_get(user=request.user, pk=pk)
    if follow_up is None:
        raise Http404
    answered = follow_up.stage == FollowUp.Stage.ANSWERED
    form = None if answered else FollowUpStepForm(follow_up=follow_up)
    status = 200
    if request.method == "POST":
        form = FollowUpStepForm(request.POST, follow_up=follow_up)
        status = _advance(request, follow_up, form)
        if status == 302:
            return redirect(reverse("staff:follow_up", args=[follow_up.pk]))
    case = follow_up.rating.request
    context = {
        "follow_up": follow_up,
        "rating": follow_up.rating,
        "case": case,
        "form": form,
        "today": timezone.localdate(),
        "events": case.events.filter(kind=EventKind.FOLLOW_UP)
        .select_related("actor")
        .order_by("created_at", "pk"),
    }
    return render(request, "staff/follow_up_detail.html", context, status=status)


def _advance(request: HttpRequest, follow_up: FollowUp, form: FollowUpStepForm) -> int:
    """Record the posted stage; the response status (302 when recorded)."""
    if not form.is_valid():
        return 400
    try:
        advanced = follow_up_advance(
            follow_up=follow_up,
            by=request.user,
            text=form.cleaned_data["text"],
            expected_stage=form.cleaned_data["stage"],
        )
    except DomainError as exc:
        put_action_errors(form, exc)
        return exc.status_code
    messages.success(request, str(STAGE_DONE[FollowUp.Stage(advanced.stage)]))
    return 302


urlpatterns = [
    path("follow-ups/", follow_ups, name="follow_ups"),
    path("follow-ups/<int:pk>/", follow_up_detail, name="follow_up"),
]
