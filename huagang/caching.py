"""Redis, straight: for the few hot paths where Django's cache API costs more than the
round trip (it makes a new client for every call).

The counters here are the ones django-ratelimit and the API's throttles keep with
``cache.add``/``cache.incr``: plain integers under the cache's own key names, which
Django's RedisCache stores as such.
"""

import functools

from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache


@functools.lru_cache(maxsize=8)
def _client_of(backend: object):
    if not isinstance(backend, RedisCache):
        return None
    return backend._cache.get_client(write=True)


def redis_client(alias: str = "default"):
    """The Redis client of a cache, made once per process (its connection pool is the
    cache's own, which redis-py renews in a forked worker); None when the cache is not
    Redis (development, tests)."""
    return _client_of(caches[alias])


def counts_get(keys: list[str], alias: str = "default") -> dict[str, int]:
    """The counters among `keys` that exist, by key, in one round trip."""
    cache = caches[alias]
    client = redis_client(alias)
    if client is None:
        return cache.get_many(keys)
    values = client.mget([cache.make_key(key) for key in keys])
    return {key: int(value) for key, value in zip(keys, values, strict=True) if value}
