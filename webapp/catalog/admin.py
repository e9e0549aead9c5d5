"""Staff view of trained models, their versions and batch predictions."""

from django.contrib import admin

from webapp.catalog.models import BatchPrediction, ModelVersion, TrainedModel


@admin.register(TrainedModel)
class TrainedModelAdmin(admin.ModelAdmin):
    list_display = ("name", "team", "created")
    search_fields = ("name", "uuid")
    readonly_fields = ("uuid", "team", "run", "created")


@admin.register(ModelVersion)
class ModelVersionAdmin(admin.ModelAdmin):
    list_display = ("model", "number", "created", "made_current", "made_current_by")
    readonly_fields = (
        "model", "number", "run", "created", "created_by", "made_current", "made_current_by",
    )  # fmt: skip


@admin.register(BatchPrediction)
class BatchPredictionAdmin(admin.ModelAdmin):
    list_display = ("original_name", "model", "team", "status", "rows", "created", "finished")
    list_filter = ("status",)
    readonly_fields = (
        "uuid", "team", "model", "created_by", "input", "original_name", "output", "rows",
        "message", "log", "created", "finished",
    )  # fmt: skip
