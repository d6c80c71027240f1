"""The village directory and the resident's account: register, sign in, reset."""

from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.views import LoginView, LogoutView
from django.forms import Form
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render, resolve_url
from django.utils.translation import gettext as _

from huagang.exceptions import DomainError
from huagang.forms import add_input_errors

from . import second_factor, verification
from .forms import PasswordResetForm, PhoneForm, RegistrationForm, SignInForm
from .models import User
from .selectors import villages_directory
from .validators import mask_mobile

Purpose = verification.Purpose


def village_list(request: HttpRequest) -> HttpResponse:
    return render(request, "villages/list.html", {"villages": villages_directory()})


# --- signing in and out ----------------------------------------------------------------


class SignInView(LoginView):
    form_class = SignInForm
    template_name = "villages/account/sign_in.html"
    redirect_authenticated_user = True

    def form_invalid(self, form: SignInForm) -> HttpResponse:
        response = super().form_invalid(form)
        response.status_code = 400
        return response

    def get_default_redirect_url(self) -> str:
        """Without a ``next``: staff to their workbench, residents to 我的办件."""
        if second_factor.is_staff_account(self.request.user):
            return resolve_url("staff:queue")
        return super().get_default_redirect_url()


sign_out = LogoutView.as_view(next_page="home")


# --- a code to the number, then the code with a new password ---------------------------


def _session_key(purpose: str) -> str:
    return f"verification:{purpose}"


def _refused(
    request: HttpRequest, error: DomainError, template: str, context: dict
) -> HttpResponse:
    """Show a domain error next to its field (or above the form), with its status."""
    form = context["form"]
    add_input_errors(form, error)
    response = render(request, template, context, status=error.status_code)
    if isinstance(error, verification.TooManyCodes):
        response["Retry-After"] = str(error.retry_after)
    return response


def _ask_for_code(
    request: HttpRequest, *, purpose: str, send: Callable, template: str
) -> HttpResponse:
    """Page 1: the number. The code is sent (within the rate limits) and the number
    kept in the session for page 2."""
    remembered = request.session.get(_session_key(purpose), "")
    form = PhoneForm(request.POST or None, initial={"phone": remembered})
    if request.method != "POST":
        return render(request, template, {"form": form})
    if not form.is_valid():
        return render(request, template, {"form": form}, status=400)
    phone = form.cleaned_data["phone"]
    try:
        verification.check_sending_rate(request=request, phone=phone)
        send(phone=phone)
    except DomainError as error:
        return _refused(request, error, template, {"form": form})
    request.session[_session_key(purpose)] = phone
    return redirect(f"account:{purpose}_verify")


def _use_code(
    request: HttpRequest,
    *,
    purpose: str,
    form_class: type[Form],
    act: Callable[..., User],
    template: str,
) -> HttpResponse:
    """Page 2: the code and a new password; signed in once the action succeeds."""
    phone = request.session.get(_session_key(purpose))
    if not phone:
        return redirect(f"account:{purpose}")
    form = form_class(request.POST or None, phone=phone)
    context = {"form": form, "masked_phone": mask_mobile(phone)}
    if request.method != "POST":
        return render(request, template, context)
    if not form.is_valid():
        return render(request, template, context, status=400)
    values = {k: v for k, v in form.cleaned_data.items() if k != "password2"}
    values["password"] = values.pop("password1")
    try:
        user = act(phone=phone, **values)
    except DomainError as error:
        return _refused(request, error, template, context)
    del request.session[_session_key(purpose)]
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    return redirect(settings.LOGIN_REDIRECT_URL)


def register(request: HttpRequest) -> HttpResponse:
    return _ask_for_code(
        request,
        purpose=Purpose.REGISTER,
        send=verification.registration_code_send,
        template="villages/account/register.html",
    )


def register_verify(request: HttpRequest) -> HttpResponse:
    response = _use_code(
        request,
        purpose=Purpose.REGISTER,
        form_class=RegistrationForm,
        act=verification.account_register,
        template="villages/account/register_verify.html",
    )
    if request.user.is_authenticated and response.status_code == 302:
        messages.success(request, _("Welcome! Your mobile number is verified."))
    return response


def password_reset(request: HttpRequest) -> HttpResponse:
    return _ask_for_code(
        request,
        purpose=Purpose.PASSWORD_RESET,
        send=verification.password_reset_code_send,
        template="villages/account/password_reset.html",
    )


def password_reset_verify(request: HttpRequest) -> HttpResponse:
    response = _use_code(
        request,
        purpose=Purpose.PASSWORD_RESET,
        form_class=PasswordResetForm,
        act=verification.account_password_reset,
        template="villages/account/password_reset_verify.html",
    )
    if request.user.is_authenticated and response.status_code == 302:
        messages.success(request, _("Your password has been changed."))
    return response
