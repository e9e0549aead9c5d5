"""URLs of the spreadsheets app, under /data/."""

from django.urls import path

from webapp.spreadsheets import views, views_labels, views_reading

app_name = "spreadsheets"
urlpatterns = [
    path("", views.index, name="list"),
    path("upload/", views.upload, name="upload"),
    path("<uuid:uuid>/", views.detail, name="detail"),
    path("<uuid:uuid>/download/", views.download, name="download"),
    path("<uuid:uuid>/delete/", views.delete, name="delete"),
    path("<uuid:uuid>/reading/", views_reading.read_status, name="read_status"),
    path("<uuid:uuid>/read-again/", views_reading.read_again, name="read_again"),
    path("<uuid:uuid>/fixes/apply/", views.fix_apply, name="fix_apply"),
    path("<uuid:uuid>/fixes/undo/", views.fix_undo, name="fix_undo"),
    path("<uuid:uuid>/labels/check/", views_labels.label_check, name="label_check"),
    path("<uuid:uuid>/labels/status/", views_labels.label_check_status, name="label_status"),
    path("<uuid:uuid>/labels/fix/", views_labels.label_fix, name="label_fix"),
    path("<uuid:uuid>/labels/fix-all/", views_labels.label_fix_all, name="label_fix_all"),
]
