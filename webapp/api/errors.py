"""Every API error is {"detail": "<plain sentence>"} with the right status.

    install_error_handlers(api)

400 bad input (the sentence names the field), 401 no or bad token, 404 an object the token's
team cannot see (the same as one that does not exist), 413 too many inputs or too large a
body, 429 too many requests (Retry-After is added by django-ninja's throttling) or the
server busy with other predictions (Retry-After added here).
"""

from django.core.exceptions import RequestDataTooBig
from django.http import Http404
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, Throttled, ValidationError

from webapp.api.schemas import MAX_INPUTS
from webapp.catalog.predictors import RETRY_AFTER, Busy

NO_TOKEN = (
    "Send a valid API token as 'Authorization: Bearer <token>'. "
    "Tokens are made on your team's API tokens page."
)
NOT_FOUND = "Nothing with this id is available to this token's team."
TOO_MANY_INPUTS = f"Send at most {MAX_INPUTS:,} inputs per request."
TOO_LARGE = "The request is too large. Send fewer or shorter inputs per request."


def field_name(loc) -> str:
    """("body", "body", "inputs", 3) -> "inputs[3]"; ninja's own wrappers are dropped."""
    name = ""
    for part in loc:
        if part in ("body", "file", "query", "path") and not name:
            continue
        if isinstance(part, int):
            name += f"[{part}]"
        elif part not in ("str", "TextPair"):
            name += f".{part}" if name else str(part)
    return name or "body"


def validation_detail(errors: list[dict]) -> tuple[int, str]:
    first = errors[0] if errors else {}
    field = field_name(first.get("loc", ()))
    if first.get("type") == "too_long" and field == "inputs":
        return 413, TOO_MANY_INPUTS
    if first.get("type") == "json_invalid":
        return 400, "The body is not valid JSON."
    if first.get("type") == "model_type" and field == "body":
        return 400, "The body must be a JSON object, {...}."
    message = str(first.get("msg", "is not valid")).rstrip(".")
    return 400, f"The field {field} is not valid: {message[0].lower()}{message[1:]}."


def install_error_handlers(api: NinjaAPI) -> None:
    def answer(request, status: int, detail: str):
        return api.create_response(request, {"detail": detail}, status=status)

    @api.exception_handler(AuthenticationError)
    def no_token(request, exc):
        return answer(request, 401, NO_TOKEN)

    @api.exception_handler(Http404)
    def not_found(request, exc):
        return answer(request, 404, NOT_FOUND)

    @api.exception_handler(ValidationError)
    def bad_input(request, exc):
        return answer(request, *validation_detail(exc.errors))

    @api.exception_handler(Throttled)
    def throttled(request, exc):
        wait = f" Wait {int(exc.wait + 0.999)} seconds and try again." if exc.wait else ""
        return answer(request, 429, "This token sent too many requests." + wait)

    @api.exception_handler(Busy)
    def busy(request, exc):
        response = answer(request, 429, str(exc))
        response["Retry-After"] = str(RETRY_AFTER)
        return response

    @api.exception_handler(HttpError)
    def http_error(request, exc):
        return answer(request, exc.status_code, str(exc))

    @api.exception_handler(RequestDataTooBig)
    def too_large(request, exc):
        return answer(request, 413, TOO_LARGE)
