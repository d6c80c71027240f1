"""Limits on API use (rates in ``REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]``, set from
the environment): anonymous callers per address, each API key on its own, signed-in
people per account; tighter scopes for what anonymous callers may try (a tracking
lookup, a new request). Counted in the cache, which all web workers share in production
(Redis)."""

from rest_framework.throttling import AnonRateThrottle, SimpleRateThrottle

from villages.models import ApiToken


class PerKeyOrUserThrottle(SimpleRateThrottle):
    """One count per API key (scope ``key``) or, for a browser session, per account
    (scope ``user``); anonymous callers are left to ``AnonRateThrottle``."""

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


class AnonymousScopedThrottle(AnonRateThrottle):
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
