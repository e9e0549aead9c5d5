"""The column mapping by role (text, text pair, label or labels, split) replaces the text
and label columns; the task suggestion is stored with its reason."""

from django.db import migrations, models


def to_mapping(apps, schema_editor):
    Spreadsheet = apps.get_model("spreadsheets", "Spreadsheet")
    for sheet in Spreadsheet.objects.exclude(text_column=""):
        sheet.mapping = {"text": sheet.text_column, "label": sheet.label_column or None}
        sheet.save(update_fields=["mapping"])


def to_columns(apps, schema_editor):
    Spreadsheet = apps.get_model("spreadsheets", "Spreadsheet")
    for sheet in Spreadsheet.objects.all():
        sheet.text_column = sheet.mapping.get("text") or ""
        sheet.label_column = sheet.mapping.get("label") or ""
        sheet.save(update_fields=["text_column", "label_column"])


class Migration(migrations.Migration):
    dependencies = [("spreadsheets", "0001_initial")]

    operations = [
        migrations.AddField(
            model_name="spreadsheet",
            name="mapping",
            field=models.JSONField(blank=True, default=dict),
        ),
        migrations.AddField(
            model_name="spreadsheet",
            name="suggestion",
            field=models.JSONField(blank=True, default=dict),
        ),
        migrations.RunPython(to_mapping, to_columns),
        migrations.RemoveField(model_name="spreadsheet", name="text_column"),
        migrations.RemoveField(model_name="spreadsheet", name="label_column"),
    ]
