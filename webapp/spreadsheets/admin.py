"""Staff admin for uploaded spreadsheets."""

from django.contrib import admin

from webapp.spreadsheets.models import Spreadsheet


@admin.register(Spreadsheet)
class SpreadsheetAdmin(admin.ModelAdmin):
    list_display = ["name", "team", "row_count", "task", "created"]
    list_filter = ["task"]
    search_fields = ["name", "team__name"]
    readonly_fields = ["uuid", "created", "size", "sheets", "columns", "row_count", "health"]
    raw_id_fields = ["team", "uploaded_by"]
