"""URLs of the spreadsheets app, under /data/."""

from django.urls import path

from webapp.spreadsheets import views

app_name = "spreadsheets"
urlpatterns = [
    path("", views.index, name="list"),
    path("upload/", views.upload, name="upload"),
    path("<uuid:uuid>/", views.detail, name="detail"),
    path("<uuid:uuid>/download/", views.download, name="download"),
    path("<uuid:uuid>/delete/", views.delete, name="delete"),
    path("<uuid:uuid>/fixes/apply/", views.fix_apply, name="fix_apply"),
    path("<uuid:uuid>/fixes/undo/", views.fix_undo, name="fix_undo"),
]
