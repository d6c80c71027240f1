"""留言咨询 on the workbench: the queue of questions a staff member serves (open ones
by due date, overdue flagged; or the answered ones), and one question's page: answer
it, publish a version without personal data (or withdraw it), make a complaint into
a request.

Who serves a question is ``access.serves_question`` (404 for anyone else); each write
is one action in ``services.actions.questions``.
"""

from collections.abc import Callable

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from huagang.exceptions import DomainError
from huagang.forms import add_input_errors
from huagang.privacy import NOTICE_VERSION

from ...actions import (
    question_answer,
    question_make_request,
    question_publish,
    question_withdraw,
)
from ...forms.questions import AnswerForm, MakeRequestForm, PublishForm
from ...models import Question
from ...selectors import questions as selectors
from ...selectors.paging import countless_page
from ...working_days import WorkCalendar
from ._common import office_staff_required

PER_PAGE = 50


@office_staff_required
def question_queue(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    answered = request.GET.get("answered") == "1"
    found = selectors.questions_for_staff(
        user=request.user, today=today, calendar=WorkCalendar.load(), answered=answered
    )
    page = countless_page(found, request.GET.get("page"), PER_PAGE)
    context = {"page": page, "answered": answered, "today": today}
    return render(request, "staff/question_list.html", context)


def _question(request: HttpRequest, pk: int) -> Question:
    question = selectors.question_for_staff(user=request.user, pk=pk)
    if question is None:
        raise Http404
    return question


def _page(
    request: HttpRequest, question: Question, status: int = 200, **forms
) -> HttpResponse:
    context = {
        "question": question,
        "publication": getattr(question, "publication", None),
        "events": selectors.question_events(question=question),
        "due_state": selectors.question_due_state(
            question, today=timezone.localdate(), calendar=WorkCalendar.load()
        ),
        "answer_form": forms.get("answer_form") or AnswerForm(),
        "publish_form": forms.get("publish_form") or PublishForm.for_question(question),
        "request_form": forms.get("request_form")
        or MakeRequestForm.for_question(question),
    }
    return render(request, "staff/question_detail.html", context, status=status)


@office_staff_required
def question_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _page(request, _question(request, pk))


def _post(
    request: HttpRequest,
    pk: int,
    *,
    form_class: type,
    form_name: str,
    act: Callable,
    done: str,
) -> HttpResponse:
    """Validate the posted form, run the action; back to the page (302) or the page
    with the errors at their fields and the action's status."""
    question = _question(request, pk)
    form = form_class(request.POST)
    status = 400
    if form.is_valid():
        try:
            act(question, form.cleaned_data)
        except DomainError as error:
            add_input_errors(form, error)
            status = error.status_code
        else:
            messages.success(request, done)
            return redirect(reverse("staff:question", args=[question.pk]))
    return _page(request, question, status, **{form_name: form})


@office_staff_required
@require_POST
def question_answer_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _post(
        request,
        pk,
        form_class=AnswerForm,
        form_name="answer_form",
        act=lambda question, data: question_answer(
            question=question, by=request.user, answer=data["answer"]
        ),
        done=_("The answer is recorded and sent to the resident."),
    )


@office_staff_required
@require_POST
def question_publish_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _post(
        request,
        pk,
        form_class=PublishForm,
        form_name="publish_form",
        act=lambda question, data: question_publish(
            question=question,
            by=request.user,
            title=data["public_title"],
            text=data["public_text"],
            answer=data["public_answer"],
        ),
        done=_("Published: the public list shows the text you wrote."),
    )


@office_staff_required
@require_POST
def question_withdraw_view(request: HttpRequest, pk: int) -> HttpResponse:
    question = _question(request, pk)
    try:
        question_withdraw(question=question, by=request.user)
    except DomainError as error:
        messages.error(request, error.message)
        return _page(request, question, error.status_code)
    messages.success(request, _("The question is no longer public."))
    return redirect(reverse("staff:question", args=[question.pk]))


@office_staff_required
@require_POST
def question_request_view(request: HttpRequest, pk: int) -> HttpResponse:
    def make(question: Question, data: dict):
        return question_make_request(
            question=question,
            by=request.user,
            item=data["item"],
            village=data["village"],
            mode=data["mode"],
            consent_version=NOTICE_VERSION if data["consent"] else "",
            applicant_id_number=data["applicant_id_number"],
        )

    return _post(
        request,
        pk,
        form_class=MakeRequestForm,
        form_name="request_form",
        act=make,
        done=_("The complaint is now a service request; it is linked below."),
    )


urlpatterns = [
    path("questions/", question_queue, name="questions"),
    path("questions/<int:pk>/", question_detail, name="question"),
    path("questions/<int:pk>/answer/", question_answer_view, name="question_answer"),
    path("questions/<int:pk>/publish/", question_publish_view, name="question_publish"),
    path(
        "questions/<int:pk>/withdraw/",
        question_withdraw_view,
        name="question_withdraw",
    ),
    path("questions/<int:pk>/request/", question_request_view, name="question_request"),
]
