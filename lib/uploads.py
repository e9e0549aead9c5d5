"""The checks every spreadsheet upload shares: a kind of file finetune reads, and the size cap.

    upload = check_spreadsheet_upload(form.cleaned_data["file"])   # in a form's clean_file
    upload_error_title(form)   # "Wrong kind of file", "File too large"... for the error box

Both raise forms.ValidationError with one plain sentence naming the file or its size, and a
code that says which check failed. The kinds listed in the sentence are the file picker's.
"""

from pathlib import Path

from django import forms
from django.conf import settings

from finetune.data import SUPPORTED_SUFFIXES

MB = 1024 * 1024
ACCEPT = ",".join(SUPPORTED_SUFFIXES)  # for <input type=file accept=...>
ACCEPTED_WORDS = " ".join(SUPPORTED_SUFFIXES)  # the same list, for people
# Which check failed, as the heading of the upload's error box (by ValidationError code).
ERROR_TITLES = {
    "file_type": "Wrong kind of file",
    "too_large": "File too large",
    "unreadable": "LabelTune could not use this file",
    "required": "No file chosen",
    "empty": "The file is empty",
}


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
            f'"{upload.name}" is not a spreadsheet LabelTune can read. Upload a CSV, TSV, '
            f"Excel or OpenDocument file ({ACCEPTED_WORDS}).",
            code="file_type",
        )
    if upload.size > settings.MAX_UPLOAD_MB * MB:
        raise forms.ValidationError(too_large_message(upload.size), code="too_large")
    return upload


def upload_error_title(form) -> str:
    """The heading for a form's file error: which check failed; "" when there is none."""
    errors = form.errors.as_data().get("file") if form.is_bound else None
    if not errors:
        return ""
    return ERROR_TITLES.get(errors[0].code, ERROR_TITLES["unreadable"])
