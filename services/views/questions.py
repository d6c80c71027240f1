"""留言咨询 for residents: ask (signed in with a verified number, or proving the
number with a code), the public list of published answers (searched, paged), and
我的留言 (the signed-in resident's own questions with their answers).

The public list shows only ``QuestionPublication`` rows; which questions are a
resident's own is ``access.questions_of_asker``.
"""

from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _

from huagang.exceptions import DomainError
from huagang.forms import add_input_errors
from villages import verification
from villages.validators import mask_mobile

from .. import access
from ..actions import question_ask
from ..forms.questions import QuestionForm
from ..models import Question
from ..selectors import questions as selectors
from ..working_days import WorkCalendar

PAGE_SIZE = 20
QUERY_MAX = 50


def question_list(request: HttpRequest) -> HttpResponse:
    query = (request.GET.get("q") or "").strip()[:QUERY_MAX]
    item_code = (request.GET.get("item") or "").strip()[:20]
    found = selectors.public_questions(query=query, item_code=item_code)
    page = Paginator(found, PAGE_SIZE).get_page(request.GET.get("page"))
    params = {key: value for key, value in (("q", query), ("item", item_code)) if value}
    context = {
        "page": page,
        "q": query,
        "item_code": item_code,
        "query": urlencode(params),  # kept by the page links
    }
    return render(request, "services/questions/list.html", context)


def question_detail(request: HttpRequest, pk: int) -> HttpResponse:
    publication = selectors.public_question_get(pk=pk)
    if publication is None:
        raise Http404
    return render(
        request, "services/questions/detail.html", {"publication": publication}
    )


def question_ask_view(request: HttpRequest) -> HttpResponse:
    with_phone = not access.may_ask_question(request.user)
    if request.method != "POST":
        initial = {
            "item": request.GET.get("item", ""),
            "village": request.GET.get("village", ""),
        }
        form = QuestionForm(initial=initial, with_phone=with_phone)
        return _ask_page(request, form)
    form = QuestionForm(request.POST, with_phone=with_phone)
    if with_phone and "send_code" in request.POST:
        return _send_code(request, form)
    if with_phone and form.is_valid() and not form.cleaned_data["code"]:
        form.add_error("code", _("Enter the code from the text message."))
    if not form.is_valid():
        return _ask_page(request, form, status=400)
    try:
        question = _ask(request, form)
    except DomainError as error:
        add_input_errors(form, error)
        return _ask_page(request, form, status=error.status_code)
    if access.is_asker(request.user, question):
        messages.success(request, _("Your question was sent. The answer will be here."))
        return redirect("mine:question", pk=question.pk)
    messages.success(
        request,
        _(
            "Your question was sent. The answer will be sent by text message to "
            "%(phone)s."
        )
        % {"phone": mask_mobile(question.asker_phone)},
    )
    return redirect("questions:list")


def _ask(request: HttpRequest, form: QuestionForm) -> Question:
    data = form.cleaned_data
    proof = None
    if form.with_phone:
        proof = verification.phone_prove(phone=data["phone"], code=data["code"])
    return question_ask(
        kind=data["kind"],
        item=data["item"],
        village=data["village"],
        title=data["title"],
        text=data["text"],
        asker_name=data.get("asker_name", ""),
        account=request.user if request.user.is_authenticated else None,
        phone_proof=proof,
        submission_key=data["form_key"],
    )


def _send_code(request: HttpRequest, form: QuestionForm) -> HttpResponse:
    """Send a code to the number typed, keeping everything else typed (no error is
    shown for the other fields yet: the resident may be filling them in)."""
    form.is_valid()
    phone = form.cleaned_data.get("phone")
    if not phone:
        return _ask_page(request, form, status=400, only_field="phone")
    try:
        verification.check_sending_rate(request=request, phone=phone)
        verification.question_code_send(phone=phone)
    except DomainError as error:
        response = _ask_page(
            request, form, status=error.status_code, only_field="phone", error=error
        )
        if isinstance(error, verification.TooManyCodes):
            response["Retry-After"] = str(error.retry_after)
        return response
    return _ask_page(request, form, only_field="phone", code_sent=phone)


def _ask_page(
    request: HttpRequest,
    form: QuestionForm,
    *,
    status: int = 200,
    only_field: str = "",
    code_sent: str = "",
    error: DomainError | None = None,
) -> HttpResponse:
    if only_field:  # show the errors of this field alone
        for name in list(form.errors):
            if name != only_field:
                del form.errors[name]
        if error is not None:
            form.add_error("phone", error.message)
    context = {
        "form": form,
        "code_sent": mask_mobile(code_sent) if code_sent else "",
        "answer_days": _answer_days(),
    }
    return render(request, "services/questions/ask.html", context, status=status)


def _answer_days() -> int:
    return settings.HUAGANG_QUESTION_ANSWER_DAYS


# --- 我的留言 ----------------------------------------------------------------------------


@login_required
def my_questions(request: HttpRequest) -> HttpResponse:
    found = selectors.questions_of_asker(user=request.user)
    page = Paginator(found, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "services/mine/questions.html", {"page": page})


@login_required
def my_question(request: HttpRequest, pk: int) -> HttpResponse:
    question = selectors.question_of_asker(user=request.user, pk=pk)
    if question is None:
        raise Http404  # also another resident's
    context = {
        "question": question,
        "due_state": selectors.question_due_state(
            question, today=timezone.localdate(), calendar=WorkCalendar.load()
        ),
    }
    return render(request, "services/mine/question.html", context)


urlpatterns = [
    path("", question_list, name="list"),
    path("ask/", question_ask_view, name="ask"),
    path("<int:pk>/", question_detail, name="detail"),
]

mine_urlpatterns = [
    path("questions/", my_questions, name="questions"),
    path("questions/<int:pk>/", my_question, name="question"),
]
