"""Limits on API use (rates in ``REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]``, set from
the environment): anonymous callers per address, each API key on its own, signed-in
people per account; tighter scopes for what anonymous callers may try (a tracking
lookup, a new request). Counted in the cache, which all web workers share in production
(Redis).

Counted per fixed window (a rate of 60/min allows 60 requests in each clock minute),
one counter per caller and window: on Redis one round trip (INCR and EXPIRE) on a
client kept for the process. DRF's own throttles keep every request's time in a list
they read and write back whole, two round trips through a client made for each: on a
cached catalog answer that was more than half of the request's time.
"""

import functools

from django.core.cache import cache, caches
from django.core.cache.backends.redis import RedisCache
from rest_framework.throttling import AnonRateThrottle, SimpleRateThrottle

from villages.models import ApiToken


@functools.lru_cache(maxsize=8)
def _redis_client(backend: object):
    """The Redis client of a cache, made once (its connection pool is the cache's
    own, which redis-py renews in a forked worker); None when the cache is not Redis
    (development, tests)."""
    if not isinstance(backend, RedisCache):
        return None
    return backend._cache.get_client(write=True)


def count_request(key: str, seconds: int) -> int:
    """Add one to the counter `key`, which lives `seconds`; the count so far."""
    client = _redis_client(caches["default"])
    if client is None:
        cache.add(key, 0, seconds)
        return cache.incr(key)
    full_key = cache.make_key(key)
    pipeline = client.pipeline(transaction=False)
    pipeline.incr(full_key)
    pipeline.expire(full_key, seconds)
    return pipeline.execute()[0]


class CountingThrottle(SimpleRateThrottle):
    """DRF's scopes, rates and cache keys, counted per fixed window."""

    def allow_request(self, request, view) -> bool:
        if self.rate is None:
            return True
        self.key = self.get_cache_key(request, view)
        if self.key is None:
            return True
        now = self.timer()
        window = int(now // self.duration)
        self.wait_seconds = (window + 1) * self.duration - now
        count = count_request(f"{self.key}:{window}", self.duration + 1)
        return count <= self.num_requests

    def wait(self) -> float:
        return self.wait_seconds


class AnonThrottle(CountingThrottle, AnonRateThrottle):
    """Anonymous callers, per address (scope ``anon``)."""


class PerKeyOrUserThrottle(CountingThrottle):
    """One count per API key (scope ``key``) or, for a browser session, per account
    (scope ``user``); anonymous callers are left to ``AnonThrottle``."""

    def allow_request(self, request, view):
        if isinstance(request.auth, ApiToken):
            self.scope = "key"
        elif request.user and request.user.is_authenticated:
            self.scope = "user"
        else:
            return True
        self.rate = self.get_rate()
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request, view)

    def get_cache_key(self, request, view):
        if isinstance(request.auth, ApiToken):
            ident = f"key-{request.auth.pk}"
        else:
            ident = f"user-{request.user.pk}"
        return self.cache_format % {"scope": self.scope, "ident": ident}

    def __init__(self):  # the rate depends on the caller: read in allow_request
        pass


class AnonymousScopedThrottle(CountingThrottle, AnonRateThrottle):
    """A view's own tighter limit for anonymous callers: set ``anonymous_scope`` on the
    view (``lookup``, ``anonymous_create``) and list this class in its throttles."""

    def allow_request(self, request, view):
        scope = getattr(view, "anonymous_scope", None)
        if scope is None or (request.user and request.user.is_authenticated):
            return True
        self.scope = scope
        self.rate = self.get_rate()
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request, view)

    def __init__(self):
        pass
