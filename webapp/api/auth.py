"""Who calls the API: a Bearer token of one team, and how often it may call.

    NinjaAPI(auth=TokenAuth(), throttle=TokenThrottle())

The session cookie is never looked at: a logged-in browser without a token gets 401. The
rate limit is per token, API_RATE_PER_MINUTE requests a minute (0 turns it off), kept in
Django's cache; past it the API answers 429 with Retry-After.
"""

from django.conf import settings
from django.http import HttpRequest
from ninja.security import HttpBearer
from ninja.throttling import SimpleRateThrottle

from webapp.accounts.models import ApiToken

DEFAULT_RATE_PER_MINUTE = 120  # predict calls carry up to 1,000 inputs each


class TokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> ApiToken | None:
        return ApiToken.authenticate(token.strip()) if token else None


class TokenThrottle(SimpleRateThrottle):
    scope = "token"

    def __init__(self):
        super().__init__(rate=f"{DEFAULT_RATE_PER_MINUTE}/m")

    def allow_request(self, request: HttpRequest) -> bool:
        per_minute = getattr(settings, "API_RATE_PER_MINUTE", DEFAULT_RATE_PER_MINUTE)
        self.num_requests, self.duration = per_minute, 60
        if not per_minute:
            return True
        return super().allow_request(request)

    def get_cache_key(self, request: HttpRequest) -> str:
        return self.cache_format % {"scope": self.scope, "ident": request.auth.pk}
