"""The request list's search, kept out of addresses.

A name or a mobile number typed in the list's search box must not end up in an
address (browser history, access logs, the Referer of the next page, the export
links). The box posts to ``search_view``: a personal term is kept in the session
under a short random key, recorded (masked) once in the record of reads, and the
browser is sent to the list with ``?qs=<key>``; the list, its links and its exports
carry the key, never the term. A tracking number reads nobody's data and stays a
plain ``?q=``. A key the session does not hold (another browser, signed out, or
pushed out by newer searches) is refused with a message, never a 500.
"""

import secrets
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponseRedirect
from django.urls import path, reverse
from django.utils.translation import gettext as _

from villages.actions import access_record
from villages.models import AccessRecord

from ..models import ServiceRequest
from ..selectors.request_search import search_term_is_personal, search_term_masked

SEARCH_VAR = "q"
SEARCH_KEY_VAR = "qs"
SESSION_KEY = "huagang.admin_request_searches"
KEPT_SEARCHES = 20  # the newest searches of the session; older keys expire
MAX_TERM = 100
# What the search form posts besides the list's own filters, and what a new search
# drops (its page, an old error flag, the previous search).
_NOT_CARRIED = {"csrfmiddlewaretoken", SEARCH_VAR, SEARCH_KEY_VAR, "p", "e"}


class UnknownSearch(Exception):
    """A ``qs`` key the session does not hold."""


def searched_term(request: HttpRequest) -> str | None:
    """The term behind the address's ``qs`` key (None without one).
    Raises UnknownSearch for a key this session does not hold."""
    key = request.GET.get(SEARCH_KEY_VAR)
    if key is None:
        return None
    term = request.session.get(SESSION_KEY, {}).get(key)
    if term is None:
        raise UnknownSearch(key)
    return term


def keep_term(request: HttpRequest, term: str) -> str:
    """Keep `term` in the session under a new random key; the newest
    ``KEPT_SEARCHES`` are kept."""
    kept = dict(request.session.get(SESSION_KEY, {}))
    key = secrets.token_urlsafe(6)
    kept[key] = term
    request.session[SESSION_KEY] = dict(list(kept.items())[-KEPT_SEARCHES:])
    return key


def pairs(query) -> list[tuple[str, str]]:
    """Every (name, value) of a QueryDict, repeated names included."""
    return [(name, value) for name, values in query.lists() for value in values]


def list_url(params: list[tuple[str, str]]) -> str:
    url = reverse("admin:services_servicerequest_changelist")
    return f"{url}?{urlencode(params)}" if params else url


def search_redirect(request: HttpRequest, term: str, carried) -> HttpResponseRedirect:
    """To the list searched for `term` with the `carried` (name, value) pairs: a
    personal term by key, recorded once (masked); a tracking number as ``?q=``."""
    params = [(name, value) for name, value in carried if name not in _NOT_CARRIED]
    term = term.strip()[:MAX_TERM]
    if search_term_is_personal(term):
        access_record(
            by=request.user,
            kind=AccessRecord.Kind.SEARCH,
            subject=search_term_masked(term),
            detail=str(ServiceRequest._meta.verbose_name_plural),
        )
        params.append((SEARCH_KEY_VAR, keep_term(request, term)))
    elif term:
        params.append((SEARCH_VAR, term))
    return HttpResponseRedirect(list_url(params))


def unknown_search_redirect(request: HttpRequest) -> HttpResponseRedirect:
    """Back to the list with its filters but without the unknown search, saying why."""
    messages.warning(
        request,
        _(
            "That search is no longer available (searches by name or phone are kept "
            "only in the browser session that made them). Search again."
        ),
    )
    carried = [pair for pair in pairs(request.GET) if pair[0] not in _NOT_CARRIED]
    return HttpResponseRedirect(list_url(carried))


class RequestSearchMixin:
    """The posted search of the request list (``…/servicerequest/search/``)."""

    def get_urls(self):
        own = [
            path(
                "search/",
                self.admin_site.admin_view(self.search_view),
                name="services_servicerequest_search",
            )
        ]
        return own + super().get_urls()

    def search_view(self, request):
        if not self.has_view_permission(request):
            raise PermissionDenied
        if request.method != "POST":
            return HttpResponseRedirect(list_url([]))
        term = request.POST.get(SEARCH_VAR, "")
        return search_redirect(request, term, pairs(request.POST))
