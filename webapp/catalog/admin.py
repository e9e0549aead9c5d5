"""Staff view of trained models and batch predictions."""

from django.contrib import admin

from webapp.catalog.models import BatchPrediction, TrainedModel


@admin.register(TrainedModel)
class TrainedModelAdmin(admin.ModelAdmin):
    list_display = ("name", "team", "created")
    search_fields = ("name", "uuid")
    readonly_fields = ("uuid", "team", "run", "created")


@admin.register(BatchPrediction)
class BatchPredictionAdmin(admin.ModelAdmin):
    list_display = ("original_name", "model", "team", "status", "rows", "created", "finished")
    list_filter = ("status",)
    readonly_fields = (
        "uuid", "team", "model", "created_by", "input", "original_name", "output", "rows",
        "message", "log", "created", "finished",
    )  # fmt: skip
