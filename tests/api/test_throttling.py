"""The API's limits: anonymous callers per address, each key and each signed-in person
on their own count, a view's tighter anonymous scope; counted per fixed window (one
counter per caller and window, in Redis one round trip), answered 429 with the shared
error body and Retry-After."""

import datetime as dt

import pytest
import time_machine
from django.core.cache import cache
from rest_framework.response import Response
from rest_framework.test import APIRequestFactory
from rest_framework.throttling import SimpleRateThrottle
from rest_framework.views import APIView

from huagang.caching import redis_client
from services.api import throttling
from tests.services.test_page_cache import redis_cache  # noqa: F401
from villages.actions import api_token_create

pytestmark = pytest.mark.django_db

URL = "/api/v1/bodies/"  # public, cheap
START = dt.datetime(2026, 3, 10, 2, 0, 10, tzinfo=dt.UTC)  # 10 s into a minute


@pytest.fixture
def rates(monkeypatch):
    def _rates(**found):
        for scope, rate in found.items():
            monkeypatch.setitem(SimpleRateThrottle.THROTTLE_RATES, scope, rate)

    return _rates


def _statuses(client, count: int, **headers) -> list[int]:
    return [client.get(URL, **headers).status_code for _ in range(count)]


def test_anonymous_callers_get_their_rate_per_window(client, rates):
    rates(anon="3/min")
    with time_machine.travel(START, tick=False):
        assert _statuses(client, 4) == [200, 200, 200, 429]
        refused = client.get(URL, HTTP_ACCEPT_LANGUAGE="en")
        assert refused.json()["code"] == "throttled"
        assert refused.json()["message"] == (
            "Too many requests. Try again in 50 seconds."
        )
        assert refused["Retry-After"] == "50"  # the rest of the minute
    with time_machine.travel(START + dt.timedelta(seconds=50), tick=False):
        assert _statuses(client, 4) == [200, 200, 200, 429]  # a new minute


def test_each_address_is_counted_apart(client, rates):
    rates(anon="2/min")
    with time_machine.travel(START, tick=False):
        assert _statuses(client, 3, REMOTE_ADDR="10.0.0.1") == [200, 200, 429]
        assert _statuses(client, 2, REMOTE_ADDR="10.0.0.2") == [200, 200]


def test_each_key_and_each_person_is_counted_apart(client, rates, resident, official):
    rates(anon="1/min", key="2/min", user="3/min")
    _token, first = api_token_create(name="县平台", account=resident, by=None)
    _token, second = api_token_create(name="小程序", account=resident, by=None)
    with time_machine.travel(START, tick=False):
        assert _statuses(client, 2) == [200, 429]  # anonymous, from this address
        by_first = _statuses(client, 3, HTTP_AUTHORIZATION=f"Token {first}")
        assert by_first == [200, 200, 429]
        by_second = _statuses(client, 3, HTTP_AUTHORIZATION=f"Token {second}")
        assert by_second == [200, 200, 429]
        client.force_login(official)
        assert _statuses(client, 4) == [200, 200, 200, 429]


class _Lookup(APIView):
    anonymous_scope = "lookup"
    authentication_classes: list = []

    def get(self, request):
        return Response({})


def test_a_view_s_anonymous_scope_is_a_further_limit(rates):
    rates(anon="100/min", lookup="2/min")
    view, factory = _Lookup.as_view(), APIRequestFactory()
    with time_machine.travel(START, tick=False):
        found = [view(factory.get("/")).status_code for _ in range(3)]
    assert found == [200, 200, 429]


def test_with_redis_one_counter_per_caller_and_window(
    client,
    rates,
    redis_cache,  # noqa: F811
):
    rates(anon="2/min")
    with time_machine.travel(START, tick=False):
        assert _statuses(client, 3) == [200, 200, 429]
    client_of_cache = redis_client()
    assert client_of_cache is not None
    assert throttling.count_request("throttle-test", 5) == 1
    assert throttling.count_request("throttle-test", 5) == 2
    assert 0 < client_of_cache.ttl(cache.make_key("throttle-test")) <= 5
