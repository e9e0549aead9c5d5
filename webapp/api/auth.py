"""Who calls the API: a Bearer token of one team, and how often it may call.

    NinjaAPI(auth=TokenAuth(), throttle=TokenThrottle())

The session cookie is never looked at: a logged-in browser without a token gets 401. The
rate limit is per token, API_RATE_PER_MINUTE requests a minute (0 turns it off), counted in
the "shared" cache (Redis), so every web process and machine counts together; past it the
API answers 429 with Retry-After. While Redis cannot be reached the calls are not counted
(the predictions still answer) and the log says so.
"""

import logging

from django.conf import settings
from django.core.cache import caches
from django.http import HttpRequest
from ninja.security import HttpBearer
from ninja.throttling import SimpleRateThrottle
from redis.exceptions import RedisError

from webapp.accounts.models import ApiToken

log = logging.getLogger(__name__)

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
        self.cache = caches["shared"]
        try:
            return super().allow_request(request)
        except RedisError as err:
            log.warning("API calls are not counted: Redis cannot be reached (%s).", err)
            return True

    def get_cache_key(self, request: HttpRequest) -> str:
        return self.cache_format % {"scope": self.scope, "ident": request.auth.uuid}
