"""What the OpenAPI schema says beyond what drf-spectacular reads off the views: the
error body every endpoint shares, and which URLs belong to the API at all."""

from drf_spectacular.utils import OpenApiResponse, inline_serializer
from rest_framework import serializers

ErrorSerializer = inline_serializer(
    name="Error",
    fields={
        "code": serializers.CharField(
            help_text="Stable error code: invalid_input, not_authenticated, "
            "authentication_failed, not_permitted, not_found, conflict, "
            "invalid_transition, throttled, …"
        ),
        "message": serializers.CharField(help_text="For a person, in their language."),
        "errors": serializers.DictField(
            child=serializers.ListField(child=serializers.CharField()),
            required=False,
            help_text="Bad input only: field name → messages (__all__: the whole input).",
        ),
    },
)


def errors(*statuses: int) -> dict[int, OpenApiResponse]:
    """``responses`` entries for the error statuses an operation can answer with, e.g.
    ``@extend_schema(responses={200: Out, **errors(400, 403, 404, 409)})``. 401 and 429
    are added to every operation by ``add_common_errors``."""
    return {
        code: OpenApiResponse(ErrorSerializer, description=_DESCRIPTIONS[code])
        for code in statuses
    }


_DESCRIPTIONS = {
    400: "Bad input (field errors in `errors`).",
    401: "Not signed in, or the API key is not valid.",
    403: "Not permitted for this caller.",
    404: "Not found (or not visible to this caller).",
    405: "Method not allowed.",
    409: "Conflict: the request changed meanwhile, or the step is not possible in "
    "its status.",
    411: "A body sent in chunks without a Content-Length (send its length).",
    413: "Too large.",
    415: "Unsupported media type.",
    429: "Too many requests (see Retry-After).",
}


def only_api_v1(endpoints, **kwargs):
    """PREPROCESSING_HOOKS: the schema describes /api/v1/ alone (Open311 documents
    itself by its own standard), and not the schema and documentation pages."""
    skip = ("/api/v1/schema/", "/api/v1/docs/", "/api/v1/redoc/")
    return [
        endpoint
        for endpoint in endpoints
        if endpoint[0].startswith("/api/v1/") and not endpoint[0].startswith(skip)
    ]


def add_common_errors(result, generator, request, public):
    """POSTPROCESSING_HOOKS: every operation may answer 401 (a bad key) and 429
    (throttled) with the shared error body; one that takes a body, 411 and 413 too
    (``huagang.guard.RequestBodyLimitMiddleware`` answers before any view)."""
    for path in result.get("paths", {}).values():
        for method, operation in path.items():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            codes = ["401", "405", "415", "429"]
            if method.lower() in ("post", "put", "patch"):
                codes += ["411", "413"]
            for code in codes:
                operation["responses"].setdefault(
                    code,
                    {
                        "description": _DESCRIPTIONS[int(code)],
                        "content": {
                            "application/json": {
                                "schema": {"$ref": "#/components/schemas/Error"}
                            }
                        },
                    },
                )
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas.setdefault("Error", ERROR_SCHEMA)
    return result


ERROR_SCHEMA = {
    "type": "object",
    "properties": {
        "code": {"type": "string"},
        "message": {"type": "string"},
        "errors": {
            "type": "object",
            "additionalProperties": {"type": "array", "items": {"type": "string"}},
        },
    },
    "required": ["code", "message"],
}
