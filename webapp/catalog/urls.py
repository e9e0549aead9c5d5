"""URLs of the catalog app (mounted at /models/)."""

from django.urls import path

from webapp.catalog import (
    batches,
    faster,
    improve,
    lora_downloads,
    sharing,
    to_label,
    versions,
    views,
)

app_name = "catalog"

urlpatterns = [
    path("", views.model_list, name="list"),
    path("<uuid:uuid>/", views.model_detail, name="detail"),
    path("<uuid:uuid>/try/", views.model_try, name="try"),
    path("<uuid:uuid>/download.zip", views.model_download, name="download"),
    path("<uuid:uuid>/download-int8.zip", views.model_download_int8, name="download_int8"),
    path(
        "<uuid:uuid>/download-adapter.zip",
        lora_downloads.model_download_adapter,
        name="download_adapter",
    ),
    path("<uuid:uuid>/batches/", batches.batch_new, name="batch_new"),
    path("<uuid:uuid>/batches/columns/", batches.batch_columns, name="batch_columns"),
    path("<uuid:uuid>/publish/", sharing.model_publish, name="publish"),
    path("<uuid:uuid>/copy/", sharing.model_copy, name="copy"),
    path(
        "<uuid:uuid>/versions/<int:number>/promote/",
        versions.version_promote,
        name="promote",
    ),
    path("batches/<uuid:uuid>/status/", batches.batch_status, name="batch_status"),
    path("batches/<uuid:uuid>/download/", batches.batch_download, name="batch_download"),
    path("<uuid:uuid>/to-label/", to_label.pick_new, name="pick_new"),
    path("<uuid:uuid>/improve/", improve.improve, name="improve"),
    path("<uuid:uuid>/faster/", faster.faster_new, name="faster"),
    path("faster/<uuid:uuid>/accept/", faster.faster_accept, name="faster_accept"),
    path("faster/<uuid:uuid>/undo/", faster.faster_undo, name="faster_undo"),
    path("batches/<uuid:uuid>/to-label/", to_label.pick_from_batch, name="pick_from_batch"),
    path("picks/<uuid:uuid>/status/", to_label.pick_status, name="pick_status"),
    path("picks/<uuid:uuid>/download/", to_label.pick_download, name="pick_download"),
]
