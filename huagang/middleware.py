"""Project middleware: the visitor's chosen language, and refusing what no query can
process (NUL characters, filters on absurd dates or with regular expressions): a page
for people, the API's error body for other systems."""

import re

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.middleware.locale import LocaleMiddleware
from django.shortcuts import render
from django.utils import translation
from django.utils.translation import gettext, gettext_lazy

from .exceptions import InvalidInput

MACHINE_PREFIXES = ("/api/", "/open311/")


class ChosenLanguageMiddleware(LocaleMiddleware):
    """Like Django's LocaleMiddleware, but ignores the browser's Accept-Language.

    A town portal speaks Chinese by default, also to an official whose browser happens
    to be set to English; the header's language switch (a cookie) changes it.
    """

    def process_request(self, request):
        if request.path_info.startswith(MACHINE_PREFIXES):
            # Other systems say which language they want in Accept-Language; without
            # it, Chinese.
            language = translation.get_language_from_request(request)
            translation.activate(language)
            request.LANGUAGE_CODE = translation.get_language()
            return
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
    """Answer 400 with a plain message to a request carrying a NUL character (on the
    API, its error body naming the parameters at fault).

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
            if request.path_info.startswith(OPEN311_PREFIX):
                # Open311 clients read errors in the specification's own form.
                from services.open311.errors import nul_refused

                return nul_refused(request)
            if request.path_info.startswith(API_PREFIX):
                return _api_bad_input(_nul_fields(request), _NUL_MESSAGE)
            return render(request, "400_nul.html", status=400)
        if _has_bad_lookup(request):
            if request.path_info.startswith(API_PREFIX):
                return _api_bad_input(_bad_lookup_fields(request), _BAD_VALUE_MESSAGE)
            return render(request, "400.html", status=400)
        return self.get_response(request)


# The API answers its callers in its one error body (services.api.errors), naming the
# parameters at fault; a name that itself holds a NUL is not echoed (``__all__``).
API_PREFIX = "/api/"
OPEN311_PREFIX = "/open311/"
_NUL_MESSAGE = gettext_lazy("Null characters are not allowed.")
_BAD_VALUE_MESSAGE = gettext_lazy("Enter a valid value.")


def _nul_fields(request: HttpRequest) -> list[str]:
    names = []
    for data in (request.GET, request.POST):
        for key, values in data.lists():
            if NUL in key:
                names.append("__all__")
            elif any(NUL in value for value in values):
                names.append(key)
    return names or ["__all__"]  # the path, a cookie or an upload's field name


def _bad_lookup_fields(request: HttpRequest) -> list[str]:
    return [key for key, values in request.GET.lists() if _is_bad_lookup(key, values)]


def _api_bad_input(fields: list[str], message) -> JsonResponse:
    return api_error(
        "invalid_input",
        str(InvalidInput.default_message),
        {name: [str(message)] for name in dict.fromkeys(fields)},
        status=400,
    )


def api_error(
    code: str, message: str, errors: dict | None = None, *, status: int
) -> JsonResponse:
    """The API's error body (``services.api.errors.error_body``) where DRF does not
    answer: in UTF-8 like DRF's own bodies, not as \\u escapes."""
    from services.api.errors import error_body  # the project package stays importable

    return JsonResponse(
        error_body(code, message, errors),
        status=status,
        content_type="application/json; charset=utf-8",
        json_dumps_params={"ensure_ascii": False},
    )


# Admin list filters arrive as "field__lookup=value". A year or date the database cannot
# hold (0001, 9999-12-31 plus a time zone) or a malformed regular expression made the
# query fail and the page answer 500; nobody needs them to find a request. Every part
# of the lookup is looked at ("submitted_at__year__gt", "…__iso_year", "…__in").
LOOKUP_YEARS = (1900, 2100)
_NUMBER_PARTS = {"year": LOOKUP_YEARS, "iso_year": LOOKUP_YEARS, "month": (1, 12)}
_NUMBER_PARTS |= {"day": (1, 31), "week": (1, 53), "week_day": (1, 7)}
_NUMBER_PARTS |= {"iso_week_day": (1, 7), "quarter": (1, 4)}
_LEADING_YEAR = re.compile(r"\s*[+-]?(\d{1,9})-")


def _has_bad_lookup(request: HttpRequest) -> bool:
    """Whether a query parameter asks for a regular expression, or for a year, month,
    day or date outside what a request, visit or trip can have."""
    return any(_is_bad_lookup(key, values) for key, values in request.GET.lists())


def _is_bad_lookup(key: str, values: list[str]) -> bool:
    parts = set(key.split("__")[1:])
    if not parts:
        return False  # not a lookup: the page's own parameters (q, p, o, e …)
    if parts & {"regex", "iregex"}:
        return True
    bounds = [_NUMBER_PARTS[part] for part in parts & _NUMBER_PARTS.keys()]
    for piece in (p for value in values for p in value.split(",")):
        if any(piece.strip() and not _int_within(piece, *b) for b in bounds):
            return True
        year = _LEADING_YEAR.match(piece)
        if year and not _int_within(year.group(1), *LOOKUP_YEARS):
            return True
    return False


def _int_within(value: str, low: int, high: int) -> bool:
    text = value.strip()
    return text.isascii() and text.isdigit() and low <= int(text) <= high


class MethodNotAllowedPageMiddleware:
    """A page in the resident's language for a 405 (an address that only takes a
    form's post, opened from the history or typed in): Django's own answer is empty,
    and the browser shows its own English error."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if response.status_code != 405 or response.content:
            return response
        if request.path_info.startswith(API_PREFIX):
            message = gettext("This method is not allowed at this address.")
            page = api_error("method_not_allowed", message, status=405)
        else:
            page = render(request, "405.html", status=405)
        if response.has_header("Allow"):
            page["Allow"] = response["Allow"]
        return page
