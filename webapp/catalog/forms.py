"""Forms of the model page: "Try it" (one text) and batch predictions (one spreadsheet)."""

from pathlib import Path

from django import forms
from django.conf import settings

from finetune.data import SUPPORTED_SUFFIXES

MAX_TRY_CHARS = 10_000


class TryForm(forms.Form):
    text = forms.CharField(
        label="Text",
        max_length=MAX_TRY_CHARS,
        strip=True,
        widget=forms.Textarea(attrs={"rows": 4, "placeholder": "Type or paste a text to label"}),
        error_messages={
            "required": "Type a text first.",
            "max_length": f"This text is too long to try here; keep it under {MAX_TRY_CHARS:,} "
            "characters, or score it with a spreadsheet below.",
        },
    )


class BatchForm(forms.Form):
    file = forms.FileField(
        label="Spreadsheet to label",
        error_messages={"required": "Choose a spreadsheet file first."},
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        suffix = Path(upload.name).suffix.lower()
        if suffix not in SUPPORTED_SUFFIXES:
            kinds = ", ".join(SUPPORTED_SUFFIXES)
            raise forms.ValidationError(
                f'"{upload.name}" is not a spreadsheet LabelTune can read. Use one of: {kinds}.'
            )
        limit = settings.MAX_UPLOAD_MB * 1024 * 1024
        if upload.size > limit:
            size = upload.size / (1024 * 1024)
            raise forms.ValidationError(
                f"This file is {size:.0f} MB; the limit is {settings.MAX_UPLOAD_MB} MB. "
                "Split it into smaller files and upload them one by one."
            )
        return upload
