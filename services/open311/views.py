"""Open311 GeoReport v2's methods, each in JSON and XML (the address's suffix).

Reads need no key (the specification): they show the catalog and requests' public
face only (``documents``). Creating a request needs ``api_key``, a key officials made
for another system (``villages.models.ApiToken``); the request is entered as that key's
account, under the one access rule (``service_request_submit`` asks
``access.may_enter_request``). Django REST framework runs the views for its throttles
(per address, per key; ``REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]``); every error is
answered in Open311's form (``errors``).
"""

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework import authentication, exceptions
from rest_framework.permissions import AllowAny
from rest_framework.views import APIView

from villages.actions import api_token_for_key
from villages.models import ApiToken

from ..actions.submission import (
    id_number_required,
    service_request_problems,
    service_request_submit,
)
from ..guide import accepts_online_application
from ..models import Channel, ServiceItem
from ..selectors import open311 as selectors
from . import documents, params
from .errors import Open311Error, as_open311, error_response
from .formats import CONTENT_TYPES, respond

# Values service_request_problems does not check (nor need to: the form did).
UNCHECKED = {"applicant_address", "description"}


class ApiKeyInForm(authentication.BaseAuthentication):
    """The ``api_key`` field of a POST's form, as Open311 sends it. A wrong key is
    refused (403); none leaves the caller anonymous (the view then asks for one)."""

    def authenticate(self, request):
        if request.method != "POST":
            return None
        key = request.POST.get("api_key", "").strip()
        if not key:
            return None
        token = api_token_for_key(key)
        if token is None:
            raise exceptions.AuthenticationFailed(
                _("Invalid api_key: ask the town's officials for a key.")
            )
        return token.account, token


class Open311View(APIView):
    authentication_classes = [ApiKeyInForm]
    permission_classes = [AllowAny]

    def initial(self, request, *args, **kwargs):
        if kwargs.get("fmt") not in CONTENT_TYPES:
            raise Open311Error(404, _("Unknown format: use .json or .xml."))
        super().initial(request, *args, **kwargs)

    def handle_exception(self, exc):
        error = as_open311(exc)
        if error is None:
            self.raise_uncaught_exception(exc)
        response = error_response(error, fmt=self._format())
        if error.status == 405:
            response["Allow"] = ", ".join(self.allowed_methods)
        return response

    def _format(self) -> str:
        fmt = self.kwargs.get("fmt")
        return fmt if fmt in CONTENT_TYPES else "json"


class DiscoveryView(Open311View):
    def get(self, request, fmt: str) -> HttpResponse:
        changed = selectors.open311_catalog_changed()
        changeset = (
            timezone.localtime(changed).isoformat(timespec="seconds") if changed else ""
        )
        endpoint = request.build_absolute_uri(request.path).rsplit("/", 1)[0]
        document = documents.discovery(
            url=endpoint,
            portal=request.build_absolute_uri("/"),
            changeset=changeset,
            production=not settings.DEBUG,
        )
        return respond(document, fmt=fmt, root="discovery")


class ServicesView(Open311View):
    def get(self, request, fmt: str) -> HttpResponse:
        services = [documents.service(item) for item in selectors.open311_services()]
        return respond(services, fmt=fmt, root="services")


class ServiceDefinitionView(Open311View):
    def get(self, request, code: str, fmt: str) -> HttpResponse:
        item = _service(code)
        definition = documents.service_definition(
            item,
            villages=selectors.open311_villages(),
            id_number_required=id_number_required(item),
        )
        return respond(definition, fmt=fmt, root="service_definition")


class RequestsView(Open311View):
    def get(self, request, fmt: str) -> HttpResponse:
        query = params.requests_query(request.GET)
        rows = selectors.open311_requests(query=query)
        return _requests(rows, fmt=fmt)

    def post(self, request, fmt: str) -> HttpResponse:
        if not isinstance(request.auth, ApiToken):
            raise Open311Error(
                403, _("api_key is required to create a request: ask the town.")
            )
        code = request.POST.get("service_code", "").strip()
        if not code:
            raise Open311Error(400, _("service_code is required."))
        item = _service(code)
        if not accepts_online_application(item):
            raise Open311Error(
                400,
                _(
                    "This item is handled only at a service window, with the "
                    "applicant there in person: it cannot be applied for through "
                    "another system."
                ),
            )
        required = documents.required_attributes(
            item, id_number_required=id_number_required(item)
        )
        values = params.submission(
            request.POST,
            required=required,
            problems_of=lambda values: service_request_problems(
                item=item,
                channel=Channel.API,
                entered_by=request.user,
                **{k: v for k, v in values.items() if k not in UNCHECKED},
            ),
        )
        created = service_request_submit(
            item=item, channel=Channel.API, entered_by=request.user, **values
        )
        answer = documents.created(
            pk=created.pk, tracking_number=created.tracking_number
        )
        return respond([answer], fmt=fmt, root="service_requests", status=201)


class RequestView(Open311View):
    def get(self, request, pk: str, fmt: str) -> HttpResponse:
        row = selectors.open311_request(pk=int(pk)) if len(pk) <= 18 else None
        if row is None:
            raise Open311Error(404, _("There is no request %(id)s.") % {"id": pk})
        return _requests([row], fmt=fmt)


def _service(code: str) -> ServiceItem:
    item = selectors.open311_service(code=code) if len(code) <= 20 else None
    if item is None:
        raise Open311Error(404, _("There is no service %(code)s.") % {"code": code})
    return item


def _requests(rows: list[dict], *, fmt: str) -> HttpResponse:
    return respond(documents.requests(rows), fmt=fmt, root="service_requests")


def not_found(request: HttpRequest, **kwargs) -> HttpResponse:
    """Any other address under /open311/v2/: Open311's 404."""
    fmt = "xml" if request.path.endswith(".xml") else "json"
    return error_response(
        Open311Error(404, _("There is no such Open311 method.")), fmt=fmt
    )
