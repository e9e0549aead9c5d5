"""Staff view of training runs: status, settings and the traceback users never see."""

from django.contrib import admin

from webapp.runs.models import TrainingRun


@admin.register(TrainingRun)
class TrainingRunAdmin(admin.ModelAdmin):
    list_display = ("name", "team", "status", "created", "started", "finished")
    list_filter = ("status",)
    search_fields = ("name", "uuid")
    readonly_fields = (
        "uuid", "team", "created_by", "spreadsheet", "task", "sheet", "mapping", "config", "progress",
        "history", "metrics", "message", "log", "created", "started", "finished", "heartbeat",
    )  # fmt: skip
