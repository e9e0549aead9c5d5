"""A run freezes the sheet and the column mapping (by role) it trains on."""

from django.db import migrations, models


def sheet_of_spreadsheet(apps, schema_editor):
    TrainingRun = apps.get_model("runs", "TrainingRun")
    for run in TrainingRun.objects.exclude(spreadsheet=None).select_related("spreadsheet"):
        run.sheet = run.spreadsheet.sheet
        run.save(update_fields=["sheet"])


class Migration(migrations.Migration):
    dependencies = [("runs", "0001_initial")]

    operations = [
        migrations.RenameField(model_name="trainingrun", old_name="columns", new_name="mapping"),
        migrations.AddField(
            model_name="trainingrun",
            name="sheet",
            field=models.CharField(blank=True, max_length=255),
        ),
        migrations.RunPython(sheet_of_spreadsheet, migrations.RunPython.noop),
    ]
