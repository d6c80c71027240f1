"""Who and what a log line is about: the request id, the user id and the Celery task.

A request gets an id from its ``X-Request-ID`` header when that is a short, safe token
(nginx's ``$request_id``, a calling system's own id), otherwise a new one; the response
carries it back in the same header. The id and the request live in context variables
for as long as the request is handled, so every log line written meanwhile (by the
portal, Django, or a task run eagerly) names them (``huagang.log_filters.RequestContext``).
A task queued from a request carries the request id in its message headers; the worker
logs the task's lines with it and with the task id.
"""

import re
import uuid
from contextvars import ContextVar

from django.core.signals import request_finished
from django.http import HttpRequest, HttpResponse
from django.utils.functional import SimpleLazyObject, empty

HEADER = "X-Request-ID"
# Letters, digits and - _ . : from 8 to 64 characters: nothing a log reader could be
# fooled by (no spaces, quotes or line breaks) and no room for personal data.
_SAFE_ID = re.compile(r"[A-Za-z0-9._:-]{8,64}")

request_id_var: ContextVar[str | None] = ContextVar("request_id", default=None)
request_var: ContextVar[HttpRequest | None] = ContextVar("request", default=None)
task_id_var: ContextVar[str | None] = ContextVar("task_id", default=None)


def request_id_from(value: str | None) -> str:
    """The caller's id if it is a safe token holding no personal number, else a new
    one."""
    from .log_filters import mask_personal_numbers

    if value and _SAFE_ID.fullmatch(value) and mask_personal_numbers(value) == value:
        return value
    return uuid.uuid4().hex


def user_id_of(request: HttpRequest | None) -> int | None:
    """The signed-in user's id, if the request already knows who it is.

    Never looks the user up itself: a log call must not query the database (it may
    run inside a failed transaction, or while the session is being read).
    """
    user = getattr(request, "__dict__", {}).get("user") if request else None
    if isinstance(user, SimpleLazyObject):
        user = None if user._wrapped is empty else user._wrapped
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    return user.pk


class RequestContextMiddleware:
    """Give the request its id (``request.request_id``) and put it and the request in
    the logging context; answer with the id in ``X-Request-ID``.

    Sits right after SecurityMiddleware, so everything after it logs with the id.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.request_id = request_id_from(request.headers.get(HEADER))
        # Kept until the response is closed (request_finished), not only until this
        # returns: Django logs a 4xx or 5xx (django.request) after the whole chain.
        request_id_var.set(request.request_id)
        request_var.set(request)
        response = self.get_response(request)
        response[HEADER] = request.request_id
        return response

    def process_view(self, request, view_func, view_args, view_kwargs):
        # Who is signed in is known from here on (the session is read once, as the
        # page's header would read it anyway), so the view's lines carry the user id.
        user = getattr(request, "user", None)
        if user is not None:
            _known = user.is_authenticated  # evaluates the lazy user
        return None


def _request_done(**_kwargs) -> None:
    request_id_var.set(None)
    request_var.set(None)


request_finished.connect(_request_done, dispatch_uid="huagang.log_context.finished")


# --- Celery ------------------------------------------------------------------------
# Connected in huagang/celery.py. A task run eagerly inside a request keeps the
# request's context; a task run by a worker gets the id from its message headers.
TASK_HEADER = "request_id"
_task_tokens: dict[str, tuple] = {}


def task_published(headers: dict | None = None, **_kwargs) -> None:
    """``before_task_publish``: pass the current request id on in the headers."""
    current = request_id_var.get()
    if current and headers is not None and TASK_HEADER not in headers:
        headers[TASK_HEADER] = current


def task_started(task_id: str | None = None, task=None, **_kwargs) -> None:
    """``task_prerun``: log the task's lines with its id and its request's id."""
    if not task_id:
        return
    tokens = [(task_id_var, task_id_var.set(task_id))]
    sent = getattr(getattr(task, "request", None), TASK_HEADER, None)
    if isinstance(sent, str) and request_id_var.get() is None:
        tokens.append((request_id_var, request_id_var.set(request_id_from(sent))))
    _task_tokens[task_id] = tuple(tokens)


def task_finished(task_id: str | None = None, **_kwargs) -> None:
    """``task_postrun``: back to the context the task started in."""
    for variable, token in reversed(_task_tokens.pop(task_id or "", ())):
        variable.reset(token)
