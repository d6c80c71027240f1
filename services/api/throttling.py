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

from django.core.cache import cache
from rest_framework.throttling import AnonRateThrottle, SimpleRateThrottle

from huagang.caching import redis_client
from villages.models import ApiToken


def count_request(key: str, seconds: int) -> int:
    """Add one to the counter `key`, which lives `seconds`; the count so far."""
    return count_requests([(key, seconds)])[0]


def count_requests(counters: list[tuple[str, int]]) -> list[int]:
    """Add one to each counter (key, seconds it lives); the counts so far, in one
    round trip to Redis."""
    client = redis_client()
    if client is None:
        counts = []
        for key, seconds in counters:
            cache.add(key, 0, seconds)
            counts.append(cache.incr(key))
        return counts
    pipeline = client.pipeline(transaction=False)
    for key, seconds in counters:
        full_key = cache.make_key(key)
        pipeline.incr(full_key)
        pipeline.expire(full_key, seconds)
    return pipeline.execute()[::2]


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


class AnonThrottle(CountingThrottle, AnonRateThrottle):
    """Anonymous callers, per address (scope ``anon``), and for a view that sets
    ``anonymous_scope`` (``lookup``, ``anonymous_create``) that scope's tighter limit
    too: both counted in one round trip. A signed-in caller or a key is left to
    ``PerKeyOrUserThrottle``."""

    def allow_request(self, request, view) -> bool:
        self.key = self.get_cache_key(request, view)  # None when authenticated
        if self.key is None:
            return True
        counters = [(self.key, self.num_requests, self.duration)]
        scope = getattr(view, "anonymous_scope", None)
        if scope is not None:
            self.scope = scope
            limit, duration = self.parse_rate(self.get_rate())
            counters.append((self.get_cache_key(request, view), limit, duration))
        now = self.timer()
        windows = [int(now // duration) for _key, _limit, duration in counters]
        counts = count_requests(
            [
                (f"{key}:{window}", duration + 1)
                for (key, _limit, duration), window in zip(
                    counters, windows, strict=True
                )
            ]
        )
        waits = [
            (window + 1) * duration - now
            for (_key, limit, duration), window, count in zip(
                counters, windows, counts, strict=True
            )
            if count > limit
        ]
        self.wait_seconds = max(waits, default=0)
        return not waits
