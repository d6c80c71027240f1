"""Middleware guarding requests as a whole (issue 10): staff sessions end after a
spell of inactivity, request bodies are bounded before anything reads them, and
responses carrying personal data are never stored by a browser or proxy."""

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext

from villages.choices import STAFF_ROLES

IDLE_KEY = "huagang_last_seen"
# The session (a database write) is refreshed at most this often while active.
IDLE_TOUCH_SECONDS = 60
# The stored session outlives the idle time by this much, so that the next request
# still finds it, signs out explicitly and says why; later the store drops it.
IDLE_GRACE_SECONDS = 600


def _is_staff(user) -> bool:
    return bool(
        user.is_authenticated
        and (user.is_staff or getattr(user, "role", None) in STAFF_ROLES)
    )


class StaffIdleTimeoutMiddleware:
    """Sign staff out after ``HUAGANG_STAFF_IDLE_MINUTES`` without a request.

    Each request of a signed-in official or clerk renews the time (written to the
    session at most once a minute; the stored session's expiry follows it, a few
    minutes later, so an idle session also disappears from the store). After the idle time the request
    goes on signed out, with a message: the page asks them to sign in again as for
    anyone else. Residents keep Django's session age (``SESSION_COOKIE_AGE``).

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
        if isinstance(last_seen, int | float) and now - last_seen > idle:
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
        if (
            not isinstance(last_seen, int | float)
            or now - last_seen >= IDLE_TOUCH_SECONDS
        ):
            request.session[IDLE_KEY] = now
            request.session.set_expiry(idle + IDLE_GRACE_SECONDS)


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
    response = render(
        request, "413.html", {"message": message, "limit_mb": limit_mb}, status=status
    )
    response["Connection"] = "close"  # the unread body is not waited for
    return response
