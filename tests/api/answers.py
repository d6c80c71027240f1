"""What the API tests of the steps, trips and visits share: a signed-in client and
the two shapes of an answer (a success with its body, a refusal with its code)."""

from rest_framework.test import APIClient


def client_of(user) -> APIClient:
    api = APIClient()
    api.force_login(user)
    return api


def ok(response, status: int = 200) -> dict:
    assert response.status_code == status, response.content[:800]
    return response.json()


def refused(response, status: int, code: str) -> dict:
    """The error body of a refusal: the one shape, with its stable code."""
    assert response.status_code == status, response.content[:800]
    body = response.json()
    assert body["code"] == code, body
    assert body["message"], body
    return body
