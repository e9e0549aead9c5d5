"""Forms of the model page: "Try it" (one text) and batch predictions (one spreadsheet)."""

from django import forms

from lib.uploads import check_spreadsheet_upload

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
        return check_spreadsheet_upload(self.cleaned_data["file"])
