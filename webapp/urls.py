"""URL map: one include per app; staff tools under /admin/; the API under /api/v1/."""

from django.contrib import admin
from django.urls import include, path

from webapp.glossary import glossary_page

urlpatterns = [
    path("admin/rq/", include("django_rq.urls")),
    path("admin/", admin.site.urls),
    path("", include("webapp.accounts.urls")),
    path("data/", include("webapp.spreadsheets.urls")),
    path("runs/", include("webapp.runs.urls")),
    path("models/", include("webapp.catalog.urls")),
    path("api/v1/", include("webapp.api.urls")),
    path("help/glossary/", glossary_page, name="glossary"),
]

handler403 = "webapp.forbidden.forbidden"  # one log line per refusal, not a traceback
