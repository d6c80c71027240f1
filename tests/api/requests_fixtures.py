"""The fixtures of the requests endpoints' tests: a user per role and an API client
signed in as each. Each test module names this plugin in ``pytest_plugins``."""

from collections.abc import Callable

import pytest
from rest_framework.test import APIClient

from services.selectors.api import api_calendar_forget
from tests.factories import BodyFactory, UserFactory
from villages.actions import api_token_create
from villages.choices import Role


@pytest.fixture(autouse=True)
def _fresh_calendar():
    """The API keeps the holiday calendar for a minute: each test reads its own."""
    api_calendar_forget()
    yield
    api_calendar_forget()


@pytest.fixture
def people(resident, village_clerk, other_village_clerk, town_clerk, official, db):
    """A user per role; village A is the `submit` fixture's village, body X that of
    its items. ``key_clerk`` is an API key acting as village A's clerk."""
    town_y = UserFactory(role=Role.TOWN_CLERK)
    town_y.bodies.add(BodyFactory())
    return {
        "anon": None,
        "owner": resident,
        "other_resident": UserFactory(role=Role.RESIDENT),
        "clerk_a": village_clerk,
        "clerk_b": other_village_clerk,
        "town_x": town_clerk,
        "town_y": town_y,
        "official": official,
        "key_clerk": village_clerk,
    }


@pytest.fixture
def as_role(people) -> Callable[[str], APIClient]:
    """An API client signed in as `role` (a session), or with the key of
    ``key_clerk``, or anonymous."""

    def _client(role: str) -> APIClient:
        client = APIClient()
        user = people[role]
        if role == "key_clerk":
            _token, key = api_token_create(
                name="12345 热线", account=user, by=people["official"]
            )
            client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
        elif user is not None:
            client.force_login(user)
        return client

    return _client
