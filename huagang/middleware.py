"""Project middleware: the visitor's chosen language, and refusing NUL characters."""

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.middleware.locale import LocaleMiddleware
from django.shortcuts import render
from django.utils import translation


class ChosenLanguageMiddleware(LocaleMiddleware):
    """Like Django's LocaleMiddleware, but ignores the browser's Accept-Language.

    A town portal speaks Chinese by default, also to an official whose browser happens
    to be set to English; the header's language switch (a cookie) changes it.
    """

    def process_request(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        supported = {code for code, _name in settings.LANGUAGES}
        language = chosen if chosen in supported else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()


NUL = "\x00"


def _has_nul(request: HttpRequest) -> bool:
    """Whether the path, a query or form key or value, a cookie (the session key is
    looked up in the database) or an upload's field name holds a NUL. Uploaded files'
    contents are not read (a PDF is full of NULs), and Django already drops unprintable
    characters from their names."""
    if NUL in request.path:
        return True
    for data in (request.GET, request.POST):
        for key, values in data.lists():
            if NUL in key or any(NUL in value for value in values):
                return True
    return any(NUL in key for key in request.FILES) or any(
        NUL in key or NUL in value for key, value in request.COOKIES.items()
    )


class RejectNulMiddleware:
    """Answer 400 with a plain message to a request carrying a NUL character.

    PostgreSQL refuses NUL in text, so such a value reaching a query (an admin list
    filter, the catalog's search box, a form field, the session cookie) ended in a 500.
    No person types a NUL: refusing it once, here, spares every view and filter from
    checking.

    Sits after the CSRF middleware (so the page's language form works) and before
    authentication, sessions' first use, messages and every view, so nothing has read
    the database yet. Reading ``request.POST`` here is what the CSRF check does anyway.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if _has_nul(request):
            return render(request, "400_nul.html", status=400)
        return self.get_response(request)
