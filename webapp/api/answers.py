"""What each API operation answers, for the OpenAPI document: every status it can send, why,
and the real media type of a file it sends.

    @api.get("/batches/{uuid:uuid}", **answers({200: BatchOut}, {404: NOT_FOUND}))

401 (no or bad token) and 429 (too many requests) can answer every operation, so they are
always added. Every error's body is schemas.Error, {"detail": "<plain sentence>"}; a status
that answers no JSON (a file, a redirect) is described in `other`.
"""

from django.conf import settings

from webapp.api.schemas import Error

UNAUTHORIZED = "No token was sent, or it is not a valid one (mistyped or revoked)."
THROTTLED = (
    f"Too many requests: more than {settings.API_RATE_PER_MINUTE:,} from this token in a minute, "
    "or, for predictions, the server is busy with others. Retry-After says how many seconds "
    "to wait."
)
RETRY_AFTER = {
    "Retry-After": {
        "description": "Seconds to wait before trying again.",
        "schema": {"type": "string", "pattern": "^[0-9]+$"},
    }
}


def answers(ok: dict, errors: dict[int, str], other: dict | None = None) -> dict:
    """ninja's `response` and `openapi_extra` for an operation: the schemas of its JSON
    answers (`ok`), Error for each error status with its reason, and the answers that are not
    JSON (`other`: OpenAPI response objects by status)."""
    errors = {401: UNAUTHORIZED, **errors, 429: THROTTLED}
    described = {code: {"description": reason} for code, reason in errors.items()}
    described[429]["headers"] = RETRY_AFTER
    return {
        "response": {**ok, **{code: Error for code in errors}},
        "openapi_extra": {"responses": described | (other or {})},
    }
