"""Calling Open311 with Django's test client, every answer checked against the
specification's schemas (``spec.checked``)."""

from typing import Any

from .conftest import OPEN311
from .spec import checked


def get(
    client, path: str, schema: str, *, expect: int = 200, language: str = "", **params
) -> Any:
    """GET ``/open311/v2/<path>`` (its suffix gives the format) with `params`; the
    checked data (the errors if `expect` is 400 or more)."""
    headers = {"Accept-Language": language} if language else {}
    response = client.get(f"{OPEN311}/{path}", params, headers=headers)
    assert response.status_code == expect, response.content.decode()
    return checked(response, "errors" if expect >= 400 else schema, _format(path))


def post(client, path: str, data: dict, *, expect: int, language: str = "") -> Any:
    headers = {"Accept-Language": language} if language else {}
    response = client.post(f"{OPEN311}/{path}", data, headers=headers)
    assert response.status_code == expect, response.content.decode()
    return checked(response, "errors" if expect >= 400 else "created", _format(path))


def descriptions(errors: list[dict]) -> str:
    return "\n".join(e["description"] for e in errors)


def _format(path: str) -> str:
    return "xml" if path.split("?")[0].endswith(".xml") else "json"
