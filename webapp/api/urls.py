"""URLs of the API, mounted at /api/v1/: django-ninja's routes and openapi.json, and the docs."""

from django.urls import path

from webapp.api.api import api
from webapp.api.docs import docs

urlpatterns = [
    path("docs", docs, name="api_docs"),
    path("", api.urls),
]
