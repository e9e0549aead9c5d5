"""URLs of the API, mounted at /api/v1/: django-ninja's routes and openapi.json, the docs, and
a JSON 404 for any other address (a malformed id included), as the document says."""

from django.http import HttpRequest, JsonResponse
from django.urls import path, re_path
from django.views.decorators.csrf import csrf_exempt

from webapp.api.api import api
from webapp.api.api_faster import router as faster
from webapp.api.api_loop import router as loop
from webapp.api.docs import docs

NO_SUCH_ADDRESS = (
    "There is nothing at this address. The API's addresses are listed at /api/v1/docs."
)


@csrf_exempt  # a POST to no address is not a form: 404, not a CSRF page
def not_found(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"detail": NO_SUCH_ADDRESS}, status=404)


api.add_router("", loop)  # the improve loop: spreadsheets, runs, improving
api.add_router("", faster)  # make it faster: a smaller copy of a model

urlpatterns = [
    path("docs", docs, name="api_docs"),
    path("", api.urls),
    re_path(r"", not_found),
]
