"""URLs of the runs app (mounted at /runs/)."""

from django.urls import path

from webapp.runs import compare, evaluation, evaluation_entities, removal, views

app_name = "runs"

urlpatterns = [
    path("", views.run_list, name="list"),
    path("compare/", compare.compare, name="compare"),
    path("new/<uuid:uuid>/", views.run_new, name="new"),
    path("<uuid:uuid>/", views.run_detail, name="detail"),
    path("<uuid:uuid>/status/", views.run_status, name="status"),
    path("<uuid:uuid>/cancel/", views.run_cancel, name="cancel"),
    path("<uuid:uuid>/retry/", views.run_retry, name="retry"),
    path("<uuid:uuid>/delete/", removal.run_delete, name="delete"),
    path("<uuid:uuid>/evaluation/", evaluation.evaluation, name="evaluation"),
    path(
        "<uuid:uuid>/evaluation/entities/",
        evaluation_entities.entity_mistakes,
        name="entity_mistakes",
    ),
    path(
        "<uuid:uuid>/test-predictions.<str:fmt>",
        evaluation.predictions_download,
        name="predictions",
    ),
]
