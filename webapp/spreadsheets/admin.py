"""Staff admin for uploaded spreadsheets and their reads."""

from django.contrib import admin

from webapp.spreadsheets.models import Spreadsheet
from webapp.spreadsheets.reading import SheetRead


@admin.register(Spreadsheet)
class SpreadsheetAdmin(admin.ModelAdmin):
    list_display = ["name", "team", "row_count", "task", "created"]
    list_filter = ["task"]
    search_fields = ["name", "team__name"]
    readonly_fields = ["uuid", "created", "size", "sheets", "columns", "row_count", "health"]
    raw_id_fields = ["team", "uploaded_by"]


@admin.register(SheetRead)
class SheetReadAdmin(admin.ModelAdmin):
    """Reads of uploads and big data checks, with the traceback of any that failed."""

    list_display = ["spreadsheet", "kind", "status", "created", "finished"]
    list_filter = ["kind", "status"]
    readonly_fields = [field.name for field in SheetRead._meta.fields]
    raw_id_fields = ["spreadsheet", "created_by"]

    def has_add_permission(self, request):
        return False
