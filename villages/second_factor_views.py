"""/account/second-factor/…: a staff member enrols an authenticator app, types its code
after the password, and keeps backup codes (rules: villages/second_factor.py)."""

from collections.abc import Callable
from functools import wraps
from urllib.parse import urlencode

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from huagang.qr import qr_svg

from . import second_factor
from .forms import EnrolmentCodeForm, SecondFactorCodeForm


def _staff_only(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Signed-in staff only (residents have no second factor: 403)."""

    @wraps(view)
    @never_cache
    @require_http_methods(["GET", "HEAD", "POST"])
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        user = request.user
        if not user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not second_factor.is_staff_account(user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped


def _next_url(request: HttpRequest) -> str:
    """Where to go once verified: the page that sent them here, if it is ours."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse("staff:queue")


def _with_next(name: str, next_url: str) -> str:
    return f"{reverse(name)}?{urlencode({'next': next_url})}"


def _config_qr(url: str) -> SafeString:
    return qr_svg(url, scale=5, title=_("QR code: scan with your authenticator app"))


@_staff_only
def setup(request: HttpRequest) -> HttpResponse:
    """Enrol an authenticator: scan the QR code (or type the secret), then type the
    code it shows. The first time, right after the password; later, to replace it,
    from a verified session only."""
    user = request.user
    if second_factor.has_authenticator(user) and not second_factor.is_verified(user):
        return redirect(_with_next("account:second_factor_verify", _next_url(request)))
    device = second_factor.authenticator_pending(user)
    form = EnrolmentCodeForm(request.POST or None)
    context = {
        "form": form,
        "qr": _config_qr(device.config_url),
        "secret": second_factor.secret_for_typing(device),
        "next": _next_url(request),
        "replacing": second_factor.has_authenticator(user),
    }
    template = "villages/account/second_factor_setup.html"
    if request.method != "POST":
        return render(request, template, context)
    if not form.is_valid():
        return render(request, template, context, status=400)
    enrolled = second_factor.authenticator_confirm(
        request, device, form.cleaned_data["code"]
    )
    if isinstance(enrolled, int):
        return _wait(request, template, context, form, enrolled)
    if enrolled is None:
        form.add_error(
            "code",
            _(
                "That code is not the one your authenticator app shows now. Check "
                "that the phone's clock is right, wait for a new code and try again."
            ),
        )
        return render(request, template, context, status=400)
    return render(
        request,
        "villages/account/second_factor_backup_codes.html",
        {"codes": enrolled.backup_codes, "next": context["next"], "enrolled": True},
    )


def _wait(
    request: HttpRequest, template: str, context: dict, form, seconds: int
) -> HttpResponse:
    """429: wrong codes came too fast; the code was not checked."""
    form.add_error(
        "code",
        ngettext(
            "Too many wrong codes. Wait %(seconds)d second and try again.",
            "Too many wrong codes. Wait %(seconds)d seconds and try again.",
            seconds,
        )
        % {"seconds": seconds},
    )
    response = render(request, template, context, status=429)
    response["Retry-After"] = str(seconds)
    return response


@_staff_only
def verify(request: HttpRequest) -> HttpResponse:
    """After the password: the authenticator's code, or a backup code."""
    user = request.user
    next_url = _next_url(request)
    if second_factor.is_verified(user):
        return redirect(next_url)
    if not second_factor.has_authenticator(user):
        return redirect(_with_next("account:second_factor_setup", next_url))
    form = SecondFactorCodeForm(request.POST or None)
    template = "villages/account/second_factor_verify.html"
    context = {"form": form, "next": next_url}
    if request.method != "POST":
        return render(request, template, context)
    if not form.is_valid():
        return render(request, template, context, status=400)
    checked = second_factor.code_check(request, form.cleaned_data["code"])
    if checked.device is not None:
        return redirect(next_url)
    if checked.wait_seconds:
        return _wait(request, template, context, form, checked.wait_seconds)
    form.add_error(
        "code",
        _(
            "That code is not right. Type the six digits your authenticator app shows "
            "now, or an unused backup code."
        ),
    )
    return render(request, template, context, status=400)


@_staff_only
def overview(request: HttpRequest) -> HttpResponse:
    """The staff member's second factor: how many backup codes are left, new backup
    codes (the old ones stop working), and replacing the authenticator."""
    user = request.user
    if second_factor.has_authenticator(user) and not second_factor.is_verified(user):
        return redirect(_with_next("account:second_factor_verify", request.path))
    context = {
        "has_authenticator": second_factor.has_authenticator(user),
        "backup_codes_left": second_factor.backup_codes_left(user),
        "required": second_factor.needs_second_factor(user),
        "verified": second_factor.is_verified(user),
    }
    template = "villages/account/second_factor.html"
    if request.method != "POST":
        return render(request, template, context)
    if not context["has_authenticator"]:
        return redirect("account:second_factor_setup")
    if request.POST.get("confirm") != "yes":
        context["confirm_error"] = _(
            "Tick the box to confirm that the old backup codes may stop working."
        )
        return render(request, template, context, status=400)
    codes = second_factor.backup_codes_renew(user)
    return render(
        request,
        "villages/account/second_factor_backup_codes.html",
        {"codes": codes, "next": reverse("account:second_factor"), "enrolled": False},
    )
