from django.apps import AppConfig


class SpreadsheetsConfig(AppConfig):
    name = "webapp.spreadsheets"
    label = "spreadsheets"
