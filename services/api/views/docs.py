"""Redoc's script as the documentation page loads it: the vendored bundle
(drf-spectacular-sidecar) without the one thing it fetches from elsewhere, the
"API docs by Redocly" logo (https://cdn.redoc.ly/redoc/logo-mini.svg). Redoc has no
option to leave it out; an empty image (``data:,``) fails at once, and Redoc then
drops the <img> (its onError), so the page asks no other host for anything."""

import functools

from django.contrib.staticfiles import finders
from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_safe

BUNDLE = "drf_spectacular_sidecar/redoc/bundles/redoc.standalone.js"
LOGO = 'src:"https://cdn.redoc.ly/redoc/logo-mini.svg"'


@functools.cache
def redoc_bundle() -> bytes:
    """The bundle with the logo's address emptied. Raises if the address is not in
    it (a new Redoc version: check what it fetches before serving it)."""
    path = finders.find(BUNDLE)
    with open(path, encoding="utf-8") as bundle:
        text = bundle.read()
    if LOGO not in text:
        raise RuntimeError(f"{BUNDLE} no longer holds {LOGO}")
    return text.replace(LOGO, 'src:"data:,"').encode()


@require_safe
def redoc_script(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(redoc_bundle(), content_type="application/javascript")
    response["Cache-Control"] = "public, max-age=86400"
    return response
