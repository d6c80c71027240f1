"""Middleware guarding requests as a whole (issue 10): staff sessions end after a
spell of inactivity, request bodies are bounded before anything reads them, and
responses carrying personal data are never stored by a browser or proxy."""

import time
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext

from villages import second_factor

IDLE_KEY = "huagang_last_seen"
# The stored session outlives the idle time by this much, so that the next request
# still finds it, signs out explicitly and says why; later the store drops it.
IDLE_GRACE_SECONDS = 600


_is_staff = second_factor.is_staff_account


class StaffIdleTimeoutMiddleware:
    """Sign staff out after ``HUAGANG_STAFF_IDLE_MINUTES`` without a request.

    Signing in and each request of a signed-in official or clerk renew the time
    (written to the session at most once a minute; the stored session's expiry
    follows it, a few minutes later, so an idle session also disappears from the
    store). After the idle time the request goes on signed out, with a message: the
    page asks them to sign in again as for anyone else. Residents keep Django's
    session age (``SESSION_COOKIE_AGE``).

    Sits after AuthenticationMiddleware and MessageMiddleware.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and _is_staff(user):
            self._check(request)
        return self.get_response(request)

    def _check(self, request: HttpRequest) -> None:
        idle = settings.HUAGANG_STAFF_IDLE_MINUTES * 60
        now = time.time()
        last_seen = request.session.get(IDLE_KEY)
        known = isinstance(last_seen, int | float)
        if known and now - last_seen > idle:
            logout(request)
            messages.info(
                request,
                gettext(
                    "You were signed out after %(minutes)s minutes without activity. "
                    "Please sign in again."
                )
                % {"minutes": settings.HUAGANG_STAFF_IDLE_MINUTES},
            )
            return
        # The session (a database write) is renewed at most once a minute (for 30
        # idle minutes; a thirtieth of a longer idle time).
        if not known or now - last_seen >= max(60, idle // 30):
            staff_session_renew(request, now=now)


def staff_session_renew(request: HttpRequest, *, now: float | None = None) -> None:
    """Start the staff member's idle time again (also on signing in, so that the
    first pages after it write nothing)."""
    idle = settings.HUAGANG_STAFF_IDLE_MINUTES * 60
    request.session[IDLE_KEY] = time.time() if now is None else now
    request.session.set_expiry(idle + IDLE_GRACE_SECONDS)


def staff_signed_in(sender, request: HttpRequest | None, user, **kwargs) -> None:
    """``user_logged_in`` receiver (connected in ``huagang.apps``)."""
    if request is not None and hasattr(request, "session") and _is_staff(user):
        staff_session_renew(request)


class RequestBodyLimitMiddleware:
    """Refuse a request body larger than ``HUAGANG_MAX_REQUEST_BYTES`` (413) from its
    Content-Length alone, before anything reads it: no upload handler spools it to
    a temporary file, no CSRF check parses it.

    A body sent in chunks without a Content-Length is refused too (411): Django
    would not read it anyway (WSGI gives it no length), and nginx in front of the
    portal sends every body with its length. The answer is the API's error body
    under /api/, Open311's under /open311/, and a short page elsewhere.

    Sits right after SecurityMiddleware (and WhiteNoise in production), which do not
    read the body either.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        length = request.META.get("CONTENT_LENGTH") or ""
        chunked = "chunked" in request.META.get("HTTP_TRANSFER_ENCODING", "").lower()
        if chunked and not length:
            return _body_refused(request, status=411)
        try:
            size = int(length) if length else 0
        except ValueError:
            size = 0  # Django reads nothing of a body whose length it cannot read
        if size > settings.HUAGANG_MAX_REQUEST_BYTES:
            return _body_refused(request, status=413)
        return self.get_response(request)


def _body_refused(request: HttpRequest, *, status: int) -> HttpResponse:
    from .middleware import API_PREFIX, ChosenLanguageMiddleware, api_error

    # Answered before the language middleware: choose it the same way here.
    ChosenLanguageMiddleware(lambda request: None).process_request(request)
    limit_mb = settings.HUAGANG_MAX_REQUEST_BYTES // (1024 * 1024)
    if status == 413:
        message = gettext(
            "The request is too large: at most %(mb)s MB can be sent at once. "
            "Nothing was saved."
        ) % {"mb": limit_mb}
    else:
        message = gettext(
            "The request must state its length (Content-Length). Nothing was saved."
        )
    path = request.path_info
    if path.startswith("/open311/"):
        from services.open311.errors import Open311Error, error_response

        fmt = "xml" if ".xml" in path else "json"
        return error_response(Open311Error(status, message), fmt=fmt)
    if path.startswith(API_PREFIX):
        code = "request_too_large" if status == 413 else "length_required"
        return api_error(code, message, status=status)
    # No "Connection: close" here: it is the server's to set (gunicorn and nginx
    # close a connection whose body was not read; Django's development server refused
    # the header with a 500).
    return render(
        request, "413.html", {"message": message, "limit_mb": limit_mb}, status=status
    )


class StaffSecondFactorMiddleware:
    """Staff who signed in with a password see no page until they show a second factor
    (``villages.second_factor``): a page sends them to enrol an authenticator (the first
    time) or to type a code, then back; the API answers 403 to such a session (an API
    key is a credential of its own and is not affected). Signing out, the second-factor
    pages themselves, static files and the language switch stay open.

    Sits after AuthenticationMiddleware, django-otp's OTPMiddleware and the idle
    sign-out (an idle session is signed out first, and then needs nothing)."""

    OPEN_PREFIXES = ("/account/second-factor/", "/account/sign-out/", "/i18n/")
    API_PREFIXES = ("/api/", "/open311/")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if (
            user is not None
            and second_factor.needs_second_factor(user)
            and not second_factor.is_verified(user)
            and not self._open(request.path_info)
        ):
            return self._refuse(request)
        return self.get_response(request)

    def _open(self, path: str) -> bool:
        static = settings.STATIC_URL or "/static/"
        return path.startswith((*self.OPEN_PREFIXES, static)) or path == "/favicon.ico"

    def _refuse(self, request: HttpRequest) -> HttpResponse:
        if request.path_info.startswith(self.API_PREFIXES):
            return JsonResponse(
                {
                    "detail": gettext(
                        "Sign in with your second factor on the portal first, or "
                        "use an API key."
                    ),
                    "code": "second_factor_required",
                },
                status=403,
            )
        target = "account:second_factor_verify"
        if not second_factor.has_authenticator(request.user):
            target = "account:second_factor_setup"
        url = reverse(target)
        if request.method == "GET":
            url = f"{url}?{urlencode({'next': request.get_full_path()})}"
        return redirect(url)


class PrivateResponsesMiddleware:
    """``Cache-Control: no-store, private`` on every response that may carry
    personal data, decided here once rather than view by view.

    Personal is any response to a signed-in person (staff pages and case pages,
    exports, materials, the resident's own pages, the API called with a key or a
    session: DRF sets the caller on the request too) or to a visitor whose session
    holds anything, which only happens once they have proved they applied (the
    tracking result, the receipt, their materials) or started a verification. A
    view that sets ``Cache-Control: public`` itself (the API documentation) is the
    same for everyone and is left alone; anonymous visitors without a session (the
    catalog, the guides, /healthz) keep what the views say.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if _is_personal(request) and not _declared_public(response):
            patch_cache_control(response, no_store=True, private=True)
        return response


def _is_personal(request: HttpRequest) -> bool:
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return True
    session = getattr(request, "session", None)
    return session is not None and not session.is_empty() and bool(session.keys())


def _declared_public(response: HttpResponse) -> bool:
    directives = response.get("Cache-Control", "").lower()
    return "public" in {part.split("=")[0].strip() for part in directives.split(",")}
