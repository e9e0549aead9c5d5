"""Forms of the model page: "Try it" (one text), batch predictions (one spreadsheet) and
picking the rows to label next."""

from django import forms

from finetune.to_label import DEFAULT_ROWS
from lib.uploads import ACCEPT, check_spreadsheet_upload

MAX_TRY_CHARS = 10_000
MAX_PICK_ROWS = 1_000  # rows one pick may ask for


class FirstError:
    def first_error(self) -> str:
        """The form's first error message, for answers that show only one."""
        return next(iter(e for errors in self.errors.values() for e in errors), "")


class TryForm(FirstError, forms.Form):
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
    text_pair = forms.CharField(
        label="Second text",
        required=False,
        max_length=MAX_TRY_CHARS,
        strip=True,
        widget=forms.Textarea(attrs={"rows": 3, "placeholder": "Type the second text of the pair"}),
        error_messages={
            "max_length": f"The second text is too long to try here; keep it under "
            f"{MAX_TRY_CHARS:,} characters."
        },
    )

    def __init__(self, *args, takes_pairs: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.takes_pairs = takes_pairs
        if not takes_pairs:
            del self.fields["text_pair"]

    def clean(self):
        data = super().clean()
        if self.takes_pairs and data.get("text") and not data.get("text_pair"):
            self.add_error(
                "text_pair", "This model reads pairs of texts: type the second text too."
            )
        return data


class BatchForm(forms.Form):
    file = forms.FileField(
        label="Spreadsheet to label",
        widget=forms.ClearableFileInput(attrs={"accept": ACCEPT}),
        error_messages={"required": "Choose a spreadsheet file first."},
    )

    def clean_file(self):
        return check_spreadsheet_upload(self.cleaned_data["file"])


class BatchColumnsForm(forms.Form):
    """Which columns of an uploaded file hold the text (and the second text), when they are
    not named as in the training data."""

    pending = forms.CharField(widget=forms.HiddenInput)
    text_column = forms.ChoiceField(label="Column with the text")
    pair_column = forms.ChoiceField(label="Column with the second text")

    def __init__(self, *args, columns: list[str], takes_pairs: bool, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [(c, c) for c in columns]
        self.fields["text_column"].choices = choices
        if takes_pairs:
            self.fields["pair_column"].choices = choices
        else:
            del self.fields["pair_column"]

    def clean(self):
        data = super().clean()
        if data.get("pair_column") and data.get("pair_column") == data.get("text_column"):
            self.add_error("pair_column", "Pick two different columns for the two texts.")
        return data


class PickRowsForm(FirstError, forms.Form):
    """How many rows to pick to label next (alone: on the row of a file the model scored)."""

    rows = forms.IntegerField(
        label="Rows to pick",
        initial=DEFAULT_ROWS,
        min_value=1,
        max_value=MAX_PICK_ROWS,
        error_messages={
            "required": "Say how many rows to pick.",
            "invalid": "Say how many rows to pick as a whole number, like 50.",
            "min_value": "Pick at least one row.",
            "max_value": f"Pick at most {MAX_PICK_ROWS:,} rows at a time.",
        },
    )


class PickForm(BatchForm, PickRowsForm):
    """A file of texts without labels, and how many of its rows to pick to label next."""
