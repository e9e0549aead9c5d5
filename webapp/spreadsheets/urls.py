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
]
