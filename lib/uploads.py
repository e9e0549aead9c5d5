"""The checks every spreadsheet upload shares: a kind of file finetune reads, and the size cap.

    upload = check_spreadsheet_upload(form.cleaned_data["file"])   # in a form's clean_file

Both raise forms.ValidationError with one plain sentence naming the file or its size.
"""

from pathlib import Path

from django import forms
from django.conf import settings

from finetune.data import SUPPORTED_SUFFIXES

MB = 1024 * 1024
ACCEPT = ",".join(SUPPORTED_SUFFIXES)  # for <input type=file accept=...>


def size_in_mb(size: int) -> str:
    mb = size / MB
    return f"{mb:.0f}" if mb >= 10 else f"{mb:.1f}"


def too_large_message(size: int) -> str:
    return (
        f"This file is {size_in_mb(size)} MB; the limit is {settings.MAX_UPLOAD_MB:g} MB. "
        "Split it or remove columns you don't need."
    )


def check_spreadsheet_upload(upload):
    if Path(upload.name).suffix.lower() not in SUPPORTED_SUFFIXES:
        raise forms.ValidationError(
            f'"{upload.name}" is not a spreadsheet LabelTune can read. '
            "Upload a CSV, TSV or Excel file (.csv .tsv .txt .xlsx .xlsm .xls .xlsb .ods)."
        )
    if upload.size > settings.MAX_UPLOAD_MB * MB:
        raise forms.ValidationError(too_large_message(upload.size))
    return upload
